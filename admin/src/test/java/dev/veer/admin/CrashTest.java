package dev.veer.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** kill -9 of a Veer applying changes in a loop: after restart the state is an acknowledged one. */
class CrashTest {

    @TempDir
    Path dir;

    @Test
    void killDashNineLeavesAnAcknowledgedStateAndAParsableAuditLog() throws Exception {
        try (Backend blue = new Backend("blue"); Backend green = new Backend("green")) {
            Map<String, String> env = RuntimeFixture.env(dir, blue.port(), green.port());
            Path configFile = RuntimeFixture.configFile(dir);
            Path acks = dir.resolve("acks.txt");
            Files.createFile(acks);
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            ProcessBuilder pb = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                    CrashChild.class.getName(), configFile.toString(), acks.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("child.log").toFile());
            pb.environment().putAll(env);
            Process child = pb.start();
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (Files.readAllLines(acks).size() < 25 && System.nanoTime() < deadline && child.isAlive()) {
                    Thread.sleep(20);
                }
                assertThat(child.isAlive()).as(Files.readString(dir.resolve("child.log"))).isTrue();
            } finally {
                child.destroyForcibly(); // SIGKILL
                child.waitFor(10, TimeUnit.SECONDS);
            }

            List<String> acked = Files.readAllLines(acks).stream().filter(l -> l.matches("\\d+ \\d+")).toList();
            assertThat(acked.size()).isGreaterThanOrEqualTo(25);
            int lastN = Integer.parseInt(acked.get(acked.size() - 1).split(" ")[0]);
            // The change in flight when the process died may be persisted without its answer.
            List<Integer> allowedGreen = List.of(lastN % 100, (lastN + 1) % 100);

            List<String> auditLines = Files.readAllLines(dir.resolve("state/audit.log"));
            int greenWeight;
            try (VeerRuntime runtime = RuntimeFixture.start(configFile, env)) {
                Http admin = new Http(runtime.adminAddress(), RuntimeFixture.TOKEN);
                JsonNode weights = admin.get("/api/v1/services/shop").json().get("weights");
                greenWeight = weights.get("green").asInt();
                assertThat(allowedGreen).contains(greenWeight);
                assertThat(weights.get("blue").asInt() + greenWeight).isEqualTo(100);
            }

            // Every complete line parses (a torn last line is cut off when the log is opened again). A kill between
            // saving a change and appending its event leaves the state one change ahead of the log: the restart
            // records that as one state.unaudited event, which must then be the last line.
            ObjectMapper mapper = new ObjectMapper();
            List<String> actions = new ArrayList<>();
            for (String line : Files.readAllLines(dir.resolve("state/audit.log"))) {
                actions.add(mapper.readTree(line).get("action").asText());
            }
            boolean unaudited = actions.get(actions.size() - 1).equals("state.unaudited");
            List<String> changes = unaudited ? actions.subList(0, actions.size() - 1) : actions;
            assertThat(changes).containsOnly("weights.set");
            assertThat(changes.size()).isBetween(auditLines.size() - 1, auditLines.size());
            assertThat(changes.size()).isBetween(lastN, lastN + 1);
            if (unaudited) {
                assertThat(changes).hasSize(lastN);
                assertThat(greenWeight).isEqualTo((lastN + 1) % 100);
            }
        }
    }
}
