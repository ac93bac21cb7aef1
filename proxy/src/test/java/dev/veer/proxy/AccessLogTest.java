package dev.veer.proxy;

import static dev.veer.proxy.support.Specs.service;
import static dev.veer.proxy.support.Specs.version;
import static dev.veer.proxy.support.Specs.weights;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veer.config.model.ProxySettings;
import dev.veer.config.model.RouteMatch;
import dev.veer.config.model.RouteSpec;
import dev.veer.config.model.ServiceSpec;
import dev.veer.proxy.support.Backend;
import dev.veer.proxy.support.RawBackend;
import dev.veer.proxy.support.RawHttp;
import dev.veer.proxy.support.Specs;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** proxy.accessLog: one JSON line per exchange, written off the event loop, reopened after rotation. */
class AccessLogTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static ProxySettings withLog(Path file) {
        ProxySettings s = Specs.settings();
        return new ProxySettings(s.listen(), s.ioThreads(), s.limits(), s.maxConnections(), s.maxInFlight(),
                s.poolSizePerEndpoint(), s.drainTimeout(), s.eventBatchMicros(), s.transport(), file,
                s.normalizePath(), s.tls());
    }

    private static int refusedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void everyExchangeIsOneLineWithWhoWhatAndWhy() throws Exception {
        Path file = dir.resolve("access.log");
        try (Backend blue = new Backend("blue")) {
            List<ServiceSpec> services = List.of(
                    service("shop", List.of("shop.local"), "/", List.of(version("blue", blue.address()),
                                    version("green", "127.0.0.1:" + refusedPort())), weights("blue", 10000, "green", 0),
                            null, List.of(new RouteSpec(new RouteMatch.Header("x-canary", "always"), "green")), null));
            try (ProxyServer proxy = ProxyServer.start(withLog(file), services, List.of())) {
              try (RawHttp http = new RawHttp(proxy.localAddress().getPort())) {
                assertThat(http.send("GET /cart?id=7 HTTP/1.1\r\nHost: shop.local\r\nUser-Agent: t\"1\r\n\r\n")
                        .read().status()).isEqualTo(200);
                assertThat(http.send("GET /x HTTP/1.1\r\nHost: shop.local\r\nx-canary: always\r\n\r\n")
                        .read().status()).isEqualTo(502);
                assertThat(http.send("GET / HTTP/1.1\r\nHost: nowhere.local\r\n\r\n").read().status()).isEqualTo(404);
                assertThat(http.send("GET / HTTP/1.1\r\nHost: shop.local\r\nContent-Length: 1\r\n"
                        + "Transfer-Encoding: chunked\r\n\r\n").read().status()).isEqualTo(400);
            }
            try (RawHttp http = new RawHttp(proxy.localAddress().getPort())) {
                // A UTF-8 User-Agent is logged as the text the client meant, not byte by byte as Latin-1.
                assertThat(http.send(("GET /utf8 HTTP/1.1\r\nHost: shop.local\r\nUser-Agent: caf\u00e9 \u2713\r\n\r\n")
                        .getBytes(StandardCharsets.UTF_8)).read().status()).isEqualTo(200);

                // A 50 KB User-Agent is clipped: queued entries hold their strings, and the queue must stay small.
                assertThat(http.send("GET /big HTTP/1.1\r\nHost: shop.local\r\nUser-Agent: " + "u".repeat(50_000)
                        + "\r\n\r\n").read().status()).isEqualTo(200);

                try (RawHttp unsupported = new RawHttp(proxy.localAddress().getPort())) {
                    assertThat(unsupported.send("POST /zipped HTTP/1.1\r\nHost: shop.local\r\n"
                            + "Transfer-Encoding: gzip\r\n\r\n").read().status()).isEqualTo(501);
                }
                try (RawHttp http10 = new RawHttp(proxy.localAddress().getPort())) {
                    // Netty refuses this head itself; the guard still says why, and the line which request it was.
                    assertThat(http10.send("POST /old HTTP/1.0\r\nHost: shop.local\r\n"
                            + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n").read().status()).isEqualTo(400);
                }

                try (RawHttp folded = new RawHttp(proxy.localAddress().getPort())) {
                    // Refused in its fields by Netty (a space in a name): the request line still says which it was.
                    assertThat(folded.send("GET /folded HTTP/1.1\r\nHost: shop.local\r\nX A: one\r\n\r\n")
                            .read().status()).isEqualTo(400);
                }
                try (RawHttp badLine = new RawHttp(proxy.localAddress().getPort())) {
                    // Refused in its request line: nothing the client sent to name.
                    assertThat(badLine.send("GET /a b c HTTP/1.1\r\nHost: shop.local\r\n\r\n").read().status())
                            .isEqualTo(400);
                }

                List<JsonNode> lines = awaitLines(file, 10);
                assertThat(lines.get(4).path("userAgent").asText()).isEqualTo("caf\u00e9 \u2713");
                assertThat(lines.get(5).path("userAgent").asText())
                        .isEqualTo("u".repeat(dev.veer.proxy.accesslog.AccessLogEntry.MAX_USER_AGENT) + "...");
                JsonNode ok = lines.get(0);
                assertThat(ok.path("method").asText()).isEqualTo("GET");
                assertThat(ok.path("target").asText()).isEqualTo("/cart?id=7");
                assertThat(ok.path("host").asText()).isEqualTo("shop.local");
                assertThat(ok.path("protocol").asText()).isEqualTo("HTTP/1.1");
                assertThat(ok.path("status").asInt()).isEqualTo(200);
                assertThat(ok.path("service").asText()).isEqualTo("shop");
                assertThat(ok.path("version").asText()).isEqualTo("blue");
                assertThat(ok.path("endpoint").asText()).isEqualTo(blue.address());
                assertThat(ok.path("choice").asText()).isEqualTo("random");
                assertThat(ok.path("client").asText()).isEqualTo("127.0.0.1");
                assertThat(ok.path("userAgent").asText()).isEqualTo("t\"1");
                assertThat(ok.path("bodyBytes").asLong()).isPositive();
                assertThat(ok.path("durationMs").asDouble()).isPositive();
                assertThat(ok.path("at").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
                assertThat(ok.has("upstreamFailure")).isFalse();
                assertThat(ok.has("completed")).isFalse();

                JsonNode refused = lines.get(1);
                assertThat(refused.path("status").asInt()).isEqualTo(502);
                assertThat(refused.path("version").asText()).isEqualTo("green");
                assertThat(refused.path("choice").asText()).isEqualTo("route");
                assertThat(refused.path("upstreamFailure").asText()).isEqualTo("connect");

                JsonNode unmatched = lines.get(2);
                assertThat(unmatched.path("status").asInt()).isEqualTo(404);
                assertThat(unmatched.has("service")).isFalse();

                JsonNode smuggled = lines.get(3);
                assertThat(smuggled.path("status").asInt()).isEqualTo(400);
                // Refused for its framing, but read whole: the line says which request it was.
                assertThat(smuggled.path("method").asText()).isEqualTo("GET");
                assertThat(smuggled.path("target").asText()).isEqualTo("/");
                assertThat(smuggled.has("service")).isFalse();

                JsonNode notImplemented = lines.get(6);
                assertThat(notImplemented.path("status").asInt()).isEqualTo(501);
                assertThat(notImplemented.path("method").asText()).isEqualTo("POST");
                assertThat(notImplemented.path("target").asText()).isEqualTo("/zipped");
                assertThat(notImplemented.has("service")).isFalse();

                JsonNode http10 = lines.get(7);
                assertThat(http10.path("status").asInt()).isEqualTo(400);
                assertThat(http10.path("method").asText()).isEqualTo("POST");
                assertThat(http10.path("target").asText()).isEqualTo("/old");

                JsonNode folded = lines.get(8);
                assertThat(folded.path("status").asInt()).isEqualTo(400);
                assertThat(folded.path("method").asText()).isEqualTo("GET");
                assertThat(folded.path("target").asText()).isEqualTo("/folded");
                JsonNode badLine = lines.get(9);
                assertThat(badLine.path("status").asInt()).isEqualTo(400);
                assertThat(badLine.has("method")).as("no placeholder logged as the client's").isFalse();
                assertThat(badLine.has("target")).isFalse();
              }
            }
        }
    }

    /**
     * A request sent again because its pooled connection closed before answering may have reached the upstream
     * twice: the line says so, where the retry count (a failure the client did not see) does not apply.
     */
    @Test
    void aRequestReplayedOnAFreshConnectionIsMarked() throws Exception {
        Path file = dir.resolve("access.log");
        try (RawBackend stale = new RawBackend(RawBackend.Behaviour.CLOSE_ON_SECOND_REQUEST);
             ProxyServer proxy = ProxyServer.start(withLog(file), List.of(Specs.hostService("stale", stale.address())),
                     List.of());
             RawHttp http = new RawHttp(proxy.localAddress().getPort())) {
            assertThat(http.send("GET /first HTTP/1.1\r\nHost: stale\r\n\r\n").read().status()).isEqualTo(200);
            assertThat(http.send("GET /second HTTP/1.1\r\nHost: stale\r\n\r\n").read().status()).isEqualTo(200);
            List<JsonNode> lines = awaitLines(file, 2);
            assertThat(lines.get(0).has("replayed")).isFalse();
            assertThat(lines.get(1).path("replayed").asBoolean()).isTrue();
            assertThat(lines.get(1).has("retries")).isFalse();
        }
    }

    @Test
    void reopenStartsAFreshFileAfterRotation() throws Exception {
        Path file = dir.resolve("access.log");
        Path rotated = dir.resolve("access.log.1");
        try (Backend blue = new Backend("blue");
             ProxyServer proxy = ProxyServer.start(withLog(file), List.of(service("shop", List.of("shop.local"), "/",
                     List.of(version("blue", blue.address())), weights("blue", 10000), null, List.of(), null)),
                     List.of());
             RawHttp http = new RawHttp(proxy.localAddress().getPort())) {
            http.send("GET /before HTTP/1.1\r\nHost: shop.local\r\n\r\n").read();
            awaitLines(file, 1);
            Files.move(file, rotated);
            http.send("GET /moved HTTP/1.1\r\nHost: shop.local\r\n\r\n").read();
            awaitLines(rotated, 2); // still written to the open file until told
            proxy.reopenAccessLog();
            http.send("GET /after HTTP/1.1\r\nHost: shop.local\r\n\r\n").read();
            assertThat(awaitLines(file, 1).get(0).path("target").asText()).isEqualTo("/after");
            assertThat(awaitLines(rotated, 2)).extracting(n -> n.path("target").asText())
                    .containsExactly("/before", "/moved");
        }
    }

    /** The backend gets the normalised path (proxy.normalizePath); the log keeps the target as the client sent it. */
    @Test
    void aNormalisedTargetIsLoggedAsSent() throws Exception {
        Path file = dir.resolve("access.log");
        try (Backend blue = new Backend("blue");
             ProxyServer proxy = ProxyServer.start(withLog(file), List.of(service("shop", List.of("shop.local"), "/",
                     List.of(version("blue", blue.address())), weights("blue", 10000), null, List.of(), null)),
                     List.of());
             RawHttp http = new RawHttp(proxy.localAddress().getPort())) {
            http.send("GET /a/./%62/../c?q=/../ HTTP/1.1\r\nHost: shop.local\r\n\r\n").read();
            http.send("GET http://shop.local/x/..%2f%7e HTTP/1.1\r\nHost: shop.local\r\n\r\n").read();
            assertThat(blue.requests()).extracting(Backend.Recorded::uri).containsExactly("/a/c?q=/../", "/x/..%2F~");
            assertThat(awaitLines(file, 2)).extracting(n -> n.path("target").asText())
                    .containsExactly("/a/./%62/../c?q=/../", "http://shop.local/x/..%2f%7e");
        }
    }

    @Test
    void anAccessLogThatCannotBeOpenedFailsTheStart() {
        Path missing = dir.resolve("no-such-dir").resolve("access.log");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ProxyServer.start(withLog(missing), List.of(),
                List.of())).isInstanceOf(java.io.UncheckedIOException.class).hasMessageContaining("no-such-dir");
    }

    /** A listener that cannot bind leaves no access log writer (thread and open file) behind. */
    @Test
    void aFailedBindClosesTheAccessLog() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            ProxySettings s = withLog(dir.resolve("access.log"));
            ProxySettings onTakenPort = new ProxySettings(new dev.veer.config.model.HostPort("127.0.0.1",
                    taken.getLocalPort()), s.ioThreads(), s.limits(), s.maxConnections(), s.maxInFlight(),
                    s.poolSizePerEndpoint(), s.drainTimeout(), s.eventBatchMicros(), s.transport(),
                    s.accessLog(), s.normalizePath(), s.tls());
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> ProxyServer.start(onTakenPort, List.of(),
                    List.of())).hasMessageContaining("in use");
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (writerAlive() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(writerAlive()).as("veer-access-log thread").isFalse();
    }

    private static boolean writerAlive() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().equals("veer-access-log") && t.isAlive());
    }

    /** The file's JSON lines once it has at least {@code count} (the writer runs on its own thread). */
    private static List<JsonNode> awaitLines(Path file, int count) throws Exception {
        long deadline = System.nanoTime() + 5_000_000_000L;
        List<String> lines = List.of();
        while (System.nanoTime() < deadline) {
            if (Files.exists(file)) {
                lines = Files.readAllLines(file, StandardCharsets.UTF_8);
                if (lines.size() >= count) {
                    break;
                }
            }
            Thread.sleep(20);
        }
        assertThat(lines).hasSizeGreaterThanOrEqualTo(count);
        List<JsonNode> parsed = new ArrayList<>();
        for (String line : lines) {
            parsed.add(JSON.readTree(line));
        }
        return parsed;
    }
}
