package dev.veer.admin.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veer.admin.auth.BearerAuth;
import dev.veer.admin.http.RawClient.Answer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client that stops sending loses its connection: headers, body and keep-alive idleness each have a deadline
 * (here scaled down from 10 s, 30 s and 60 s). Without a valid token, a request is refused on its head: its body
 * is neither awaited nor buffered.
 */
class ReadDeadlinesTest {

    private static final ReadTimeouts SHORT = new ReadTimeouts(Duration.ofMillis(400), Duration.ofMillis(800),
            Duration.ofMillis(1600));
    /** Room for a loaded machine: deadlines are checked as "by then", not to the millisecond. */
    private static final Duration SLACK = Duration.ofSeconds(3);
    private static final String TOKEN = "s3cret-token";

    private final ObjectMapper mapper = new ObjectMapper();
    private final AtomicInteger bodiesServed = new AtomicInteger();
    private AdminHttpServer server;

    private InetSocketAddress start(String token) throws InterruptedException {
        Router router = new Router()
                .add("GET", "/api/v1/ping", Router.Access.API,
                        r -> CompletableFuture.completedFuture(ApiResponse.text(200, "pong\n", ApiResponse.TEXT)))
                .add("PUT", "/api/v1/echo", Router.Access.API, r -> {
                    bodiesServed.incrementAndGet();
                    return CompletableFuture.completedFuture(ApiResponse.json(mapper, 200, r.json()));
                });
        server = AdminHttpServer.start(new InetSocketAddress("127.0.0.1", 0), router, new BearerAuth(token), true,
                mapper, SHORT);
        return server.localAddress();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static void assertTimedOut(Answer answer, String what) {
        assertThat(answer.status()).as(answer.toString()).isEqualTo(408);
        assertThat(answer.headers().get("connection")).isEqualTo("close");
        assertThat(answer.json().get("error").asText()).isEqualTo(what + " not received within 400 ms"
                .replace("400 ms", what.endsWith("body") ? "800 ms" : "400 ms"));
    }

    @Test
    void headersThatNeverCompleteGet408AndTheConnectionCloses() throws Exception {
        InetSocketAddress admin = start(null);
        // Before the connection opens, where the head deadline starts: taken after, a stall of this thread while the
        // server accepts would make the deadline look early.
        long started = System.nanoTime();
        try (RawClient client = new RawClient(admin)) {
            client.send("GET /api/v1/ping HTTP/1.1\r\nHost: localhost\r\nX-Slow: ");
            assertTimedOut(client.read(), "request headers");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isBetween(SHORT.head(), SHORT.head().plus(SLACK));
            assertThat(client.closedWithin(SLACK)).isTrue();
        }
        try (RawClient silent = new RawClient(admin)) {
            // A connection that sends nothing at all holds a socket as surely.
            assertTimedOut(silent.read(), "request headers");
            assertThat(silent.closedWithin(SLACK)).isTrue();
        }
    }

    @Test
    void aBodyShorterThanItsContentLengthGets408AndTheConnectionCloses() throws Exception {
        try (RawClient client = new RawClient(start(null))) {
            long started = System.nanoTime();
            client.send("PUT /api/v1/echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\n{\"a\":1234");
            assertTimedOut(client.read(), "request body");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isBetween(SHORT.body(), SHORT.body().plus(SLACK));
            assertThat(client.closedWithin(SLACK)).isTrue();
        }
        assertThat(bodiesServed).hasValue(0);
    }

    @Test
    void anIdleKeepAliveConnectionIsClosedAfterTheIdleTimeoutNotTheHeaderOne() throws Exception {
        try (RawClient client = new RawClient(start(null))) {
            long answeredAt = 0;
            for (int i = 0; i < 2; i++) {
                // Each request restarts the clocks: the second comes after longer than the header timeout.
                Answer pong = client.exchange("GET /api/v1/ping HTTP/1.1\r\nHost: localhost\r\n\r\n");
                answeredAt = System.nanoTime();
                assertThat(pong.status()).isEqualTo(200);
                assertThat(client.closedWithin(SHORT.head().multipliedBy(2))).as("idle, not awaiting a head").isFalse();
            }
            assertThat(client.closedWithin(SHORT.idle().plus(SLACK))).isTrue();
            // The server's clock starts as it writes the answer, a little before this client has read it.
            assertThat(Duration.ofNanos(System.nanoTime() - answeredAt))
                    .isGreaterThan(SHORT.idle().minus(SHORT.head()));
        }
    }

    @Test
    void aRequestWithoutTheTokenIs401OnItsHeadWithoutItsBody() throws Exception {
        InetSocketAddress admin = start(TOKEN);
        try (RawClient client = new RawClient(admin)) {
            // A megabyte announced, nothing of it sent: the answer does not wait for it.
            Answer refused = client.exchange("PUT /api/v1/echo HTTP/1.1\r\nHost: localhost\r\n"
                    + "Content-Length: 1000000\r\n\r\n");
            assertThat(refused.status()).isEqualTo(401);
            assertThat(refused.headers().get("connection")).isEqualTo("close");
            assertThat(refused.headers().get("www-authenticate")).startsWith("Bearer");
            assertThat(refused.json().get("error").asText()).contains("token");
            // The body, were it sent, would be dropped; never sent, the body deadline ends the connection.
            assertThat(client.closedWithin(SHORT.body().plus(SLACK))).isTrue();
        }
        try (RawClient client = new RawClient(admin)) {
            // Sent in full, the refused body is read and dropped, then the connection ends: no reset eats the 401.
            Answer refused = client.exchange("PUT /api/v1/echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 7\r\n"
                    + "\r\n{\"a\":1}");
            assertThat(refused.status()).isEqualTo(401);
            assertThat(client.closedWithin(SLACK)).isTrue();
        }
        try (RawClient client = new RawClient(admin)) {
            Answer twice = client.exchange("GET /api/v1/ping HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                    + TOKEN + "\r\nAuthorization: Bearer wrong\r\n\r\n");
            assertThat(twice.status()).isEqualTo(400);
            assertThat(twice.json().get("error").asText()).contains("Authorization");
        }
        try (RawClient client = new RawClient(admin)) {
            Answer served = client.exchange("PUT /api/v1/echo HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                    + TOKEN + "\r\nContent-Length: 7\r\n\r\n{\"a\":1}");
            assertThat(served.status()).as(served.toString()).isEqualTo(200);
            assertThat(served.body()).isEqualTo("{\"a\":1}");
        }
        assertThat(bodiesServed).hasValue(1);
    }
}
