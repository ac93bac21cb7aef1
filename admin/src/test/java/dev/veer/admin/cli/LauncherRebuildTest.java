package dev.veer.admin.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./veer} launcher rebuilds the jar when sources changed, possibly while a Veer started by it still runs
 * from that jar. The build stands in for Maven here, writing the jar in place as Maven does; the real launcher
 * script runs on a copy of the project layout.
 */
class LauncherRebuildTest {

    private static final Path ROOT = repositoryRoot();

    @Test
    void aRebuildLeavesTheJarARunningVeerHoldsUntouched(@TempDir Path project) throws Exception {
        Path launcher = project.resolve("veer");
        Files.copy(ROOT.resolve("veer"), launcher);
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path jar = project.resolve("admin/target/veer.jar");
        Files.createDirectories(jar.getParent());
        Files.writeString(jar, "the jar a running Veer holds");
        Files.setLastModifiedTime(jar, FileTime.from(Instant.now().minusSeconds(3600)));
        Files.writeString(project.resolve("pom.xml"), "<project/>"); // newer than the jar: the launcher rebuilds
        Path bin = Files.createDirectories(project.resolve("bin"));
        Path mvn = bin.resolve("mvn");
        // Maven's shade plugin opens the existing jar for writing: the same file, truncated.
        Files.writeString(mvn, "#!/bin/sh\nprintf 'the rebuilt jar' > admin/target/veer.jar\n");
        Files.setPosixFilePermissions(mvn, PosixFilePermissions.fromString("rwxr-xr-x"));

        try (FileChannel running = FileChannel.open(jar, StandardOpenOption.READ)) {
            ProcessBuilder build = new ProcessBuilder(launcher.toString(), "check", "--config", "none.yaml")
                    .directory(project.toFile()).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(project.resolve("launcher.out").toFile());
            build.environment().put("PATH", bin + File.pathSeparator + System.getenv("PATH"));
            Process process = build.start();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                fail("./veer did not finish in 60 s");
            }
            // The exit code is java's on a jar that is none: the build is what this test is about.
            assertThat(Files.readString(jar)).as(Files.readString(project.resolve("launcher.out")))
                    .isEqualTo("the rebuilt jar");
            ByteBuffer held = ByteBuffer.allocate(64);
            running.read(held, 0);
            assertThat(new String(held.array(), 0, held.position(), StandardCharsets.UTF_8))
                    .isEqualTo("the jar a running Veer holds");
        }
    }

    /** Surefire runs in admin/; walk up to the directory holding the root pom and the launcher. */
    private static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null) {
            if (Files.isRegularFile(dir.resolve("pom.xml")) && Files.isRegularFile(dir.resolve("veer"))) {
                return dir;
            }
            dir = dir.getParent();
        }
        throw new IllegalStateException("no repository root above " + Path.of("").toAbsolutePath());
    }
}
