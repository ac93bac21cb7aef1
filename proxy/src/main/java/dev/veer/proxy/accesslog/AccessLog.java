package dev.veer.proxy.accesslog;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The access log: one JSON line per request, appended to a file by a thread of its own, so an event loop never
 * waits for the disk. Event loops hand entries over through a bounded queue; when the writer falls behind (a full
 * or slow disk), entries beyond the queue are dropped and counted rather than slowing the proxy down, as Envoy's
 * buffered access log does. {@link #reopen()} starts a new file under the same name, after logrotate moved the old
 * one away.
 */
public final class AccessLog implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AccessLog.class);
    /**
     * Entries waiting for the writer: at 100k requests/s, 80 ms of traffic. With field values clipped
     * (AccessLogEntry.clip) a full queue holds at most ~25 MB, however large the requests' headers.
     */
    static final int QUEUE_CAPACITY = 8 * 1024;
    private static final int BATCH = 1024;
    private static final long WRITE_ERROR_LOG_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final Path path;
    private final ArrayBlockingQueue<AccessLogEntry> queue;
    private final AtomicLong dropped = new AtomicLong();
    private final Thread writer;
    private volatile boolean reopenWanted;
    private volatile boolean closed;
    /** Owned by the writer thread after start. */
    private FileChannel file;
    private long lastErrorLogNanos;
    /** A write failed, maybe halfway through a line: the next write starts on a new line. Writer thread only. */
    private boolean lineMayBeCut;

    private AccessLog(Path path, FileChannel file, int capacity) {
        this.path = path;
        this.file = file;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.writer = new Thread(this::writeLoop, "veer-access-log");
        this.writer.setDaemon(true);
    }

    /** Opens (creating, appending to) {@code path} and starts the writer; fails at once if the file cannot be opened. */
    public static AccessLog open(Path path) throws IOException {
        return open(path, QUEUE_CAPACITY);
    }

    static AccessLog open(Path path, int capacity) throws IOException {
        AccessLog accessLog = new AccessLog(path, openFile(path), capacity);
        accessLog.writer.start();
        return accessLog;
    }

    private static FileChannel openFile(Path path) throws IOException {
        return FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    }

    public Path path() {
        return path;
    }

    /** Hands an entry to the writer; never blocks. */
    public void record(AccessLogEntry entry) {
        if (!queue.offer(entry)) {
            dropped.incrementAndGet();
        }
    }

    /** Entries dropped so far because the writer had fallen behind or could not write. */
    public long dropped() {
        return dropped.get();
    }

    /** Closes the file and opens {@link #path()} afresh before the next write (after log rotation). */
    public void reopen() {
        reopenWanted = true;
    }

    private void writeLoop() {
        List<AccessLogEntry> batch = new ArrayList<>(BATCH);
        StringBuilder text = new StringBuilder(64 * 1024);
        while (true) {
            try {
                AccessLogEntry first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first != null) {
                    batch.add(first);
                    queue.drainTo(batch, BATCH - 1);
                }
            } catch (InterruptedException e) {
                // Nobody interrupts this thread (an interrupt would close the FileChannel under a write); close()
                // sets closed, seen here within one poll.
                Thread.currentThread().interrupt();
                closeFile();
                return;
            }
            if (reopenWanted) {
                reopenWanted = false;
                reopenFile();
            }
            if (!batch.isEmpty()) {
                write(batch, text);
                batch.clear();
            } else if (closed) {
                closeFile();
                return;
            }
        }
    }

    private void write(List<AccessLogEntry> batch, StringBuilder text) {
        text.setLength(0);
        if (lineMayBeCut) {
            text.append('\n');
        }
        for (AccessLogEntry entry : batch) {
            AccessLogLine.append(text, entry);
        }
        ByteBuffer bytes = StandardCharsets.UTF_8.encode(java.nio.CharBuffer.wrap(text));
        long sizeBefore = -1;
        try {
            if (file == null) {
                file = openFile(path);
            }
            sizeBefore = file.size();
            while (bytes.hasRemaining()) {
                file.write(bytes);
            }
            lineMayBeCut = false;
        } catch (IOException e) {
            lineMayBeCut = !cutBack(sizeBefore);
            dropped.addAndGet(batch.size());
            closeFile(); // opened afresh for the next batch: the error may pass (space freed, directory back)
            long now = System.nanoTime();
            if (lastErrorLogNanos == 0 || now - lastErrorLogNanos >= WRITE_ERROR_LOG_INTERVAL_NANOS) {
                lastErrorLogNanos = now;
                log.error("access log {}: cannot write ({}); {} entries dropped so far", path, e.toString(),
                        dropped.get());
            }
        }
    }

    /** Takes a partly written batch back off the file (a full disk stops a write midway); false if it cannot. */
    private boolean cutBack(long size) {
        if (file == null || size < 0) {
            return size >= 0;
        }
        try {
            file.truncate(size);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void reopenFile() {
        closeFile();
        try {
            file = openFile(path);
        } catch (IOException e) {
            log.error("access log {}: cannot reopen ({}); retried with the next entry", path, e.toString());
        }
    }

    private void closeFile() {
        if (file != null) {
            try {
                file.close();
            } catch (IOException e) {
                log.warn("access log {}: close failed: {}", path, e.toString());
            }
            file = null;
        }
    }

    /** Writes what is queued, then closes the file (waits up to 5 s). */
    @Override
    public void close() {
        closed = true;
        try {
            writer.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (writer.isAlive()) {
            log.warn("access log {}: the writer is still writing after 5 s (a stuck disk?); lines queued may be lost",
                    path);
        }
    }
}
