package dev.veer.admin.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veer.admin.Http.Reply;
import dev.veer.admin.LogCapture;
import dev.veer.admin.control.ControlPlane;
import dev.veer.analyzer.WindowStats;
import dev.veer.config.model.ServiceSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The analyzer's rollback takes effect when the state or the audit log cannot be written, where an operator's
 * change is refused; the state in force is saved by the next save that succeeds. Hand-driven clock.
 */
class AutomaticRollbackOnFailingWritesTest {

    private static final Duration SECOND = Duration.ofSeconds(1);
    /** Three Fails roll back: the first two are verdicts only, which must add up while nothing can be saved. */
    private static final String START = "{\"canary\":\"green\",\"baseline\":\"blue\","
            + "\"steps\":[{\"weight\":10,\"pause\":\"1s\"},{\"weight\":50,\"pause\":\"1h\"},{\"weight\":100}],"
            + "\"analysis\":{\"interval\":\"1s\",\"minRequests\":100,\"failureLimit\":3,\"inconclusiveLimit\":1000}}";
    private static final WindowStats HEALTHY = new WindowStats(1000, 0, null);
    private static final WindowStats FAILING = new WindowStats(1000, 500, null);

    @TempDir
    Path dir;
    RolloutHarness h;

    @BeforeEach
    void start() throws Exception {
        h = new RolloutHarness(dir);
        Reply started = h.http.post("/api/v1/services/shop/rollout", START);
        assertThat(started.status()).as(started.toString()).isEqualTo(201);
        h.baseline = HEALTHY;
    }

    @AfterEach
    void stop() {
        h.close();
    }

    /** The shop rollout's phase in state.json: the header line, then the document on one line. */
    private String savedPhase() throws Exception {
        List<String> lines = Files.readAllLines(dir.resolve("state/state.json"));
        return new ObjectMapper().readTree(lines.get(1)).path("rollouts").path("shop").path("phase").asText();
    }

    private int publishedGreenWeightBps() {
        List<ServiceSpec> last = h.published.get(h.published.size() - 1);
        return last.get(0).weights().of("green");
    }

    @Test
    void onAFullDiskTheRollbackTakesEffectAndALaterChangeSavesIt() throws Exception {
        assertThat(publishedGreenWeightBps()).isEqualTo(1000);
        h.failSaves.set(true);
        h.canary = FAILING;
        try (LogCapture logs = LogCapture.of(ControlPlane.class)) {
            for (int i = 0; i < 3; i++) {
                h.tick(SECOND);
            }
            assertThat(logs.lines()).anySatisfy(line -> assertThat(line).startsWith("ERROR state: cannot persist")
                    .contains("No space left on device")
                    .contains("the analyzer's rollback of shop takes effect all the same"));
        }

        JsonNode rollout = h.rollout();
        assertThat(rollout.get("phase").asText()).as(rollout.toString()).isEqualTo("RolledBack");
        assertThat(rollout.get("verdicts").findValuesAsText("result")).containsExactly("Fail", "Fail", "Fail");
        assertThat(publishedGreenWeightBps()).isZero();
        assertThat(h.http.get("/api/v1/services/shop").json().get("weights").toString())
                .isEqualTo("{\"blue\":100,\"green\":0}");
        // The audit log works: the rollback is in it.
        List<String> actions = h.http.get("/api/v1/events?limit=100").json().get("events").findValuesAsText("action");
        assertThat(actions).contains("rollout.rollback");
        assertThat(h.control.unpersisted().stateNotSaved()).as("two verdicts and the rollback").isEqualTo(3);
        assertThat(h.control.unpersisted().auditNotWritten()).isZero();
        assertThat(savedPhase()).isEqualTo("Progressing");

        h.failSaves.set(false);
        Reply put = h.http.put("/api/v1/services/shop/versions/green", "{\"endpoints\":[\"127.0.0.1:9012\"]}");
        assertThat(put.status()).as(put.toString()).isEqualTo(200);
        assertThat(savedPhase()).isEqualTo("RolledBack");
    }

    @Test
    void onAFullDiskAStepForwardIsStillRefusedAndTakenOnceTheDiskIsBack() throws Exception {
        h.failSaves.set(true);
        h.canary = HEALTHY;
        for (int i = 0; i < 3; i++) {
            h.tick(SECOND);
        }
        JsonNode rollout = h.rollout();
        assertThat(rollout.get("step").asInt()).as(rollout.toString()).isEqualTo(1);
        assertThat(rollout.get("weights").toString()).isEqualTo("{\"blue\":90,\"green\":10}");
        assertThat(publishedGreenWeightBps()).isEqualTo(1000);

        h.failSaves.set(false);
        for (int i = 0; i < 3 && h.rollout().get("step").asInt() == 1; i++) {
            h.tick(SECOND);
        }
        assertThat(h.rollout().get("step").asInt()).isEqualTo(2);
        assertThat(publishedGreenWeightBps()).isEqualTo(5000);
    }

    @Test
    void withAnAuditLogThatCannotBeWrittenTheRollbackTakesEffectAndIsSaved() throws Exception {
        h.audit.close(); // every append fails from now on, as on a full disk or an unwritable file
        h.canary = FAILING;
        for (int i = 0; i < 3; i++) {
            h.tick(SECOND);
        }
        assertThat(h.rollout().get("phase").asText()).isEqualTo("RolledBack");
        assertThat(publishedGreenWeightBps()).isZero();
        assertThat(savedPhase()).isEqualTo("RolledBack");
        assertThat(h.control.unpersisted().auditNotWritten()).as("every Fail is audited").isEqualTo(3);
        assertThat(h.control.unpersisted().stateNotSaved()).isZero();

        // An operator's change is still refused.
        Reply refused = h.http.put("/api/v1/services/shop/weights", "{\"blue\":50,\"green\":50}");
        assertThat(refused.status()).as(refused.toString()).isEqualTo(500);
        assertThat(refused.json().get("error").asText()).contains("audit log not written");
    }
}
