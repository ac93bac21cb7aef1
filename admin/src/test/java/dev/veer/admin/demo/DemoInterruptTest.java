package dev.veer.admin.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.veer.admin.Main;
import java.io.File;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./veer demo} stopped mid-rollout (Ctrl-C, or SIGTERM, which runs the same shutdown hook; a SIGINT could be
 * ignored by whatever started this test): it says so, leaves no state dir behind and no listener open.
 */
class DemoInterruptTest {

    private static final Pattern PROXY = Pattern.compile("proxy +http://127\\.0\\.0\\.1:(\\d+)/");

    @TempDir
    Path dir;

    @Test
    void aDemoStoppedMidRolloutSaysSoAndLeavesNothingBehind() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path output = dir.resolve("demo.out");
        Path tmp = Files.createDirectories(dir.resolve("tmp")); // where the demo makes its state dir
        Process demo = new ProcessBuilder(java, "-Djava.io.tmpdir=" + tmp, "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "demo")
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(output.toFile())
                .start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!read(output).contains("rollout started") && demo.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(read(output)).as("the demo reached its rollout").contains("rollout started");
            try (var made = Files.list(tmp)) {
                assertThat(made.map(p -> p.getFileName().toString())).singleElement().asString()
                        .startsWith("veer-demo");
            }
            demo.destroy(); // SIGTERM
            assertThat(demo.waitFor(60, TimeUnit.SECONDS)).as("the demo ended").isTrue();
        } finally {
            demo.destroyForcibly();
        }

        String text = read(output);
        assertThat(demo.exitValue()).as(text).isEqualTo(143);
        assertThat(text).contains("veer demo: interrupted; Veer and the demo backends stopped, state dir removed");
        assertThat(tmp).as("the state dir is gone").isEmptyDirectory();
        Matcher proxy = PROXY.matcher(text);
        assertThat(proxy.find()).as(text).isTrue();
        assertThatThrownBy(() -> {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", Integer.parseInt(proxy.group(1))), 2_000);
            }
        }).isInstanceOf(ConnectException.class);
    }

    private static String read(Path file) throws Exception {
        return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    }
}
