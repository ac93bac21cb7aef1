package dev.veer.admin.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import dev.veer.admin.Http.Reply;
import dev.veer.analyzer.WindowStats;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Rollout revisions, 1-based steps, verdict auditing and rollout request errors, with a hand-driven clock. */
class RolloutRevisionAndAuditTest {

    private static final Duration SECOND = Duration.ofSeconds(1);
    private static final String PLAN = "\"steps\":[{\"weight\":10,\"pause\":\"1h\"},{\"weight\":100}],"
            + "\"analysis\":{\"interval\":\"1s\",\"minRequests\":100,\"failureLimit\":3,\"inconclusiveLimit\":1000}";
    private static final String START = "{\"canary\":\"green\",\"baseline\":\"blue\"," + PLAN + "}";

    @TempDir
    Path dir;
    RolloutHarness h;

    @BeforeEach
    void start() throws Exception {
        h = new RolloutHarness(dir);
    }

    @AfterEach
    void stop() {
        h.close();
    }

    @Test
    void aControlRefusedForAFullDiskLeavesTheRolloutAsItWasAndCanBeSentAgain() {
        assertThat(h.http.post("/api/v1/services/shop/rollout", START).status()).isEqualTo(201);
        h.failSaves.set(true);
        for (String control : List.of("abort", "pause", "promote")) {
            Reply refused = h.http.post("/api/v1/services/shop/rollout/" + control, "{}");
            assertThat(refused.status()).as(control + ": " + refused).isEqualTo(500);
            assertThat(h.rollout().get("phase").asText()).as(control).isEqualTo("Progressing");
        }
        // (The analyzer's rollback is not refused: AutomaticRollbackOnFailingWritesTest.)
        h.failSaves.set(false);
        Reply aborted = h.http.post("/api/v1/services/shop/rollout/abort", "{}");
        assertThat(aborted.status()).as(aborted.toString()).isEqualTo(200);
        assertThat(h.rollout().get("phase").asText()).isEqualTo("Aborted");
        assertThat(h.http.get("/api/v1/services/shop").json().get("weights").toString())
                .isEqualTo("{\"blue\":100,\"green\":0}");
    }

    @Test
    void verdictsBumpNeitherTheServiceNorTheRolloutRevision() {
        Reply started = h.http.post("/api/v1/services/shop/rollout", START);
        assertThat(started.status()).as(started.toString()).isEqualTo(201);
        long rolloutRevision = started.json().get("revision").asLong();
        assertThat(started.header("ETag")).isEqualTo("\"" + rolloutRevision + "\"");
        long serviceRevision = h.http.get("/api/v1/services/shop").json().get("revision").asLong();

        h.tick(SECOND);
        h.tick(SECOND);
        h.tick(SECOND);

        JsonNode rollout = h.rollout();
        assertThat(rollout.get("verdicts")).hasSize(3);
        assertThat(rollout.get("verdicts").findValuesAsText("result")).containsOnly("Inconclusive");
        assertThat(rollout.get("revision").asLong()).isEqualTo(rolloutRevision);
        assertThat(h.http.get("/api/v1/services/shop").json().get("revision").asLong()).isEqualTo(serviceRevision);

        // The audit's race: GET service, then a write with its revision after analyses ran. (The baseline's
        // endpoints: new ones for the canary would restart the rollout, CanaryRedeployRestartTest.)
        Reply put = h.http.send("PUT", "/api/v1/services/shop/versions/blue",
                "{\"endpoints\":[\"127.0.0.1:9012\"]}", "\"" + serviceRevision + "\"");
        assertThat(put.status()).as(put.toString()).isEqualTo(200);
        assertThat(put.json().get("revision").asLong()).isEqualTo(serviceRevision + 1);

        // Rollout control calls compare If-Match with the rollout's own revision.
        assertThat(h.http.send("POST", "/api/v1/services/shop/rollout/pause", null, "\"" + (rolloutRevision + 5) + "\"")
                .status()).isEqualTo(412);
        Reply paused = h.http.send("POST", "/api/v1/services/shop/rollout/pause", null, "\"" + rolloutRevision + "\"");
        assertThat(paused.status()).as(paused.toString()).isEqualTo(200);
        assertThat(paused.json().get("revision").asLong()).isEqualTo(rolloutRevision + 1);
        // A phase change is visible in the service resource's rollout summary: it bumps the service too.
        JsonNode service = h.http.get("/api/v1/services/shop").json();
        assertThat(service.get("rollout").get("phase").asText()).isEqualTo("Paused");
        assertThat(service.get("revision").asLong()).isEqualTo(serviceRevision + 2);

        h.tick(SECOND);
        assertThat(h.rollout().get("revision").asLong()).isEqualTo(rolloutRevision + 1);
        assertThat(h.http.get("/api/v1/services/shop").json().get("revision").asLong())
                .isEqualTo(serviceRevision + 2);
    }

    @Test
    void stepIsOneBasedFromTheFirstStepToTheLast() {
        Reply started = h.http.post("/api/v1/services/shop/rollout", START);
        assertThat(started.json().get("step").asInt()).isEqualTo(1);
        assertThat(started.json().get("steps")).hasSize(2);
        assertThat(started.json().get("reason").asText()).contains("step 1/2");
        assertThat(h.http.get("/api/v1/services/shop").json().get("rollout").get("step").asInt()).isEqualTo(1);
        h.tick(SECOND);
        assertThat(h.rollout().get("verdicts").get(0).get("step").asInt()).isEqualTo(1);

        Reply promoted = h.http.post("/api/v1/services/shop/rollout/promote", null);
        assertThat(promoted.status()).as(promoted.toString()).isEqualTo(200);
        assertThat(promoted.json().get("phase").asText()).isEqualTo("Succeeded");
        assertThat(promoted.json().get("step").asInt()).isEqualTo(2);
        JsonNode event = h.events("rollout.promote").get(0);
        assertThat(event.get("before").get("step").asInt()).isEqualTo(1);
        assertThat(event.get("after").get("step").asInt()).isEqualTo(2);
    }

    @Test
    void verdictsAreAuditedOnlyWhenTheResultChangesOrFails() {
        assertThat(h.http.post("/api/v1/services/shop/rollout", START).status()).isEqualTo(201);
        assertThat(h.http.post("/api/v1/services/shop/rollout/pause", "{\"reason\":\"maintenance window\"}").status())
                .isEqualTo(200);
        assertThat(h.rollout().get("reason").asText()).isEqualTo("paused by operator: maintenance window");
        assertThat(h.rollout().get("pauseRemaining").asText()).as("the step's clock stopped").isEqualTo("1h");
        assertThat(h.rollout().has("stepEndsAt")).isFalse();

        for (int i = 0; i < 5; i++) {
            h.tick(SECOND);
        }
        assertThat(h.rollout().get("verdicts")).hasSize(5);
        assertThat(h.events("rollout.verdict")).hasSize(1);

        h.canary = new WindowStats(1000, 0, null);
        h.baseline = new WindowStats(1000, 0, null);
        h.tick(SECOND);
        h.tick(SECOND);
        assertThat(h.rollout().get("verdicts").findValuesAsText("result")).endsWith("Pass", "Pass");
        assertThat(h.events("rollout.verdict")).hasSize(2);

        h.canary = new WindowStats(1000, 500, null);
        h.tick(SECOND);
        h.tick(SECOND);
        assertThat(h.rollout().get("phase").asText()).isEqualTo("Paused");
        assertThat(h.events("rollout.verdict")).hasSize(4);
        h.tick(SECOND);
        assertThat(h.rollout().get("phase").asText()).isEqualTo("RolledBack");
        assertThat(h.events("rollout.verdict")).hasSize(5);
        assertThat(h.events("rollout.rollback")).hasSize(1);

        List<String> results = new ArrayList<>();
        h.events("rollout.verdict").forEach(e -> results.add(e.get("after").get("verdict").get("result").asText()));
        assertThat(results).containsExactly("Inconclusive", "Pass", "Fail", "Fail", "Fail");
        JsonNode firstAudited = h.events("rollout.verdict").get(0).get("after").get("verdict");
        assertThat(firstAudited).as("as GET .../rollout shows it").isEqualTo(h.rollout().get("verdicts").get(0));
        assertThat(firstAudited.get("step").asInt()).isEqualTo(1);
        assertThat(h.rollout().get("verdicts")).hasSize(10);
    }

    @Test
    void aRolloutFromABaselineWithoutTrafficIsRefused() {
        assertThat(h.http.post("/api/v1/services/shop/switch", "{\"to\":\"green\"}").status()).isEqualTo(200);
        Reply refused = h.http.post("/api/v1/services/shop/rollout", START);
        assertThat(refused.status()).as(refused.toString()).isEqualTo(409);
        assertThat(refused.json().get("error").asText()).contains("baseline blue").contains("no traffic");
        assertThat(h.http.get("/api/v1/services/shop").json().get("weights").toString())
                .isEqualTo("{\"blue\":0,\"green\":100}");
        String swapped = START.replace("\"canary\":\"green\",\"baseline\":\"blue\"",
                "\"canary\":\"blue\",\"baseline\":\"green\"");
        assertThat(h.http.post("/api/v1/services/shop/rollout", swapped).status()).isEqualTo(201);
    }

    /** The rollout shows the analysis it runs with: the request's fields over the service's plan and defaults. */
    @Test
    void theRolloutShowsItsEffectiveAnalysis() {
        assertThat(h.http.post("/api/v1/services/shop/rollout", START).status()).isEqualTo(201);
        JsonNode analysis = h.rollout().get("analysis");
        assertThat(analysis.get("interval").asText()).isEqualTo("1s");
        assertThat(analysis.get("minRequests").asLong()).isEqualTo(100);
        assertThat(analysis.get("failureLimit").asInt()).isEqualTo(3);
        assertThat(analysis.get("maxLatency").asText()).isEqualTo("500ms");
        assertThat(analysis.get("maxErrorRate").asDouble()).isEqualTo(0.005);
        assertThat(h.rollout().get("verdictsDropped").asLong()).isZero();
    }

    /** A third version's share is not silently handed to the baseline (and lost to it after an abort). */
    @Test
    void aRolloutIsRefusedWhileAThirdVersionHasTraffic() {
        assertThat(h.http.put("/api/v1/services/shop/versions/red", "{\"endpoints\":[\"127.0.0.1:9003\"]}").status())
                .isEqualTo(200);
        assertThat(h.http.put("/api/v1/services/shop/weights", "{\"blue\":60,\"green\":0,\"red\":40}").status())
                .isEqualTo(200);
        Reply refused = h.http.post("/api/v1/services/shop/rollout", START);
        assertThat(refused.status()).as(refused.toString()).isEqualTo(409);
        assertThat(refused.json().get("path").asText()).isEqualTo("weights.red");
        assertThat(refused.json().get("error").asText()).contains("version red has 40% of shop's traffic");
        assertThat(h.http.get("/api/v1/services/shop").json().get("weights").toString())
                .isEqualTo("{\"blue\":60,\"green\":0,\"red\":40}");
        assertThat(h.http.put("/api/v1/services/shop/weights", "{\"blue\":100,\"green\":0,\"red\":0}").status())
                .isEqualTo(200);
        assertThat(h.http.post("/api/v1/services/shop/rollout", START).status()).isEqualTo(201);
    }

    /** A version deleted at weight 0 during a rollout leaves the rollout's weights, and the analyzer's events. */
    @Test
    void aVersionDeletedDuringARolloutLeavesItsWeightsAndTheAnalyzersEvents() {
        assertThat(h.http.put("/api/v1/services/shop/versions/red", "{\"endpoints\":[\"127.0.0.1:9003\"]}").status())
                .isEqualTo(200);
        Reply started = h.http.post("/api/v1/services/shop/rollout", START);
        assertThat(started.json().get("weights").toString()).isEqualTo("{\"blue\":90,\"green\":10,\"red\":0}");
        Reply deleted = h.http.delete("/api/v1/services/shop/versions/red");
        assertThat(deleted.status()).as(deleted.toString()).isEqualTo(204);
        assertThat(h.rollout().get("weights").toString()).isEqualTo("{\"blue\":90,\"green\":10}");

        h.canary = new WindowStats(1000, 500, null);
        h.baseline = new WindowStats(1000, 0, null);
        for (int i = 0; i < 3; i++) {
            h.tick(SECOND);
        }
        assertThat(h.rollout().get("phase").asText()).isEqualTo("RolledBack");
        assertThat(h.rollout().get("weights").toString()).isEqualTo("{\"blue\":100,\"green\":0}");
        assertThat(h.events("weights.set")).singleElement()
                .satisfies(e -> assertThat(e.get("after").toString()).isEqualTo("{\"blue\":100,\"green\":0}"));
        assertThat(h.events("rollout.rollback").get(0).get("after").get("weights").toString())
                .isEqualTo("{\"blue\":100,\"green\":0}");
    }

    @Test
    void rolloutRequestErrorsNameTheField() {
        assertThat(path(h.http.post("/api/v1/services/shop/rollout", "{\"canary\":\"purple\"}"), 400))
                .isEqualTo("canary");
        assertThat(path(h.http.post("/api/v1/services/shop/rollout",
                "{\"canary\":\"green\",\"baseline\":\"green\"}"), 400)).isEqualTo("baseline");
        assertThat(path(h.http.post("/api/v1/services/shop/rollout",
                "{\"canary\":\"green\",\"strategy\":\"zigzag\"}"), 400)).isEqualTo("strategy");
        assertThat(path(h.http.post("/api/v1/services/shop/rollout",
                "{\"canary\":\"green\",\"steps\":[{\"weight\":150}]}"), 400)).isEqualTo("steps[0].weight");
        assertThat(path(h.http.post("/api/v1/services/shop/rollout", "[]"), 400)).isEmpty();
        assertThat(path(h.http.post("/api/v1/services/shop/rollout",
                "{\"canary\":\"green\",\"baseline\":\"blue\",\"foo\":1}"), 400)).as("unknown field").isEqualTo("foo");
        assertThat(path(h.http.get("/api/v1/services/shop/rollout"), 404)).isEmpty();
        assertThat(path(h.http.post("/api/v1/services/shop/rollout/pause", null), 404)).isEmpty();

        assertThat(h.http.post("/api/v1/services/shop/rollout", START).status()).isEqualTo(201);
        assertThat(path(h.http.post("/api/v1/services/shop/rollout", START), 409)).isEmpty();
        assertThat(path(h.http.send("POST", "/api/v1/services/shop/rollout/abort", null, "\"99\""), 412)).isEmpty();
        assertThat(path(h.http.send("POST", "/api/v1/services/shop/rollout/abort", null, "\"x\""), 400)).isEmpty();
        assertThat(path(h.http.post("/api/v1/services/shop/rollout/pause", "{\"reasn\":\"typo\"}"), 400))
                .isEqualTo("reasn");
        assertThat(path(h.http.post("/api/v1/services/shop/rollout/abort", "{\"reason\":5}"), 400)).isEqualTo("reason");

        // Unknown actions are unknown paths for every method; known ones answer 405 with Allow to a GET.
        assertThat(h.http.get("/api/v1/services/shop/rollout/bogus").status()).isEqualTo(404);
        assertThat(h.http.post("/api/v1/services/shop/rollout/bogus", null).status()).isEqualTo(404);
        Reply getPause = h.http.get("/api/v1/services/shop/rollout/pause");
        assertThat(getPause.status()).isEqualTo(405);
        assertThat(getPause.header("Allow")).isEqualTo("POST");
        Reply head = h.http.send("HEAD", "/api/v1/services/shop/rollout", null, null);
        assertThat(head.status()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
        assertThat(head.header("ETag")).isEqualTo("\"" + h.rollout().get("revision").asLong() + "\"");
    }

    private static String path(Reply reply, int status) {
        assertThat(reply.status()).as(reply.toString()).isEqualTo(status);
        assertThat(reply.json().has("path")).as(reply.toString()).isTrue();
        return reply.json().get("path").asText();
    }
}
