package dev.veer.proxy;

import static dev.veer.proxy.support.Services.NO_EJECTION;
import static dev.veer.proxy.support.Services.oneVersion;
import static org.assertj.core.api.Assertions.assertThat;

import dev.veer.config.model.Limits;
import dev.veer.config.model.RetrySpec;
import dev.veer.proxy.support.Backend;
import dev.veer.proxy.support.FlakyBackend;
import dev.veer.proxy.support.RawHttp;
import dev.veer.proxy.support.Specs;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The idle timeout of pooled upstream connections (Limits.upstreamIdleTimeout), observed from the backend. */
class UpstreamIdleTimeoutTest {

    private static final Duration IDLE = Duration.ofMillis(300);
    private static final String GET = "GET / HTTP/1.1\r\nHost: svc\r\n\r\n";

    /**
     * For the test that must never let the connection idle out: requests a tenth of it apart leave a loaded machine
     * 900 ms to stall the client before a gap becomes a real timeout (at 300 ms, a stall of 200 ms did).
     */
    private static final Duration REUSE_IDLE = Duration.ofSeconds(1);

    private static Limits idleLimits() {
        return idleLimits(IDLE);
    }

    private static Limits idleLimits(Duration upstreamIdle) {
        Limits d = Limits.DEFAULTS;
        return new Limits(d.maxHeaderBytes(), d.maxHeaderCount(), d.maxRequestLineBytes(), d.maxBodyBytes(),
                d.headerTimeout(), d.connectTimeout(), d.responseTimeout(), d.idleTimeout(), upstreamIdle);
    }

    @Test
    void idlePooledConnectionIsClosedAfterTheTimeout() throws Exception {
        try (FlakyBackend backend = new FlakyBackend("a");
             ProxyServer proxy = ProxyServer.start(Specs.settings(idleLimits()), List.of(oneVersion("svc", null,
                     NO_EJECTION, RetrySpec.DEFAULTS, backend.address())), List.of())) {
            // Taken before the request, so no later than the proxy pooling the connection: taken after the answer was
            // read, a loaded machine could delay this thread past the pooling and make the close look early.
            long sentAt = System.nanoTime();
            try (RawHttp http = new RawHttp(proxy.localAddress().getPort())) {
                assertThat(http.send(GET).read(false).status()).isEqualTo(200);
            }
            assertThat(backend.openConnections()).as("pooled after the exchange").isEqualTo(1);
            Thread.sleep(IDLE.toMillis() / 3);
            int openWhileIdle = backend.openConnections();
            // Only a check if the sleep ended before the timeout: a loaded machine can oversleep past it.
            if ((System.nanoTime() - sentAt) / 1_000_000 < IDLE.toMillis() - 20) {
                assertThat(openWhileIdle).as("still pooled before the timeout").isEqualTo(1);
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (backend.openConnections() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            long closedAfterMillis = (System.nanoTime() - sentAt) / 1_000_000;
            assertThat(backend.openConnections()).as("closed by the idle timeout").isZero();
            assertThat(closedAfterMillis).as("not closed before the timeout").isGreaterThanOrEqualTo(IDLE.toMillis() - 20);
        }
    }

    @Test
    void connectionReleasedRepeatedlyWithinTheTimeoutStaysOpen() throws Exception {
        try (Backend backend = new Backend("a");
             ProxyServer proxy = ProxyServer.start(Specs.settings(idleLimits(REUSE_IDLE)), List.of(oneVersion("svc",
                     null, NO_EJECTION, RetrySpec.DEFAULTS, backend.address())), List.of());
             RawHttp http = new RawHttp(proxy.localAddress().getPort())) {
            // Three idle timeouts of traffic at least, one request every tenth of the timeout: every idle check that
            // fires finds the connection released less than a timeout ago and must re-arm rather than close it.
            // Counted rather than timed: on a slow machine the requests take longer, not fewer.
            int requests = 30;
            for (int i = 0; i < requests; i++) {
                assertThat(http.send(GET).read(false).status()).isEqualTo(200);
                Thread.sleep(REUSE_IDLE.toMillis() / 10);
            }
            assertThat(backend.requests()).hasSize(requests);
            assertThat(backend.connections()).as("one upstream connection reused throughout").isEqualTo(1);
        }
    }

    @Test
    void connectionBusyLongerThanTheTimeoutIsNotClosedAndIsPooledAgain() throws Exception {
        try (FlakyBackend backend = new FlakyBackend("a");
             ProxyServer proxy = ProxyServer.start(Specs.settings(idleLimits()), List.of(oneVersion("svc", null,
                     NO_EJECTION, RetrySpec.DEFAULTS, backend.address())), List.of());
             RawHttp http = new RawHttp(proxy.localAddress().getPort())) {
            assertThat(http.send(GET).read(false).status()).isEqualTo(200);
            Thread.sleep(IDLE.toMillis() / 3);
            // The idle check armed by the first release fires while this exchange waits for its answer.
            backend.delayMillis(IDLE.toMillis() * 2);
            assertThat(http.send(GET).read(false).status()).isEqualTo(200);
            backend.delayMillis(0);
            assertThat(http.send(GET).read(false).status()).isEqualTo(200);
            assertThat(backend.requests()).isEqualTo(3);
            assertThat(backend.openConnections()).as("the busy connection survived and was reused").isEqualTo(1);
            // Released again after the long exchange: a fresh idle check must still close it.
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (backend.openConnections() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(backend.openConnections()).as("closed by the idle timeout once idle").isZero();
        }
    }
}
