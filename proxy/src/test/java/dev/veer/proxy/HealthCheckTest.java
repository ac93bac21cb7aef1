package dev.veer.proxy;

import static dev.veer.proxy.support.Specs.service;
import static dev.veer.proxy.support.Specs.version;
import static dev.veer.proxy.support.Specs.weights;
import static org.assertj.core.api.Assertions.assertThat;

import dev.veer.config.model.HealthCheckSpec;
import dev.veer.config.model.HostPort;
import dev.veer.config.model.Limits;
import dev.veer.config.model.ServiceSpec;
import dev.veer.proxy.support.Await;
import dev.veer.proxy.support.Backend;
import dev.veer.proxy.support.RawBackend;
import dev.veer.proxy.support.RawHttp;
import dev.veer.proxy.support.ScriptedBackend;
import dev.veer.proxy.support.ScriptedBackend.Script;
import dev.veer.proxy.support.Specs;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** Active health checks: thresholds, recovery, and health surviving a publish. */
class HealthCheckTest {

    private static final HealthCheckSpec CHECK = new HealthCheckSpec("/health", Duration.ofMillis(100),
            Duration.ofMillis(300), 2, 2);

    private static ServiceSpec svc(Backend a, Backend b, int bBps) {
        return service("svc", List.of(), "/", List.of(version("a", a.address()), version("b", b.address())),
                weights("a", 10000 - bBps, "b", bBps), null, List.of(), CHECK);
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        Await.until(condition, what, Duration.ofSeconds(5));
    }

    @Test
    void endpointGoesDownAndComesBackAndHealthSurvivesPublish() throws Exception {
        AtomicInteger healthStatus = new AtomicInteger(200);
        AtomicInteger probes = new AtomicInteger();
        try (Backend a = new Backend("a"); Backend b = new Backend("b")) {
            b.respondWith(r -> {
                if (r.uri().equals("/health")) {
                    probes.incrementAndGet();
                    return Backend.text(HttpResponseStatus.valueOf(healthStatus.get()), "health");
                }
                return Backend.text(HttpResponseStatus.OK, "b");
            });
            HostPort bAddress = HostPort.parse(b.address());
            try (ProxyServer proxy = ProxyServer.start(Specs.settings(), List.of(svc(a, b, 10000)), List.of())) {
                assertThat(proxy.endpointHealthy("svc", "b", bAddress)).as("starts healthy").isTrue();
                await(() -> probes.get() >= 2, "probes");
                assertThat(proxy.endpointHealthy("svc", "b", bAddress)).isTrue();

                healthStatus.set(500);
                await(() -> !proxy.endpointHealthy("svc", "b", bAddress), "unhealthy");
                try (RawHttp http = new RawHttp(proxy.localAddress().getPort())) {
                    assertThat(http.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").read().status()).isEqualTo(503);
                }

                // A weight change keeps the endpoint object and so its (bad) health.
                proxy.publish(List.of(svc(a, b, 5000)), List.of());
                assertThat(proxy.endpointHealthy("svc", "b", bAddress)).isFalse();

                healthStatus.set(302);
                await(() -> proxy.endpointHealthy("svc", "b", bAddress), "healthy again (3xx counts)");
                try (RawHttp http = new RawHttp(proxy.localAddress().getPort())) {
                    for (int i = 0; i < 20; i++) {
                        assertThat(http.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").read().status()).isEqualTo(200);
                    }
                }
                assertThat(proxy.endpointHealthy("svc", "a", HostPort.parse("127.0.0.1:1"))).as("unknown").isFalse();
            }
        }
    }

    @Test
    void unreachableEndpointIsMarkedDown() throws Exception {
        try (Backend a = new Backend("a")) {
            int deadPort = dev.veer.proxy.support.RawBackend.refusedPort();
            ServiceSpec spec = service("svc", List.of(), "/", List.of(version("a", a.address(), "127.0.0.1:" + deadPort)),
                    weights("a", 10000), null, List.of(), CHECK);
            try (ProxyServer proxy = ProxyServer.start(Specs.settings(), List.of(spec), List.of())) {
                HostPort dead = HostPort.parse("127.0.0.1:" + deadPort);
                await(() -> !proxy.endpointHealthy("svc", "a", dead), "dead endpoint down");
                assertThat(proxy.endpointHealthy("svc", "a", HostPort.parse(a.address()))).isTrue();
                try (RawHttp http = new RawHttp(proxy.localAddress().getPort())) {
                    for (int i = 0; i < 10; i++) {
                        assertThat(http.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").read().status()).isEqualTo(200);
                    }
                }
            }
        }
    }

    @Test
    void anEndpointVeerStartsWithThatFailsItsFirstCheckIsDownAtOnce() throws Exception {
        try (Backend a = new Backend("a")) {
            int deadPort = dev.veer.proxy.support.RawBackend.refusedPort();
            // Every 10 s and 3 failures to be down: only a first probe early in the interval, and a first failure
            // taking an endpoint that never answered out at once, bring it down within the wait.
            HealthCheckSpec slow = new HealthCheckSpec("/health", Duration.ofSeconds(10), Duration.ofMillis(300), 2, 3);
            ServiceSpec spec = service("svc", List.of(), "/", List.of(version("a", a.address(), "127.0.0.1:" + deadPort)),
                    weights("a", 10000), null, List.of(), slow);
            try (ProxyServer proxy = ProxyServer.start(Specs.settings(), List.of(spec), List.of())) {
                HostPort dead = HostPort.parse("127.0.0.1:" + deadPort);
                await(() -> !proxy.endpointHealthy("svc", "a", dead), "dead endpoint down after its first check");
                assertThat(proxy.endpointHealthy("svc", "a", HostPort.parse(a.address()))).isTrue();
            }
        }
    }

    @Test
    void anEndpointAddedAfterStartGetsNoTrafficBeforeItsFirstCheckPasses() throws Exception {
        try (Backend a = new Backend("a"); Backend b = new Backend("b")) {
            int deadPort = dev.veer.proxy.support.RawBackend.refusedPort();
            HostPort dead = HostPort.parse("127.0.0.1:" + deadPort);
            HostPort live = HostPort.parse(b.address());
            try (ProxyServer proxy = ProxyServer.start(Specs.settings(), List.of(svc(a, b, 0)), List.of())) {
                // A new version endpoint nothing listens on, given half the traffic at once: out of rotation from
                // the start, never "up" on trust, so no request is sent to it and none gets a 502.
                ServiceSpec added = service("svc", List.of(), "/", List.of(version("a", a.address()),
                        version("b", b.address(), "127.0.0.1:" + deadPort)), weights("a", 5000, "b", 5000), null,
                        List.of(), CHECK);
                proxy.publish(List.of(added), List.of());
                assertThat(proxy.endpointHealthy("svc", "b", dead)).as("new and unchecked").isFalse();
                try (RawHttp http = new RawHttp(proxy.localAddress().getPort())) {
                    for (int i = 0; i < 40; i++) {
                        assertThat(http.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").read().status()).as("request " + i)
                                .isEqualTo(200);
                    }
                }
                assertThat(proxy.endpointHealthy("svc", "b", dead)).isFalse();
                // Not one connect was tried on it: a refused one would have been retried on b's live endpoint and
                // still answered 200, so the statuses alone could not tell.
                var bTotals = proxy.stats().totals("svc", "b");
                assertThat(bTotals.retries().get(dev.veer.proxy.stats.FailureReason.CONNECT)).isZero();
                assertThat(bTotals.failures().get(dev.veer.proxy.stats.FailureReason.CONNECT)).isZero();
                // The endpoint it had from the start stays in rotation throughout.
                assertThat(proxy.endpointHealthy("svc", "b", live)).isTrue();
            }
        }
    }

    @Test
    void aServingVersionWhoseEndpointsAreAllReplacedServesThroughTheNewOnesBeforeTheirFirstCheck() throws Exception {
        try (Backend a = new Backend("a"); Backend b = new Backend("b"); Backend c = new Backend("c")) {
            // c's first check answers only after 1.5 s (its loop sleeps), so a request routed at once is routed
            // while c is still unprobed; it waits behind the check on c's loop and is then answered.
            c.respondWith(r -> {
                if (r.uri().equals("/health")) {
                    try {
                        Thread.sleep(1500);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return Backend.text(HttpResponseStatus.OK, "c");
            });
            HealthCheckSpec check = new HealthCheckSpec("/health", Duration.ofSeconds(10), Duration.ofSeconds(3), 2, 2);
            try (ProxyServer proxy = ProxyServer.start(Specs.settings(), List.of(service("svc", List.of(), "/",
                    List.of(version("a", a.address()), version("b", b.address())), weights("a", 0, "b", 10000), null,
                    List.of(), check)), List.of())) {
                proxy.publish(List.of(service("svc", List.of(), "/", List.of(version("a", a.address()),
                        version("b", c.address())), weights("a", 0, "b", 10000), null, List.of(), check)), List.of());
                assertThat(proxy.endpointHealthy("svc", "b", HostPort.parse(c.address()))).as("unprobed").isFalse();
                try (RawHttp http = new RawHttp(proxy.localAddress().getPort())) {
                    RawHttp.Response r = http.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").read();
                    assertThat(r.status()).isEqualTo(200);
                    assertThat(r.bodyText()).isEqualTo("c");
                }
            }
        }
    }

    @Test
    void aReplacedEndpointFoundDownByItsFirstCheckIsNotTried() throws Exception {
        try (Backend a = new Backend("a"); Backend b = new Backend("b"); Backend sick = new Backend("sick")) {
            // Serves requests but fails its checks: once a check has answered, no request may reach it.
            sick.respondWith(r -> Backend.text(r.uri().equals("/health") ? HttpResponseStatus.INTERNAL_SERVER_ERROR
                    : HttpResponseStatus.OK, "sick"));
            try (ProxyServer proxy = ProxyServer.start(Specs.settings(), List.of(svc(a, b, 10000)), List.of())) {
                proxy.publish(List.of(service("svc", List.of(), "/", List.of(version("a", a.address()),
                        version("b", sick.address())), weights("a", 0, "b", 10000), null, List.of(), CHECK)),
                        List.of());
                try (RawHttp http = new RawHttp(proxy.localAddress().getPort())) {
                    await(() -> status(http) == 503, "503 once the first check failed");
                    long servedBefore = sick.requests().stream().filter(r -> !r.uri().equals("/health")).count();
                    for (int i = 0; i < 10; i++) {
                        assertThat(status(http)).as("request " + i).isEqualTo(503);
                    }
                    assertThat(sick.requests().stream().filter(r -> !r.uri().equals("/health")).count())
                            .isEqualTo(servedBefore);

                    // A reload that changes the check restarts its probe; the endpoint is not new again for that.
                    HealthCheckSpec other = new HealthCheckSpec("/health", Duration.ofMillis(150), Duration.ofMillis(300),
                            2, 2);
                    proxy.publish(List.of(service("svc", List.of(), "/", List.of(version("a", a.address()),
                            version("b", sick.address())), weights("a", 0, "b", 10000), null, List.of(), other)),
                            List.of());
                    assertThat(status(http)).as("right after the reload").isEqualTo(503);
                    assertThat(sick.requests().stream().filter(r -> !r.uri().equals("/health")).count())
                            .isEqualTo(servedBefore);
                }
            }
        }
    }

    private static int status(RawHttp http) {
        try {
            return http.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").read().status();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void anEndpointAddedAfterStartIsUpAfterOnePassingCheck() throws Exception {
        try (Backend a = new Backend("a"); Backend b = new Backend("b"); Backend c = new Backend("c")) {
            HostPort added = HostPort.parse(c.address());
            try (ProxyServer proxy = ProxyServer.start(Specs.settings(), List.of(svc(a, b, 0)), List.of())) {
                // The same check but every 10 s and 3 passes to be healthy: only a first probe at once, passing
                // alone, can bring the endpoint up within the wait.
                HealthCheckSpec slow = new HealthCheckSpec("/health", Duration.ofSeconds(10), Duration.ofMillis(300), 3, 2);
                proxy.publish(List.of(service("svc", List.of(), "/", List.of(version("a", a.address()),
                        version("b", b.address(), c.address())), weights("a", 10000, "b", 0), null, List.of(), slow)),
                        List.of());
                await(() -> proxy.endpointHealthy("svc", "b", added), "first check passed");
                assertThat(c.requests()).extracting(Backend.Recorded::uri).containsExactly("/health");
            }
        }
    }

    @Test
    void interimResponsesAreNotTheAnswerTheFinalOneDecides() throws Exception {
        // A 103 Early Hints or a 100 Continue may come before the answer (RFC 9110 §15.2): the status after it counts.
        String interim = "HTTP/1.1 103 Early Hints\r\nLink: </app.css>; rel=preload\r\n\r\nHTTP/1.1 100 Continue\r\n\r\n";
        try (ScriptedBackend hinted = new ScriptedBackend(); ScriptedBackend failing = new ScriptedBackend()) {
            hinted.on("/health", Script.of(interim + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
            failing.on("/health", Script.of(interim + "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n"));
            ServiceSpec spec = service("svc", List.of(), "/", List.of(version("a", hinted.address(), failing.address())),
                    weights("a", 10000), null, List.of(), CHECK);
            try (ProxyServer proxy = ProxyServer.start(Specs.settings(), List.of(spec), List.of())) {
                await(() -> !proxy.endpointHealthy("svc", "a", HostPort.parse(failing.address())), "503 after hints down");
                // Each probe opens its own connection: a fourth one means three probes were answered, one more than
                // the unhealthy threshold.
                await(() -> hinted.connections() >= 4, "three probes of the hinted endpoint");
                assertThat(proxy.endpointHealthy("svc", "a", HostPort.parse(hinted.address()))).isTrue();
            }
        }
    }

    @Test
    void anEndpointSendingInterimHeadsForEverFailsWithoutWaitingOutTheTimeout() throws Exception {
        // Without a limit the probe gathered every 1xx head until its timeout: at the loopback's speed, more than a
        // 256 MiB heap holds in one second. Here they come a millisecond apart and the timeout is 5 s, so only the
        // limit ends the probe within 3 s, after a few dozen heads rather than thousands.
        HealthCheckSpec patient = new HealthCheckSpec("/health", Duration.ofSeconds(10), Duration.ofSeconds(5), 1, 1);
        try (RawBackend flood = new RawBackend(RawBackend.Behaviour.INTERIM_FLOOD)) {
            ServiceSpec spec = service("svc", List.of(), "/", List.of(version("a", flood.address())),
                    weights("a", 10000), null, List.of(), patient);
            try (ProxyServer proxy = ProxyServer.start(Specs.settings(), List.of(spec), List.of())) {
                Await.until(() -> !proxy.endpointHealthy("svc", "a", HostPort.parse(flood.address())),
                        "the flooding endpoint down", Duration.ofSeconds(3));
                assertThat(flood.interimHeadsSent()).as("1xx heads written before the probe hung up").isLessThan(1000);
            }
        }
    }

    @Test
    void anAnswerIsJudgedAsTheProxyWouldReadIt() throws Exception {
        // The proxy refuses a folded header line (502 to every request) and reads bare-LF line ends: the check must
        // not call the first endpoint up and the second down.
        try (ScriptedBackend folded = new ScriptedBackend(); ScriptedBackend bareLf = new ScriptedBackend()) {
            folded.on("/health", Script.of("HTTP/1.1 200 OK\r\nX-Note: a\r\n b\r\nContent-Length: 2\r\n\r\nok"));
            bareLf.on("/health", Script.of("HTTP/1.1 200 OK\nContent-Length: 2\n\nok"));
            ServiceSpec spec = service("svc", List.of(), "/", List.of(version("a", folded.address(), bareLf.address())),
                    weights("a", 10000), null, List.of(), CHECK);
            try (ProxyServer proxy = ProxyServer.start(Specs.settings(), List.of(spec), List.of())) {
                await(() -> !proxy.endpointHealthy("svc", "a", HostPort.parse(folded.address())), "folded head down");
                await(() -> bareLf.connections() >= 4, "three probes of the bare-LF endpoint");
                assertThat(proxy.endpointHealthy("svc", "a", HostPort.parse(bareLf.address()))).isTrue();
            }
        }
    }

    @Test
    void anAnswerIsReadToTheProxysOwnLimits() throws Exception {
        // Heads of 70 KiB, over the default 60 KiB: raised for traffic, the limit must be raised for the check too,
        // or the endpoint is down while every request to it would be served.
        Limits d = Limits.DEFAULTS;
        Limits raised = new Limits(128 * 1024, d.maxHeaderCount(), d.maxRequestLineBytes(), d.maxBodyBytes(),
                d.headerTimeout(), d.connectTimeout(), d.responseTimeout(), d.idleTimeout(), d.upstreamIdleTimeout());
        try (ScriptedBackend large = new ScriptedBackend()) {
            large.on("/health", Script.of("HTTP/1.1 200 OK\r\nX-Big: " + "b".repeat(70 * 1024)
                    + "\r\nContent-Length: 2\r\n\r\nok"));
            ServiceSpec spec = service("svc", List.of(), "/", List.of(version("a", large.address())),
                    weights("a", 10000), null, List.of(), CHECK);
            try (ProxyServer proxy = ProxyServer.start(Specs.settings(raised), List.of(spec), List.of())) {
                await(() -> large.connections() >= 4, "three probes of the endpoint");
                assertThat(proxy.endpointHealthy("svc", "a", HostPort.parse(large.address()))).isTrue();
            }
        }
    }
}
