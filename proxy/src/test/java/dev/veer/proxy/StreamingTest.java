package dev.veer.proxy;

import static dev.veer.proxy.support.Specs.service;
import static dev.veer.proxy.support.Specs.version;
import static dev.veer.proxy.support.Specs.weights;
import static org.assertj.core.api.Assertions.assertThat;

import dev.veer.proxy.support.Backend;
import dev.veer.proxy.support.RawHttp;
import dev.veer.proxy.support.Specs;
import io.netty.handler.codec.http.FullHttpResponse;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Bodies stream both ways in both framings; pipelined requests are answered in order; 100-continue works. */
class StreamingTest {

    private static final int FIVE_MIB = 5 * 1024 * 1024;
    private static Backend echo;
    private static ProxyServer proxy;
    private static ServerSocket slowResponder;
    private static final CountDownLatch releaseRest = new CountDownLatch(1);
    private static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() throws Exception {
        echo = new Backend("echo");
        echo.respondWith(req -> {
            FullHttpResponse r = Backend.echo(req);
            r.headers().set("x-uri", req.uri());
            return r;
        });
        slowResponder = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        Thread t = new Thread(StreamingTest::serveSlowly);
        t.setDaemon(true);
        t.start();
        proxy = ProxyServer.start(Specs.settings(), List.of(
                service("slow", List.of("slow"), "/", List.of(version("v", "127.0.0.1:" + slowResponder.getLocalPort())),
                        weights("v", 10000), null, List.of(), null),
                service("echo", List.of(version("v", echo.address())), weights("v", 10000), null)), List.of());
    }

    /** Sends a chunked response head and first chunk, then the rest only when the test says so. */
    private static void serveSlowly() {
        try (Socket s = slowResponder.accept()) {
            InputStream in = s.getInputStream();
            int matched = 0;
            while (matched < 4) {
                int b = in.read();
                matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
            }
            OutputStream out = s.getOutputStream();
            out.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nfirst\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            releaseRest.await(10, TimeUnit.SECONDS);
            out.write("4\r\nrest\r\n0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            in.read();
        } catch (Exception e) {
            // test over
        }
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        echo.close();
        slowResponder.close();
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + proxy.localAddress().getPort() + path);
    }

    private static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static byte[] sha256(byte[] b) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(b);
    }

    @Test
    void fiveMebibytesWithContentLengthBothWays() throws Exception {
        byte[] body = randomBytes(FIVE_MIB, 1);
        HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(uri("/big"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-length")).hasValue(String.valueOf(FIVE_MIB));
        assertThat(sha256(r.body())).isEqualTo(sha256(body));
        Backend.Recorded got = echo.requests().get(echo.requests().size() - 1);
        assertThat(sha256(got.body())).isEqualTo(sha256(body));
        assertThat(got.headers().get("content-length")).isEqualTo(String.valueOf(FIVE_MIB));
    }

    @Test
    void fiveMebibytesChunkedBothWays() throws Exception {
        byte[] body = randomBytes(FIVE_MIB, 2);
        HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(uri("/chunked"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("transfer-encoding")).hasValue("chunked");
        assertThat(sha256(r.body())).isEqualTo(sha256(body));
        Backend.Recorded got = echo.requests().get(echo.requests().size() - 1);
        assertThat(sha256(got.body())).isEqualTo(sha256(body));
    }

    @Test
    void requestBodyReachesTheBackendBeforeTheClientFinishes() throws Exception {
        try (RawHttp http = new RawHttp(proxy.localAddress().getPort())) {
            long before = echo.bytesReceived();
            http.send("POST /chunked-stream HTTP/1.1\r\nHost: any\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "6\r\nstream\r\n");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (echo.bytesReceived() - before < 100 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            // Head and first chunk arrived upstream while the request is still open: streamed, not aggregated.
            assertThat(echo.bytesReceived() - before).isGreaterThan(100);
            http.send("4\r\n-end\r\n0\r\n\r\n");
            RawHttp.Response r = http.read();
            assertThat(r.bodyText()).isEqualTo("stream-end");
        }
    }

    @Test
    void responseBodyReachesTheClientBeforeTheUpstreamFinishes() throws Exception {
        try (RawHttp http = new RawHttp(proxy.localAddress().getPort())) {
            http.send("GET / HTTP/1.1\r\nHost: slow\r\n\r\n");
            InputStream in = http.socket().getInputStream();
            StringBuilder seen = new StringBuilder();
            while (!seen.toString().contains("first")) {
                int b = in.read();
                assertThat(b).isNotEqualTo(-1);
                seen.append((char) b);
            }
            releaseRest.countDown();
            StringBuilder rest = new StringBuilder();
            while (!rest.toString().endsWith("0\r\n\r\n")) {
                int b = in.read();
                assertThat(b).isNotEqualTo(-1);
                rest.append((char) b);
            }
            assertThat(rest.toString()).contains("rest");
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        try (RawHttp http = new RawHttp(proxy.localAddress().getPort())) {
            StringBuilder batch = new StringBuilder();
            for (int i = 0; i < 10; i++) {
                if (i % 3 == 1) {
                    String body = "body-" + i;
                    batch.append("POST /p").append(i).append(" HTTP/1.1\r\nHost: any\r\nContent-Length: ")
                            .append(body.length()).append("\r\n\r\n").append(body);
                } else if (i % 3 == 2) {
                    batch.append("POST /chunked-p").append(i).append(" HTTP/1.1\r\nHost: any\r\nTransfer-Encoding: chunked\r\n\r\n")
                            .append("3\r\nabc\r\n0\r\n\r\n");
                } else {
                    batch.append("GET /p").append(i).append(" HTTP/1.1\r\nHost: any\r\n\r\n");
                }
            }
            http.send(batch.toString());
            for (int i = 0; i < 10; i++) {
                RawHttp.Response r = http.read();
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.header("x-uri")).isEqualTo(i % 3 == 2 ? "/chunked-p" + i : "/p" + i);
                if (i % 3 == 1) {
                    assertThat(r.bodyText()).isEqualTo("body-" + i);
                } else if (i % 3 == 2) {
                    assertThat(r.bodyText()).isEqualTo("abc");
                }
            }
        }
    }

    @Test
    void expectContinueIsPassedThrough() throws Exception {
        try (RawHttp http = new RawHttp(proxy.localAddress().getPort())) {
            http.send("POST /expect HTTP/1.1\r\nHost: any\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
            RawHttp.Response interim = http.read();
            assertThat(interim.status()).isEqualTo(100);
            http.send("hello");
            RawHttp.Response r = http.read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyText()).isEqualTo("hello");
            // and the connection is still good
            assertThat(http.send("GET /after HTTP/1.1\r\nHost: any\r\n\r\n").read().header("x-uri")).isEqualTo("/after");
        }
    }

    @Test
    void headResponseHasNoBodyAndKeepsTheConnection() throws Exception {
        try (RawHttp http = new RawHttp(proxy.localAddress().getPort())) {
            RawHttp.Response head = http.send("HEAD /head HTTP/1.1\r\nHost: any\r\n\r\n").read(true);
            assertThat(head.status()).isEqualTo(200);
            RawHttp.Response next = http.send("GET /next HTTP/1.1\r\nHost: any\r\n\r\n").read();
            assertThat(next.header("x-uri")).isEqualTo("/next");
        }
    }
}
