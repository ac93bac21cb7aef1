package dev.veer.admin.state;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The one Veer that owns a state directory: an exclusive lock on {@code lock} in it, held until {@link #close()}.
 * Two instances writing one directory would each acknowledge changes the other then overwrites.
 *
 * <p>The lock file stays in place when released: deleting it would let a third process lock a fresh file while a
 * second still waits on the old one. It holds the owner's pid, for the message the next instance prints.
 */
public final class StateDirLock implements AutoCloseable {

    static final String FILE_NAME = "lock";

    private final FileChannel channel;

    private StateDirLock(FileChannel channel) {
        this.channel = channel;
    }

    /** @throws UnusableStateException when another process (or another Veer in this JVM) holds the lock */
    public static StateDirLock acquire(Path dir) throws IOException {
        Path stateDir = dir.toAbsolutePath();
        Files.createDirectories(stateDir);
        Path file = stateDir.resolve(FILE_NAME);
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        try {
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // held by this JVM: an embedded second runtime on the same directory
            }
            if (lock == null) {
                throw new UnusableStateException("state dir " + stateDir + " is in use by another Veer ("
                        + holder(channel) + "; lock file " + file + ") (expected: a state.dir of its own for each"
                        + " instance; stop the other one or give this one another --set state.dir=...)");
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.UTF_8)),
                    0);
            channel.force(true);
            return new StateDirLock(channel);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** "pid 1234" as the holder wrote it, or a vaguer phrase when it has not yet or the platform hides it. */
    private static String holder(FileChannel channel) {
        try {
            ByteBuffer buf = ByteBuffer.allocate(32);
            channel.read(buf, 0);
            String pid = new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8).strip();
            return pid.matches("\\d+") ? "pid " + pid : "pid unknown";
        } catch (IOException e) {
            return "pid unknown"; // Windows refuses reads of a locked range
        }
    }

    @Override
    public void close() throws IOException {
        channel.close(); // releases the lock
    }
}
