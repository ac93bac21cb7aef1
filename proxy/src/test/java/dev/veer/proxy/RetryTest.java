package dev.veer.proxy;

import static dev.veer.proxy.support.Services.NO_EJECTION;
import static dev.veer.proxy.support.Services.oneVersion;
import static org.assertj.core.api.Assertions.assertThat;

import dev.veer.config.model.RetrySpec;
import dev.veer.proxy.stats.FailureReason;
import dev.veer.proxy.support.Backend;
import dev.veer.proxy.support.FakeTicker;
import dev.veer.proxy.support.RawBackend;
import dev.veer.proxy.support.RawHttp;
import dev.veer.proxy.support.ResetOnceBackend;
import dev.veer.proxy.support.Specs;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Retries: which failures are retried (connect; reset of an idempotent request whose body is held), where (another
 * endpoint of the version), and how many (attempts, and the budget as a share of requests).
 */
class RetryTest {

    private static final RetrySpec GENEROUS = new RetrySpec(1, 1.0);

    private static RawBackend resetter;
    private static Backend good;
    private static ResetOnceBackend resetOnce;
    private static ResetOnceBackend resetOnceTwin;
    private static FakeTicker ticker;
    private static ProxyServer proxy;

    @BeforeAll
    static void start() throws Exception {
        resetter = new RawBackend(RawBackend.Behaviour.RESET);
        good = new Backend("good");
        resetOnce = new ResetOnceBackend();
        resetOnceTwin = new ResetOnceBackend(resetOnce);
        String refused = "127.0.0.1:" + RawBackend.refusedPort();
        ticker = new FakeTicker();
        proxy = ProxyServer.start(Specs.settings(), List.of(
                oneVersion("reset", null, NO_EJECTION, GENEROUS, resetter.address(), good.address()),
                oneVersion("resetonly", null, NO_EJECTION, GENEROUS, resetter.address()),
                oneVersion("connect", null, NO_EJECTION, GENEROUS, refused, good.address()),
                oneVersion("noretry", null, NO_EJECTION, new RetrySpec(0, 1.0), refused, good.address()),
                oneVersion("budget", null, NO_EJECTION, RetrySpec.DEFAULTS, resetOnce.address(), resetOnceTwin.address())),
                List.of(), ticker);
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        resetter.close();
        good.close();
        resetOnce.close();
        resetOnceTwin.close();
    }

    private static RawHttp.Response send(String request) throws Exception {
        try (RawHttp http = new RawHttp(proxy.localAddress().getPort())) {
            return http.send(request).read();
        }
    }

    private static long goodRequests(String method, String host) {
        return good.requests().stream()
                .filter(r -> r.method().equals(method) && host.equals(r.headers().get("host"))).count();
    }

    @Test
    void resetIdempotentRequestsAreRetriedOnTheOtherEndpoint() throws Exception {
        int resetsBefore = resetter.requests();
        long retriesBefore = proxy.stats().totals("reset", "v1").retries().get(FailureReason.RESET);
        for (int i = 0; i < 10; i++) {
            RawHttp.Response r = send("GET /get" + i + " HTTP/1.1\r\nHost: reset\r\n\r\n");
            assertThat(r.status()).as("GET %d", i).isEqualTo(200);
            assertThat(r.header("x-backend")).isEqualTo("good");
        }
        int resets = resetter.requests() - resetsBefore;
        assertThat(resets).as("first attempts that hit the resetting endpoint").isBetween(3, 7);
        assertThat(goodRequests("GET", "reset")).isEqualTo(10);
        assertThat(proxy.stats().totals("reset", "v1").failures().get(FailureReason.RESET)).isZero();
        assertThat(proxy.stats().totals("reset", "v1").retries().get(FailureReason.RESET) - retriesBefore)
                .as("each reset attempt was retried, and counted as a retry").isEqualTo(resets);
    }

    @Test
    void smallPutBodyIsReplayedOnTheOtherEndpointAndLargeOneIsNot() throws Exception {
        String small = "s".repeat(1024);
        int resetsBefore = resetter.requests();
        for (int i = 0; i < 6; i++) {
            RawHttp.Response r = send("PUT /small HTTP/1.1\r\nHost: reset\r\nContent-Length: 1024\r\n\r\n" + small);
            assertThat(r.status()).as("small PUT %d", i).isEqualTo(200);
        }
        assertThat(resetter.requests() - resetsBefore).as("small PUTs that hit the resetting endpoint").isPositive();
        List<Backend.Recorded> smallPuts = good.requests().stream().filter(r -> r.uri().equals("/small")).toList();
        assertThat(smallPuts).hasSize(6).allSatisfy(r -> assertThat(r.bodyText()).isEqualTo(small));

        String large = "L".repeat(20 * 1024);
        resetsBefore = resetter.requests();
        int failed = 0;
        for (int i = 0; i < 6; i++) {
            RawHttp.Response r = send("PUT /large HTTP/1.1\r\nHost: reset\r\nContent-Length: " + large.length()
                    + "\r\n\r\n" + large);
            if (r.status() == 502) {
                failed++;
            } else {
                assertThat(r.status()).isEqualTo(200);
            }
        }
        assertThat(failed).as("large PUTs are not held, so not retried").isEqualTo(resetter.requests() - resetsBefore)
                .isPositive();
        assertThat(good.requests().stream().filter(r -> r.uri().equals("/large")))
                .hasSize(6 - failed).allSatisfy(r -> assertThat(r.bodyText()).isEqualTo(large));
    }

    @Test
    void aLoneEndpointThatDroppedARequestIsNotSentItAgain() throws Exception {
        // It may be the request that brings the endpoint down: only another endpoint gets it again (nginx does the same).
        int before = resetter.requests();
        RawHttp.Response get = send("GET /again HTTP/1.1\r\nHost: resetonly\r\n\r\n");
        assertThat(get.status()).isEqualTo(502);
        assertThat(get.bodyText()).contains("upstream closed the connection");
        Thread.sleep(50);
        assertThat(resetter.requests() - before).as("one attempt").isEqualTo(1);

        before = resetter.requests();
        assertThat(send("POST /once HTTP/1.1\r\nHost: resetonly\r\nContent-Length: 2\r\n\r\nhi").status())
                .isEqualTo(502);
        Thread.sleep(50);
        assertThat(resetter.requests() - before).as("a POST is sent once").isEqualTo(1);
        assertThat(proxy.stats().totals("resetonly", "v1").failures().get(FailureReason.RESET)).isEqualTo(2);
        assertThat(proxy.stats().totals("resetonly", "v1").retries().get(FailureReason.RESET)).isZero();
    }

    @Test
    void resetPostIsNotRetried() throws Exception {
        int resetsBefore = resetter.requests();
        long goodBefore = goodRequests("POST", "reset");
        int failed = 0;
        for (int i = 0; i < 6; i++) {
            RawHttp.Response r = send("POST /post HTTP/1.1\r\nHost: reset\r\nContent-Length: 4\r\n\r\nping");
            failed += r.status() == 502 ? 1 : 0;
        }
        assertThat(failed).isEqualTo(resetter.requests() - resetsBefore).isPositive();
        assertThat(goodRequests("POST", "reset") - goodBefore).isEqualTo(6 - failed);
    }

    @Test
    void connectFailureIsRetriedOnTheOtherEndpointUnlessAttemptsAreZero() throws Exception {
        for (int i = 0; i < 10; i++) {
            RawHttp.Response r = send("POST /c HTTP/1.1\r\nHost: connect\r\nContent-Length: 4\r\n\r\nping");
            assertThat(r.status()).as("request %d", i).isEqualTo(200);
        }
        assertThat(goodRequests("POST", "connect")).isEqualTo(10);

        int failed = 0;
        for (int i = 0; i < 10; i++) {
            failed += send("GET / HTTP/1.1\r\nHost: noretry\r\n\r\n").status() == 502 ? 1 : 0;
        }
        assertThat(failed).as("attempts: 0").isBetween(3, 7);
        assertThat(goodRequests("GET", "noretry")).isEqualTo(10 - failed);
    }

    @Test
    void retriesStayWithinTwentyPercentOfRequests() throws Exception {
        int requests = 300;
        int ok = 0;
        int failed = 0;
        for (int i = 0; i < requests; i++) {
            RawHttp.Response r = send("GET /b HTTP/1.1\r\nHost: budget\r\nx-id: " + i + "\r\n\r\n");
            if (r.status() == 200) {
                ok++;
            } else {
                assertThat(r.status()).isEqualTo(502);
                failed++;
            }
        }
        int retries = resetOnce.heads() + resetOnceTwin.heads() - requests;
        System.out.printf("retry budget: %d requests, %d retries (%.1f%%), %d ok, %d failed%n",
                requests, retries, 100.0 * retries / requests, ok, failed);
        // The clock stands still, so the window spans the whole run: 20% of requests plus a reserve of 3.
        assertThat(retries).isEqualTo(ok).isBetween(requests / 5, requests / 5 + 3);
        assertThat(resetOnce.answered() + resetOnceTwin.answered()).isEqualTo(ok);
        assertThat(failed).isEqualTo(requests - ok);
        assertThat(proxy.stats().totals("budget", "v1").failures().get(FailureReason.RESET)).isEqualTo(failed);
    }
}
