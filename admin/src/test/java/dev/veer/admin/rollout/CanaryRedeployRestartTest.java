package dev.veer.admin.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import dev.veer.admin.Http.Reply;
import dev.veer.analyzer.WindowStats;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Replacing the canary's endpoints (a redeploy) while its rollout runs starts the rollout over from the first step,
 * as Argo Rollouts does on a pod-template change and Flagger on a new revision: the verdicts so far judged the build
 * that was replaced. Over the admin API on loopback, with a hand-driven clock.
 */
class CanaryRedeployRestartTest {

    private static final Duration SECOND = Duration.ofSeconds(1);
    private static final WindowStats HEALTHY = new WindowStats(1000, 0, null);
    private static final WindowStats FAILING = new WindowStats(1000, 500, null);
    private static final String START = "{\"canary\":\"green\",\"baseline\":\"blue\","
            + "\"steps\":[{\"weight\":10,\"pause\":\"1h\"},{\"weight\":50,\"pause\":\"1h\"},{\"weight\":100}],"
            + "\"analysis\":{\"interval\":\"1s\",\"minRequests\":100,\"failureLimit\":2,\"inconclusiveLimit\":1000}}";

    @TempDir
    Path dir;
    RolloutHarness h;

    @BeforeEach
    void start() throws Exception {
        h = new RolloutHarness(dir);
        h.canary = HEALTHY;
        h.baseline = HEALTHY;
        Reply started = h.http.post("/api/v1/services/shop/rollout", START);
        assertThat(started.status()).as(started.toString()).isEqualTo(201);
    }

    @AfterEach
    void stop() {
        h.close();
    }

    private String weights() {
        return h.http.get("/api/v1/services/shop").json().get("weights").toString();
    }

    private Reply putVersion(String version, String endpoints) {
        return h.http.put("/api/v1/services/shop/versions/" + version, "{\"endpoints\":" + endpoints + "}");
    }

    @Test
    void aRedeployedCanaryStartsOverAtTheFirstStepWithItsWholePause() {
        h.tick(SECOND);
        h.tick(Duration.ofHours(1));
        assertThat(h.rollout().get("step").asInt()).isEqualTo(2);
        assertThat(weights()).isEqualTo("{\"blue\":50,\"green\":50}");

        Reply replaced = putVersion("green", "[\"127.0.0.1:9102\"]");
        assertThat(replaced.status()).as(replaced.toString()).isEqualTo(200);

        JsonNode rollout = h.rollout();
        assertThat(rollout.get("phase").asText()).isEqualTo("Progressing");
        assertThat(rollout.get("step").asInt()).isEqualTo(1);
        assertThat(rollout.get("reason").asText()).contains("green redeployed").contains("step 1/3");
        assertThat(rollout.get("weights").toString()).isEqualTo("{\"blue\":90,\"green\":10}");
        assertThat(weights()).as("the service and its rollout agree").isEqualTo("{\"blue\":90,\"green\":10}");
        assertThat(rollout.get("verdicts").size()).as("history kept").isGreaterThanOrEqualTo(2);
        assertThat(h.events("rollout.restart")).hasSize(1);

        // The first step's pause runs whole again: half of it later, still at step 1.
        h.tick(SECOND);
        h.tick(Duration.ofMinutes(30));
        assertThat(h.rollout().get("step").asInt()).isEqualTo(1);
    }

    @Test
    void aReloadThatGivesTheCanaryOtherEndpointsRestartsItsRollout() throws Exception {
        h.tick(SECOND);
        h.tick(Duration.ofHours(1));
        assertThat(h.rollout().get("step").asInt()).isEqualTo(2);

        Files.writeString(h.configFile, RolloutHarness.YAML.replace("127.0.0.1:9002", "127.0.0.1:9102"));
        Reply reloaded = h.http.post("/api/v1/reload", "{}");
        assertThat(reloaded.status()).as(reloaded.toString()).isEqualTo(200);

        assertThat(h.rollout().get("step").asInt()).isEqualTo(1);
        assertThat(weights()).isEqualTo("{\"blue\":90,\"green\":10}");
        assertThat(h.events("rollout.restart")).hasSize(1);
    }

    @Test
    void failsOfTheReplacedBuildDoNotCountTowardsTheRedeployedOnesRollback() {
        h.canary = FAILING;
        h.tick(SECOND);
        assertThat(h.rollout().get("stepFails").asInt()).isEqualTo(1);

        assertThat(putVersion("green", "[\"127.0.0.1:9102\"]").status()).isEqualTo(200);
        assertThat(h.rollout().get("stepFails").asInt()).isZero();

        // One Fail of the new build is one, not the second of the step: failureLimit 2 is not reached.
        h.tick(Duration.ofSeconds(2));
        JsonNode rollout = h.rollout();
        assertThat(rollout.get("phase").asText()).as(rollout.get("reason").asText()).isEqualTo("Progressing");
        assertThat(rollout.get("stepFails").asInt()).isEqualTo(1);
        h.tick(SECOND);
        assertThat(h.rollout().get("phase").asText()).isEqualTo("RolledBack");
    }

    @Test
    void theSameEndpointsAgainOrTheBaselinesEndpointsLeaveTheRolloutWhereItIs() {
        h.tick(SECOND);
        h.tick(Duration.ofHours(1));
        assertThat(h.rollout().get("step").asInt()).isEqualTo(2);

        assertThat(putVersion("green", "[\"127.0.0.1:9002\"]").status()).isEqualTo(200);
        assertThat(putVersion("blue", "[\"127.0.0.1:9101\"]").status()).isEqualTo(200);

        assertThat(h.rollout().get("step").asInt()).isEqualTo(2);
        assertThat(weights()).isEqualTo("{\"blue\":50,\"green\":50}");
        assertThat(h.events("rollout.restart")).isEmpty();
    }

    @Test
    void aPausedRolloutStaysPausedWhenItsCanaryIsRedeployed() {
        h.tick(SECOND);
        h.tick(Duration.ofHours(1));
        assertThat(h.http.post("/api/v1/services/shop/rollout/pause", "{}").status()).isEqualTo(200);

        assertThat(putVersion("green", "[\"127.0.0.1:9102\"]").status()).isEqualTo(200);

        JsonNode rollout = h.rollout();
        assertThat(rollout.get("phase").asText()).isEqualTo("Paused");
        assertThat(rollout.get("step").asInt()).isEqualTo(1);
        assertThat(weights()).isEqualTo("{\"blue\":90,\"green\":10}");
    }
}
