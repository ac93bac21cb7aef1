package dev.veer.proxy;

import static dev.veer.proxy.support.Specs.service;
import static dev.veer.proxy.support.Specs.version;
import static dev.veer.proxy.support.Specs.weights;
import static org.assertj.core.api.Assertions.assertThat;

import dev.veer.config.model.HealthCheckSpec;
import dev.veer.config.model.HostPort;
import dev.veer.config.model.RouteMatch;
import dev.veer.config.model.RouteSpec;
import dev.veer.config.model.ServiceSpec;
import dev.veer.proxy.support.Backend;
import dev.veer.proxy.support.RawHttp;
import dev.veer.proxy.support.Specs;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Round robin over a version's endpoints: an equal share for each endpoint that is up, publish or no publish. */
class RoundRobinTest {

    private static final HealthCheckSpec CHECK = new HealthCheckSpec("/health", Duration.ofMillis(100),
            Duration.ofMillis(300), 2, 2);

    @Test
    void theEndpointsStillUpShareTheVersionsRequestsEvenly() throws Exception {
        AtomicInteger healthStatus = new AtomicInteger(200);
        try (Backend a1 = new Backend("a1"); Backend a2 = new Backend("a2"); Backend a3 = new Backend("a3")) {
            a2.respondWith(r -> r.uri().equals("/health")
                    ? Backend.text(HttpResponseStatus.valueOf(healthStatus.get()), "health")
                    : Backend.text(HttpResponseStatus.OK, "a2"));
            ServiceSpec spec = service("svc", List.of(), "/",
                    List.of(version("a", a1.address(), a2.address(), a3.address())), weights("a", 10000), null,
                    List.of(), CHECK);
            try (ProxyServer proxy = ProxyServer.start(Specs.settings(), List.of(spec), List.of())) {
                healthStatus.set(500);
                HostPort a2Address = HostPort.parse(a2.address());
                long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                while (proxy.endpointHealthy("svc", "a", a2Address)) {
                    assertThat(System.nanoTime()).as("a2 marked down in time").isLessThan(deadline);
                    Thread.sleep(20);
                }
                long a1Before = served(a1);
                long a3Before = served(a3);
                try (RawHttp http = new RawHttp(proxy.localAddress().getPort())) {
                    for (int i = 0; i < 60; i++) {
                        assertThat(http.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").read().status()).isEqualTo(200);
                    }
                }
                // Round robin over the two left: a2's turns used to fall to a3, its successor in the list (20/40).
                assertThat(served(a1) - a1Before).as("a1").isEqualTo(30);
                assertThat(served(a3) - a3Before).as("a3").isEqualTo(30);
            }
        }
    }

    @Test
    void aPublishDoesNotSendTheNextRequestBackToTheFirstEndpoint() throws Exception {
        try (Backend b1 = new Backend("b1"); Backend b2 = new Backend("b2")) {
            try (ProxyServer proxy = ProxyServer.start(Specs.settings(), List.of(spec(b1, b2, 5000)), List.of());
                 RawHttp http = new RawHttp(proxy.localAddress().getPort())) {
                for (int i = 0; i < 20; i++) {
                    // A weight change between any two requests, as an operator's or a rollout's changes come.
                    proxy.publish(List.of(spec(b1, b2, 5000 + i % 2)), List.of());
                    assertThat(http.send("GET / HTTP/1.1\r\nHost: x\r\nx-canary: on\r\n\r\n").read().status())
                            .isEqualTo(200);
                }
            }
            // Each publish used to restart the turns, so all 20 went to b1.
            assertThat(served(b1)).as("b1").isEqualTo(10);
            assertThat(served(b2)).as("b2").isEqualTo(10);
        }
    }

    /** Version b (endpoints b1, b2) at {@code bBps}, and every request with {@code x-canary} routed to it. */
    private static ServiceSpec spec(Backend b1, Backend b2, int bBps) {
        return service("svc", List.of(), "/", List.of(version("a", "127.0.0.1:1"),
                version("b", b1.address(), b2.address())), weights("a", 10000 - bBps, "b", bBps), null,
                List.of(new RouteSpec(new RouteMatch.Header("x-canary", null), "b")), null);
    }

    private static long served(Backend backend) {
        return backend.requests().stream().filter(r -> !r.uri().equals("/health")).count();
    }
}
