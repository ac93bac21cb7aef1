package dev.veer.proxy;

import static dev.veer.proxy.support.Specs.service;
import static dev.veer.proxy.support.Specs.version;
import static dev.veer.proxy.support.Specs.weights;
import static org.assertj.core.api.Assertions.assertThat;

import dev.veer.config.model.ServiceSpec;
import dev.veer.proxy.support.Backend;
import dev.veer.proxy.support.RawHttp;
import dev.veer.proxy.support.Specs;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A keep-alive connection between requests holds nothing of the routing state its last request went through. Idle
 * connections may live for the idle timeout (an hour by default); one that kept its last routing decision kept that
 * routing table's service, its versions and their statistics (each a 15-minute ring of histograms, ~2 MB once full)
 * and endpoints, past the version's removal and past StatsRegistry.RETIRED_KEPT, for as long as it stayed open.
 */
class IdleConnectionRetentionTest {

    private static final String GET = "GET / HTTP/1.1\r\nHost: svc\r\n\r\n";

    @Test
    void idleKeepAliveConnectionDoesNotPinTheRoutingStateOfItsLastRequest() throws Exception {
        try (Backend blue = new Backend("blue"); Backend green = new Backend("green")) {
            ServiceSpec both = service("svc", List.of("svc"), "/", List.of(version("blue", blue.address()),
                    version("green", green.address())), weights("blue", 10000, "green", 0), null, List.of(), null);
            WeakReference<ServiceSpec> published = new WeakReference<>(both);
            ServiceSpec blueOnly = both.withoutVersion("green");
            both = null; // from here on only the proxy's routing state may hold it
            try (ProxyServer proxy = ProxyServer.start(Specs.settings(), List.of(published.get()), List.of());
                 RawHttp idle = new RawHttp(proxy.localAddress().getPort())) {
                assertThat(idle.send(GET).read(false).status()).isEqualTo(200);

                proxy.publish(List.of(blueOnly), List.of());

                // The connection stays open and idle: the table it was routed by is out of force, and nothing else
                // holds that table's service.
                assertThat(collected(published, Duration.ofSeconds(10)))
                        .as("the replaced routing state is collectable while the connection that last used it idles")
                        .isTrue();
                assertThat(idle.send(GET).read(false).status()).as("the connection still serves").isEqualTo(200);
            }
        }
    }

    private static boolean collected(WeakReference<?> ref, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (ref.get() != null && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(50);
        }
        return ref.get() == null;
    }
}
