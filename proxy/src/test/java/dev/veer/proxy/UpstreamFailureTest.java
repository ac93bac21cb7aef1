package dev.veer.proxy;

import static dev.veer.proxy.support.Specs.hostService;
import static dev.veer.proxy.support.Specs.service;
import static dev.veer.proxy.support.Specs.version;
import static dev.veer.proxy.support.Specs.weights;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.veer.config.model.HealthCheckSpec;
import dev.veer.config.model.HostPort;
import dev.veer.config.model.ServiceSpec;
import dev.veer.proxy.stats.FailureReason;
import dev.veer.proxy.stats.TotalStats;
import dev.veer.proxy.support.Backend;
import dev.veer.proxy.support.RawBackend;
import dev.veer.proxy.support.RawHttp;
import dev.veer.proxy.support.Specs;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Each upstream failure maps to its status and is counted under its reason for the version it was routed to. */
class UpstreamFailureTest {

    private static final List<AutoCloseable> closeables = new ArrayList<>();
    private static ProxyServer proxy;
    private static Backend healthyBackend;
    private static Backend sickBackend;
    private static RawBackend closed;

    @BeforeAll
    static void start() throws Exception {
        RawBackend reset = track(new RawBackend(RawBackend.Behaviour.RESET));
        closed = track(new RawBackend(RawBackend.Behaviour.CLOSE_AFTER_HEAD));
        RawBackend headCut = track(new RawBackend(RawBackend.Behaviour.PARTIAL_HEAD_THEN_CLOSE));
        RawBackend headReset = track(new RawBackend(RawBackend.Behaviour.PARTIAL_HEAD_THEN_RESET));
        RawBackend malformed = track(new RawBackend(RawBackend.Behaviour.MALFORMED_STATUS));
        RawBackend badLength = track(new RawBackend(RawBackend.Behaviour.BAD_CONTENT_LENGTH));
        RawBackend badChunk = track(new RawBackend(RawBackend.Behaviour.BAD_CHUNK));
        RawBackend stall = track(new RawBackend(RawBackend.Behaviour.STALL));
        RawBackend partial = track(new RawBackend(RawBackend.Behaviour.PARTIAL_BODY_THEN_CLOSE));
        RawBackend staleKeepAlive = track(new RawBackend(RawBackend.Behaviour.CLOSE_ON_SECOND_REQUEST));
        RawBackend timedOutKeepAlive = track(new RawBackend(RawBackend.Behaviour.TIMEOUT_ON_SECOND_REQUEST));
        healthyBackend = track(new Backend("ok"));
        sickBackend = track(new Backend("sick"));
        sickBackend.respondWith(r -> Backend.text(r.uri().equals("/health")
                ? HttpResponseStatus.SERVICE_UNAVAILABLE : HttpResponseStatus.OK, "sick"));
        List<ServiceSpec> services = List.of(
                hostService("refused", "127.0.0.1:" + RawBackend.refusedPort()),
                hostService("reset", reset.address()),
                hostService("closed", closed.address()),
                hostService("headcut", headCut.address()),
                hostService("headreset", headReset.address()),
                hostService("malformed", malformed.address()),
                hostService("badlength", badLength.address()),
                hostService("badchunk", badChunk.address()),
                hostService("stall", stall.address()),
                hostService("partial", partial.address()),
                hostService("stale", staleKeepAlive.address()),
                hostService("timedout", timedOutKeepAlive.address()),
                service("failover", List.of("failover"), "/", List.of(version("v1",
                        "127.0.0.1:" + RawBackend.refusedPort(), "127.0.0.1:" + RawBackend.refusedPort())),
                        weights("v1", 10000), null, List.of(), null),
                service("sick", List.of("sick"), "/", List.of(version("v1", sickBackend.address())),
                        weights("v1", 10000), null, List.of(),
                        new HealthCheckSpec("/health", Duration.ofMillis(100), Duration.ofMillis(500), 1, 2)),
                service("mixed", List.of("mixed"), "/", List.of(version("v1", sickBackend.address(), healthyBackend.address())),
                        weights("v1", 10000), null, List.of(),
                        new HealthCheckSpec("/health", Duration.ofMillis(100), Duration.ofMillis(500), 1, 2)));
        proxy = ProxyServer.start(Specs.settings(Specs.limits(Duration.ofSeconds(5), Duration.ofMillis(700))),
                services, List.of());
    }

    private static <T extends AutoCloseable> T track(T c) {
        closeables.add(c);
        return c;
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        for (AutoCloseable c : closeables) {
            c.close();
        }
    }

    private RawHttp.Response get(String host) throws Exception {
        try (RawHttp http = new RawHttp(proxy.localAddress().getPort())) {
            return http.send("GET /x HTTP/1.1\r\nHost: " + host + "\r\n\r\n").read();
        }
    }

    private void assertFailure(String service, int status, FailureReason reason) throws Exception {
        TotalStats before = proxy.stats().totals(service, "v1");
        RawHttp.Response r = get(service);
        assertThat(r.status()).as(service).isEqualTo(status);
        assertThat(r.header("content-type")).startsWith("text/plain");
        java.util.Date date = io.netty.handler.codec.DateFormatter.parseHttpDate(r.header("date"));
        assertThat(date).as("an IMF-fixdate: " + r.header("date")).isNotNull();
        assertThat(Math.abs(date.getTime() - System.currentTimeMillis())).isLessThan(60_000);
        TotalStats after = proxy.stats().totals(service, "v1");
        assertThat(after.failures().get(reason) - before.failures().get(reason)).as(service + " " + reason).isEqualTo(1);
        assertThat(after.responsesByClass()[5] - before.responsesByClass()[5]).isEqualTo(1);
    }

    @Test
    void connectionRefusedIs502() throws Exception {
        assertFailure("refused", 502, FailureReason.CONNECT);
    }

    @Test
    void resetIs502() throws Exception {
        assertFailure("reset", 502, FailureReason.RESET);
    }

    @Test
    void closedBeforeResponseIs502() throws Exception {
        assertFailure("closed", 502, FailureReason.RESET);
    }

    @Test
    void aRequestAnEndpointTookAndDroppedIsNotSentToItAgain() throws Exception {
        // An idempotent GET may be retried, but only on another endpoint: it may be what brought this one down.
        int before = closed.requests();
        get("closed");
        Thread.sleep(100);
        assertThat(closed.requests() - before).isEqualTo(1);
    }

    @Test
    void aHeadCutShortByTheCloseIsAProtocolFailureAndNotReplayed() throws Exception {
        assertFailure("headcut", 502, FailureReason.PROTOCOL);
    }

    @Test
    void aHeadCutShortByAResetIsAProtocolFailureToo() throws Exception {
        // The upstream began to answer: however its connection then ended, it took the request (no stale race).
        assertFailure("headreset", 502, FailureReason.PROTOCOL);
    }

    @Test
    void malformedStatusLineIs502() throws Exception {
        assertFailure("malformed", 502, FailureReason.PROTOCOL);
    }

    @Test
    void badResponseFramingIs502() throws Exception {
        assertFailure("badlength", 502, FailureReason.PROTOCOL);
    }

    @Test
    void badChunkBeforeAnyResponseByteIs502() throws Exception {
        // Netty decodes the head fine and fails on the first chunk: the head was held back, so a 502 can replace it.
        assertFailure("badchunk", 502, FailureReason.PROTOCOL);
    }

    @Test
    void staleKeepAliveConnectionIsRetriedOnAFreshOne() throws Exception {
        long resetsBefore = proxy.stats().totals("stale", "v1").failures().get(FailureReason.RESET);
        for (int i = 0; i < 4; i++) {
            RawHttp.Response r = get("stale");
            assertThat(r.status()).as("request " + i).isEqualTo(200);
            assertThat(r.bodyText()).isEqualTo("first");
        }
        assertThat(proxy.stats().totals("stale", "v1").failures().get(FailureReason.RESET)).isEqualTo(resetsBefore);
    }

    /**
     * A server that times an idle keep-alive connection out with a 408 (RFC 9110 §15.5.9: it received no complete
     * request) may send it just as a request goes out on that connection: the request was not processed, so it is
     * sent again on a fresh connection, as after a plain close, rather than answered with the 408.
     */
    @Test
    void a408OnAReusedConnectionIsAStaleConnectionAndTheRequestIsSentAgain() throws Exception {
        try (RawHttp http = new RawHttp(proxy.localAddress().getPort())) {
            for (int i = 0; i < 3; i++) {
                RawHttp.Response r = http.send("GET /x HTTP/1.1\r\nHost: timedout\r\n\r\n").read();
                assertThat(r.status()).as("request " + i).isEqualTo(200);
                assertThat(r.bodyText()).isEqualTo("first");
            }
        }
    }

    /**
     * RFC 9110 §9.2.2: a proxy must not retry a non-idempotent request, which the upstream may have applied before
     * it closed: a POST without a body that meets a closed pooled connection gets 502; with an idempotency key it is
     * sent again, as an idempotent request is.
     */
    @Test
    void aPostOnAStaleConnectionIsNotSentAgainUnlessItHasAnIdempotencyKey() throws Exception {
        try (RawHttp http = new RawHttp(proxy.localAddress().getPort())) {
            assertThat(http.send("GET /pool-one HTTP/1.1\r\nHost: stale\r\n\r\n").read().status()).isEqualTo(200);
            long resetsBefore = proxy.stats().totals("stale", "v1").failures().get(FailureReason.RESET);
            RawHttp.Response post = http.send("POST /x HTTP/1.1\r\nHost: stale\r\nContent-Length: 0\r\n\r\n").read();
            assertThat(post.status()).isEqualTo(502);
            assertThat(proxy.stats().totals("stale", "v1").failures().get(FailureReason.RESET) - resetsBefore)
                    .isEqualTo(1);
        }
        try (RawHttp http = new RawHttp(proxy.localAddress().getPort())) {
            assertThat(http.send("GET /pool-one HTTP/1.1\r\nHost: stale\r\n\r\n").read().status()).isEqualTo(200);
            RawHttp.Response post = http.send("POST /x HTTP/1.1\r\nHost: stale\r\nContent-Length: 2\r\n"
                    + "Idempotency-Key: 8e03978e-40d5-43e8-bc93-6894a57f9324\r\n\r\nok").read();
            assertThat(post.status()).isEqualTo(200);
            assertThat(post.bodyText()).isEqualTo("first");
        }
        try (RawHttp http = new RawHttp(proxy.localAddress().getPort())) {
            assertThat(http.send("GET /pool-one HTTP/1.1\r\nHost: stale\r\n\r\n").read().status()).isEqualTo(200);
            RawHttp.Response post = http.send("POST /x HTTP/1.1\r\nHost: stale\r\nContent-Length: 0\r\n"
                    + "Idempotency-Key: \r\n\r\n").read();
            assertThat(post.status()).as("an empty key is none").isEqualTo(502);
        }
    }

    @Test
    void connectFailureIsRetriedOnceThen502() throws Exception {
        assertFailure("failover", 502, FailureReason.CONNECT);
    }

    @Test
    void stallIs504() throws Exception {
        long start = System.nanoTime();
        assertFailure("stall", 504, FailureReason.TIMEOUT);
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertThat(millis).isBetween(600L, 3000L);
    }

    @Test
    void resetMidBodyCutsTheConnection() throws Exception {
        TotalStats before = proxy.stats().totals("partial", "v1");
        try (RawHttp http = new RawHttp(proxy.localAddress().getPort())) {
            RawHttp.Response head = http.send("GET /x HTTP/1.1\r\nHost: partial\r\n\r\n").read(true);
            // The head (200, Content-Length 100) went out; the body can never complete, so the proxy cuts it.
            assertThat(head.status()).isEqualTo(200);
            java.io.InputStream in = http.socket().getInputStream();
            assertThat(new String(in.readNBytes(9), java.nio.charset.StandardCharsets.ISO_8859_1)).isEqualTo("only-part");
            // A reset, not a FIN: for a client reading up to the close, a FIN would make the cut body look whole.
            assertThatThrownBy(in::read).isInstanceOf(java.net.SocketException.class);
        }
        // The client's reset can come before the proxy's event loop has counted the failure.
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (resets("partial") == before.failures().get(FailureReason.RESET) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        Thread.sleep(100); // a second count, which would be wrong, has the time to show
        assertThat(resets("partial") - before.failures().get(FailureReason.RESET)).isEqualTo(1);
    }

    private static long resets(String service) {
        return proxy.stats().totals(service, "v1").failures().get(FailureReason.RESET);
    }

    @Test
    void noHealthyEndpointIs503AndHealthyOnesAreUsed() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (proxy.endpointHealthy("sick", "v1", HostPort.parse(sickBackend.address())) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(proxy.endpointHealthy("sick", "v1", HostPort.parse(sickBackend.address()))).isFalse();
        RawHttp.Response r = get("sick");
        assertThat(r.status()).isEqualTo(503);
        assertThat(proxy.stats().totals("sick", "v1").responsesByClass()[5]).isGreaterThanOrEqualTo(1);

        while (proxy.endpointHealthy("mixed", "v1", HostPort.parse(sickBackend.address())) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(proxy.endpointHealthy("mixed", "v1", HostPort.parse(healthyBackend.address()))).isTrue();
        for (int i = 0; i < 10; i++) {
            RawHttp.Response m = get("mixed");
            assertThat(m.status()).isEqualTo(200);
            assertThat(m.header("x-backend")).isEqualTo("ok");
        }
    }
}
