package dev.veer.proxy;

import static dev.veer.proxy.support.Services.NO_EJECTION;
import static dev.veer.proxy.support.Services.oneVersion;
import static org.assertj.core.api.Assertions.assertThat;

import dev.veer.config.model.RetrySpec;
import dev.veer.proxy.support.Backend;
import dev.veer.proxy.support.RawHttp;
import dev.veer.proxy.support.Specs;
import java.lang.management.ManagementFactory;
import java.util.List;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;

/**
 * A closed connection leaves nothing behind: no timer of its handler stays queued on the event loop, holding the
 * handler and its channel until it fires (the response timer, a minute by default). Counted in the JVM's own class
 * histogram (jcmd GC.class_histogram, which collects first), so only what is still reachable counts.
 */
class ClosedConnectionTest {

    private static final int CONNECTIONS = 200;

    @Test
    void shortLivedConnectionsAreNotHeldAfterTheyClose() throws Exception {
        try (Backend backend = new Backend("a");
             ProxyServer proxy = ProxyServer.start(Specs.settings(), List.of(oneVersion("svc", null, NO_EJECTION,
                     RetrySpec.DEFAULTS, backend.address())), List.of())) {
            for (int i = 0; i < CONNECTIONS; i++) {
                try (RawHttp http = new RawHttp(proxy.localAddress().getPort())) {
                    String close = i % 2 == 0 ? "Connection: close\r\n" : "";
                    assertThat(http.send("GET / HTTP/1.1\r\nHost: svc\r\n" + close + "\r\n").read().status())
                            .isEqualTo(200);
                }
            }
            // The proxy sees the last closes a moment after the clients make them.
            long deadline = System.nanoTime() + 10_000_000_000L;
            long handlers = liveHandlers();
            while (handlers >= CONNECTIONS / 2 && System.nanoTime() < deadline) {
                Thread.sleep(100);
                handlers = liveHandlers();
            }
            assertThat(handlers).as("handlers still reachable after %d closed connections", CONNECTIONS)
                    .isLessThan(CONNECTIONS / 2);
        }
    }

    /** Reachable ProxyHandler instances, after a full collection. */
    private static long liveHandlers() throws Exception {
        String histogram = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                new Object[] {new String[0]}, new String[] {String[].class.getName()});
        String suffix = " dev.veer.proxy.server.ProxyHandler"; // package-private
        return histogram.lines().map(String::strip).filter(l -> l.endsWith(suffix))
                .mapToLong(l -> Long.parseLong(l.split("\\s+")[1])).sum();
    }
}
