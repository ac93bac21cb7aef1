package dev.veer.admin.state;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one Veer that owns a state directory: an exclusive lock on {@code lock} in it, held until {@link #close()}.
 * Two instances writing one directory would each acknowledge changes the other then overwrites.
 *
 * <p>The lock file stays in place when released: deleting it would let a third process lock a fresh file while a
 * second still waits on the old one. It holds the owner's pid, for the message the next instance prints.
 */
public final class StateDirLock implements AutoCloseable {

    static final String FILE_NAME = "lock";
    /**
     * Lock files this process holds. A second channel on one of them must never be opened: the OS lock is a POSIX
     * record lock, and closing any descriptor of the file drops it, so a refused second runtime in this JVM would
     * free the directory for other processes.
     */
    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    /** This lock's entry in {@link #HELD}. */
    private final Path held;
    private final FileChannel channel;

    private StateDirLock(Path held, FileChannel channel) {
        this.held = held;
        this.channel = channel;
    }

    /** @throws UnusableStateException when another process (or another Veer in this JVM) holds the lock */
    public static StateDirLock acquire(Path dir) throws IOException {
        // Normalised: messages name the directory as the log does (/x/veer-data, not /x/./veer-data).
        Path stateDir = dir.toAbsolutePath().normalize();
        OwnerOnly.createDirectories(stateDir);
        Path file = stateDir.resolve(FILE_NAME);
        // Keyed by the real path: a state dir reached through a symbolic link is the same file, which normalising
        // the name alone does not show.
        Path held = stateDir.toRealPath().resolve(FILE_NAME);
        if (!HELD.add(held)) {
            throw inUse(stateDir, "pid " + ProcessHandle.current().pid(), file); // another runtime in this JVM
        }
        FileChannel channel;
        try {
            channel = OwnerOnly.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
        } catch (IOException | RuntimeException e) {
            HELD.remove(held);
            throw e;
        }
        try {
            FileLock lock = channel.tryLock();
            if (lock == null) {
                throw inUse(stateDir, holder(channel), file);
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.UTF_8)),
                    0);
            channel.force(true);
            return new StateDirLock(held, channel);
        } catch (IOException | RuntimeException e) {
            channel.close();
            HELD.remove(held);
            throw e;
        }
    }

    private static UnusableStateException inUse(Path stateDir, String holder, Path file) {
        return new UnusableStateException("state dir " + stateDir + " is in use by another Veer (" + holder
                + "; lock file " + file + ") (expected: a state.dir of its own for each instance; stop the other one"
                + " or give this one another --set state.dir=...)");
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
        try {
            channel.close(); // releases the lock
        } finally {
            HELD.remove(held);
        }
    }
}
