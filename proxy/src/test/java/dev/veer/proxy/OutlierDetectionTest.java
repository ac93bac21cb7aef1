package dev.veer.proxy;

import static dev.veer.proxy.support.Services.oneVersion;
import static org.assertj.core.api.Assertions.assertThat;

import dev.veer.config.model.HealthCheckSpec;
import dev.veer.config.model.HostPort;
import dev.veer.config.model.OutlierDetectionSpec;
import dev.veer.config.model.RetrySpec;
import dev.veer.proxy.support.Await;
import dev.veer.proxy.support.Events;
import dev.veer.proxy.support.FakeTicker;
import dev.veer.proxy.support.FlakyBackend;
import dev.veer.proxy.support.RawBackend;
import dev.veer.proxy.support.RawHttp;
import dev.veer.proxy.support.ScriptedBackend;
import dev.veer.proxy.support.ScriptedBackend.Script;
import dev.veer.proxy.support.Specs;
import dev.veer.proxy.upstream.EndpointEvent;
import dev.veer.proxy.upstream.EndpointEvent.Kind;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Passive ejection on consecutive failures, on an injected clock: ejection, traffic shift, return, caps. */
class OutlierDetectionTest {

    private static final OutlierDetectionSpec ENVOY_LIKE = OutlierDetectionSpec.DEFAULTS; // 5, 30s, 300s, 50%
    private static final Duration EVENT_WAIT = Duration.ofSeconds(3);

    /** Sends {@code n} GETs on one keep-alive connection; returns how many got a 5xx. */
    private static int send(ProxyServer proxy, String host, int n) throws Exception {
        int errors = 0;
        try (RawHttp http = new RawHttp(proxy.localAddress().getPort())) {
            for (int i = 0; i < n; i++) {
                int status = http.send("GET /x HTTP/1.1\r\nHost: " + host + "\r\n\r\n").read().status();
                errors += status >= 500 ? 1 : 0;
            }
        }
        return errors;
    }

    /** Lets a few outlier sweeps (every 100 ms) run. */
    private static void sweeps() throws InterruptedException {
        Thread.sleep(350);
    }

    @Test
    void fiveFailuresEjectTrafficShiftsThenReturnsAndASecondEjectionLastsTwiceAsLong() throws Exception {
        FakeTicker ticker = new FakeTicker();
        Events events = new Events();
        try (FlakyBackend good = new FlakyBackend("good"); FlakyBackend bad = new FlakyBackend("bad");
             ProxyServer proxy = ProxyServer.start(Specs.settings(), List.of(oneVersion("svc", null, ENVOY_LIKE,
                     RetrySpec.DEFAULTS, good.address(), bad.address())), List.of(), ticker)) {
            proxy.onEndpointEvent(events);
            HostPort badAddress = HostPort.parse(bad.address());
            bad.status(500);

            // Round robin: the bad endpoint sees every other request; its fifth 500 ejects it.
            int errors = send(proxy, "svc", 10);
            assertThat(errors).isEqualTo(5);
            assertThat(bad.requests()).isEqualTo(5);
            events.await(Kind.EJECTED, bad.address(), 1, EVENT_WAIT);
            assertThat(proxy.endpointHealthy("svc", "v1", badAddress)).isFalse();
            EndpointEvent ejected = events.all().get(0);
            assertThat(ejected.service()).isEqualTo("svc");
            assertThat(ejected.version()).isEqualTo("v1");
            assertThat(ejected.reason()).contains("5 consecutive failures").contains("500").contains("30s");

            assertThat(send(proxy, "svc", 20)).as("errors while ejected").isZero();
            assertThat(bad.requests()).as("no request reaches an ejected endpoint").isEqualTo(5);
            assertThat(good.requests()).isEqualTo(25);

            bad.status(200);
            ticker.advance(Duration.ofSeconds(29));
            sweeps();
            assertThat(proxy.endpointHealthy("svc", "v1", badAddress)).as("still ejected at 29s").isFalse();
            ticker.advance(Duration.ofSeconds(1));
            events.await(Kind.RETURNED, bad.address(), 1, EVENT_WAIT);
            assertThat(proxy.endpointHealthy("svc", "v1", badAddress)).isTrue();
            assertThat(send(proxy, "svc", 10)).isZero();
            assertThat(bad.requests()).as("back in rotation").isEqualTo(10);

            // Failing again soon after: ejected for 2 × 30 s.
            bad.status(503);
            assertThat(send(proxy, "svc", 10)).isEqualTo(5);
            events.await(Kind.EJECTED, bad.address(), 2, EVENT_WAIT);
            assertThat(events.all().stream().filter(e -> e.kind() == Kind.EJECTED).toList().get(1).reason())
                    .contains("503").contains("60s");
            ticker.advance(Duration.ofSeconds(59));
            sweeps();
            assertThat(proxy.endpointHealthy("svc", "v1", badAddress)).as("still ejected at 59s").isFalse();
            ticker.advance(Duration.ofSeconds(1));
            events.await(Kind.RETURNED, bad.address(), 2, EVENT_WAIT);
            assertThat(events.count(Kind.EJECTED, good.address())).isZero();
        }
    }

    @Test
    void neverMoreThanMaxEjectionPercentAndNeverTheLastEndpoint() throws Exception {
        FakeTicker ticker = new FakeTicker();
        Events events = new Events();
        try (FlakyBackend a = new FlakyBackend("a"); FlakyBackend b = new FlakyBackend("b");
             FlakyBackend alone = new FlakyBackend("alone");
             ProxyServer proxy = ProxyServer.start(Specs.settings(), List.of(
                     oneVersion("pair", null, ENVOY_LIKE, RetrySpec.DEFAULTS, a.address(), b.address()),
                     oneVersion("single", null, ENVOY_LIKE, RetrySpec.DEFAULTS, alone.address())), List.of(), ticker)) {
            proxy.onEndpointEvent(events);
            a.status(500);
            b.status(500);
            alone.status(500);

            assertThat(send(proxy, "pair", 40)).isEqualTo(40);
            Thread.sleep(200);
            boolean aIn = proxy.endpointHealthy("pair", "v1", HostPort.parse(a.address()));
            boolean bIn = proxy.endpointHealthy("pair", "v1", HostPort.parse(b.address()));
            assertThat(aIn ^ bIn).as("exactly one of two endpoints ejected (50%)").isTrue();
            assertThat(a.requests() + b.requests()).isEqualTo(40);

            assertThat(send(proxy, "single", 20)).isEqualTo(20);
            assertThat(alone.requests()).as("the only endpoint keeps its traffic").isEqualTo(20);
            assertThat(proxy.endpointHealthy("single", "v1", HostPort.parse(alone.address()))).isTrue();
            // Events are delivered on their own thread: wait for the one ejection, then give a wrong second one time.
            events.await(Kind.EJECTED, aIn ? b.address() : a.address(), 1, EVENT_WAIT);
            Thread.sleep(100);
            assertThat(events.all()).filteredOn(e -> e.kind() == Kind.EJECTED).hasSize(1);
        }
    }

    @Test
    void connectFailuresCountAndAreRetriedSoClientsSeeNoError() throws Exception {
        FakeTicker ticker = new FakeTicker();
        Events events = new Events();
        String refused = "127.0.0.1:" + RawBackend.refusedPort();
        try (FlakyBackend good = new FlakyBackend("good");
             ProxyServer proxy = ProxyServer.start(Specs.settings(), List.of(oneVersion("svc", null, ENVOY_LIKE,
                     new RetrySpec(1, 1.0), refused, good.address())), List.of(), ticker)) {
            proxy.onEndpointEvent(events);
            assertThat(send(proxy, "svc", 30)).isZero();
            events.await(Kind.EJECTED, refused, 1, EVENT_WAIT);
            assertThat(events.all().get(0).reason()).contains("connect");
            assertThat(good.requests()).isEqualTo(30);
            assertThat(proxy.endpointHealthy("svc", "v1", HostPort.parse(refused))).isFalse();
        }
    }

    @Test
    void responsesCutMidBodyAreFailedExchangesAndEject() throws Exception {
        FakeTicker ticker = new FakeTicker();
        Events events = new Events();
        try (FlakyBackend good = new FlakyBackend("good");
             RawBackend cutting = new RawBackend(RawBackend.Behaviour.PARTIAL_BODY_THEN_CLOSE);
             ProxyServer proxy = ProxyServer.start(Specs.settings(), List.of(oneVersion("svc", null, ENVOY_LIKE,
                     RetrySpec.DEFAULTS, good.address(), cutting.address())), List.of(), ticker)) {
            proxy.onEndpointEvent(events);
            // Each cut response (a 200 head, then the close mid-body) costs its client connection: one per request.
            for (int i = 0; i < 20; i++) {
                try (RawHttp http = new RawHttp(proxy.localAddress().getPort())) {
                    http.send("GET /x HTTP/1.1\r\nHost: svc\r\n\r\n").read();
                } catch (IOException cut) {
                    // the reset that ends a cut response
                }
            }
            // The 200 head must not clear the count that the cut then adds to: five cuts in a row are five failures.
            events.await(Kind.EJECTED, cutting.address(), 1, EVENT_WAIT);
            assertThat(events.all().get(0).reason()).contains("5 consecutive failures").contains("reset");
            assertThat(proxy.endpointHealthy("svc", "v1", HostPort.parse(cutting.address()))).isFalse();
        }
    }

    @Test
    void a5xxCountsAsAFailureAtItsHeadEvenWhenTheClientLeavesBeforeItsBody() throws Exception {
        FakeTicker ticker = new FakeTicker();
        Events events = new Events();
        // A 500 whose body never ends: the client reads the head and leaves, so the body's end never comes.
        try (FlakyBackend good = new FlakyBackend("good");
             ScriptedBackend failing = new ScriptedBackend().on("/x", Script.of(
                     "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 100000\r\n\r\nstart of a long body"));
             ProxyServer proxy = ProxyServer.start(Specs.settings(), List.of(oneVersion("svc", null, ENVOY_LIKE,
                     RetrySpec.DEFAULTS, good.address(), failing.address())), List.of(), ticker)) {
            proxy.onEndpointEvent(events);
            for (int i = 0; i < 10; i++) {
                try (Socket client = new Socket("127.0.0.1", proxy.localAddress().getPort())) {
                    client.getOutputStream().write("GET /x HTTP/1.1\r\nHost: svc\r\n\r\n"
                            .getBytes(StandardCharsets.ISO_8859_1));
                    InputStream in = client.getInputStream();
                    String head = "";
                    while (!head.endsWith("\r\n\r\n")) {
                        int b = in.read();
                        if (b < 0) {
                            break;
                        }
                        head += (char) b;
                    }
                }
            }
            // Round robin: five of the ten were the failing endpoint's 500s, each its own failed exchange.
            events.await(Kind.EJECTED, failing.address(), 1, EVENT_WAIT);
            assertThat(events.all().get(0).reason()).contains("5 consecutive failures").contains("500");
        }
    }

    /**
     * A reload or a PUT of a version's endpoints that keeps only its ejected endpoint: the caps (at most 50% out,
     * never the last one taking traffic) hold for the new endpoints too. Before, the endpoint stayed ejected for the
     * rest of its 30 s and every request of the version got 503 while it answered well.
     */
    @Test
    void aPublishThatLeavesAVersionOnlyItsEjectedEndpointReturnsIt() throws Exception {
        FakeTicker ticker = new FakeTicker();
        Events events = new Events();
        try (FlakyBackend good = new FlakyBackend("good"); FlakyBackend flaky = new FlakyBackend("flaky");
             ProxyServer proxy = ProxyServer.start(Specs.settings(), List.of(oneVersion("svc", null, ENVOY_LIKE,
                     RetrySpec.DEFAULTS, good.address(), flaky.address())), List.of(), ticker)) {
            proxy.onEndpointEvent(events);
            flaky.status(500);
            assertThat(send(proxy, "svc", 10)).isEqualTo(5);
            events.await(Kind.EJECTED, flaky.address(), 1, EVENT_WAIT);
            flaky.status(200); // recovered, still ejected: the fake clock stands still

            proxy.publish(List.of(oneVersion("svc", null, ENVOY_LIKE, RetrySpec.DEFAULTS, flaky.address())),
                    List.of());

            assertThat(proxy.endpointHealthy("svc", "v1", HostPort.parse(flaky.address())))
                    .as("returned by the publish itself, before any request").isTrue();
            assertThat(send(proxy, "svc", 10)).as("5xx after the publish").isZero();
            assertThat(flaky.requests()).isEqualTo(15);
            events.await(Kind.RETURNED, flaky.address(), 1, EVENT_WAIT);
            assertThat(events.all()).filteredOn(e -> e.kind() == Kind.RETURNED).first()
                    .satisfies(e -> assertThat(e.reason()).contains("endpoints changed"));
        }
    }

    /**
     * An ejected endpoint that passes its checks while the version's other endpoint goes down: it was ejected because
     * another one took traffic, and that no longer holds. Envoy's panic mode would send to it; it returns.
     */
    @Test
    void anEjectedEndpointReturnsWhenItsLastSiblingInRotationFailsItsHealthCheck() throws Exception {
        FakeTicker ticker = new FakeTicker();
        Events events = new Events();
        HealthCheckSpec check = new HealthCheckSpec("/health", Duration.ofMillis(100), Duration.ofMillis(300), 2, 2);
        try (FlakyBackend good = new FlakyBackend("good"); FlakyBackend flaky = new FlakyBackend("flaky");
             ProxyServer proxy = ProxyServer.start(Specs.settings(), List.of(oneVersion("svc", check, ENVOY_LIKE,
                     RetrySpec.DEFAULTS, good.address(), flaky.address())), List.of(), ticker)) {
            proxy.onEndpointEvent(events);
            // Its first check passed: an endpoint Veer starts with that fails its first check is out at once.
            Await.until(() -> flaky.healthRequests() >= 2 && proxy.endpointHealthy("svc", "v1",
                    HostPort.parse(flaky.address())), "the first check passed", Duration.ofSeconds(5));
            // Failing traffic, not checks: the checks see 500 too, so the first five traffic failures must come
            // before two checks do; then the checks pass again and only the ejection keeps it out.
            flaky.status(500);
            send(proxy, "svc", 10);
            events.await(Kind.EJECTED, flaky.address(), 1, EVENT_WAIT);
            flaky.status(200);
            int checked = flaky.healthRequests();
            // Three more checks: at least two passed in a row, whatever one that saw the 500 did.
            Await.until(() -> flaky.healthRequests() >= checked + 3, "checks of the ejected endpoint",
                    Duration.ofSeconds(5));
            assertThat(proxy.endpointHealthy("svc", "v1", HostPort.parse(flaky.address()))).isFalse();

            good.stop();
            events.await(Kind.UNHEALTHY, good.address(), 1, EVENT_WAIT);
            events.await(Kind.RETURNED, flaky.address(), 1, EVENT_WAIT);

            assertThat(events.all()).filteredOn(e -> e.kind() == Kind.RETURNED).first()
                    .satisfies(e -> assertThat(e.reason()).contains("no other endpoint"));
            assertThat(send(proxy, "svc", 10)).as("5xx once the other endpoint is down").isZero();
        }
    }
}
