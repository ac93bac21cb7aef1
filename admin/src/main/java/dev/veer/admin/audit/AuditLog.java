package dev.veer.admin.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.veer.admin.state.OwnerOnly;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Append-only JSON-lines audit log ({@code audit.log} in the state directory), fsynced per event. The most recent
 * events are also kept in memory for {@code GET /api/v1/events}.
 *
 * <p>A crash can leave a torn last line; opening the log cuts it off so that every complete event survives and
 * what is appended later starts on a line of its own. A line that does not parse (not JSON, not UTF-8: edited or
 * damaged from outside) is skipped with a warning naming its number; the rest of the log still counts.
 *
 * <p>The log grows by one line per event and is never rotated by Veer; each append goes to the file's end as it is
 * then, so that an outside rotation that empties it in place (logrotate's {@code copytruncate}) keeps it readable.
 */
public final class AuditLog implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AuditLog.class);
    /** How many events GET /events can return. */
    public static final int RECENT_CAPACITY = 10_000;
    /** The actor of endpoint events (see {@link AuditEvent#actor()}). */
    private static final String PROXY_ACTOR = "proxy";

    private final Path file;
    private final ObjectMapper mapper;
    private final FileChannel channel;
    private final ArrayDeque<AuditEvent> recent = new ArrayDeque<>();
    /** The newest event that changed the persisted state, over the whole log (not only {@link #recent}). */
    private AuditEvent lastChange;
    /** The highest {@link AuditEvent#stateRevision()} in the whole log, or -1 when no event has one. */
    private long lastStateRevision = -1;

    private AuditLog(Path file, ObjectMapper mapper, FileChannel channel) {
        this.file = file;
        this.mapper = mapper;
        this.channel = channel;
    }

    public static AuditLog open(Path file, ObjectMapper mapper) throws IOException {
        OwnerOnly.createDirectories(file.toAbsolutePath().getParent());
        FileChannel channel = OwnerOnly.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        try {
            AuditLog auditLog = new AuditLog(file, mapper, channel);
            auditLog.repairLastLine();
            channel.position(channel.size());
            auditLog.loadRecent();
            return auditLog;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /**
     * A last line without its newline: either the process died while writing it (cut it off, it was never
     * acknowledged) or only the newline is missing, as after {@code truncate -s -1} (keep the event, add the newline).
     */
    private void repairLastLine() throws IOException {
        long size = channel.size();
        long lineStart = size;
        ByteBuffer buf = ByteBuffer.allocate(8192);
        boolean newlineFound = false;
        while (lineStart > 0 && !newlineFound) {
            int len = (int) Math.min(buf.capacity(), lineStart);
            buf.clear().limit(len);
            channel.read(buf, lineStart - len);
            int i = len - 1;
            while (i >= 0 && buf.get(i) != '\n') {
                i--;
            }
            newlineFound = i >= 0;
            lineStart -= len - (i + 1);
        }
        if (lineStart == size) {
            return;
        }
        ByteBuffer lastLine = ByteBuffer.allocate(Math.toIntExact(size - lineStart));
        while (lastLine.hasRemaining()) {
            if (channel.read(lastLine, lineStart + lastLine.position()) < 0) {
                throw new EOFException("audit log " + file + ": shrank while being opened");
            }
        }
        if (parses(lastLine.array())) {
            log.warn("audit log {}: the last event lacked its newline; added it", file);
            channel.write(ByteBuffer.wrap(new byte[] {'\n'}), size);
        } else {
            log.warn("audit log {}: cut a torn last line ({} bytes) left by a crash", file, size - lineStart);
            channel.truncate(lineStart);
        }
        channel.force(true);
    }

    private boolean parses(byte[] line) {
        try {
            fromJson(mapper.readTree(Utf8Lines.decode(line)));
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private void loadRecent() throws IOException {
        Utf8Lines.forEach(file, new Utf8Lines.Handler() {
            @Override
            public void line(int number, String text) {
                if (text.isBlank()) {
                    return;
                }
                try {
                    remember(fromJson(mapper.readTree(text)));
                } catch (IOException | RuntimeException e) {
                    log.warn("audit log {}: line {} does not parse, skipped for /events", file, number);
                }
            }

            @Override
            public void undecodable(int number) {
                log.warn("audit log {}: line {} is not UTF-8 text, skipped for /events", file, number);
            }
        });
    }

    /** Writes and fsyncs the event before returning. */
    public void append(AuditEvent event) {
        appendAll(List.of(event));
    }

    /**
     * Writes and fsyncs the events of one change before returning, all or none: on a failure the log is cut back to
     * where it was, so a refused change leaves no event of its own, nor a torn line the next event would be glued to.
     */
    public synchronized void appendAll(List<AuditEvent> events) {
        long size = -1;
        try {
            StringBuilder lines = new StringBuilder();
            for (AuditEvent event : events) {
                lines.append(mapper.writeValueAsString(toJson(event))).append('\n');
            }
            ByteBuffer buf = ByteBuffer.wrap(lines.toString().getBytes(StandardCharsets.UTF_8));
            size = channel.size();
            // At the end as it is now, not where the last write ended: after logrotate's copytruncate the old
            // position would leave a hole of NUL bytes that glues itself to this event, unreadable at the next start.
            channel.position(size);
            while (buf.hasRemaining()) {
                channel.write(buf);
            }
            channel.force(false);
        } catch (IOException e) {
            cutBackTo(size);
            throw new UncheckedIOException("audit log " + file + ": write failed", e);
        }
        events.forEach(this::remember);
    }

    private void cutBackTo(long size) {
        if (size < 0) {
            return;
        }
        try {
            channel.truncate(size);
            channel.force(false);
        } catch (IOException e) {
            log.error("audit log {}: cannot cut a failed write back ({}); the next start cuts a torn last line",
                    file, e.toString());
        }
    }

    private void remember(AuditEvent event) {
        if (!PROXY_ACTOR.equals(event.actor())) {
            lastChange = event;
        }
        if (event.stateRevision() != null) {
            lastStateRevision = Math.max(lastStateRevision, event.stateRevision());
        }
        recent.addLast(event);
        if (recent.size() > RECENT_CAPACITY) {
            recent.removeFirst();
        }
    }

    /**
     * The newest event that changed what {@code state.json} holds: every actor's but the proxy's, whose endpoint
     * ejections and health flips are not persisted state. Empty for a new log.
     */
    public synchronized Optional<AuditEvent> lastChange() {
        return Optional.ofNullable(lastChange);
    }

    /** The highest state revision an event of the log was written for; empty when none was. */
    public synchronized java.util.OptionalLong lastStateRevision() {
        return lastStateRevision < 0 ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(lastStateRevision);
    }

    /** The newest {@code limit} events, oldest first (newest last). */
    public synchronized List<AuditEvent> recent(int limit) {
        int skip = Math.max(0, recent.size() - limit);
        List<AuditEvent> out = new ArrayList<>(Math.min(limit, recent.size()));
        int i = 0;
        for (AuditEvent e : recent) {
            if (i++ >= skip) {
                out.add(e);
            }
        }
        return out;
    }

    public ObjectNode toJson(AuditEvent e) {
        ObjectNode node = mapper.createObjectNode();
        node.put("at", e.at().toString());
        node.put("actor", e.actor());
        node.put("action", e.action());
        node.put("target", e.target());
        node.set("before", e.before());
        node.set("after", e.after());
        node.put("reason", e.reason());
        if (e.stateRevision() != null) {
            node.put("stateRevision", e.stateRevision());
        }
        return node;
    }

    private static AuditEvent fromJson(JsonNode n) {
        return new AuditEvent(Instant.parse(n.path("at").asText()), text(n, "actor"), text(n, "action"),
                text(n, "target"), nullable(n.get("before")), nullable(n.get("after")), text(n, "reason"),
                n.hasNonNull("stateRevision") ? n.get("stateRevision").asLong() : null);
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static JsonNode nullable(JsonNode v) {
        return v == null || v.isNull() ? null : v;
    }

    @Override
    public synchronized void close() {
        try {
            channel.close();
        } catch (IOException e) {
            log.warn("audit log {}: close failed: {}", file, e.toString());
        }
    }
}
