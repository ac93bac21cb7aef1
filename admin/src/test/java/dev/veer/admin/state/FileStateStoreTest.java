package dev.veer.admin.state;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.veer.admin.LogCapture;
import dev.veer.admin.state.StateDoc.FlagState;
import dev.veer.admin.state.StateDoc.ServiceState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FileStateStoreTest {

    private static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @TempDir
    Path dir;

    private FileStateStore store() {
        return new FileStateStore(dir, InstantSource.fixed(NOW));
    }

    /** Two saves: state.json holds doc(2, 2000), state.json.prev doc(1, 1000). */
    private void saveTwo() throws IOException {
        FileStateStore store = store();
        store.load();
        store.save(doc(1, 1000));
        store.save(doc(2, 2000));
    }

    private List<String> corruptCopies() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.startsWith("state.json.corrupt")).sorted()
                    .toList();
        }
    }

    private static StateDoc doc(long revision, int greenBps) {
        ServiceState shop = new ServiceState(revision, List.of("blue", "green"),
                Map.of("blue", 10_000 - greenBps, "green", greenBps), Map.of("canary", List.of("127.0.0.1:9003")),
                List.of(), null);
        return new StateDoc(revision, Map.of("shop", shop), new FlagState(List.of(), Map.of(), List.of(), Map.of()),
                Map.of());
    }

    @Test
    void savedDocumentLoadsBackEqual() throws IOException {
        FileStateStore store = new FileStateStore(dir);
        assertThat(store.load().doc()).isEmpty();
        store.save(doc(3, 2500));

        StateStore.Loaded loaded = new FileStateStore(dir).load();

        assertThat(loaded.problems()).isEmpty();
        assertThat(loaded.doc()).contains(doc(3, 2500));
        assertThat(Files.exists(dir.resolve("state.json.tmp"))).isFalse();
    }

    @Test
    void truncatedFileFallsBackToPreviousGoodStateAndSaysSo() throws IOException {
        FileStateStore store = new FileStateStore(dir);
        store.load();
        store.save(doc(1, 1000));
        store.save(doc(2, 2000));
        Path file = dir.resolve("state.json");
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, bytes.length - 10));

        FileStateStore restarted = store();
        StateStore.Loaded loaded = restarted.load();

        assertThat(loaded.doc()).contains(doc(1, 1000));
        assertThat(String.join("\n", loaded.problems())).contains("corrupt").contains("truncated")
                .contains("restored the last good state");
        assertThat(corruptCopies()).containsExactly("state.json.corrupt-20261122T100000.000Z");

        // The next save must not rotate the corrupt file into .prev.
        restarted.save(doc(3, 3000));
        assertThat(new FileStateStore(dir).load().doc()).contains(doc(3, 3000));
        Files.write(file, "garbage".getBytes());
        assertThat(store().load().doc()).contains(doc(1, 1000));
    }

    @Test
    void flippedByteIsCaughtByTheChecksum() throws IOException {
        FileStateStore store = new FileStateStore(dir);
        store.load();
        store.save(doc(1, 1000));
        Path file = dir.resolve("state.json");
        String text = Files.readString(file);
        Files.writeString(file, text.replace("\"green\":1000", "\"green\":9000"));

        // The only state there is is damaged: starting from the config file would silently drop it.
        assertThatThrownBy(() -> new FileStateStore(dir).load()).isInstanceOf(UnusableStateException.class)
                .hasMessageContaining(file + ": corrupt (checksum mismatch)")
                .hasMessageContaining(dir.resolve("state.json.prev") + ": missing");
    }

    @Test
    void everyKindOfDamageFallsBackLoudlyNamingBothFiles() throws IOException {
        Path file = dir.resolve("state.json");
        Map<String, byte[]> damages = Map.of("empty: 0 bytes", new byte[0], "no header line", "garbage".getBytes(),
                "JsonParseException", "{garbage\n{}".getBytes(),
                "no format in its first line", "{\"services\":{}}\n".getBytes());
        for (Map.Entry<String, byte[]> damage : damages.entrySet()) {
            saveTwo();
            Files.write(file, damage.getValue());
            try (LogCapture logs = LogCapture.of(FileStateStore.class)) {
                StateStore.Loaded loaded = store().load();

                assertThat(loaded.doc()).as(damage.getKey()).contains(doc(1, 1000));
                assertThat(loaded.problems().get(0)).as(damage.getKey()).startsWith(file + ": corrupt (")
                        .contains(damage.getKey());
                assertThat(logs.lines()).as(damage.getKey())
                        .anySatisfy(l -> assertThat(l).startsWith("ERROR").contains(file.toString()))
                        .anySatisfy(l -> assertThat(l).startsWith("ERROR").contains(file + ".prev"));
            }
        }
    }

    @Test
    void deletedStateFileFallsBackLoudlyToo() throws IOException {
        saveTwo();
        Files.delete(dir.resolve("state.json"));

        StateStore.Loaded loaded = store().load();

        assertThat(loaded.doc()).contains(doc(1, 1000));
        assertThat(loaded.problems().get(0)).isEqualTo(dir.resolve("state.json") + ": missing while "
                + dir.resolve("state.json.prev") + " is there (deleted?)");
        assertThat(loaded.problems()).anySatisfy(p -> assertThat(p).contains("restored the last good state"));
        assertThat(corruptCopies()).isEmpty();
    }

    @Test
    void nothingSavedYetIsNoProblem() throws IOException {
        StateStore.Loaded loaded = store().load();

        assertThat(loaded.doc()).isEmpty();
        assertThat(loaded.problems()).isEmpty();
    }

    @Test
    void bothFilesUnreadableRefusesAndChangesNothing() throws IOException {
        saveTwo();
        Files.write(dir.resolve("state.json"), "garbage".getBytes());
        Files.write(dir.resolve("state.json.prev"), new byte[0]);

        assertThatThrownBy(() -> store().load()).isInstanceOf(UnusableStateException.class)
                .hasMessage("state dir " + dir + " has no usable state: " + dir.resolve("state.json")
                        + ": corrupt (no header line; 7 bytes); " + dir.resolve("state.json.prev")
                        + ": corrupt (empty: 0 bytes) (expected: a state file written by Veer; to start from the"
                        + " config file and lose the runtime changes, move " + dir.resolve("state.json") + " and "
                        + dir.resolve("state.json.prev") + " aside)");
        assertThat(Files.readString(dir.resolve("state.json"))).isEqualTo("garbage");
        assertThat(corruptCopies()).isEmpty();

        // Moved aside as the message says, Veer starts from the config file.
        Files.move(dir.resolve("state.json"), dir.resolve("aside.json"));
        Files.move(dir.resolve("state.json.prev"), dir.resolve("aside.json.prev"));
        assertThat(store().load().doc()).isEmpty();
    }

    @Test
    void newerFormatRefusesWithoutTouchingTheFile() throws IOException {
        saveTwo();
        Path file = dir.resolve("state.json");
        String newer = "{\"format\":2,\"sha256\":\"x\",\"bytes\":2}\n{}";
        Files.writeString(file, newer);

        assertThatThrownBy(() -> store().load()).isInstanceOf(UnusableStateException.class)
                .hasMessageStartingWith(file + " was written by a newer Veer (format 2; this one reads 1)");
        assertThat(Files.readString(file)).isEqualTo(newer);
        assertThat(corruptCopies()).isEmpty();
    }

    @Test
    void eachIncidentKeepsItsOwnCopyOfTheDamagedFile() throws IOException {
        Path file = dir.resolve("state.json");
        saveTwo();
        Files.write(file, "first".getBytes());
        FileStateStore restored = store();
        restored.load();
        restored.save(doc(3, 3000)); // as Veer does after a restore
        restored.save(doc(4, 4000));
        Files.write(file, "second".getBytes());
        assertThat(store().load().doc()).contains(doc(3, 3000));

        assertThat(corruptCopies()).containsExactly("state.json.corrupt-20261122T100000.000Z",
                "state.json.corrupt-20261122T100000.000Z-2");
        assertThat(Files.readString(dir.resolve("state.json.corrupt-20261122T100000.000Z"))).isEqualTo("first");
        assertThat(Files.readString(dir.resolve("state.json.corrupt-20261122T100000.000Z-2"))).isEqualTo("second");
    }

    @Test
    void leftoverTempFilesOfAnInterruptedWriteAreRemoved() throws IOException {
        saveTwo();
        Files.writeString(dir.resolve("state.json.tmp"), "half a");
        Files.writeString(dir.resolve("state.json.prev.tmp"), "half b");
        Files.writeString(dir.resolve("notes.tmp"), "the operator's");

        assertThat(store().load().doc()).contains(doc(2, 2000));

        assertThat(dir.resolve("state.json.tmp")).doesNotExist();
        assertThat(dir.resolve("state.json.prev.tmp")).doesNotExist();
        assertThat(dir.resolve("notes.tmp")).exists();
    }

    @Test
    void aDirectoryInPlaceOfStateJsonIsNamed() throws IOException {
        Files.createDirectories(dir.resolve("state.json"));

        assertThatThrownBy(() -> store().load()).isInstanceOf(UnusableStateException.class)
                .hasMessage(dir.resolve("state.json") + ": is a directory (expected: a state file written by Veer;"
                        + " move the directory aside)");
    }

    @Test
    void unfinishedRolloutsRestoredFromPrevComeBackPaused() throws IOException {
        long now = NOW.toEpochMilli();
        Map<String, JsonNode> rollouts = Map.of(
                "shop", rollout("Progressing", now + 600_000, -1),
                "cart", rollout("AwaitingApproval", -1, -1),
                "search", rollout("Paused", -1, 42_000),
                "old", rollout("Aborted", -1, -1));
        StateDoc older = new StateDoc(1, Map.of(), null, rollouts);
        FileStateStore store = store();
        store.load();
        store.save(older);
        store.save(doc(2, 2000));
        Files.write(dir.resolve("state.json"), new byte[0]);

        StateStore.Loaded loaded = store().load();

        Map<String, JsonNode> restored = loaded.doc().orElseThrow().rollouts();
        assertThat(restored.get("shop").get("phase").asText()).isEqualTo("Paused");
        assertThat(restored.get("shop").get("reason").asText()).isEqualTo(RestoredRollouts.REASON);
        // The step's timer stops where RolloutEngine.pause stops it: resume gets back the 10 minutes left.
        assertThat(restored.get("shop").get("pauseRemainingMillis").asLong()).isEqualTo(600_000);
        assertThat(restored.get("shop").get("stepDeadlineMillis").asLong()).isEqualTo(-1);
        assertThat(restored.get("cart").get("phase").asText()).isEqualTo("Paused");
        assertThat(restored.get("search").get("pauseRemainingMillis").asLong()).isEqualTo(42_000);
        assertThat(restored.get("search").get("reason").asText()).isEqualTo(RestoredRollouts.REASON);
        assertThat(restored.get("old").toString()).isEqualTo(rollouts.get("old").toString());
        assertThat(loaded.problems()).anySatisfy(p -> assertThat(p).startsWith("rollouts held Paused")
                .contains("shop").contains("cart").contains("search").doesNotContain("old"));
    }

    private static JsonNode rollout(String phase, long stepDeadlineMillis, long pauseRemainingMillis) {
        ObjectNode json = MAPPER.createObjectNode().put("phase", phase).put("reason", "as it was")
                .put("stepDeadlineMillis", stepDeadlineMillis).put("pauseRemainingMillis", pauseRemainingMillis);
        json.put("revision", 3);
        return json;
    }
}
