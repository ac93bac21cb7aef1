package dev.veer.admin;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A client that holds more idle connections to the proxy than the open-file limit allows must not lock the admin
 * API out: past the limit accept() failed (EMFILE) on every listener, and /healthz went unanswered as long as the
 * connections were held. Veer as a process under {@code ulimit -n 400}, as a small container or systemd unit runs it.
 */
class DescriptorLimitTest {

    private static final int LIMIT = 400;
    private static final int HELD = 600;

    @TempDir
    Path dir;

    @Test
    void connectionsBeyondTheOpenFileLimitLeaveTheAdminApiAnswering() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/bin/bash")), "bash for ulimit");
        try (Backend blue = new Backend("blue"); Backend green = new Backend("green")) {
            Map<String, String> env = RuntimeFixture.env(dir, blue.port(), green.port());
            Path configFile = RuntimeFixture.configFile(dir);
            int proxyPort = freePort();
            int adminPort = freePort();
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            // The held connections send nothing, and a 10-minute header timeout keeps Veer from closing them.
            ProcessBuilder pb = new ProcessBuilder("/bin/bash", "-c", "ulimit -n " + LIMIT + " && exec \"$@\"", "veer",
                    // Logging as a packaged Veer logs (INFO), not as the tests' own configuration (WARN).
                    java, "-Xmx256m", "-Dlogback.configurationFile=logback.xml", "-cp",
                    System.getProperty("java.class.path"), Main.class.getName(), "run",
                    "--config", configFile.toString(), "--set", "proxy.listen=127.0.0.1:" + proxyPort,
                    "--set", "admin.listen=127.0.0.1:" + adminPort, "--set", "proxy.limits.headerTimeout=10m")
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("veer.log").toFile());
            pb.environment().putAll(env);
            Process veer = pb.start();
            List<Socket> held = new ArrayList<>();
            try {
                awaitHealthz(adminPort, veer);
                for (int i = 0; i < HELD; i++) {
                    Socket s = new Socket();
                    s.connect(new InetSocketAddress("127.0.0.1", proxyPort), 5000);
                    held.add(s);
                }
                // The listen backlog is first in, first out: once one more connection is answered or closed,
                // Veer has dealt with every held one (or has stopped accepting, which is what this test is about).
                awaitAnswerOrClose(proxyPort);
                String log = Files.readString(dir.resolve("veer.log"));
                assertThat(healthz(adminPort)).as(log).startsWith("HTTP/1.1 200");
                assertThat(Files.readString(dir.resolve("veer.log"))).contains("open-file limit of " + LIMIT);
            } finally {
                for (Socket s : held) {
                    s.close();
                }
                veer.destroyForcibly();
                veer.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static void awaitHealthz(int port, Process veer) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && veer.isAlive()) {
            try {
                if (healthz(port).startsWith("HTTP/1.1 200")) {
                    return;
                }
            } catch (IOException e) {
                Thread.sleep(100); // not listening yet
            }
        }
        throw new AssertionError("Veer did not start (alive: " + veer.isAlive() + ")");
    }

    /** Sends one request on a new connection and reads until an answer byte, the close, or 15 s of nothing. */
    private static void awaitAnswerOrClose(int port) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout(15_000);
            s.getOutputStream().write("GET / HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            s.getInputStream().read();
        } catch (java.net.SocketTimeoutException | java.net.SocketException e) {
            // Not accepted (the failure this test shows), or reset: either way, on to the admin API.
        }
    }

    /** The status line of GET /healthz; a read timeout (15 s) is an unanswered request. */
    private static String healthz(int port) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout(15_000);
            s.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            StringBuilder line = new StringBuilder();
            for (int c = in.read(); c >= 0 && c != '\r'; c = in.read()) {
                line.append((char) c);
            }
            return line.toString();
        } catch (java.net.SocketTimeoutException e) {
            return "no answer in 15 s";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
