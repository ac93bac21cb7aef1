package dev.veer.admin.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.veer.admin.RepositoryRoot;
import java.io.File;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./veer} launcher rebuilds the jar when sources changed, on any command: {@code ./veer ctl status} after a
 * {@code git pull} while {@code ./veer run} serves. The shade plugin rewrote admin/target/veer.jar in place, under
 * the running JVM, which then read the classes it had not loaded yet from the new bytes: its admin event loop died of
 * NoClassDefFoundError and its shutdown too. The launcher must put a new file in the jar's place instead.
 *
 * <p>Runs the repository's launcher in a scratch copy of the tree, with {@code mvn} standing in for Maven as the
 * shade plugin behaves (writing {@code veer.shadedJar}, admin/pom.xml's default when not given, over what is there)
 * and {@code java} doing nothing.
 */
class LauncherRebuildTest {

    /** Maven as the shade plugin writes: to veer.shadedJar (admin/pom.xml's default without it), over what is there. */
    private static final String MVN = """
            out="$PWD/admin/target/veer.jar"
            for a in "$@"; do case "$a" in -Dveer.shadedJar=*) out="${a#-Dveer.shadedJar=}" ;; esac; done
            printf 'new jar' > "$out"
            """;

    @TempDir
    Path root;

    @Test
    void aRebuildLeavesTheJarARunningVeerHoldsUntouched() throws Exception {
        Path jar = tree();
        // Left by a build that was interrupted, by a launcher that is gone (no pid is above 4194304).
        Files.writeString(jar.resolveSibling("veer.jar.4194305.new"), "half a jar");
        assertLauncherReplacesTheJar(jar, 0, "ctl", "status");
    }

    /** ./veer test packages the jar as part of the suite: the same, and its exit status is the suite's. */
    @Test
    void theTestSuiteLeavesItUntouchedToo() throws Exception {
        Path jar = tree();
        Files.createDirectories(root.resolve(".ci"));
        TestScripts.write(root.resolve(".ci/install-tools"), "#!/usr/bin/env bash\nexit 0\n");
        // A test failed after packaging.
        TestScripts.write(root.resolve("bin/mvn"), "#!/usr/bin/env bash\n" + MVN + "exit 3\n");
        assertLauncherReplacesTheJar(jar, 3, "test");
    }

    /** A scratch tree with the launcher, an old jar, sources newer than it, and mvn and java stand-ins in bin/. */
    private Path tree() throws Exception {
        Files.copy(RepositoryRoot.find().resolve("veer"), root.resolve("veer"));
        Path jar = Files.createDirectories(root.resolve("admin/target")).resolve("veer.jar");
        Files.writeString(jar, "old jar");
        Files.writeString(root.resolve("pom.xml"), "<project/>");
        Files.setLastModifiedTime(jar, FileTime.from(Instant.now().minusSeconds(60))); // sources newer: rebuild
        Path bin = Files.createDirectories(root.resolve("bin"));
        TestScripts.write(bin.resolve("mvn"), "#!/usr/bin/env bash\n" + MVN);
        TestScripts.write(bin.resolve("java"), "#!/usr/bin/env bash\nexit 0\n");
        return jar;
    }

    private void assertLauncherReplacesTheJar(Path jar, int exitCode, String... args) throws Exception {
        Path bin = root.resolve("bin");
        try (FileChannel running = FileChannel.open(jar)) { // what a running Veer's JVM holds open
            List<String> command = new ArrayList<>(List.of("bash", root.resolve("veer").toString()));
            command.addAll(List.of(args));
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(root.toFile())
                    .redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(root.resolve("launcher.out").toFile());
            builder.environment().put("PATH", bin + File.pathSeparator + System.getenv("PATH"));
            builder.environment().remove("JAVA_HOME"); // the launcher would run JAVA_HOME's java, not the stand-in
            Process launcher = builder.start();
            try {
                assertThat(launcher.waitFor(60, TimeUnit.SECONDS)).as("launcher finished").isTrue();
            } finally {
                launcher.destroyForcibly(); // a launcher that hangs is not left running after the test
            }
            assertThat(launcher.exitValue()).as(Files.readString(root.resolve("launcher.out"))).isEqualTo(exitCode);

            assertThat(Files.readString(jar)).as("the jar after the rebuild").isEqualTo("new jar");
            ByteBuffer held = ByteBuffer.allocate(64);
            running.read(held, 0);
            assertThat(new String(held.array(), 0, held.position(), StandardCharsets.UTF_8))
                    .as("the jar the running JVM holds").isEqualTo("old jar");
        }
        try (var left = Files.list(jar.getParent())) {
            assertThat(left.map(p -> p.getFileName().toString())).as("no jar but the new one left")
                    .containsExactly("veer.jar");
        }
    }
}
