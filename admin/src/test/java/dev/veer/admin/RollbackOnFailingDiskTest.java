package dev.veer.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veer.admin.Http.Reply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real Veer whose state cannot be saved rolls a failing canary back all the same, and saves the state in force
 * once it can; restarted on the state the disk kept, it judges the canary again. Saves are made to fail by a
 * directory where each save writes its temp file first (chmod does not stop root, who runs the tests in CI).
 */
class RollbackOnFailingDiskTest {

    /** Two Fails roll back: the first is a verdict only, which must count while nothing can be saved. */
    private static final String START = "{\"canary\":\"green\",\"baseline\":\"blue\","
            + "\"steps\":[{\"weight\":50,\"pause\":\"1h\"},{\"weight\":100}],"
            + "\"analysis\":{\"interval\":\"1s\",\"minRequests\":5,\"failureLimit\":2}}";
    private static final long DEADLINE_NANOS = 30_000_000_000L;

    @TempDir
    Path dir;
    Backend blue;
    Backend green;
    Map<String, String> env;
    Path configFile;
    Path blocker;
    VeerRuntime runtime;
    Http admin;
    ProxyClient proxy;

    @BeforeEach
    void start() throws Exception {
        blue = new Backend("blue");
        green = new Backend("green", 500);
        env = RuntimeFixture.env(dir, blue.port(), green.port());
        configFile = RuntimeFixture.configFile(dir);
        blocker = dir.resolve("state/state.json.tmp");
        startRuntime();
    }

    private void startRuntime() throws Exception {
        runtime = RuntimeFixture.start(configFile, env);
        admin = new Http(runtime.adminAddress(), RuntimeFixture.TOKEN);
        proxy = new ProxyClient(runtime.proxyAddress());
    }

    @AfterEach
    void stop() {
        if (runtime != null) {
            runtime.close();
        }
        blue.close();
        green.close();
    }

    /** Backend name to count, whatever the status. */
    private Map<String, Integer> sample(int requests) throws Exception {
        Map<String, Integer> seen = new TreeMap<>();
        for (int i = 0; i < requests; i++) {
            HttpResponse<String> r = proxy.get();
            seen.merge(r.body(), 1, Integer::sum);
        }
        return seen;
    }

    private String phase() {
        return admin.get("/api/v1/services/shop/rollout").json().get("phase").asText();
    }

    /** Sends traffic until the rollout is rolled back or the deadline passes. */
    private void driveUntilRolledBack() throws Exception {
        long deadline = System.nanoTime() + DEADLINE_NANOS;
        while (!phase().equals("RolledBack") && System.nanoTime() < deadline) {
            sample(20);
        }
        JsonNode rollout = admin.get("/api/v1/services/shop/rollout").json();
        assertThat(rollout.get("phase").asText()).as(rollout.toString()).isEqualTo("RolledBack");
    }

    /** The shop rollout's phase in state.json: the header line, then the document on one line. */
    private String savedPhase() throws Exception {
        List<String> lines = Files.readAllLines(dir.resolve("state/state.json"));
        return new ObjectMapper().readTree(lines.get(1)).path("rollouts").path("shop").path("phase").asText();
    }

    private String metrics() {
        return admin.get("/metrics").body();
    }

    @Test
    void aFailingCanaryIsRolledBackWhileTheStateCannotBeSavedAndTheStateIsSavedOnceItCan() throws Exception {
        Reply started = admin.post("/api/v1/services/shop/rollout", START);
        assertThat(started.status()).as(started.toString()).isEqualTo(201);
        Files.createDirectory(blocker);
        Reply refused = admin.post("/api/v1/services/shop/rollout/abort", null);
        assertThat(refused.status()).as("an operator's abort: " + refused).isEqualTo(500);
        assertThat(refused.json().get("error").asText()).contains("state not persisted").contains("nothing changed");
        assertThat(phase()).isEqualTo("Progressing");

        driveUntilRolledBack();

        assertThat(sample(20)).containsOnlyKeys("blue");
        assertThat(savedPhase()).isEqualTo("Progressing");
        String metrics = metrics();
        assertThat(metrics).containsPattern("veer_unpersisted_changes_total\\{write=\"state\"} [1-9]")
                .contains("veer_unpersisted_changes_total{write=\"audit\"} 0.0");
        JsonNode events = admin.get("/api/v1/events?limit=1000").json().get("events");
        assertThat(events).anySatisfy(e -> {
            assertThat(e.get("action").asText()).isEqualTo("rollout.rollback");
            assertThat(e.get("actor").asText()).isEqualTo("analyzer");
        });

        Files.delete(blocker);
        long deadline = System.nanoTime() + DEADLINE_NANOS;
        while (!savedPhase().equals("RolledBack") && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(savedPhase()).as("saved by the next rollout tick").isEqualTo("RolledBack");
    }

    @Test
    void restartedOnTheStateTheDiskKeptTheRolloutGoesOnFromThereAndIsJudgedAgain() throws Exception {
        Reply started = admin.post("/api/v1/services/shop/rollout", START);
        assertThat(started.status()).as(started.toString()).isEqualTo(201);
        Files.createDirectory(blocker);
        driveUntilRolledBack();
        runtime.close();
        Files.delete(blocker);

        startRuntime();
        JsonNode resumed = admin.get("/api/v1/services/shop/rollout").json();
        assertThat(resumed.get("phase").asText()).as(resumed.toString()).isEqualTo("Progressing");
        assertThat(resumed.get("weights").toString()).isEqualTo("{\"blue\":50,\"green\":50}");
        assertThat(resumed.get("verdicts")).isEmpty();

        driveUntilRolledBack();
        assertThat(savedPhase()).isEqualTo("RolledBack");
        assertThat(sample(20)).containsOnlyKeys("blue");
        assertThat(metrics()).contains("veer_unpersisted_changes_total{write=\"state\"} 0.0");
    }
}
