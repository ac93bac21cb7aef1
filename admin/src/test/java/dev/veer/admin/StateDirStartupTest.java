package dev.veer.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.veer.admin.Http.Reply;
import dev.veer.admin.state.FileStateStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** What `veer run` does with the state dir it finds: another instance's, damaged, deleted, newer, or half gone. */
class StateDirStartupTest {

    @TempDir
    Path dir;
    Backend blue;
    Backend green;
    Map<String, String> env;
    Path configFile;
    Path state;
    VeerRuntime runtime;
    Http admin;

    @BeforeEach
    void setUp() throws Exception {
        blue = new Backend("blue");
        green = new Backend("green");
        env = RuntimeFixture.env(dir, blue.port(), green.port());
        configFile = RuntimeFixture.configFile(dir);
        state = dir.resolve("state").toAbsolutePath();
    }

    @AfterEach
    void tearDown() {
        if (runtime != null) {
            runtime.close();
        }
        blue.close();
        green.close();
    }

    private void start() throws Exception {
        runtime = RuntimeFixture.start(configFile, env);
        admin = new Http(runtime.adminAddress(), RuntimeFixture.TOKEN);
    }

    /**
     * The message of the start-up that must be refused, as `veer run` prints it after "veer: " before exiting 1.
     * Through VeerRuntime, not Main.run: a start-up wrongly accepted would have `veer run` wait for a signal.
     */
    private String refusal() {
        Throwable thrown = catchThrowable(() -> RuntimeFixture.start(configFile, env).close());
        assertThat(thrown).as("start-up refused").isInstanceOf(StartupException.class);
        return thrown.getMessage();
    }

    private void damage(Path file) throws Exception {
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, bytes.length / 2));
    }

    @Test
    void aSecondInstanceOnTheSameStateDirExits1NamingIt() throws Exception {
        start();

        assertThat(refusal()).startsWith("state dir " + state + " is in use by another Veer (pid "
                + ProcessHandle.current().pid() + "; lock file " + state.resolve("lock") + ")");
        // The first one is undisturbed and still writes.
        assertThat(admin.put("/api/v1/services/shop/weights", "{\"blue\":70,\"green\":30}").status()).isEqualTo(200);
    }

    @Test
    void anAbortedRolloutRestoredFromPrevComesBackPausedNotRunning() throws Exception {
        start();
        Reply started = admin.post("/api/v1/services/shop/rollout", "{\"canary\":\"green\",\"baseline\":\"blue\","
                + "\"steps\":[{\"weight\":10,\"pause\":\"1h\"},{\"weight\":100}]}");
        assertThat(started.status()).as(started.toString()).isEqualTo(201);
        assertThat(admin.post("/api/v1/services/shop/rollout/abort", "{\"reason\":\"bad canary\"}").status())
                .isEqualTo(200);
        runtime.close();
        damage(state.resolve("state.json")); // state.json.prev is the state before the abort: Progressing at 90/10

        try (LogCapture logs = LogCapture.of(FileStateStore.class)) {
            start();
            assertThat(logs.lines()).anySatisfy(l -> assertThat(l).startsWith("ERROR")
                    .contains(state.resolve("state.json") + ": corrupt"));
        }

        JsonNode rollout = admin.get("/api/v1/services/shop/rollout").json();
        assertThat(rollout.get("phase").asText()).isEqualTo("Paused");
        assertThat(rollout.get("reason").asText()).contains("restored from an older state")
                .contains("resume or abort it by hand");
        Thread.sleep(1_500); // ticks run and must not move it
        assertThat(admin.get("/api/v1/services/shop/rollout").json().get("phase").asText()).isEqualTo("Paused");
        JsonNode restored = admin.get("/api/v1/events").json().get("events").get(2);
        assertThat(restored.get("action").asText()).isEqualTo("state.restored");
        assertThat(restored.get("actor").asText()).isEqualTo("system");
        assertThat(restored.get("reason").asText()).contains(state.resolve("state.json") + ": corrupt")
                .contains("restored the last good state from " + state.resolve("state.json.prev"))
                .contains("rollouts held Paused until resumed by hand: shop");

        Reply aborted = admin.post("/api/v1/services/shop/rollout/abort", "{\"reason\":\"still bad\"}");
        assertThat(aborted.status()).as(aborted.toString()).isEqualTo(200);
        assertThat(admin.get("/api/v1/services/shop").json().get("weights").toString())
                .isEqualTo("{\"blue\":100,\"green\":0}");
    }

    @Test
    void aDeletedStateJsonIsRestoredFromPrevAndAudited() throws Exception {
        start();
        admin.put("/api/v1/services/shop/weights", "{\"blue\":80,\"green\":20}");
        admin.put("/api/v1/services/shop/weights", "{\"blue\":60,\"green\":40}");
        runtime.close();
        Files.delete(state.resolve("state.json"));

        start();

        assertThat(admin.get("/api/v1/services/shop").json().get("weights").toString())
                .isEqualTo("{\"blue\":80,\"green\":20}");
        JsonNode last = admin.get("/api/v1/events?limit=1").json().get("events").get(0);
        assertThat(last.get("action").asText()).isEqualTo("state.restored");
        assertThat(last.get("reason").asText()).startsWith(state.resolve("state.json") + ": missing while "
                + state.resolve("state.json.prev") + " is there");
    }

    @Test
    void aChangeSavedButNotLoggedBeforeACrashIsNotedInTheAuditLogAtTheNextStart() throws Exception {
        start();
        admin.put("/api/v1/services/shop/weights", "{\"blue\":80,\"green\":20}");
        admin.put("/api/v1/flags/beta", "{\"enabled\":true}");
        long revision = admin.get("/api/v1/events?limit=1").json().get("events").get(0).get("stateRevision").asLong();
        runtime.close();
        // What a kill -9 between saving the flag change and logging it leaves: the state has it, the log does not.
        Path log = state.resolve("audit.log");
        List<String> lines = Files.readAllLines(log);
        assertThat(lines.get(lines.size() - 1)).contains("flag:beta");
        Files.write(log, lines.subList(0, lines.size() - 1));

        start();

        assertThat(admin.get("/api/v1/flags/beta").json().get("enabled").asBoolean()).isTrue();
        JsonNode last = admin.get("/api/v1/events?limit=1").json().get("events").get(0);
        assertThat(last.get("action").asText()).isEqualTo("state.unaudited");
        assertThat(last.get("actor").asText()).isEqualTo("system");
        assertThat(last.get("stateRevision").asLong()).isEqualTo(revision);
        assertThat(last.get("reason").asText()).startsWith("state.json is at revision " + revision
                + " but the audit log's last change is at " + (revision - 1) + ": a change was saved and took effect");
        runtime.close();

        start(); // noted once: the log now accounts for that revision
        assertThat(admin.get("/api/v1/events?limit=1").json().get("events").get(0).get("action").asText())
                .isEqualTo("state.unaudited");
        assertThat(admin.get("/api/v1/events").json().get("events")).filteredOn(
                e -> e.get("action").asText().equals("state.unaudited")).hasSize(1);
    }

    @Test
    void aRestartAfterLoggedChangesOfEveryKindNotesNothing() throws Exception {
        start();
        admin.put("/api/v1/services/shop/weights", "{\"blue\":80,\"green\":20}");
        admin.put("/api/v1/flags/beta", "{\"enabled\":true}");
        admin.delete("/api/v1/flags/beta");
        Reply started = admin.post("/api/v1/services/shop/rollout", "{\"canary\":\"green\",\"baseline\":\"blue\","
                + "\"steps\":[{\"weight\":10,\"pause\":\"1s\"},{\"weight\":50,\"pause\":\"1h\"}],"
                + "\"analysis\":{\"interval\":\"1s\",\"minRequests\":0}}");
        assertThat(started.status()).as(started.toString()).isEqualTo(201);
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (admin.get("/api/v1/services/shop/rollout").json().get("step").asInt() < 1
                && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(admin.get("/api/v1/services/shop/rollout").json().get("step").asInt()).isEqualTo(1);
        assertThat(admin.post("/api/v1/services/shop/rollout/abort", "{}").status()).isEqualTo(200);
        assertThat(admin.post("/api/v1/reload", "").status()).isEqualTo(200);
        runtime.close();

        start();

        assertThat(admin.get("/api/v1/events?limit=10000").json().get("events")).isNotEmpty()
                .noneSatisfy(e -> assertThat(e.get("action").asText()).isEqualTo("state.unaudited"));
    }

    @Test
    void noStateButAnAuditLogOfChangesStartsFromTheConfigWithAWarning() throws Exception {
        start();
        admin.put("/api/v1/services/shop/weights", "{\"blue\":80,\"green\":20}");
        runtime.close();
        Files.delete(state.resolve("state.json"));

        try (LogCapture logs = LogCapture.of(VeerRuntime.class)) {
            start();
            assertThat(logs.lines()).containsExactly("WARN state dir " + state + " has an audit log of runtime"
                    + " changes (the last weights.set on shop at " + admin.get("/api/v1/events").json()
                    .get("events").get(0).get("at").asText() + ") but no state.json or state.json.prev: those"
                    + " changes were lost or deleted; starting from the config file");
        }
        assertThat(admin.get("/api/v1/services/shop").json().get("weights").toString())
                .isEqualTo("{\"blue\":100,\"green\":0}");
    }

    @Test
    void unusableStateRefusesToStartAndSaysWhatToDo() throws Exception {
        start();
        admin.put("/api/v1/services/shop/weights", "{\"blue\":80,\"green\":20}");
        admin.put("/api/v1/services/shop/weights", "{\"blue\":60,\"green\":40}");
        runtime.close();
        runtime = null;
        Path current = state.resolve("state.json");
        Path previous = state.resolve("state.json.prev");
        byte[] good = Files.readAllBytes(current);

        damage(current);
        damage(previous);
        assertThat(refusal()).startsWith("state dir " + state + " has no usable state: " + current + ": corrupt")
                .contains("; " + previous + ": corrupt")
                .contains("move " + current + " and " + previous + " aside");

        String newer = "{\"format\":2,\"sha256\":\"\",\"bytes\":2}\n{}";
        Files.writeString(current, newer);
        assertThat(refusal()).startsWith(current + " was written by a newer Veer (format 2; this one reads 1)");
        assertThat(Files.readString(current)).isEqualTo(newer);

        Files.delete(current);
        Files.createDirectory(current);
        assertThat(refusal()).startsWith(current + ": is a directory");

        // Nothing was renamed or replaced on the way: the good file back in place, Veer starts from it.
        Files.delete(current);
        Files.write(current, good);
        start();
        assertThat(admin.get("/api/v1/services/shop").json().get("weights").toString())
                .isEqualTo("{\"blue\":60,\"green\":40}");
    }

    /**
     * A state.dir that is a file, or under one, is said so once, in its normal form: it read "state dir
     * /x/./state: already exists: /x/state" and "Not a directory: /x/state/sub".
     */
    @Test
    void aStateDirThatIsAFileIsSaidSoOnce() throws Exception {
        Files.writeString(state, "not a directory\n");
        env = new java.util.HashMap<>(env);
        env.put("STATE_DIR", dir.resolve(".").resolve("state").toString());
        assertThat(refusal()).isEqualTo("state dir " + state + ": a file, not a directory (expected: a directory Veer"
                + " can write)");
        env.put("STATE_DIR", state.resolve("sub").toString());
        assertThat(refusal()).isEqualTo("state dir " + state.resolve("sub") + ": not a directory (expected: a"
                + " directory Veer can write)");
    }

    @Test
    void anAuditLineThatIsNotUtf8IsSkippedAndVeerStarts() throws Exception {
        start();
        admin.put("/api/v1/services/shop/weights", "{\"blue\":80,\"green\":20}");
        runtime.close();
        Files.write(state.resolve("audit.log"), new byte[] {(byte) 0xff, (byte) 0xfe, '{', '}', '\n'},
                StandardOpenOption.APPEND);

        start();

        assertThat(admin.get("/api/v1/events").json().get("events").findValuesAsText("action"))
                .containsExactly("weights.set");
    }

    @Test
    void veerRunPrintsTheRefusalAndExits1() throws Exception {
        Files.createDirectories(state);
        Files.writeString(state.resolve("state.json"), "{\"format\":2,\"sha256\":\"\",\"bytes\":2}\n{}");
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int code = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> Main.run(new String[] {"run", "--config",
                configFile.toString()}, System.out, new PrintStream(err, true, StandardCharsets.UTF_8), env));

        assertThat(code).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("veer: " + state.resolve("state.json")
                + " was written by a newer Veer (format 2; this one reads 1): run that version again; the file is"
                + " left as it is\n");
    }
}
