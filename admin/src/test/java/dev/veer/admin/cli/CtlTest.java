package dev.veer.admin.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CtlTest {

    private static final String SHOP = json("""
            {'name':'shop','revision':7,'weights':{'blue':90,'green':10},
             'versions':[{'name':'blue','endpoints':[{'address':'127.0.0.1:9001','healthy':true},
                                                     {'address':'127.0.0.1:9003','healthy':false}]},
                         {'name':'green','endpoints':[{'address':'127.0.0.1:9002','healthy':true}]}],
             'sticky':{'cookie':'veer_shop'},'routes':[]}""");
    private static final String CART = json("""
            {'name':'cart','revision':2,'weights':{'v1':100},
             'versions':[{'name':'v1','endpoints':[{'address':'10.0.0.5:8000','healthy':true}]}]}""");
    private static final String ROLLOUT = json("""
            {'phase':'Progressing','strategy':'canary','canary':'green','baseline':'blue','step':1,
             'steps':[{'weight':5,'pause':'30m'},{'weight':25,'pause':'2h'},{'approval':true},{'weight':100}],
             'weights':{'blue':95,'green':5},
             'verdicts':[{'at':'2026-11-22T10:00:00Z','result':'Inconclusive','reason':'too few requests',
                          'figures':{'canaryRequests':12,'baselineRequests':240}},
                         {'at':'2026-11-22T10:01:00Z','result':'Pass','reason':'within limits',
                          'figures':{'canaryErrorRate':0.001,'baselineErrorRate':0.0012}}]}""");

    private FakeAdminServer server;
    private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();

    @BeforeEach
    void start() throws IOException {
        server = new FakeAdminServer();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /** Contract JSON written with single quotes for readability. */
    private static String json(String singleQuoted) {
        return singleQuoted.replace('\'', '"');
    }

    private int ctl(String... args) {
        return ctlWithEnv(Map.of("VEER_ADMIN_URL", server.url(), "VEER_ADMIN_TOKEN", "s3cret"), args);
    }

    private int ctlWithEnv(Map<String, String> env, String... args) {
        PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);
        return Ctl.run(args, out, err, env);
    }

    private String out() {
        return outBytes.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return errBytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void statusListsEveryServiceWithHealthWeightsRevisionAndRollout() {
        server.answer("GET /api/v1/services", 200, "{\"services\":[" + SHOP + "," + CART + "]}")
                .answer("GET /api/v1/services/shop/rollout", 200, ROLLOUT);

        assertThat(ctl("status")).isZero();

        assertThat(out()).isEqualTo("""
                shop  revision 7
                  VERSION  WEIGHT  ENDPOINTS
                  blue     90%     127.0.0.1:9001 up, 127.0.0.1:9003 DOWN
                  green    10%     127.0.0.1:9002 up
                  rollout: Progressing, step 1 of 4, canary green vs baseline blue, weights blue=95 green=5, \
                last verdict Pass: within limits

                cart  revision 2
                  VERSION  WEIGHT  ENDPOINTS
                  v1       100%    10.0.0.5:8000 up
                """);
        assertThat(server.requests()).extracting(FakeAdminServer.Recorded::target).containsExactly(
                "/api/v1/services", "/api/v1/services/shop/rollout", "/api/v1/services/cart/rollout");
        assertThat(server.requests()).allSatisfy(request -> {
            assertThat(request.method()).isEqualTo("GET");
            assertThat(request.authorization()).isEqualTo("Bearer s3cret");
        });
        assertThat(err()).isEmpty();
    }

    /** Some other HTTP service at the admin URL, answering 200 with JSON to anything, is not an empty Veer. */
    @Test
    void anAnswerThatIsNotVeersIsRefusedNotShownAsEmpty() {
        server.notVeer().answer("GET /api/v1/services", 200, "{\"ok\":true}")
                .answer("POST /api/v1/services/shop/switch", 200, "{\"ok\":true}");
        assertThat(ctl("status")).isEqualTo(1);
        assertThat(err()).contains("is not from Veer's admin API (Server: none); check VEER_ADMIN_URL or --url");
        assertThat(out()).doesNotContain("no services");
        errBytes.reset();
        assertThat(ctl("switch", "shop", "blue")).as("a switch nobody made").isEqualTo(1);
        assertThat(err()).contains("is not from Veer's admin API");
        assertThat(out()).doesNotContain("switched");
    }

    /**
     * A wrong URL reaching a web server that answers 404 with a page (python -m http.server) is said to be no Veer,
     * rather than shown as "HTTP 404 ...: <!DOCTYPE HTML>", and a rollout it does not know is not "no rollout".
     */
    @Test
    void anErrorPageFromAnotherServerSaysItIsNotVeer() {
        String page = "<!DOCTYPE HTML>\n<html><body>Error response, code 404</body></html>";
        server.notVeer().answer("GET /api/v1/services", 404, page)
                .answer("GET /api/v1/services/shop", 404, page)
                .answer("GET /api/v1/services/shop/rollout", 404, page);
        assertThat(ctl("status")).isEqualTo(1);
        assertThat(err()).isEqualTo("error: the answer to GET /api/v1/services at " + server.url() + " (HTTP 404:"
                + " <!DOCTYPE HTML>) is not from Veer's admin API (Server: none); check VEER_ADMIN_URL or --url\n");
        errBytes.reset();
        assertThat(ctl("rollout", "shop")).isEqualTo(1);
        assertThat(err()).contains("GET /api/v1/services/shop/rollout").contains("is not from Veer's admin API")
                .doesNotContain("has no rollout");
    }

    @Test
    void statusOfOneServiceShowsItsLastFinishedRollout() {
        server.answer("GET /api/v1/services/cart", 200, CART)
                .answer("GET /api/v1/services/cart/rollout", 200, json("""
                        {'phase':'RolledBack','strategy':'canary','canary':'v2','baseline':'v1','step':0,
                         'steps':[],'weights':{'v1':100,'v2':0},'verdicts':[]}"""));

        assertThat(ctl("status", "cart")).isZero();

        assertThat(out()).isEqualTo("""
                cart  revision 2
                  VERSION  WEIGHT  ENDPOINTS
                  v1       100%    10.0.0.5:8000 up
                  last rollout: RolledBack, step 0 of 0, canary v2 vs baseline v1, weights v1=100 v2=0
                """);
    }

    @Test
    void weightsPutsTheSplitWithIfMatchAndPrintsTheNewRevision() {
        server.answer("PUT /api/v1/services/shop/weights", 200,
                SHOP.replace("\"revision\":7", "\"revision\":8")
                        .replace("{\"blue\":90,\"green\":10}", "{\"blue\":87.5,\"green\":12.5}"));

        assertThat(ctl("--if-match", "7", "weights", "shop", "blue=87.50", "green=12.5")).isZero();

        FakeAdminServer.Recorded request = server.only();
        assertThat(request.method()).isEqualTo("PUT");
        assertThat(request.target()).isEqualTo("/api/v1/services/shop/weights");
        assertThat(request.body()).isEqualTo("{\"blue\":87.5,\"green\":12.5}");
        assertThat(request.ifMatch()).isEqualTo("7");
        assertThat(request.contentType()).isEqualTo("application/json");
        assertThat(out()).isEqualTo("shop: weights blue=87.5 green=12.5 (revision 8)\n");
    }

    @Test
    void reasonGoesWithMutatingVerbsAsXVeerReasonAndMustBePrintable() {
        server.answer("PUT /api/v1/services/shop/weights", 200, SHOP);
        server.answer("GET /api/v1/services/shop", 200, SHOP);

        assertThat(ctl("weights", "shop", "blue=90", "green=10", "--reason", "OPS-7: canary by hand")).isZero();
        assertThat(server.only().reason()).isEqualTo("OPS-7: canary by hand");
        assertThat(ctl("--reason=why", "versions", "shop")).isZero();
        assertThat(server.requests().get(1).reason()).as("not on reads").isNull();
        assertThat(ctl("--reason", "line\nbreak", "weights", "shop", "blue=100", "green=0")).isEqualTo(2);
        assertThat(server.requests()).hasSize(2);
    }

    /**
     * A token no header can carry (a line break inside, from a two-line secret file) is a usage error naming where
     * it came from; it stopped ctl with the HTTP client's IllegalArgumentException and a stack trace.
     */
    @Test
    void aTokenNoHeaderCanCarryIsAUsageError() {
        assertThat(ctl("--token", "abc\ndef", "status")).isEqualTo(2);
        assertThat(err()).startsWith("error: --token: character 4 of the token is a line break (expected: the admin"
                + " token, printable ASCII)\n");
        errBytes.reset();
        assertThat(ctlWithEnv(Map.of("VEER_ADMIN_URL", server.url(), "VEER_ADMIN_TOKEN", "tok\u00e9n"), "status"))
                .isEqualTo(2);
        assertThat(err()).startsWith("error: VEER_ADMIN_TOKEN: character 4 of the token is a non-ASCII character"
                + " (expected: the admin token, printable ASCII)\n");
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void flagsDisablePutsTheFlagBackWithOnlyEnabledChangedAndTheRevisionItRead() {
        server.answer("GET /api/v1/flags/dark", 200, json("""
                {'name':'dark','enabled':true,'percentage':10,'stickiness':'header:x-user-id','targeting':[],'revision':4}"""));
        server.answer("PUT /api/v1/flags/dark", 200, json("""
                {'name':'dark','enabled':false,'percentage':10,'stickiness':'header:x-user-id','targeting':[],'revision':5}"""));

        assertThat(ctl("flags", "disable", "dark")).isZero();

        FakeAdminServer.Recorded put = server.requests().get(1);
        assertThat(put.method()).isEqualTo("PUT");
        assertThat(put.body()).isEqualTo(
                "{\"enabled\":false,\"percentage\":10,\"stickiness\":\"header:x-user-id\",\"targeting\":[]}");
        assertThat(put.ifMatch()).as("a change in between is refused, not overwritten").isEqualTo("4");
        assertThat(out()).isEqualTo("flag dark disabled (revision 5)\n");
    }

    @Test
    void weightsSendsWholePercentsAsIntegers() {
        server.answer("PUT /api/v1/services/shop/weights", 200, SHOP);

        assertThat(ctl("weights", "shop", "blue=90", "green=10.00")).isZero();

        assertThat(server.only().body()).isEqualTo("{\"blue\":90,\"green\":10}");
        assertThat(server.only().ifMatch()).isNull();
    }

    @Test
    void refusedCallPrintsTheServersErrorAndPathAndExitsOne() {
        server.answer("PUT /api/v1/services/shop/weights", 400,
                "{\"error\":\"sum is 95 (expected: 100)\",\"path\":\"weights\"}");

        assertThat(ctl("weights", "shop", "blue=90", "green=5")).isEqualTo(1);

        assertThat(err()).isEqualTo("error: weights: sum is 95 (expected: 100)\n");
        assertThat(out()).isEmpty();
    }

    @Test
    void withJsonARefusalAlsoPrintsTheApisErrorObjectForScripts() {
        server.answer("PUT /api/v1/services/shop/weights", 400,
                "{\"error\":\"sum is 95 (expected: 100)\",\"path\":\"weights\"}")
                .answer("GET /api/v1/flags", 502, "<html>bad gateway</html>");

        assertThat(ctl("--json", "weights", "shop", "blue=90", "green=5")).isEqualTo(1);
        assertThat(out()).isEqualTo("{\"error\":\"sum is 95 (expected: 100)\",\"path\":\"weights\"}\n");
        assertThat(err()).isEqualTo("error: weights: sum is 95 (expected: 100)\n");

        // Not the API's error object (a proxy in between): nothing to parse, so nothing on stdout.
        assertThat(ctl("--json", "flags")).isEqualTo(1);
        assertThat(out()).isEqualTo("{\"error\":\"sum is 95 (expected: 100)\",\"path\":\"weights\"}\n");
    }

    @Test
    void staleRevisionAndMissingTokenGetAHint() {
        server.answer("POST /api/v1/services/shop/switch", 412,
                "{\"error\":\"revision is 9 (expected: 7)\",\"path\":\"\"}")
                .answer("GET /api/v1/flags", 401, "{\"error\":\"missing bearer token\"}");

        assertThat(ctl("--if-match=7", "switch", "shop", "green")).isEqualTo(1);
        assertThat(ctlWithEnv(Map.of(), "--url", server.url(), "flags")).isEqualTo(1);

        assertThat(err()).isEqualTo("""
                error: revision is 9 (expected: 7) (HTTP 412: the revision changed; read it again and retry)
                error: missing bearer token (HTTP 401: set VEER_ADMIN_TOKEN or --token)
                """);
        assertThat(server.requests().get(1).authorization()).isNull();
    }

    @Test
    void errorWithoutJsonBodyNamesTheStatusAndCall() {
        server.answer("POST /api/v1/reload", 500, "boom\nstack");

        assertThat(ctl("reload")).isEqualTo(1);

        assertThat(err()).isEqualTo("error: HTTP 500 from POST /api/v1/reload: boom\n");
    }

    @Test
    void switchPostsTheTargetVersion() {
        server.answer("POST /api/v1/services/shop/switch", 200,
                SHOP.replace("{\"blue\":90,\"green\":10}", "{\"blue\":0,\"green\":100}").replace(":7,", ":9,"));

        assertThat(ctl("switch", "shop", "green")).isZero();

        assertThat(server.only().method()).isEqualTo("POST");
        assertThat(server.only().body()).isEqualTo("{\"to\":\"green\"}");
        assertThat(out()).isEqualTo("shop: switched to green; weights blue=0 green=100 (revision 9)\n");
    }

    @Test
    void versionsListsEndpointsOnePerRow() {
        server.answer("GET /api/v1/services/shop", 200, SHOP);

        assertThat(ctl("versions", "shop")).isZero();

        assertThat(out()).isEqualTo("""
                VERSION  WEIGHT  ENDPOINT        HEALTH
                blue     90%     127.0.0.1:9001  up
                blue     90%     127.0.0.1:9003  DOWN
                green    10%     127.0.0.1:9002  up
                """);
    }

    @Test
    void versionsSetAndDelete() {
        server.answer("PUT /api/v1/services/shop/versions/green", 200, SHOP.replace(":7,", ":10,"))
                .answer("DELETE /api/v1/services/shop/versions/green", 204, "");

        assertThat(ctl("versions", "shop", "set", "green", "127.0.0.1:9002, 127.0.0.1:9004")).isZero();
        assertThat(ctl("--if-match", "10", "versions", "shop", "delete", "green")).isZero();

        assertThat(server.requests()).hasSize(2);
        assertThat(server.requests().get(0).method()).isEqualTo("PUT");
        assertThat(server.requests().get(0).body())
                .isEqualTo("{\"endpoints\":[\"127.0.0.1:9002\",\"127.0.0.1:9004\"]}");
        assertThat(server.requests().get(1).method()).isEqualTo("DELETE");
        assertThat(server.requests().get(1).ifMatch()).isEqualTo("10");
        assertThat(out()).isEqualTo("""
                shop: version green set to 127.0.0.1:9002,127.0.0.1:9004 (revision 10)
                shop: version green deleted
                """);
    }

    @Test
    void rolloutStartPostsCanaryBaselineStrategyAndPlan(@TempDir Path dir) throws IOException {
        Path plan = dir.resolve("plan.json");
        Files.writeString(plan, "{\"steps\":[{\"weight\":10,\"pause\":\"5m\"},{\"weight\":100}]}");
        server.answer("POST /api/v1/services/shop/rollout", 201, ROLLOUT);

        assertThat(ctl("rollout", "shop", "start", "--canary", "green", "--baseline", "blue",
                "--strategy", "blueGreen", "--plan", plan.toString())).isZero();

        assertThat(server.only().method()).isEqualTo("POST");
        assertThat(server.only().body()).isEqualTo(
                "{\"steps\":[{\"weight\":10,\"pause\":\"5m\"},{\"weight\":100}],"
                        + "\"canary\":\"green\",\"baseline\":\"blue\",\"strategy\":\"blueGreen\"}");
        assertThat(out()).startsWith("shop rollout: Progressing (canary)\n");
    }

    /** A plan copied out of the config file's rollout section reads as it is (YAML); other keys are refused. */
    @Test
    void aRolloutPlanFileMayBeYamlAndHoldsOnlyStepsAndAnalysis(@TempDir Path dir) throws IOException {
        Path plan = dir.resolve("plan.yaml");
        Files.writeString(plan, "steps: [ {weight: 10, pause: 5m}, {weight: 100} ]\nanalysis: { interval: 30s }\n");
        server.answer("POST /api/v1/services/shop/rollout", 201, ROLLOUT);
        assertThat(ctl("rollout", "shop", "start", "--canary", "green", "--baseline", "blue", "--plan",
                plan.toString())).isZero();
        assertThat(server.only().body()).isEqualTo("{\"steps\":[{\"weight\":10,\"pause\":\"5m\"},{\"weight\":100}],"
                + "\"analysis\":{\"interval\":\"30s\"},\"canary\":\"green\",\"baseline\":\"blue\"}");

        // A plan that holds no usable object is refused (exit 1) as a bad config is, and nothing is sent.
        Path withCanary = dir.resolve("canary.json");
        Files.writeString(withCanary, "{\"canary\":\"blue\",\"steps\":[]}");
        assertRefusedBeforeSending("error: --plan " + withCanary + ": canary: not allowed here (expected: steps, "
                + "analysis; the versions come from --canary and --baseline, the strategy from --strategy)", withCanary);
        Path broken = dir.resolve("broken.json");
        Files.writeString(broken, "{\"steps\": [");
        assertRefusedBeforeSending("error: --plan " + broken + ":1:", broken);
        Path empty = dir.resolve("empty.yaml");
        Files.writeString(empty, "# nothing yet\n");
        assertRefusedBeforeSending("error: --plan " + empty + ": empty (expected: an object; write {} for an empty one)",
                empty);
    }

    private void assertRefusedBeforeSending(String expectedStart, Path plan) {
        errBytes.reset();
        int sent = server.requests().size();
        assertThat(ctl("rollout", "shop", "start", "--canary", "green", "--baseline", "blue", "--plan",
                plan.toString())).as(plan.toString()).isEqualTo(1);
        assertThat(err()).startsWith(expectedStart).doesNotContain("usage:");
        assertThat(server.requests()).hasSize(sent);
    }

    /** The API's error about a plan field says it came from the plan file. */
    @Test
    void aRefusedPlanNamesThePlanFile(@TempDir Path dir) throws IOException {
        Path plan = dir.resolve("plan.json");
        Files.writeString(plan, "{\"steps\":[{\"weight\":500}]}");
        server.answer("POST /api/v1/services/shop/rollout", 400,
                "{\"error\":\"500 (expected: 0..100)\",\"path\":\"steps[0].weight\"}");
        assertThat(ctl("rollout", "shop", "start", "--canary", "green", "--baseline", "blue", "--plan",
                plan.toString())).isEqualTo(1);
        assertThat(err()).contains("--plan " + plan + ": steps[0].weight: 500 (expected: 0..100)");
    }

    /**
     * A flag file the API refuses is named as a refused plan file is, and with --json the API's error object is
     * still on stdout (naming the plan dropped it; a flag file was not named at all: "error: bogus: unknown key").
     */
    @Test
    void aRefusedFlagOrPlanFileIsNamedAndItsErrorObjectKept(@TempDir Path dir) throws IOException {
        String refusal = "{\"error\":\"unknown key (expected one of: name, enabled)\",\"path\":\"bogus\"}";
        Path flag = Files.writeString(dir.resolve("flag.yaml"), "enabled: true\nbogus: 1\n");
        server.answer("PUT /api/v1/flags/f", 400, refusal);
        assertThat(ctl("--json", "flags", "set", "f", "--file", flag.toString())).isEqualTo(1);
        assertThat(err()).isEqualTo("error: --file " + flag + ": bogus: unknown key (expected one of: name,"
                + " enabled)\n");
        assertThat(out()).isEqualTo(refusal + "\n");

        outBytes.reset();
        Path plan = Files.writeString(dir.resolve("plan.json"), "{\"steps\":[{\"weight\":500}]}");
        server.answer("POST /api/v1/services/shop/rollout", 400,
                "{\"error\":\"500 (expected: 0..100)\",\"path\":\"steps[0].weight\"}");
        assertThat(ctl("--json", "rollout", "shop", "start", "--canary", "green", "--baseline", "blue", "--plan",
                plan.toString())).isEqualTo(1);
        assertThat(out()).isEqualTo("{\"error\":\"500 (expected: 0..100)\",\"path\":\"steps[0].weight\"}\n");
    }

    @Test
    void rolloutStatusShowsPlanAndEveryVerdictWithFigures() {
        server.answer("GET /api/v1/services/shop/rollout", 200, ROLLOUT);

        assertThat(ctl("rollout", "shop")).isZero();

        assertThat(out()).isEqualTo("""
                shop rollout: Progressing (canary)
                  canary green, baseline blue, step 1 of 4
                  weights: blue=95 green=5
                  plan: 5% for 30m -> 25% for 2h -> approval -> 100%
                  verdicts:
                  AT                    RESULT        REASON            FIGURES
                  2026-11-22T10:00:00Z  Inconclusive  too few requests  canaryRequests=12 baselineRequests=240
                  2026-11-22T10:01:00Z  Pass          within limits     canaryErrorRate=0.001 baselineErrorRate=0.0012
                """);
    }

    @Test
    void aFinishedRolloutShowsItsLastStepAndItsRevision() {
        server.answer("GET /api/v1/services/shop/rollout", 200, json("""
                {'phase':'Succeeded','strategy':'canary','canary':'green','baseline':'blue','step':2,'revision':6,
                 'steps':[{'weight':10,'pause':'5m'},{'weight':100}],'weights':{'blue':0,'green':100},
                 'verdicts':[]}"""));

        assertThat(ctl("rollout", "shop")).isZero();

        assertThat(out()).isEqualTo("""
                shop rollout: Succeeded (canary)
                  canary green, baseline blue, step 2 of 2, revision 6
                  weights: blue=0 green=100
                  plan: 10% for 5m -> 100%
                  verdicts: none yet
                """);
    }

    @Test
    void aBlueGreenPlanSaysPreviewAndSwitchRatherThanTheirWeights() {
        server.answer("GET /api/v1/services/shop/rollout", 200, json("""
                {'phase':'Progressing','strategy':'blueGreen','canary':'green','baseline':'blue','step':1,
                 'steps':[{'kind':'preview','weight':0,'pause':'10m'},{'kind':'approval','approval':true},
                          {'kind':'switch','weight':100,'pause':'10m'}],
                 'weights':{'blue':100,'green':0},'verdicts':[]}"""));

        assertThat(ctl("rollout", "shop")).isZero();

        assertThat(out()).contains("  plan: preview for 10m -> approval -> switch to 100%, watched for 10m\n");
    }

    @Test
    void rolloutControlsPostToTheirPaths() {
        for (String action : new String[] {"pause", "resume", "approve", "promote", "abort"}) {
            server.answer("POST /api/v1/services/shop/rollout/" + action, 200, ROLLOUT);
            assertThat(ctl("--if-match", "3", "rollout", "shop", action)).isZero();
        }

        assertThat(server.requests()).extracting(FakeAdminServer.Recorded::target).containsExactly(
                "/api/v1/services/shop/rollout/pause", "/api/v1/services/shop/rollout/resume",
                "/api/v1/services/shop/rollout/approve", "/api/v1/services/shop/rollout/promote",
                "/api/v1/services/shop/rollout/abort");
        assertThat(server.requests()).allSatisfy(request -> {
            assertThat(request.method()).isEqualTo("POST");
            assertThat(request.ifMatch()).isEqualTo("3");
            assertThat(request.body()).isEmpty();
        });
    }

    @Test
    void rolloutThatNeverStartedIsRefused() {
        server.answer("GET /api/v1/services/cart", 200, SHOP.replace("\"shop\"", "\"cart\""));
        assertThat(ctl("rollout", "cart")).isEqualTo(1);

        assertThat(err()).isEqualTo(
                "error: cart has no rollout (start one with: rollout cart start --canary VER --baseline VER)\n");
    }

    @Test
    void rolloutOfAServiceThatDoesNotExistSaysSo() {
        server.answer("GET /api/v1/services/nosuch", 404, "{\"error\":\"service nosuch not found\",\"path\":\"\"}");
        assertThat(ctl("rollout", "nosuch")).isEqualTo(1);

        assertThat(err()).contains("service nosuch not found").doesNotContain("has no rollout");
    }

    @Test
    void conflictingRolloutStartIsRefusedWithTheServersReason() {
        server.answer("POST /api/v1/services/shop/rollout", 409,
                "{\"error\":\"a rollout is Progressing (expected: none running)\",\"path\":\"rollout\"}");

        assertThat(ctl("rollout", "shop", "start", "--canary", "green", "--baseline", "blue")).isEqualTo(1);

        assertThat(server.only().body()).isEqualTo("{\"canary\":\"green\",\"baseline\":\"blue\"}");
        assertThat(err()).isEqualTo("error: rollout: a rollout is Progressing (expected: none running)\n");
    }

    /** A bare --json among flags set's options asks for raw output, before or after them; it takes no option. */
    @Test
    void aBareJsonBesideFlagsSetOptionsAsksForRawOutput(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("flag.json"), "{\"enabled\":false}");
        server.answer("PUT /api/v1/flags/dark", 200, "{\"name\":\"dark\",\"enabled\":false}");
        assertThat(ctl("flags", "set", "dark", "--json", "--file", file.toString())).isZero();
        assertThat(ctl("flags", "set", "dark", "--file", file.toString(), "--json", "--reason", "why")).isZero();
        assertThat(server.requests()).extracting(r -> r.method() + " " + r.target() + " " + r.body())
                .containsExactly("PUT /api/v1/flags/dark {\"enabled\":false}",
                        "PUT /api/v1/flags/dark {\"enabled\":false}");
        assertThat(out()).isEqualTo("{\"name\":\"dark\",\"enabled\":false}\n".repeat(2));
    }

    /**
     * Inline --json is read as strictly as the API and --file read it: a key given twice or more after the object is
     * a usage error, not "the last key wins" or a second object silently dropped; and the parser's complaint does not
     * say how to configure Jackson.
     */
    @Test
    void inlineJsonWithADuplicateKeyOrMoreAfterTheObjectIsRefusedBeforeAnyRequest() {
        for (String inline : new String[]{"{\"enabled\":true,\"enabled\":false}",
                "{\"enabled\":false}{\"enabled\":true}", "{\"enabled\":true} // on", "{\"enabled\":true}}", "{\"percentage\":NaN}"}) {
            errBytes.reset();
            assertThat(ctl("flags", "set", "dark", "--json", inline)).as(inline).isEqualTo(2);
            assertThat(err().lines().findFirst().orElse("")).as(inline).startsWith("error: --json:1:")
                    .contains("not valid JSON").doesNotContain("`").doesNotContain("to allow");
        }
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void flagsListGetSetDelete(@TempDir Path dir) throws IOException {
        String flag = json("""
                {'name':'new_checkout','enabled':true,'percentage':5,'stickiness':'header:x-user-id',
                 'targeting':[{'header':'x-plan','in':['premium','gold']}]}""");
        Path file = dir.resolve("flag.json");
        Files.writeString(file, "{\"enabled\":false,\"percentage\":0}");
        server.answer("GET /api/v1/flags", 200, "{\"flags\":[" + flag + ","
                        + "{\"name\":\"dark_mode\",\"enabled\":false,\"percentage\":100,\"targeting\":[]}]}")
                .answer("GET /api/v1/flags/new_checkout", 200, flag)
                .answer("PUT /api/v1/flags/new_checkout", 200, flag)
                .answer("DELETE /api/v1/flags/dark_mode", 204, "");

        assertThat(ctl("flags")).isZero();
        assertThat(ctl("flags", "get", "new_checkout")).isZero();
        assertThat(ctl("flags", "set", "new_checkout", "--json", "{\"enabled\":true,\"percentage\":5}")).isZero();
        assertThat(ctl("flags", "set", "new_checkout", "--file", file.toString())).isZero();
        assertThat(ctl("flags", "delete", "dark_mode")).isZero();

        assertThat(server.requests()).extracting(r -> r.method() + " " + r.target() + " " + r.body()).containsExactly(
                "GET /api/v1/flags ",
                "GET /api/v1/flags/new_checkout ",
                "PUT /api/v1/flags/new_checkout {\"enabled\":true,\"percentage\":5}",
                "PUT /api/v1/flags/new_checkout {\"enabled\":false,\"percentage\":0}",
                "DELETE /api/v1/flags/dark_mode ");
        String details = """
                  name: new_checkout
                  enabled: true
                  percentage: 5%
                  stickiness: header:x-user-id
                  targeting: header x-plan in [premium,gold]
                """;
        assertThat(out()).isEqualTo("""
                NAME          ENABLED  PERCENT  STICKINESS        TARGETING
                new_checkout  true     5%       header:x-user-id  header x-plan in [premium,gold]
                dark_mode     false    100%     -                 everyone
                """ + details + "flag new_checkout saved\n" + details + "flag new_checkout saved\n" + details
                + "flag dark_mode deleted\n");
    }

    @Test
    void eventsPassesTheLimitAndPrintsTheAuditTable() {
        server.answer("GET /api/v1/events?limit=2", 200, json("""
                {'events':[{'at':'2026-11-22T10:00:00Z','actor':'token:ops','action':'weights.set','target':'shop',
                            'before':{'blue':100},'after':{'blue':90,'green':10},'reason':'manual'},
                           {'at':'2026-11-22T10:01:00Z','actor':'analyzer','action':'rollout.verdict',
                            'target':'shop','reason':'Pass: within limits'}]}"""));

        assertThat(ctl("events", "--limit", "2")).isZero();

        assertThat(out()).isEqualTo("""
                AT                    ACTOR      ACTION           TARGET  REASON
                2026-11-22T10:00:00Z  token:ops  weights.set      shop    manual
                2026-11-22T10:01:00Z  analyzer   rollout.verdict  shop    Pass: within limits
                """);
    }

    @Test
    void statsPrintsOneRowPerVersionWithTheServersFigures() {
        server.answer("GET /api/v1/services/shop/stats", 200, json("""
                {'service':'shop','revision':3,'windowSeconds':60,'versions':{
                  'blue':{'count':1200,'requests':1200,'errors':3,'errorRate':0.0025,'p50':3.1,'p95':12,'p99':40.5,
                          'p50Ms':3.1,'p95Ms':12,'p99Ms':40.5,
                          'failures':{'connect':2,'timeout':0,'reset':1,'protocol':0},
                          'recent':{'count':100,'requests':100,'errors':0,'errorRate':0,'p50':3,'p95':11,'p99':30}},
                  'green':{'count':0,'requests':0,'errors':0,'errorRate':0,'p50':null,'p95':null,'p99':null,
                          'failures':{'connect':0,'timeout':0,'reset':0,'protocol':0},
                          'recent':{'count':0,'requests':0,'errors':0,'errorRate':0,'p50':null,'p95':null,'p99':null}}}}"""));

        assertThat(ctl("stats", "shop")).isZero();

        assertThat(out()).isEqualTo("""
                VERSION  REQUESTS  ERRORS  ERROR%  P50_MS  P95_MS  P99_MS  UPSTREAM_FAILURES       LAST_60S_REQUESTS  LAST_60S_ERROR%  LAST_60S_P95_MS
                blue     1200      3       0.25    3.1     12      40.5    3 (connect 2, reset 1)  100                0.00             11
                green    0         0       0.00    -       -       -       0                       0                  0.00             -
                """);
    }

    @Test
    void reloadPostsAndPrintsTheRevision() {
        server.answer("POST /api/v1/reload", 200, "{\"revision\":12}");

        assertThat(ctl("reload")).isZero();

        assertThat(server.only().method()).isEqualTo("POST");
        assertThat(out()).isEqualTo("reloaded (revision 12)\n");
    }

    /** A refused reload names the config file, as veer check does, before the key path of each error. */
    @Test
    void aRefusedReloadNamesTheConfigFile() {
        server.answer("POST /api/v1/reload", 400, "{\"error\":\"sum is 90 (expected: 100) (and 1 more, see errors)\","
                + "\"path\":\"services[0].weights\",\"file\":\"config/veer.yaml\",\"errors\":["
                + "{\"path\":\"services[0].weights\",\"error\":\"sum is 90 (expected: 100)\"},"
                + "{\"path\":\"proxy.drainTimeout\",\"error\":\"'5x' (expected: a duration)\"}]}");
        assertThat(ctl("reload")).isEqualTo(1);
        assertThat(err()).isEqualTo("""
                error: config/veer.yaml: services[0].weights: sum is 90 (expected: 100)
                  also: proxy.drainTimeout: '5x' (expected: a duration)
                """);
    }

    @Test
    void reloadSaysWhatChangedAndWhatRuntimeChangesKept() {
        server.answer("POST /api/v1/reload", 200, json("""
                {'revision':13,'services':{'added':['cart'],'removed':[],'changed':{'shop':{'before':{},'after':{}}}},
                 'flags':{'added':[],'removed':[],'changed':['dark']},'overriddenAtRuntime':['shop'],
                 'restartRequired':['proxy'],'dropped':['runtime weights of shop dropped: a','runtime delete undone']}"""));

        assertThat(ctl("reload")).isZero();

        assertThat(out()).isEqualTo("""
                reloaded (revision 13)
                  services added: cart
                  services changed: shop
                  flags changed: dark
                  kept from runtime changes (the file's change does not apply): shop
                  needs a restart: proxy
                  dropped: runtime weights of shop dropped: a
                  dropped: runtime delete undone
                """);
    }

    @Test
    void controlCharactersInServerTextAreShownEscapedNotSentToTheTerminal() {
        assertThat(TextTable.printable("line1\nline2\u001b[31mred\tx")).isEqualTo("line1\\nline2\\u001b[31mred\\tx");
        assertThat(TextTable.printable("plain ünïcode")).isEqualTo("plain ünïcode");
        assertThat(TextTable.printable("a\u202eb\u2028c")).isEqualTo("a\\u202eb\\u2028c");
    }

    @Test
    void jsonFlagPrintsTheRawBodyForScripts() {
        server.answer("GET /api/v1/services/shop/rollout", 200, ROLLOUT)
                .answer("GET /api/v1/services", 200, "[" + SHOP + "]");

        assertThat(ctl("rollout", "shop", "--json")).isZero();
        assertThat(ctl("--json", "status")).isZero();

        assertThat(out()).isEqualTo(ROLLOUT.strip() + "\n[" + SHOP + "]\n");
        assertThat(server.requests()).hasSize(2); // --json status does not fetch the rollouts
    }

    @Test
    void urlAndTokenFlagsOverrideTheEnvironment() {
        server.answer("GET /api/v1/flags", 200, "{\"flags\":[]}");
        String hostPort = server.url().substring("http://".length());

        int code = ctlWithEnv(Map.of("VEER_ADMIN_URL", "http://127.0.0.1:1", "VEER_ADMIN_TOKEN", "old"),
                "--url", hostPort + "/", "--token=new", "flags");

        assertThat(code).isZero();
        assertThat(server.only().authorization()).isEqualTo("Bearer new");
        assertThat(out()).isEqualTo("no flags\n");
    }

    /**
     * A server that does not speak HTTP (an SSH port) is said to be no admin API, in words: the message was the Java
     * exception ("java.net.ProtocolException: Invalid status line: ...").
     */
    @Test
    void aServerThatDoesNotSpeakHttpIsNamedWithoutJavaExceptionNames() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread answer = new Thread(() -> {
                while (!socket.isClosed()) { // every connection the client makes, should it retry
                    try (java.net.Socket client = socket.accept()) {
                        client.getOutputStream().write("SSH-2.0-OpenSSH_9.6\r\n".getBytes(StandardCharsets.US_ASCII));
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
            answer.setDaemon(true);
            answer.start();
            String url = "http://127.0.0.1:" + socket.getLocalPort();
            assertThat(ctlWithEnv(Map.of("VEER_ADMIN_URL", url), "status")).isEqualTo(1);
            assertThat(err()).isEqualTo("error: cannot reach the admin API at " + url + ": invalid status line:"
                    + " \"SSH-2.0-OpenSSH_9.6\" (expected: Veer's admin API, which speaks plain HTTP); check"
                    + " VEER_ADMIN_URL or --url\n");
        }
    }

    @Test
    void connectionRefusedNamesTheUrl() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }

        int code = ctlWithEnv(Map.of("VEER_ADMIN_URL", "http://127.0.0.1:" + closedPort), "status");

        assertThat(code).isEqualTo(1);
        assertThat(err()).isEqualTo("error: cannot connect to the admin API at http://127.0.0.1:" + closedPort
                + " (connection refused); is veer running? Set VEER_ADMIN_URL or --url\n");
    }

    @Test
    void anAdminHostThatDoesNotResolveIsSaidSo() {
        int code = ctl("--url", "http://no-such-host.invalid:9090", "status");
        assertThat(code).isEqualTo(1);
        assertThat(err()).isEqualTo("error: cannot connect to the admin API at http://no-such-host.invalid:9090"
                + " (unknown host); check VEER_ADMIN_URL or --url\n");
    }

    @Test
    void usageErrorsExitTwoAndListEveryVerb() {
        assertThat(ctl()).isEqualTo(2);
        assertThat(err()).startsWith("error: missing verb\nusage: veer ctl");
        for (String verb : new String[] {"status [SVC]", "weights SVC", "switch SVC", "versions SVC set",
                "versions SVC delete", "rollout SVC start", "rollout SVC pause|resume|approve|promote|abort",
                "flags get", "flags set", "flags enable|disable", "flags delete", "events [--limit N]", "stats SVC", "reload", "--if-match"}) {
            assertThat(err()).contains(verb);
        }

        assertUsage("error: unknown verb: frobnicate", "frobnicate");
        assertUsage("error: weight for green: ten (expected: a percent like 90 or 12.5)", "weights", "shop", "green=ten");
        assertUsage("error: missing weights, e.g. blue=90 green=10", "weights", "shop");
        assertUsage("error: rollout start needs --canary VER and --baseline VER", "rollout", "shop", "start",
                "--canary", "green");
        assertUsage("error: --strategy: linear (expected: canary or blueGreen)", "rollout", "shop", "start",
                "--canary", "green", "--baseline", "blue", "--strategy", "linear");
        assertUsage("error: rollout: restart (expected: start, pause, resume, approve, promote or abort)",
                "rollout", "shop", "restart");
        assertUsage("error: flags: frob (expected: get, set, enable, disable or delete)", "flags", "frob");
        assertUsage("error: versions: frob (expected: set or delete)", "versions", "shop", "frob");
        assertUsage("error: rollout: the service comes first: rollout checkout start ...", "rollout", "start",
                "checkout", "--canary", "canary", "--baseline", "stable");
        assertUsage("error: flags set needs exactly one of --file FILE.json or --json '{...}'",
                "flags", "set", "x");
        assertUsage("error: --json:1:2: not valid JSON (Unexpected character ('n' (code 110)): was expecting double-quote "
                + "to start field name)", "flags", "set", "x", "--json", "{nope");
        assertThat(err()).doesNotContain("Source").doesNotContain("start marker");
        // After "flags set NAME", --json takes the next token as the body, not as the output switch.
        assertUsage("error: --json:1:8: not valid JSON (Unrecognized token 'notjson'", "flags", "set", "x", "--json",
                "notjson");
        assertUsage("error: --limit: 0 (expected: 1..10000)", "events", "--limit", "0");
        assertUsage("error: --limit: 100000 (expected: 1..10000)", "events", "--limit", "100000");
        assertUsage("error: --if-match: empty (expected: a revision, e.g. 7)", "--if-match", "", "switch", "shop",
                "blue");
        assertUsage("error: --if-match: abc (expected: a revision, e.g. 7, or *)", "--if-match", "abc", "switch",
                "shop", "blue");
        assertUsage("error: unknown option: --limt", "events", "--limt", "3");
        assertUsage("error: unknown option: --jsno", "--jsno", "status");
        assertUsage("error: unexpected argument: extra", "switch", "shop", "green", "extra");
        assertUsage("error: admin URL: http:// (expected: http://HOST:PORT)", "--url", "http://", "status");
        // API paths are appended to the URL: after a query or fragment they reached '/' ("no such path: /").
        assertUsage("error: admin URL: " + server.url() + "?x=1 (expected: http://HOST:PORT)", "--url",
                server.url() + "?x=1", "status");
        assertUsage("error: admin URL: " + server.url() + "#top (expected: http://HOST:PORT)", "--url",
                server.url() + "#top", "status");
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void helpPrintsUsageToStdoutAndExitsZero() {
        assertThat(ctl("--help")).isZero();

        assertThat(out()).isEqualTo(Ctl.USAGE_TEXT);
    }

    /** A file that cannot be read is refused as {@code veer check} refuses a missing config: exit 1, no usage. */
    @Test
    void anUnreadableFileIsRefusedWithoutUsage() {
        assertThat(ctl("flags", "set", "x", "--file", "/no/such/flag.json")).isEqualTo(1);
        assertThat(err()).isEqualTo("error: --file: cannot read /no/such/flag.json (no such file or directory)\n");
        errBytes.reset();
        assertThat(ctl("rollout", "shop", "start", "--canary", "green", "--baseline", "blue", "--plan",
                "/no/such/plan.json")).isEqualTo(1);
        assertThat(err()).isEqualTo("error: --plan: cannot read /no/such/plan.json (no such file or directory)\n");
        assertThat(server.requests()).isEmpty();
    }

    private void assertUsage(String expectedFirstLine, String... args) {
        errBytes.reset();
        assertThat(ctl(args)).as(String.join(" ", args)).isEqualTo(2);
        assertThat(err()).startsWith(expectedFirstLine).contains("usage: veer ctl");
    }

    @Test
    void aMistakeInAVerbsArgumentsShowsThatVerbsUsageOnly() {
        assertUsage("error: flags: frob", "flags", "frob");
        assertThat(err()).contains("  flags get NAME").contains("  flags delete NAME").doesNotContain("weights SVC")
                .contains("--help");
    }
}
