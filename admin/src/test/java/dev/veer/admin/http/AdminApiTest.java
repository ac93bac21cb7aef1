package dev.veer.admin.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.veer.admin.Http.Reply;
import dev.veer.admin.auth.BearerAuth;
import dev.veer.config.ModelJson;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The admin API over real sockets against the control plane, state dir and audit log (no proxy). */
class AdminApiTest {

    static final String TOKEN = "s3cret-token";
    static final String YAML = """
            state: { dir: "${STATE_DIR}" }
            services:
              - name: shop
                match: { hosts: ["shop.local"], pathPrefix: "/" }
                versions:
                  - { name: blue,  endpoints: ["127.0.0.1:9001"] }
                  - { name: green, endpoints: ["127.0.0.1:9002"] }
                weights: { blue: 100, green: 0 }
                sticky: { cookie: "veer_shop" }
            flags:
              - { name: new_checkout, enabled: true, percentage: 5 }
            """;

    @TempDir
    Path dir;
    ControlPlaneHarness h;

    @BeforeEach
    void start() throws Exception {
        h = new ControlPlaneHarness(dir, YAML, TOKEN);
    }

    @AfterEach
    void stop() {
        h.close();
    }

    private int eventCount() {
        return h.http.get("/api/v1/events?limit=10000").json().get("events").size();
    }

    @Test
    void servicesListAndGetHaveTheContractShape() {
        Reply list = h.http.get("/api/v1/services");
        assertThat(list.status()).isEqualTo(200);
        JsonNode shop = list.json().get("services").get(0);
        assertThat(shop.get("name").asText()).isEqualTo("shop");
        assertThat(shop.get("weights").toString()).isEqualTo("{\"blue\":100,\"green\":0}");
        assertThat(shop.get("versions").get(0).get("endpoints").get(0).toString())
                .isEqualTo("{\"address\":\"127.0.0.1:9001\",\"healthy\":true}");
        assertThat(shop.get("sticky").get("cookie").asText()).isEqualTo("veer_shop");
        assertThat(shop.get("routes").isArray()).isTrue();

        Reply one = h.http.get("/api/v1/services/shop");
        assertThat(one.status()).isEqualTo(200);
        assertThat(one.json().get("revision").asLong()).isEqualTo(1);
        assertThat(one.header("ETag")).isEqualTo("\"1\"");
    }

    @Test
    void aChangeThatCannotBePersistedIsRefusedAndNothingChanges() throws Exception {
        int publishedBefore = h.published.size();
        int eventsBefore = eventCount();
        h.failSaves.set(true);
        Reply refused = h.http.put("/api/v1/services/shop/weights", "{\"blue\":50,\"green\":50}");
        assertThat(refused.status()).as(refused.toString()).isEqualTo(500);
        assertThat(refused.json().get("error").asText()).contains("not persisted");
        assertThat(h.published).hasSize(publishedBefore);
        assertThat(eventCount()).isEqualTo(eventsBefore);
        JsonNode shop = h.http.get("/api/v1/services/shop").json();
        assertThat(shop.get("weights").toString()).isEqualTo("{\"blue\":100,\"green\":0}");
        assertThat(shop.get("revision").asLong()).isEqualTo(1);

        h.failSaves.set(false);
        assertThat(h.http.put("/api/v1/services/shop/weights", "{\"blue\":50,\"green\":50}").status()).isEqualTo(200);
        assertThat(h.published).hasSize(publishedBefore + 1);
    }

    @Test
    void aChangeTheAuditLogCannotHoldIsRefusedAndNothingChanges() throws Exception {
        assertThat(h.http.put("/api/v1/services/shop/weights", "{\"blue\":90,\"green\":10}").status()).isEqualTo(200);
        int publishedBefore = h.published.size();
        String stateBefore = Files.readString(dir.resolve("state/state.json"));
        h.audit.close(); // every append fails from now on, as on a full disk or an unwritable file
        Reply refused = h.http.put("/api/v1/services/shop/weights", "{\"blue\":50,\"green\":50}");
        assertThat(refused.status()).as(refused.toString()).isEqualTo(500);
        assertThat(refused.json().get("error").asText()).contains("audit log not written").contains("nothing changed");
        assertThat(h.published).hasSize(publishedBefore);
        JsonNode shop = h.http.get("/api/v1/services/shop").json();
        assertThat(shop.get("weights").toString()).isEqualTo("{\"blue\":90,\"green\":10}");
        assertThat(shop.get("revision").asLong()).isEqualTo(2);
        assertThat(Files.readString(dir.resolve("state/state.json"))).isEqualTo(stateBefore);
        // Nor is the refused change kept as the previous state a damaged state.json would fall back to.
        Path previous = dir.resolve("state/state.json.prev");
        assertThat(Files.exists(previous) ? Files.readString(previous) : "").doesNotContain("5000");
    }

    @Test
    void weightsArePersistedPublishedAuditedAndAnswered() throws Exception {
        Reply r = h.http.put("/api/v1/services/shop/weights", "{\"blue\":87.5,\"green\":12.5,\"reason\":\"canary\"}");

        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.json().get("weights").toString()).isEqualTo("{\"blue\":87.5,\"green\":12.5}");
        assertThat(r.json().get("revision").asLong()).isEqualTo(2);
        assertThat(r.header("ETag")).isEqualTo("\"2\"");
        assertThat(h.published).hasSize(1);
        assertThat(h.published.get(0).services().get(0).weights().of("green")).isEqualTo(1250);
        assertThat(Files.readString(dir.resolve("state/state.json"))).contains("\"green\":1250");

        JsonNode events = h.http.get("/api/v1/events?limit=10").json().get("events");
        assertThat(events).hasSize(1);
        JsonNode e = events.get(0);
        assertThat(e.get("actor").asText()).isEqualTo("token:" + BearerAuth.tokenId(TOKEN)).doesNotContain(TOKEN);
        assertThat(e.get("action").asText()).isEqualTo("weights.set");
        assertThat(e.get("target").asText()).isEqualTo("shop");
        assertThat(e.get("before").toString()).isEqualTo("{\"blue\":100,\"green\":0}");
        assertThat(e.get("after").toString()).isEqualTo("{\"blue\":87.5,\"green\":12.5}");
        assertThat(e.get("reason").asText()).isEqualTo("canary");
        assertThat(Files.readString(dir.resolve("state/audit.log"))).doesNotContain(TOKEN);
    }

    @Test
    void anEditThatChangesNothingKeepsTheRevisionSoAnotherClientsIfMatchStillHolds() {
        String weights = "/api/v1/services/shop/weights";
        String body = "{\"blue\":90,\"green\":10}";
        long first = h.http.put(weights, body).json().get("revision").asLong();
        Reply same = h.http.put(weights, body);
        assertThat(same.status()).as(same.toString()).isEqualTo(200);
        assertThat(same.json().get("revision").asLong()).isEqualTo(first);
        // Still audited: the operator did send it.
        assertThat(h.http.get("/api/v1/events?limit=10").json().get("events")).hasSize(2);

        Reply guarded = h.http.send("PUT", weights, "{\"blue\":80,\"green\":20}", "\"" + first + "\"");
        assertThat(guarded.status()).as(guarded.toString()).isEqualTo(200);
        assertThat(guarded.json().get("revision").asLong()).isEqualTo(first + 1);

        String flag = "/api/v1/flags/dark_mode";
        long flagFirst = h.http.put(flag, "{\"enabled\":true}").json().get("revision").asLong();
        assertThat(h.http.put(flag, "{\"enabled\":true}").json().get("revision").asLong()).isEqualTo(flagFirst);
        assertThat(h.http.send("PUT", flag, "{\"enabled\":false}", "\"" + flagFirst + "\"").status()).isEqualTo(200);
    }

    @Test
    void badWeightsAreRefusedWithThePathAndLeaveNoTrace() {
        Reply badSum = h.http.put("/api/v1/services/shop/weights", "{\"blue\":90,\"green\":20}");
        assertThat(badSum.status()).isEqualTo(400);
        assertThat(badSum.json().get("error").asText()).isNotEmpty();
        assertThat(badSum.json().has("path")).isTrue();

        Reply unknown = h.http.put("/api/v1/services/shop/weights", "{\"blue\":90,\"purple\":10}");
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.json().get("path").asText()).isEqualTo("weights.purple");

        Reply notJson = h.http.put("/api/v1/services/shop/weights", "blue=90");
        assertThat(notJson.status()).isEqualTo(400);
        assertThat(notJson.json().get("error").asText()).contains("not JSON");

        // JSON reads 1e400 as an infinite double: a bad percent, not an internal error.
        Reply infinite = h.http.put("/api/v1/services/shop/weights", "{\"blue\":1e400,\"green\":-1e400}");
        assertThat(infinite.status()).as(infinite.toString()).isEqualTo(400);
        assertThat(infinite.json().get("path").asText()).isEqualTo("weights.blue");

        assertThat(h.published).isEmpty();
        assertThat(eventCount()).isZero();
        assertThat(h.http.get("/api/v1/services/shop").json().get("revision").asLong()).isEqualTo(1);
    }

    @Test
    void tokenIsRequiredExceptOnHealthAndReadiness() {
        Reply none = h.http.send("GET", "/api/v1/services", null, null, null);
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.json().get("error").asText()).contains("token");
        assertThat(h.http.send("GET", "/api/v1/services", null, null, "wrong").status()).isEqualTo(401);
        assertThat(h.http.send("PUT", "/api/v1/services/shop/weights", "{\"green\":100}", null, "s3cret-tokeX")
                .status()).isEqualTo(401);
        assertThat(h.http.send("GET", "/metrics", null, null, null).status()).isEqualTo(401);
        assertThat(h.http.send("GET", "/api/v1/nothing", null, null, null).status()).isEqualTo(401);

        Reply health = h.http.send("GET", "/healthz", null, null, null);
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.body()).isEqualTo("ok\n");
        assertThat(h.http.send("GET", "/readyz", null, null, null).status()).isEqualTo(200);
        assertThat(h.published).isEmpty();
    }

    @Test
    void unknownThingsAre404AndWrongMethods405() {
        assertThat(h.http.get("/api/v1/services/nope").status()).isEqualTo(404);
        assertThat(h.http.put("/api/v1/services/nope/weights", "{\"blue\":100}").status()).isEqualTo(404);
        assertThat(h.http.get("/api/v1/nothing/here").status()).isEqualTo(404);
        Reply wrong = h.http.post("/api/v1/services/shop/weights", "{\"blue\":100}");
        assertThat(wrong.status()).isEqualTo(405);
        assertThat(wrong.json().get("error").asText()).contains("PUT");
        assertThat(h.http.delete("/api/v1/services/shop").status()).isEqualTo(405);
        assertThat(h.http.delete("/api/v1/services/shop/versions/purple").status()).isEqualTo(404);
    }

    /**
     * A cache between an operator and the API (a company proxy, a browser) may keep a 200, 404 or 405 without
     * being told (RFC 9111 §4.2.2): it would serve an old split, rollout phase or readiness, or a 404 for a flag
     * created since. No answer of the admin listener is to be stored.
     */
    @Test
    void noAnswerIsToBeCached() {
        assertThat(h.http.get("/api/v1/services/shop").header("Cache-Control")).isEqualTo("no-store");
        assertThat(h.http.get("/api/v1/flags/nope").header("Cache-Control")).isEqualTo("no-store");
        assertThat(h.http.get("/readyz").header("Cache-Control")).isEqualTo("no-store");
        assertThat(h.http.get("/metrics").header("Cache-Control")).isEqualTo("no-store");
        assertThat(h.http.send("GET", "/api/v1/services", null, null, null).header("Cache-Control"))
                .isEqualTo("no-store");
    }

    /** The status of {@code reply} and its {@code "path"}, which every error carries. */
    private static String errorPath(Reply reply, int status) {
        assertThat(reply.status()).as(reply.toString()).isEqualTo(status);
        assertThat(reply.json().get("error").asText()).isNotEmpty();
        assertThat(reply.json().has("path")).as(reply.toString()).isTrue();
        return reply.json().get("path").asText();
    }

    @Test
    void everyErrorCarriesAPathEmptyWhenNoFieldIsInTheWay() {
        assertThat(errorPath(h.http.put("/api/v1/services/shop/weights", "{\"blue\":90,\"purple\":10}"), 400))
                .isEqualTo("weights.purple");
        assertThat(errorPath(h.http.post("/api/v1/services/shop/switch", "{}"), 400)).isEqualTo("to");
        assertThat(errorPath(h.http.put("/api/v1/services/shop/weights", "{\"blue\":90,\"green\":20}"), 400))
                .isEqualTo("weights");
        assertThat(errorPath(h.http.put("/api/v1/services/shop/weights", "blue=90"), 400)).isEmpty();
        assertThat(errorPath(h.http.put("/api/v1/services/shop/weights", ""), 400)).isEmpty();
        assertThat(errorPath(h.http.put("/api/v1/services/shop/weights", "[100]"), 400)).isEmpty();
        assertThat(errorPath(h.http.send("PUT", "/api/v1/services/shop/weights", "{\"blue\":100}", "W/x"), 400))
                .isEmpty();
        assertThat(errorPath(h.http.send("PUT", "/api/v1/services/shop/weights", "{\"blue\":100}", ""), 400))
                .as("an empty If-Match is no precondition a script meant to drop").isEmpty();
        assertThat(errorPath(h.http.send("GET", "/api/v1/services", null, null, null), 401)).isEmpty();
        assertThat(errorPath(h.http.get("/api/v1/services/nope"), 404)).isEmpty();
        assertThat(errorPath(h.http.get("/api/v1/nothing"), 404)).isEmpty();
        assertThat(errorPath(h.http.post("/api/v1/services/shop/weights", "{}"), 405)).isEmpty();
        assertThat(errorPath(h.http.delete("/api/v1/services/shop/versions/blue"), 409)).as("the field in the way")
                .isEqualTo("weights.blue");
        assertThat(errorPath(h.http.send("PUT", "/api/v1/services/shop/weights", "{\"blue\":100}", "\"9\""), 412))
                .isEmpty();
        assertThat(errorPath(h.http.put("/api/v1/services/shop/weights",
                "{\"blue\":\"" + "x".repeat(1024 * 1024 + 10) + "\"}"), 413)).isEmpty();
        assertThat(eventCount()).isZero();
    }

    @Test
    void unknownOrMistypedFieldsInFixedShapeBodiesAre400WithTheirPath() {
        assertThat(errorPath(h.http.post("/api/v1/services/shop/switch", "{\"to\":\"green\",\"reson\":\"typo\"}"),
                400)).isEqualTo("reson");
        Reply mistyped = h.http.post("/api/v1/services/shop/switch", "{\"to\":5}");
        assertThat(errorPath(mistyped, 400)).isEqualTo("to");
        assertThat(mistyped.json().get("error").asText()).startsWith("5 (expected");
        assertThat(errorPath(h.http.post("/api/v1/services/shop/switch", "{\"to\":\"green\",\"reason\":5}"), 400))
                .isEqualTo("reason");
        assertThat(errorPath(h.http.put("/api/v1/services/shop/weights", "{\"blue\":100,\"green\":0,\"blue\":0}"),
                400)).as("a key given twice").isEmpty();
        // Non-standard JSON (NaN, a plus sign, a comment) and Jackson's size limits: Jackson names the feature or
        // constraint that would let it through, which is no advice for an API client.
        for (String broken : List.of("{\"blue\":", "{\"to\":\"blue\"", "{\"to\":\"blue\"}{\"to\":\"green\"}", "{'a':1}",
                "{\"to\":NaN}", "{\"to\":+1}", "{\"to\":\"blue\"} // why", "{\"to\":1" + "0".repeat(1200) + "}",
                "[".repeat(1001) + "]".repeat(1001))) {
            Reply notJson = h.http.post("/api/v1/services/shop/switch", broken);
            assertThat(notJson.json().get("error").asText()).as(broken).startsWith("request body: not JSON (")
                    .doesNotContain("Feature").doesNotContain("REDACTED").doesNotContain("Source")
                    .doesNotContain("com.fasterxml").doesNotContain("`").doesNotContain("enable");
        }
        assertThat(errorPath(h.http.post("/api/v1/services/shop/switch",
                "{\"to\":\"green\",\"reason\":\"" + "x".repeat(1001) + "\"}"), 400)).isEqualTo("reason");
        assertThat(h.http.get("/api/v1/services/shop").json().get("weights").toString())
                .isEqualTo("{\"blue\":100,\"green\":0}");
        assertThat(eventCount()).isZero();
    }

    @Test
    void everyChangeCanSayWhyInItsBodyOrInXVeerReason() {
        java.util.Map<String, String> why = java.util.Map.of("X-Veer-Reason", "ticket OPS-7");
        assertThat(h.http.put("/api/v1/services/shop/weights", "{\"blue\":90,\"green\":10,\"reason\":\"canary by hand\"}")
                .status()).isEqualTo(200);
        assertThat(h.http.send("PUT", "/api/v1/services/shop/versions/red", "{\"endpoints\":[\"127.0.0.1:9003\"],"
                + "\"reason\":\"new build\"}", null, TOKEN).status()).isEqualTo(200);
        assertThat(h.http.send("DELETE", "/api/v1/services/shop/versions/red", null, null, TOKEN, why).status())
                .isEqualTo(204);
        assertThat(h.http.send("PUT", "/api/v1/flags/dark", "{\"enabled\":true,\"percentage\":5}", null, TOKEN, why)
                .status()).isEqualTo(200);
        assertThat(h.http.send("DELETE", "/api/v1/flags/dark", null, null, TOKEN, why).status()).isEqualTo(204);
        JsonNode events = h.http.get("/api/v1/events?limit=5").json().get("events");
        List<String> reasons = new java.util.ArrayList<>();
        events.forEach(e -> reasons.add(e.get("action").asText() + ": " + e.get("reason").asText()));
        assertThat(reasons).containsExactlyInAnyOrder("weights.set: canary by hand", "version.add: new build",
                "version.delete: ticket OPS-7", "flag.set: ticket OPS-7", "flag.delete: ticket OPS-7");
    }

    /** curl and shells send a header's non-ASCII text as UTF-8 bytes; the audit log keeps the text, not mojibake. */
    @Test
    void xVeerReasonIsReadAsUtf8() throws Exception {
        String latin1 = new String("ticket-42 h\u00e9llo \u2713".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                java.nio.charset.StandardCharsets.ISO_8859_1);
        String deleteBlue = "DELETE /api/v1/flags/new_checkout HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                + TOKEN + "\r\n";
        try (RawClient client = new RawClient(h.server.localAddress())) {
            assertThat(client.exchange(deleteBlue + "X-Veer-Reason: " + latin1 + "\r\n\r\n").status())
                    .isEqualTo(204);
        }
        assertThat(h.http.get("/api/v1/events").json().get("events").get(0).get("reason").asText())
                .isEqualTo("ticket-42 h\u00e9llo \u2713");

        // Bytes that are no UTF-8 (a Latin-1 client) are kept as Latin-1 rather than refused or mangled.
        h.http.put("/api/v1/flags/new_checkout", "{\"enabled\":true}");
        try (RawClient client = new RawClient(h.server.localAddress())) {
            assertThat(client.exchange(deleteBlue + "X-Veer-Reason: h\u00e9llo\r\n\r\n").status()).isEqualTo(204);
        }
        assertThat(h.http.get("/api/v1/events").json().get("events").get(2).get("reason").asText())
                .isEqualTo("h\u00e9llo");
    }

    @Test
    void refusalsCarryAllowAndWwwAuthenticate() {
        Reply unauthorized = h.http.send("GET", "/api/v1/services", null, null, null);
        assertThat(unauthorized.status()).isEqualTo(401);
        assertThat(unauthorized.header("WWW-Authenticate")).startsWith("Bearer");

        Reply post = h.http.post("/api/v1/services/shop/weights", "{}");
        assertThat(post.status()).isEqualTo(405);
        assertThat(post.header("Allow")).isEqualTo("PUT");
        Reply delete = h.http.delete("/api/v1/services/shop");
        assertThat(delete.status()).isEqualTo(405);
        assertThat(delete.header("Allow")).isEqualTo("GET, HEAD");
        Reply putHealth = h.http.send("PUT", "/healthz", "{}", null);
        assertThat(putHealth.status()).isEqualTo(405);
        assertThat(putHealth.header("Allow")).isEqualTo("GET, HEAD");
    }

    @Test
    void headIsAnsweredWhereverGetIsWithTheSameHeadersAndNoBody() {
        for (String path : List.of("/healthz", "/readyz", "/metrics", "/api/v1/services", "/api/v1/services/shop",
                "/api/v1/flags/new_checkout", "/api/v1/events")) {
            Reply get = h.http.get(path);
            Reply head = h.http.send("HEAD", path, null, null);
            assertThat(head.status()).as(path).isEqualTo(200).isEqualTo(get.status());
            assertThat(head.body()).as(path).isEmpty();
            assertThat(head.header("Content-Type")).as(path).isEqualTo(get.header("Content-Type"));
            assertThat(head.header("ETag")).as(path).isEqualTo(get.header("ETag"));
            assertThat(head.header("Content-Length")).as(path).isEqualTo(Integer.toString(get.body().length()));
        }
        assertThat(h.http.send("HEAD", "/api/v1/services/nope", null, null).status()).isEqualTo(404);
        assertThat(h.http.send("HEAD", "/healthz", null, null, null).status()).isEqualTo(200);
        assertThat(h.http.send("HEAD", "/api/v1/services", null, null, null).status()).isEqualTo(401);
    }

    @Test
    void staleIfMatchIs412AndCurrentOneApplies() {
        Reply stale = h.http.send("PUT", "/api/v1/services/shop/weights", "{\"blue\":50,\"green\":50}", "\"7\"");
        assertThat(stale.status()).isEqualTo(412);
        assertThat(eventCount()).isZero();

        Reply ok = h.http.send("PUT", "/api/v1/services/shop/weights", "{\"blue\":50,\"green\":50}", "\"1\"");
        assertThat(ok.status()).isEqualTo(200);
        Reply again = h.http.send("POST", "/api/v1/services/shop/switch", "{\"to\":\"green\"}", "1");
        assertThat(again.status()).isEqualTo(412);
        assertThat(eventCount()).isEqualTo(1);
    }

    /**
     * A stale If-Match: 412 with the contract's error shape, {@code {"error","path"}}, the path empty as no field of
     * the body is at fault.
     */
    private static void assertPreconditionFailed(Reply reply) {
        assertThat(reply.status()).as(reply.toString()).isEqualTo(412);
        assertThat(reply.json().fieldNames()).toIterable().containsExactly("error", "path");
        assertThat(reply.json().get("error").asText()).contains("If-Match");
        assertThat(reply.json().get("path").asText()).isEmpty();
    }

    /** What a refused change must leave alone: the answer to GET {@code path}, the events, the publishes. */
    private record Snapshot(String resource, int events, int published) {
    }

    private Snapshot snapshot(String path) {
        return new Snapshot(h.http.get(path).body(), eventCount(), h.published.size());
    }

    /**
     * A flag created and deleted at runtime leaves nothing behind in state.json: its revision went with it, or a
     * scheme that names each temporary flag anew grows the file (rewritten on every change) without bound.
     */
    @Test
    void deletedFlagsLeaveNoRevisionBehindInTheState() throws Exception {
        for (int i = 0; i < 20; i++) {
            String flag = "/api/v1/flags/temp_" + i;
            assertThat(h.http.put(flag, "{\"enabled\":true}").status()).isEqualTo(200);
            assertThat(h.http.delete(flag).status()).isEqualTo(204);
        }
        assertThat(h.http.delete("/api/v1/flags/new_checkout").status()).isEqualTo(204);
        String state = Files.readString(dir.resolve("state/state.json"));
        assertThat(state).doesNotContain("temp_");
        assertThat(ModelJson.mapper().readTree(state.substring(state.indexOf('\n') + 1)).at("/flags/revisions").size())
                .as(state).isZero();
    }

    @Test
    void aFlagDeletedAndCreatedAgainCountsOnSoAnOldIfMatchDoesNotMatchIt() {
        String flag = "/api/v1/flags/dark_mode";
        long first = h.http.put(flag, "{\"enabled\":true}").json().get("revision").asLong();
        assertThat(h.http.delete(flag).status()).isEqualTo(204);
        Reply again = h.http.put(flag, "{\"enabled\":false}");
        assertThat(again.status()).as(again.toString()).isEqualTo(200);
        assertThat(again.json().get("revision").asLong()).isGreaterThan(first + 1);
        // The If-Match read from the first flag names a state that is gone.
        assertPreconditionFailed(h.http.send("PUT", flag, "{\"enabled\":true}", "\"" + first + "\""));
        assertThat(h.http.get(flag).json().get("enabled").asBoolean()).isFalse();
    }

    @Test
    void ifMatchGuardsFlagPutAndDelete() {
        String flag = "/api/v1/flags/new_checkout";
        Reply current = h.http.get(flag);
        long revision = current.json().get("revision").asLong();
        assertThat(current.header("ETag")).isEqualTo("\"" + revision + "\"");
        Snapshot before = snapshot(flag);
        String stale = "\"" + (revision + 1) + "\"";

        assertPreconditionFailed(h.http.send("PUT", flag, "{\"enabled\":true,\"percentage\":50}", stale));
        assertPreconditionFailed(h.http.send("DELETE", flag, null, stale));
        assertThat(snapshot(flag)).isEqualTo(before);
        assertThat(h.http.get(flag).json().get("percentage").asDouble()).isEqualTo(5);

        // A flag that does not exist has no revision for If-Match to match; it is not created.
        assertPreconditionFailed(h.http.send("PUT", "/api/v1/flags/dark_mode", "{\"enabled\":true}", "\"1\""));
        // Not even "*", which asks for a current representation of any revision (RFC 9110 13.1.1).
        assertPreconditionFailed(h.http.send("PUT", "/api/v1/flags/dark_mode", "{\"enabled\":true}", "*"));
        assertThat(h.http.get("/api/v1/flags/dark_mode").status()).isEqualTo(404);
        assertThat(snapshot(flag)).isEqualTo(before);

        Reply put = h.http.send("PUT", flag, "{\"enabled\":true,\"percentage\":50}", "\"" + revision + "\"");
        assertThat(put.status()).as(put.toString()).isEqualTo(200);
        assertThat(put.json().get("percentage").asDouble()).isEqualTo(50);
        assertThat(put.json().get("revision").asLong()).isEqualTo(revision + 1);

        // The revision the put replaced is stale now, for a delete as for a put.
        Snapshot afterPut = snapshot(flag);
        assertPreconditionFailed(h.http.send("DELETE", flag, null, "\"" + revision + "\""));
        assertThat(snapshot(flag)).isEqualTo(afterPut);

        Reply delete = h.http.send("DELETE", flag, null, "\"" + (revision + 1) + "\"");
        assertThat(delete.status()).as(delete.toString()).isEqualTo(204);
        assertThat(h.http.get(flag).status()).isEqualTo(404);
        assertThat(h.http.get("/api/v1/events").json().get("events").findValuesAsText("action"))
                .containsExactly("flag.set", "flag.delete");
    }

    /** If-Match compares strongly (RFC 9110 13.1.1): a weak tag names no exact state, so it never matches. */
    @Test
    void ifMatchIsAStrongComparisonAgainstAListOrStar() throws Exception {
        String weights = "/api/v1/services/shop/weights";
        Snapshot before = snapshot("/api/v1/services/shop");
        Reply weak = h.http.send("PUT", weights, "{\"blue\":50,\"green\":50}", "W/\"1\"");
        assertPreconditionFailed(weak);
        assertThat(weak.json().get("error").asText()).contains("weak");
        assertPreconditionFailed(h.http.send("PUT", weights, "{\"blue\":50,\"green\":50}", "\"0\", \"9\""));
        assertPreconditionFailed(h.http.send("PUT", weights, "{\"blue\":50,\"green\":50}", "W/\"1\", \"2\""));
        assertThat(snapshot("/api/v1/services/shop")).isEqualTo(before);

        for (String listed : List.of("\"0\", \"%d\"", "\"77\",W/\"%d\" , %d", "*")) {
            long current = h.http.get("/api/v1/services/shop").json().get("revision").asLong();
            String condition = listed.replace("%d", Long.toString(current));
            Reply ok = h.http.send("PUT", weights, "{\"blue\":100,\"green\":0}", condition);
            assertThat(ok.status()).as(condition + ": " + ok).isEqualTo(200);
        }
        long revision = h.http.get("/api/v1/services/shop").json().get("revision").asLong();
        try (RawClient client = new RawClient(h.server.localAddress())) {
            // Two If-Match lines are one list.
            String body = "{\"blue\":100,\"green\":0}";
            RawClient.Answer twoLines = client.exchange("PUT " + weights + " HTTP/1.1\r\nHost: localhost\r\n"
                    + "Authorization: Bearer " + TOKEN + "\r\nIf-Match: \"0\"\r\nIf-Match: \"" + revision + "\"\r\n"
                    + "Content-Length: " + body.length() + "\r\n\r\n" + body);
            assertThat(twoLines.status()).as(twoLines.toString()).isEqualTo(200);
        }
        for (String malformed : List.of("\"x\"", "W/1", "*, \"1\"", ",", "\"1")) {
            Reply bad = h.http.send("PUT", weights, "{\"blue\":100,\"green\":0}", malformed);
            assertThat(bad.status()).as(malformed).isEqualTo(400);
            assertThat(bad.json().get("error").asText()).startsWith("If-Match: ").contains("expected");
        }
    }

    /** Veer's own listener as an endpoint would loop each request through Veer: refused as the config check does. */
    @Test
    void aVersionCannotPointAtVeersOwnListener() {
        Snapshot before = snapshot("/api/v1/services/shop");
        Reply r = h.http.send("PUT", "/api/v1/services/shop/versions/canary",
                "{\"endpoints\":[\"127.0.0.1:9003\",\"localhost:8080\"]}", null);
        assertThat(r.status()).as(r.toString()).isEqualTo(400);
        assertThat(r.json().get("path").asText()).isEqualTo("endpoints[1]");
        assertThat(r.json().get("error").asText()).isEqualTo("'localhost:8080' is Veer's own proxy.listen"
                + " '0.0.0.0:8080': every request would come back to Veer (expected: the address of your service)");
        assertThat(snapshot("/api/v1/services/shop")).isEqualTo(before);
    }

    @Test
    void ifMatchGuardsVersionPutAndDelete() {
        String shop = "/api/v1/services/shop";
        String canary = shop + "/versions/canary";
        String endpoints = "{\"endpoints\":[\"127.0.0.1:9003\"]}";
        long revision = h.http.get(shop).json().get("revision").asLong();
        Snapshot before = snapshot(shop);

        String stale = "\"" + (revision + 1) + "\"";
        assertPreconditionFailed(h.http.send("PUT", canary, endpoints, stale));
        assertPreconditionFailed(h.http.send("DELETE", shop + "/versions/green", null, stale));
        // No such version: 404 whatever If-Match says (RFC 9110 §13.2.1).
        assertThat(h.http.send("DELETE", shop + "/versions/nonexistent", null, stale).status()).isEqualTo(404);
        assertThat(snapshot(shop)).isEqualTo(before);
        assertThat(h.http.get(shop).json().get("versions").findValuesAsText("name")).containsExactly("blue", "green");

        Reply put = h.http.send("PUT", canary, endpoints, "\"" + revision + "\"");
        assertThat(put.status()).as(put.toString()).isEqualTo(200);
        assertThat(put.json().get("revision").asLong()).isEqualTo(revision + 1);
        assertThat(put.json().get("versions").findValuesAsText("name")).containsExactly("blue", "green", "canary");

        // The revision the put replaced is stale now: the new version stays.
        Snapshot afterPut = snapshot(shop);
        assertPreconditionFailed(h.http.send("DELETE", canary, null, "\"" + revision + "\""));
        assertPreconditionFailed(h.http.send("PUT", canary, "{\"endpoints\":[\"127.0.0.1:9004\"]}",
                "\"" + revision + "\""));
        assertThat(snapshot(shop)).isEqualTo(afterPut);

        Reply delete = h.http.send("DELETE", canary, null, "\"" + (revision + 1) + "\"");
        assertThat(delete.status()).as(delete.toString()).isEqualTo(204);
        assertThat(h.http.get(shop).json().get("versions").findValuesAsText("name")).containsExactly("blue", "green");
        assertThat(h.http.get("/api/v1/events").json().get("events").findValuesAsText("action"))
                .containsExactly("version.add", "version.delete");
    }

    @Test
    void switchSendsAllTrafficToOneVersionAndKeepsTheOther() {
        Reply r = h.http.post("/api/v1/services/shop/switch", "{\"to\":\"green\"}");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.json().get("weights").toString()).isEqualTo("{\"blue\":0,\"green\":100}");
        assertThat(r.json().get("versions")).hasSize(2);

        Reply bad = h.http.post("/api/v1/services/shop/switch", "{\"to\":\"purple\"}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("path").asText()).isEqualTo("to");
        JsonNode events = h.http.get("/api/v1/events").json().get("events");
        assertThat(events).hasSize(1);
        assertThat(events.get(0).get("action").asText()).isEqualTo("service.switch");
    }

    /**
     * Deleting a version without traffic is 204 even when a route of the file names it (the contract's rule is the
     * weight): the route is out of force while the version is gone and comes back with it. So the flag that route
     * uses may not be deleted meanwhile, or the route would come back naming no flag.
     */
    @Test
    void aRouteOfADeletedVersionComesBackWithItAndKeepsItsFlag() throws Exception {
        h.close();
        String routed = YAML.replace("    sticky: { cookie: \"veer_shop\" }\n", "    sticky: { cookie: \"veer_shop\" }\n"
                + "    routes: [ { match: { flag: new_checkout }, version: green } ]\n");
        assertThat(routed).isNotEqualTo(YAML);
        java.nio.file.Path other = dir.resolve("routed");
        Files.createDirectories(other);
        h = new ControlPlaneHarness(other, routed, TOKEN);

        assertThat(h.http.delete("/api/v1/services/shop/versions/green").status()).isEqualTo(204);
        assertThat(h.http.get("/api/v1/services/shop").json().get("routes")).isEmpty();
        Reply flagDelete = h.http.delete("/api/v1/flags/new_checkout");
        assertThat(flagDelete.status()).as(flagDelete.toString()).isEqualTo(409);
        assertThat(flagDelete.json().get("error").asText()).contains("used by a route of service shop");

        assertThat(h.http.put("/api/v1/services/shop/versions/green", "{\"endpoints\":[\"127.0.0.1:9002\"]}")
                .status()).isEqualTo(200);
        JsonNode shop = h.http.get("/api/v1/services/shop").json();
        assertThat(shop.get("routes")).hasSize(1);
        assertThat(h.http.get("/api/v1/flags/new_checkout").status()).isEqualTo(200);
    }

    /** A variant called off would reach services as "x-veer-flags: pricing=off" for the requests it is on for. */
    @Test
    void aFlagPutWithAVariantCalledOffIsRefused() {
        Reply refused = h.http.put("/api/v1/flags/pricing",
                "{\"variants\":[{\"name\":\"off\",\"weight\":1},{\"name\":\"b\",\"weight\":1}]}");
        assertThat(refused.status()).as(refused.toString()).isEqualTo(400);
        assertThat(refused.json().get("path").asText()).isEqualTo("variants[0].name");
        assertThat(h.http.get("/api/v1/flags/pricing").status()).isEqualTo(404);
    }

    /**
     * A PUT that drops or renames the variant a route names is refused as a delete of a routed flag is: accepted, the
     * route stopped matching without a word (requests it sent to green went by weight to blue), a state that veer
     * check refuses in a config file ("unknown variant of flag").
     */
    @Test
    void aFlagPutThatDropsTheVariantARouteNamesIsRefused() throws Exception {
        h.close();
        String routed = YAML.replace("    sticky: { cookie: \"veer_shop\" }\n", "    sticky: { cookie: \"veer_shop\" }\n"
                + "    routes: [ { match: { flag: pricing, variant: annual }, version: green } ]\n")
                + "  - { name: pricing, variants: [ { name: control, weight: 1 }, { name: annual, weight: 1 } ] }\n";
        java.nio.file.Path other = dir.resolve("variants");
        Files.createDirectories(other);
        h = new ControlPlaneHarness(other, routed, TOKEN);
        int publishedBefore = h.published.size();

        Reply renamed = h.http.put("/api/v1/flags/pricing",
                "{\"variants\":[{\"name\":\"control\",\"weight\":1},{\"name\":\"annual_first\",\"weight\":1}]}");
        assertThat(renamed.status()).as(renamed.toString()).isEqualTo(409);
        assertThat(renamed.json().get("error").asText())
                .contains("variant annual is used by a route of service shop");
        assertThat(renamed.json().get("path").asText()).isEqualTo("variants");
        Reply plain = h.http.put("/api/v1/flags/pricing", "{\"percentage\":50}");
        assertThat(plain.status()).as(plain.toString()).isEqualTo(409);
        assertThat(h.published).hasSize(publishedBefore);
        assertThat(h.http.get("/api/v1/flags/pricing").json().get("variants").toString()).contains("annual");

        // Keeping the routed variant, anything else may change.
        Reply kept = h.http.put("/api/v1/flags/pricing",
                "{\"percentage\":50,\"variants\":[{\"name\":\"annual\",\"weight\":3},{\"name\":\"b\",\"weight\":1}]}");
        assertThat(kept.status()).as(kept.toString()).isEqualTo(200);
        assertThat(h.published).hasSize(publishedBefore + 1);
    }

    /**
     * The file checks its routes against its own flags, but a flag PUT at run time stays in force over the file's: a
     * reload whose route names a variant only the file's flag has was applied, and the route never matched.
     */
    @Test
    void aReloadWhoseRouteNamesAVariantTheFlagInForceLacksIsRefused() throws Exception {
        h.close();
        String routed = YAML.replace("    sticky: { cookie: \"veer_shop\" }\n", "    sticky: { cookie: \"veer_shop\" }\n"
                + "    routes: [ { match: { flag: pricing, variant: annual }, version: green } ]\n")
                + "  - { name: pricing, variants: [ { name: control, weight: 1 }, { name: annual, weight: 1 } ] }\n";
        java.nio.file.Path other = dir.resolve("reload-variants");
        Files.createDirectories(other);
        h = new ControlPlaneHarness(other, routed, TOKEN);
        assertThat(h.http.put("/api/v1/flags/pricing", "{\"percentage\":50,\"variants\":[{\"name\":\"control\","
                + "\"weight\":1},{\"name\":\"annual\",\"weight\":1}]}").status()).isEqualTo(200);

        Files.writeString(h.configFile, routed.replace("variant: annual }", "variant: extra }")
                .replace("{ name: annual, weight: 1 } ]", "{ name: annual, weight: 1 }, { name: extra, weight: 1 } ]"));
        Reply refused = h.http.post("/api/v1/reload", null);
        assertThat(refused.status()).as(refused.toString()).isEqualTo(409);
        assertThat(refused.json().get("error").asText()).contains("variant extra of flag pricing");
        assertThat(h.http.get("/api/v1/services/shop").json().get("routes").toString()).contains("\"annual\"");

        // With the flag in force given the variant first, the same file reloads.
        assertThat(h.http.put("/api/v1/flags/pricing", "{\"variants\":[{\"name\":\"annual\",\"weight\":1},"
                + "{\"name\":\"extra\",\"weight\":1}]}").status()).isEqualTo(200);
        Reply ok = h.http.post("/api/v1/reload", null);
        assertThat(ok.status()).as(ok.toString()).isEqualTo(200);
        assertThat(h.http.get("/api/v1/services/shop").json().get("routes").toString()).contains("\"extra\"");
    }

    @Test
    void versionsCanBeAddedReplacedAndDeletedOnlyWithoutTraffic() {
        Reply add = h.http.put("/api/v1/services/shop/versions/canary", "{\"endpoints\":[\"127.0.0.1:9003\"]}");
        assertThat(add.status()).as(add.toString()).isEqualTo(200);
        assertThat(add.json().get("weights").toString()).isEqualTo("{\"blue\":100,\"green\":0,\"canary\":0}");

        Reply badEndpoint = h.http.put("/api/v1/services/shop/versions/canary", "{\"endpoints\":[\"nohost\"]}");
        assertThat(badEndpoint.status()).isEqualTo(400);
        assertThat(badEndpoint.json().get("path").asText()).contains("endpoints");

        Reply inUse = h.http.delete("/api/v1/services/shop/versions/blue");
        assertThat(inUse.status()).isEqualTo(409);
        assertThat(inUse.json().get("error").asText()).contains("weight");

        Reply gone = h.http.delete("/api/v1/services/shop/versions/green");
        assertThat(gone.status()).isEqualTo(204);
        assertThat(gone.body()).isEmpty();
        JsonNode shop = h.http.get("/api/v1/services/shop").json();
        assertThat(shop.get("versions").findValuesAsText("name")).containsExactly("blue", "canary");
        assertThat(h.published.get(h.published.size() - 1).services().get(0).versionNames())
                .containsExactly("blue", "canary");
        assertThat(h.http.get("/api/v1/events").json().get("events").findValuesAsText("action"))
                .containsExactly("version.add", "version.delete");
    }

    @Test
    void flagsCrud() {
        assertThat(h.http.get("/api/v1/flags").json().get("flags")).hasSize(1);
        Reply put = h.http.put("/api/v1/flags/dark_mode",
                "{\"enabled\":true,\"percentage\":25,\"stickiness\":\"header:x-user-id\"}");
        assertThat(put.status()).as(put.toString()).isEqualTo(200);
        assertThat(put.json().get("name").asText()).isEqualTo("dark_mode");
        assertThat(put.json().get("percentage").asDouble()).isEqualTo(25);
        assertThat(h.published.get(0).flags()).extracting(f -> f.name()).contains("new_checkout", "dark_mode");

        Reply bad = h.http.put("/api/v1/flags/dark_mode", "{\"enabled\":true,\"percentage\":250}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("path").asText()).contains("percentage");

        assertThat(h.http.get("/api/v1/flags/dark_mode").status()).isEqualTo(200);
        assertThat(h.http.delete("/api/v1/flags/new_checkout").status()).isEqualTo(204);
        assertThat(h.http.get("/api/v1/flags/new_checkout").status()).isEqualTo(404);
        assertThat(h.http.delete("/api/v1/flags/new_checkout").status()).isEqualTo(404);
        assertThat(h.http.get("/api/v1/flags").json().get("flags").findValuesAsText("name"))
                .containsExactly("dark_mode");
        assertThat(h.http.get("/api/v1/events").json().get("events").findValuesAsText("action"))
                .containsExactly("flag.set", "flag.delete");
    }

    @Test
    void bodiesOverOneMebibyteAre413() {
        String big = "{\"blue\":\"" + "x".repeat(1024 * 1024 + 10) + "\"}";
        Reply r = h.http.put("/api/v1/services/shop/weights", big);
        assertThat(r.status()).isEqualTo(413);
        assertThat(r.json().get("error").asText()).contains("bytes");
        assertThat(eventCount()).isZero();
    }

    /** curl asks Expect: 100-continue before a large upload; the refusal is the JSON error too. */
    @Test
    void aLargeUploadThatExpects100ContinueGetsTheJson413() throws Exception {
        try (RawClient client = new RawClient(h.server.localAddress())) {
            RawClient.Answer refused = client.exchange("PUT /api/v1/services/shop/weights HTTP/1.1\r\n"
                    + "Host: localhost\r\nAuthorization: Bearer " + TOKEN + "\r\nContent-Length: 52428800\r\n"
                    + "Expect: 100-continue\r\n\r\n");
            assertThat(refused.status()).isEqualTo(413);
            assertThat(refused.headers().get("content-type")).startsWith("application/json");
            assertThat(io.netty.handler.codec.DateFormatter.parseHttpDate(refused.headers().get("date"))).isNotNull();
            assertThat(refused.json().get("error").asText()).isEqualTo("request body over 1048576 bytes");
            assertThat(refused.json().get("path").asText()).isEmpty();
            assertThat(client.closedWithin(java.time.Duration.ofSeconds(5))).as("no body will follow").isTrue();
        }
        assertThat(eventCount()).isZero();
    }

    /** An expectation other than 100-continue is refused (417) naming what the client asked, nothing changed. */
    @Test
    void anUnknownExpectationIs417NamingIt() throws Exception {
        try (RawClient client = new RawClient(h.server.localAddress())) {
            RawClient.Answer refused = client.exchange("PUT /api/v1/services/shop/weights HTTP/1.1\r\n"
                    + "Host: localhost\r\nAuthorization: Bearer " + TOKEN + "\r\nContent-Length: 22\r\n"
                    + "Expect: 200-ok\r\n\r\n");
            assertThat(refused.status()).isEqualTo(417);
            assertThat(refused.json().get("error").asText()).isEqualTo("Expect: 200-ok (expected: 100-continue or "
                    + "no Expect)");
        }
        assertThat(eventCount()).isZero();
    }

    @Test
    void eventsLimitIsValidated() {
        assertThat(h.http.get("/api/v1/events?limit=0").status()).isEqualTo(400);
        assertThat(h.http.get("/api/v1/events?limit=abc").json().get("path").asText()).isEqualTo("limit");
        h.http.post("/api/v1/services/shop/switch", "{\"to\":\"green\"}");
        h.http.post("/api/v1/services/shop/switch", "{\"to\":\"blue\"}");
        JsonNode events = h.http.get("/api/v1/events?limit=1").json().get("events");
        assertThat(events).hasSize(1);
        assertThat(events.get(0).get("after").toString()).isEqualTo("{\"blue\":100,\"green\":0}");
    }

    @Test
    void restartRestoresWeightsVersionsFlagsAndRevisions() throws Exception {
        h.http.put("/api/v1/services/shop/versions/canary", "{\"endpoints\":[\"127.0.0.1:9003\"]}");
        h.http.put("/api/v1/services/shop/weights", "{\"blue\":70,\"green\":20,\"canary\":10}");
        h.http.put("/api/v1/flags/dark_mode", "{\"enabled\":false}");
        h.http.delete("/api/v1/flags/new_checkout");
        JsonNode before = h.http.get("/api/v1/services/shop").json();
        String flagsBefore = h.http.get("/api/v1/flags").json().toString();
        h.close();

        h = new ControlPlaneHarness(dir, YAML, TOKEN);

        assertThat(h.http.get("/api/v1/services/shop").json()).isEqualTo(before);
        assertThat(h.http.get("/api/v1/flags").json().toString()).isEqualTo(flagsBefore);
        assertThat(h.http.get("/api/v1/events").json().get("events")).hasSize(4);
    }

    @Test
    void reloadAppliesAValidFileAndRefusesAnInvalidOne() throws Exception {
        h.http.put("/api/v1/services/shop/weights", "{\"blue\":90,\"green\":10}");
        Files.writeString(h.configFile, YAML.replace("weights: { blue: 100, green: 0 }", "weights: { blue: 150 }")
                .replace("percentage: 5", "percentage: 500"));

        Reply invalid = h.http.post("/api/v1/reload", null);
        assertThat(invalid.status()).isEqualTo(400);
        assertThat(invalid.json().path("file").asText()).as("the file, as veer check names it")
                .isEqualTo(h.configFile.toString());
        assertThat(invalid.json().get("errors").size()).isGreaterThanOrEqualTo(2);
        assertThat(invalid.json().get("errors").findValuesAsText("path"))
                .anySatisfy(p -> assertThat(p).contains("weights"))
                .anySatisfy(p -> assertThat(p).contains("percentage"));
        assertThat(eventCount()).isEqualTo(1);

        Files.writeString(h.configFile, YAML.replace("- { name: green, endpoints: [\"127.0.0.1:9002\"] }",
                        "- { name: green, endpoints: [\"127.0.0.1:9012\"] }\n      - { name: red, endpoints: [\"127.0.0.1:9013\"] }")
                .replace("percentage: 5", "percentage: 50"));
        Reply ok = h.http.post("/api/v1/reload", null);
        assertThat(ok.status()).as(ok.toString()).isEqualTo(200);
        assertThat(ok.json().get("services").get("changed").has("shop")).isTrue();
        assertThat(ok.json().get("flags").get("changed").findValuesAsText("")).isEmpty();
        assertThat(ok.json().get("flags").get("changed").get(0).asText()).isEqualTo("new_checkout");
        // The file's change to shop applies (a version red at weight 0, green's endpoints), though the runtime
        // weights stay in force; the flag had no runtime change, so its new percentage applies.
        assertThat(ok.json().get("overriddenAtRuntime").toString()).isEqualTo("[]");

        JsonNode shop = h.http.get("/api/v1/services/shop").json();
        // The runtime weights survive; the file's new version and endpoints apply.
        assertThat(shop.get("weights").toString()).isEqualTo("{\"blue\":90,\"green\":10,\"red\":0}");
        assertThat(shop.get("versions").get(1).get("endpoints").get(0).get("address").asText())
                .isEqualTo("127.0.0.1:9012");
        List<String> actions = h.http.get("/api/v1/events").json().get("events").findValuesAsText("action");
        assertThat(actions).containsExactly("weights.set", "config.reload");

        // A file change the runtime layer does not set (the path prefix) applies and is not reported as kept.
        Files.writeString(h.configFile, Files.readString(h.configFile).replace("pathPrefix: \"/\"", "pathPrefix: \"/shop\""));
        Reply prefixOnly = h.http.post("/api/v1/reload", null);
        assertThat(prefixOnly.json().get("services").get("changed").has("shop")).as(prefixOnly.toString()).isTrue();
        assertThat(prefixOnly.json().get("overriddenAtRuntime").toString()).isEqualTo("[]");

        // A file change to weights the runtime layer sets does not apply, and is reported as kept.
        Files.writeString(h.configFile, Files.readString(h.configFile)
                .replace("weights: { blue: 100, green: 0 }", "weights: { blue: 80, green: 20 }"));
        Reply weightsKept = h.http.post("/api/v1/reload", null);
        assertThat(weightsKept.json().get("overriddenAtRuntime").toString()).as(weightsKept.toString())
                .isEqualTo("[\"shop\"]");
        assertThat(h.http.get("/api/v1/services/shop").json().get("weights").toString())
                .isEqualTo("{\"blue\":90,\"green\":10,\"red\":0}");

        // The same file again changes nothing, so no revision moves (a guarded change by another client still
        // holds); the reload is still audited.
        long revision = weightsKept.json().get("revision").asLong();
        long shopRevision = h.http.get("/api/v1/services/shop").json().get("revision").asLong();
        Reply again = h.http.post("/api/v1/reload", null);
        assertThat(again.json().get("revision").asLong()).as(again.toString()).isEqualTo(revision);
        assertThat(h.http.get("/api/v1/services/shop").json().get("revision").asLong()).isEqualTo(shopRevision);
        assertThat(eventCount()).isEqualTo(5);
    }

    /**
     * A service a reload removes and a later one brings back must not count its revisions again from the start: an
     * If-Match read before the removal would then match a service it never saw.
     */
    @Test
    void aServiceRemovedAndAddedBackByReloadsNeverReusesARevision() throws Exception {
        String yaml = Files.readString(h.configFile);
        String other = yaml.replace("flags:", """
                  - name: api
                    match: { hosts: ["api.local"], pathPrefix: "/" }
                    versions: [ { name: v1, endpoints: ["127.0.0.1:9021"] }, { name: v2, endpoints: ["127.0.0.1:9022"] } ]
                    weights: { v1: 100, v2: 0 }
                flags:""");
        Files.writeString(h.configFile, other);
        assertThat(h.http.post("/api/v1/reload", null).status()).isEqualTo(200);
        long seen = h.http.put("/api/v1/services/api/weights", "{\"v1\":70,\"v2\":30}").json().get("revision")
                .asLong();

        Files.writeString(h.configFile, yaml);
        assertThat(h.http.post("/api/v1/reload", null).status()).isEqualTo(200);
        Files.writeString(h.configFile, other);
        assertThat(h.http.post("/api/v1/reload", null).status()).isEqualTo(200);

        JsonNode api = h.http.get("/api/v1/services/api").json();
        assertThat(api.get("revision").asLong()).isGreaterThan(seen);
        Reply stale = h.http.send("PUT", "/api/v1/services/api/weights", "{\"v1\":0,\"v2\":100}", "\"" + seen + "\"");
        assertThat(stale.status()).as(stale.toString()).isEqualTo(412);
    }
}
