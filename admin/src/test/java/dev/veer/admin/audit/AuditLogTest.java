package dev.veer.admin.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veer.admin.LogCapture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class AuditLogTest {

    @TempDir
    Path dir;

    private final ObjectMapper mapper = new ObjectMapper();

    private AuditEvent event(int n) {
        return new AuditEvent(Instant.parse("2026-11-22T10:00:00Z").plusSeconds(n), "local", "weights.set", "shop",
                mapper.createObjectNode().put("green", n - 1), mapper.createObjectNode().put("green", n), "r" + n);
    }

    @Test
    void appendsJsonLinesAndReturnsNewestLast() throws IOException {
        Path file = dir.resolve("audit.log");
        try (AuditLog log = AuditLog.open(file, mapper)) {
            for (int i = 1; i <= 5; i++) {
                log.append(event(i));
            }
            assertThat(log.recent(2)).extracting(AuditEvent::reason).containsExactly("r4", "r5");
        }
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(5);
        for (String line : lines) {
            assertThat(mapper.readTree(line).fieldNames()).toIterable()
                    .containsExactly("at", "actor", "action", "target", "before", "after", "reason");
        }
        try (AuditLog reopened = AuditLog.open(file, mapper)) {
            assertThat(reopened.recent(100)).hasSize(5);
            assertThat(reopened.recent(100).get(4)).isEqualTo(event(5));
        }
    }

    @Test
    void anAppendAfterTheFileWasEmptiedInPlaceStartsItAgainWithoutAHole() throws IOException {
        Path file = dir.resolve("audit.log");
        try (AuditLog log = AuditLog.open(file, mapper)) {
            log.append(event(1));
            log.append(event(2));
            // What logrotate's copytruncate does after copying the file: empty it while Veer holds it open.
            try (FileChannel rotator = FileChannel.open(file, StandardOpenOption.WRITE)) {
                rotator.truncate(0);
            }
            log.append(event(3));
        }
        assertThat(Files.readAllLines(file)).hasSize(1).allSatisfy(line -> assertThat(line).startsWith("{"));
        try (AuditLog reopened = AuditLog.open(file, mapper)) {
            assertThat(reopened.recent(10)).containsExactly(event(3));
        }
    }

    @Test
    void tornLastLineFromACrashIsCutOff() throws IOException {
        Path file = dir.resolve("audit.log");
        try (AuditLog log = AuditLog.open(file, mapper)) {
            log.append(event(1));
            log.append(event(2));
        }
        Files.writeString(file, "{\"at\":\"2026-11-22T10:00:03Z\",\"actor\":\"lo", StandardOpenOption.APPEND);

        try (AuditLog log = AuditLog.open(file, mapper)) {
            assertThat(log.recent(10)).hasSize(2);
            log.append(event(3));
        }
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(3);
        for (String line : lines) {
            assertThat(mapper.readTree(line).get("action").asText()).isEqualTo("weights.set");
        }
    }

    @Test
    void aLineThatIsNotUtf8IsSkippedWithItsNumberAndTheRestCounts() throws IOException {
        Path file = dir.resolve("audit.log");
        try (AuditLog log = AuditLog.open(file, mapper)) {
            log.append(event(1));
        }
        Files.write(file, new byte[] {(byte) 0xff, (byte) 0xfe, '{', '}', '\n'}, StandardOpenOption.APPEND);
        Files.writeString(file, "not json\n", StandardOpenOption.APPEND);
        try (AuditLog log = AuditLog.open(file, mapper)) {
            log.append(event(2));
        }

        try (LogCapture logs = LogCapture.of(AuditLog.class); AuditLog log = AuditLog.open(file, mapper)) {
            assertThat(log.recent(10)).containsExactly(event(1), event(2));
            assertThat(logs.lines()).containsExactly(
                    "WARN audit log " + file + ": line 2 is not UTF-8 text, skipped for /events",
                    "WARN audit log " + file + ": line 3 does not parse, skipped for /events");
        }
    }

    @Test
    void aCompleteLastEventMissingOnlyItsNewlineIsKept() throws IOException {
        Path file = dir.resolve("audit.log");
        try (AuditLog log = AuditLog.open(file, mapper)) {
            log.append(event(1));
            log.append(event(2));
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - 1); // truncate -s -1
        }

        try (AuditLog log = AuditLog.open(file, mapper)) {
            assertThat(log.recent(10)).containsExactly(event(1), event(2));
            log.append(event(3));
        }
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(3);
        assertThat(mapper.readTree(lines.get(1)).get("reason").asText()).isEqualTo("r2");
        assertThat(mapper.readTree(lines.get(2)).get("reason").asText()).isEqualTo("r3");
    }

    @Test
    void lastChangeIsTheNewestEventThatIsNotTheProxys() throws IOException {
        Path file = dir.resolve("audit.log");
        AuditEvent ejection = new AuditEvent(Instant.parse("2026-11-22T11:00:00Z"), "proxy", "endpoint.ejected",
                "shop", null, null, "5 failures");
        try (AuditLog log = AuditLog.open(file, mapper)) {
            assertThat(log.lastChange()).isEmpty();
            log.append(ejection);
            assertThat(log.lastChange()).isEmpty();
            log.append(event(1));
            log.append(ejection);
        }
        try (AuditLog log = AuditLog.open(file, mapper)) {
            assertThat(log.lastChange()).contains(event(1));
        }
    }
}
