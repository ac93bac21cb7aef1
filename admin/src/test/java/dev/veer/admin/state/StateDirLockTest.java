package dev.veer.admin.state;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StateDirLockTest {

    @TempDir
    Path dir;

    @Test
    void anotherProcessCannotTakeTheDirectoryUntilTheHolderExits() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process holder = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                LockHolder.class.getName(), dir.toString()).redirectErrorStream(true).start();
        try {
            BufferedReader lines = new BufferedReader(new InputStreamReader(holder.getInputStream(),
                    StandardCharsets.UTF_8));
            assertThat(lines.readLine()).isEqualTo("locked");

            assertThatThrownBy(() -> StateDirLock.acquire(dir)).isInstanceOf(UnusableStateException.class)
                    .hasMessageStartingWith("state dir " + dir + " is in use by another Veer (pid " + holder.pid()
                            + "; lock file " + dir.resolve("lock") + ")");
        } finally {
            holder.destroyForcibly(); // SIGKILL: the kernel releases the lock, nobody deletes the file
            holder.waitFor(10, TimeUnit.SECONDS);
        }

        assertThat(dir.resolve("lock")).exists();
        try (StateDirLock lock = StateDirLock.acquire(dir)) {
            assertThat(Files.readString(dir.resolve("lock"))).isEqualTo(ProcessHandle.current().pid() + "\n");
        }
    }

    @Test
    void aSecondVeerInTheSameJvmIsRefusedTooAndTheLockIsFreeAfterClose() throws Exception {
        try (StateDirLock first = StateDirLock.acquire(dir)) {
            assertThatThrownBy(() -> StateDirLock.acquire(dir)).isInstanceOf(UnusableStateException.class)
                    .hasMessageContaining("is in use by another Veer (pid " + ProcessHandle.current().pid());
            // The refusal must not have dropped the OS lock (closing any descriptor of the file would): another
            // process is still kept out.
            assertThat(anotherProcessTries(dir)).isEqualTo("refused");
        }
        StateDirLock.acquire(dir).close();
        assertThat(dir.resolve("lock")).exists();
    }

    /**
     * {@code ./veer-data} and {@code veer-data} are one directory: the second Veer in this JVM was not recognised,
     * opened a second descriptor of the lock file, failed on the JVM's overlapping lock and, closing that descriptor,
     * dropped the OS lock the first one held. The message named the directory as {@code /x/./veer-data}.
     */
    @Test
    void theSameDirectoryNamedAnotherWayIsTheSameLock() throws Exception {
        Files.createDirectories(dir.resolve("sub"));
        try (StateDirLock first = StateDirLock.acquire(dir)) {
            assertThatThrownBy(() -> StateDirLock.acquire(dir.resolve("sub/../.")))
                    .isInstanceOf(UnusableStateException.class)
                    .hasMessageStartingWith("state dir " + dir + " is in use by another Veer (pid "
                            + ProcessHandle.current().pid() + "; lock file " + dir.resolve("lock") + ")");
            assertThat(anotherProcessTries(dir)).as("another process, while the first still holds it")
                    .isEqualTo("refused");
        }
    }

    /**
     * A state dir reached through a symbolic link (a data volume linked into place) is the same lock file under
     * another name, which normalising does not reveal: the second Veer in this JVM opened a second descriptor, and
     * closing it dropped the first one's OS lock.
     */
    @Test
    void theSameDirectoryThroughASymbolicLinkIsTheSameLock() throws Exception {
        Path real = Files.createDirectories(dir.resolve("real"));
        Path link = Files.createSymbolicLink(dir.resolve("link"), real);
        try (StateDirLock first = StateDirLock.acquire(real)) {
            assertThatThrownBy(() -> StateDirLock.acquire(link)).isInstanceOf(UnusableStateException.class)
                    .hasMessageStartingWith("state dir " + link + " is in use by another Veer (pid "
                            + ProcessHandle.current().pid() + "; lock file " + link.resolve("lock") + ")");
            assertThat(anotherProcessTries(real)).as("another process, while the first still holds it")
                    .isEqualTo("refused");
        }
    }

    /** What a {@link LockHolder} in a child JVM says on {@code stateDir}: "locked" or "refused". */
    private static String anotherProcessTries(Path stateDir) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process other = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                LockHolder.class.getName(), stateDir.toString()).redirectErrorStream(true).start();
        try {
            BufferedReader lines = new BufferedReader(new InputStreamReader(other.getInputStream(),
                    StandardCharsets.UTF_8));
            return lines.readLine();
        } finally {
            other.destroyForcibly();
            other.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Run in a child JVM: holds the lock on the directory in args[0] until killed. */
    public static final class LockHolder {
        public static void main(String[] args) throws Exception {
            try {
                StateDirLock.acquire(Path.of(args[0]));
            } catch (UnusableStateException e) {
                System.out.println("refused");
                return;
            }
            System.out.println("locked");
            System.out.flush();
            Thread.sleep(Long.MAX_VALUE);
        }

        private LockHolder() {
        }
    }
}
