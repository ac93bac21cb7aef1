package dev.veer.proxy;

import static dev.veer.proxy.support.Specs.service;
import static dev.veer.proxy.support.Specs.version;
import static dev.veer.proxy.support.Specs.weights;
import static org.assertj.core.api.Assertions.assertThat;

import dev.veer.config.model.HostPort;
import dev.veer.config.model.Limits;
import dev.veer.config.model.ProxySettings;
import dev.veer.proxy.support.FlakyBackend;
import dev.veer.proxy.support.RawHttp;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** maxConnections and maxInFlight: what is over the limit is turned away at once, and the backend never sees it. */
class OverloadTest {

    private static ProxySettings settings(int maxConnections, int maxInFlight) {
        return new ProxySettings(new HostPort("127.0.0.1", 0), 1, Limits.DEFAULTS, maxConnections, maxInFlight, 16,
                Duration.ofSeconds(5), ProxySettings.DEFAULTS.eventBatchMicros(),
                ProxySettings.DEFAULTS.transport(), null, ProxySettings.DEFAULTS.normalizePath(), null);
    }

    private static final String GET = "GET / HTTP/1.1\r\nHost: s\r\n\r\n";

    @Test
    void connectionOverMaxConnectionsIsClosedAtOnce() throws Exception {
        try (FlakyBackend backend = new FlakyBackend("b");
             ProxyServer proxy = ProxyServer.start(settings(2, 100), List.of(service("s",
                     List.of(version("v", backend.address())), weights("v", 10000), null)), List.of())) {
            int port = proxy.localAddress().getPort();
            try (RawHttp first = new RawHttp(port); RawHttp second = new RawHttp(port)) {
                assertThat(first.send(GET).read().status()).isEqualTo(200);
                assertThat(second.send(GET).read().status()).isEqualTo(200);
                try (RawHttp third = new RawHttp(port)) {
                    long start = System.nanoTime();
                    try {
                        third.send(GET);
                    } catch (java.io.IOException closedAlready) {
                        // the proxy may have closed it before the request was written
                    }
                    assertThat(third.closedWithin(2000)).as("third connection closed").isTrue();
                    assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(1000);
                }
                assertThat(backend.requests()).as("backend saw only the admitted connections' requests").isEqualTo(2);
                // The admitted connections are unaffected, and a slot frees when one closes.
                assertThat(first.send(GET).read().status()).isEqualTo(200);
            }
            assertThat(admittedWithin(port, Duration.ofSeconds(5))).as("admitted once a slot is free").isTrue();
            assertThat(backend.requests()).isEqualTo(4);
        }
    }

    /**
     * Connects until a connection is admitted and answered. The slots free when the proxy has handled the closes,
     * which a loaded machine may take longer to do than any fixed pause; a turned-away connection reaches no backend.
     */
    private static boolean admittedWithin(int port, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        do {
            try (RawHttp again = new RawHttp(port)) {
                if (again.send(GET).read().status() == 200) {
                    return true;
                }
            } catch (IOException turnedAway) {
                // closed at once: the proxy has not handled the closes yet
            }
            Thread.sleep(20);
        } while (System.nanoTime() < deadline);
        return false;
    }

    @Test
    void requestOverMaxInFlightGetsAFast503() throws Exception {
        try (FlakyBackend backend = new FlakyBackend("b");
             ProxyServer proxy = ProxyServer.start(settings(100, 2), List.of(service("s",
                     List.of(version("v", backend.address())), weights("v", 10000), null)), List.of())) {
            backend.delayMillis(1500);
            int port = proxy.localAddress().getPort();
            try (RawHttp slow1 = new RawHttp(port); RawHttp slow2 = new RawHttp(port); RawHttp over = new RawHttp(port)) {
                slow1.send(GET);
                slow2.send(GET);
                long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
                while (proxy.inFlight() < 2 && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
                assertThat(proxy.inFlight()).isEqualTo(2);
                long start = System.nanoTime();
                RawHttp.Response rejected = over.send(GET).read();
                long millis = (System.nanoTime() - start) / 1_000_000;
                assertThat(rejected.status()).isEqualTo(503);
                assertThat(rejected.bodyText()).contains("too many requests in flight").hasSizeLessThan(100);
                assertThat(rejected.header("content-type")).startsWith("text/plain");
                assertThat(millis).as("fast, not queued behind the slow ones").isLessThan(1000);
                assertThat(proxy.refused().snapshot()).containsEntry(503, 1L);
                assertThat(slow1.read().status()).isEqualTo(200);
                assertThat(slow2.read().status()).isEqualTo(200);
            }
            assertThat(backend.requests()).as("the rejected request never reached the backend").isEqualTo(2);
            assertThat(proxy.inFlight()).isZero();
            try (RawHttp after = new RawHttp(port)) {
                backend.delayMillis(0);
                assertThat(after.send(GET).read().status()).isEqualTo(200);
            }
        }
    }
}
