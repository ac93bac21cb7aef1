package dev.veer.admin.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./veer} launcher's rebuild must not write over the jar a running Veer has open. The launcher runs
 * in a copy of the project layout with a stand-in {@code mvn} that writes the jar as the shade plugin does (in
 * place, truncating) and a stand-in {@code java}; the test holds the old jar open as a running JVM does.
 */
class LauncherRebuildTest {

    @TempDir
    Path dir;

    @Test
    void aRebuildLeavesTheJarARunningVeerHasOpenIntact() throws Exception {
        Path root = dir.resolve("veer-project");
        Path jar = root.resolve("admin/target/veer.jar");
        Files.createDirectories(jar.getParent());
        Files.copy(repositoryRoot().resolve("veer"), root.resolve("veer"));
        Files.writeString(jar, "OLD-JAR");
        Path source = root.resolve("admin/src/main/java/Changed.java");
        Files.createDirectories(source.getParent());
        Files.writeString(source, "class Changed {}");
        // Newer than the jar: the launcher sees changed sources and rebuilds.
        Files.setLastModifiedTime(source, java.nio.file.attribute.FileTime.fromMillis(
                Files.getLastModifiedTime(jar).toMillis() + 60_000));
        Path bin = dir.resolve("bin");
        Files.createDirectories(bin);
        executable(bin.resolve("mvn"), "#!/bin/sh\nprintf NEW-JAR-BYTES > admin/target/veer.jar\n");
        executable(bin.resolve("java"), "#!/bin/sh\nexit 0\n");

        try (FileChannel running = FileChannel.open(jar, StandardOpenOption.READ)) {
            ProcessBuilder launcher = new ProcessBuilder("bash", root.resolve("veer").toString(), "ctl", "status")
                    .redirectErrorStream(true);
            launcher.environment().put("PATH", bin + ":" + System.getenv("PATH"));
            Process process = launcher.start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).as(output).isZero();
            assertThat(output).contains("veer: building");

            ByteBuffer seen = ByteBuffer.allocate(64);
            running.read(seen, 0);
            assertThat(new String(seen.array(), 0, seen.position(), StandardCharsets.UTF_8)).isEqualTo("OLD-JAR");
        }
        assertThat(Files.readString(jar)).isEqualTo("NEW-JAR-BYTES");
    }

    private static void executable(Path file, String script) throws Exception {
        Files.writeString(file, script);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
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
