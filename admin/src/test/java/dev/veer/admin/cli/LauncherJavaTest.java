package dev.veer.admin.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.veer.admin.RepositoryRoot;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which JVM the {@code ./veer} launcher runs, and what it says when there is none it can use. It ran {@code java}
 * from PATH whatever JAVA_HOME said, while Maven builds the jar with JAVA_HOME's JDK: with Java 11 first on PATH and
 * JAVA_HOME naming a 17, the build passed and the run died in an UnsupportedClassVersionError stack trace. Without
 * any java, bash's own "exec: java: not found" came out with exit 127.
 *
 * <p>Runs the repository's launcher in a scratch copy of the tree with a jar newer than its sources (no build), on
 * a PATH holding only the tools it uses and, where a case wants one, stand-in {@code java} commands that print their
 * name.
 */
class LauncherJavaTest {

    @TempDir
    Path root;

    @Test
    void javaHomesJavaRunsVeerAsItBuildsIt() throws Exception {
        Path bin = tree();
        TestScripts.write(bin.resolve("java"), "#!/bin/sh\necho \"path java $*\"\n");
        Path home = jdk("jdk17", "17.0.15");

        Result run = launcher(bin, home, "ctl", "status");
        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).startsWith("jdk17 java ").contains("-jar " + root.resolve("admin/target/veer.jar"))
                .endsWith("ctl status\n");

        Result withoutHome = launcher(bin, null, "ctl", "status");
        assertThat(withoutHome.output()).as("without JAVA_HOME, java on PATH").startsWith("path java ");
    }

    @Test
    void noJavaAtAllIsAnErrorSayingWhatIsNeeded() throws Exception {
        Result run = launcher(tree(), null, "run");
        assertThat(run.exitCode()).as(run.output()).isEqualTo(1);
        assertThat(run.output()).isEqualTo(
                "veer: no java on PATH (expected: Java 17 or newer; install a JDK or set JAVA_HOME)\n");
    }

    @Test
    void aJavaOlderThan17IsNamedWithItsVersion() throws Exception {
        Path home = jdk("jdk11", "11.0.2");
        Result run = launcher(tree(), home, "check", "--config", "config/veer.yaml");
        assertThat(run.exitCode()).as(run.output()).isEqualTo(1);
        assertThat(run.output()).isEqualTo("veer: " + home.resolve("bin/java")
                + " is Java 11.0.2 (expected: Java 17 or newer; set JAVA_HOME to one)\n");

        Path eight = jdk("jdk8", "1.8.0_292");
        assertThat(launcher(tree(), eight, "demo").output()).contains("is Java 1.8.0_292 (expected: Java 17");
    }

    /** A JDK directory: bin/java printing the directory's name and its arguments, and a release file. */
    private Path jdk(String name, String version) throws Exception {
        Path home = Files.createDirectories(root.resolve(name));
        TestScripts.write(Files.createDirectories(home.resolve("bin")).resolve("java"),
                "#!/bin/sh\necho \"" + name + " java $*\"\n");
        Files.writeString(home.resolve("release"), "IMPLEMENTOR=\"test\"\nJAVA_VERSION=\"" + version + "\"\n");
        return home;
    }

    /** The launcher, a jar newer than every source (nothing to build), and bin/ with the tools the launcher runs. */
    private Path tree() throws Exception {
        Files.copy(RepositoryRoot.find().resolve("veer"), root.resolve("veer"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(root.resolve("pom.xml"), "<project/>");
        Path jar = Files.createDirectories(root.resolve("admin/target")).resolve("veer.jar");
        Files.writeString(jar, "jar");
        Path bin = Files.createDirectories(root.resolve("bin"));
        for (String tool : List.of("dirname", "readlink", "find", "sed")) {
            TestScripts.write(bin.resolve(tool), "#!/bin/sh\nexec " + which(tool) + " \"$@\"\n");
        }
        return bin;
    }

    private record Result(int exitCode, String output) {
    }

    private Result launcher(Path bin, Path javaHome, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(which("bash").toString(), root.resolve("veer").toString()));
        command.addAll(List.of(args));
        Path out = root.resolve("launcher.out");
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(root.toFile())
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(out.toFile());
        builder.environment().put("PATH", bin.toString());
        builder.environment().remove("JAVA_HOME");
        if (javaHome != null) {
            builder.environment().put("JAVA_HOME", javaHome.toString());
        }
        Process launcher = builder.start();
        try {
            assertThat(launcher.waitFor(60, TimeUnit.SECONDS)).as("launcher finished").isTrue();
        } finally {
            launcher.destroyForcibly(); // a launcher that hangs is not left running after the test
        }
        return new Result(launcher.exitValue(), Files.readString(out));
    }

    private static Path which(String tool) {
        for (String dir : System.getenv("PATH").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, tool);
            if (Files.isExecutable(candidate) && !candidate.toString().startsWith(System.getProperty("java.io.tmpdir"))) {
                return candidate;
            }
        }
        throw new IllegalStateException(tool + " not on PATH");
    }
}
