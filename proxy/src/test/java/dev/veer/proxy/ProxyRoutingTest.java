package dev.veer.proxy;

import static dev.veer.proxy.support.Specs.service;
import static dev.veer.proxy.support.Specs.version;
import static dev.veer.proxy.support.Specs.weights;
import static org.assertj.core.api.Assertions.assertThat;

import dev.veer.config.model.KeySource;
import dev.veer.config.model.RouteMatch;
import dev.veer.config.model.RouteSpec;
import dev.veer.config.model.ServiceSpec;
import dev.veer.config.model.StickySpec;
import dev.veer.proxy.stats.TotalStats;
import dev.veer.proxy.stats.WindowStats;
import dev.veer.proxy.support.Backend;
import dev.veer.proxy.support.RawHttp;
import dev.veer.proxy.support.Specs;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Routing, stickiness, header hygiene and stats, end to end over loopback sockets. */
class ProxyRoutingTest {

    private static Backend blue;
    private static Backend green;
    private static ProxyServer proxy;
    private static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() throws Exception {
        blue = new Backend("blue");
        green = new Backend("green");
        proxy = ProxyServer.start(Specs.settings(), services(), List.of());
    }

    private static List<ServiceSpec> services() {
        return List.of(
                service("shop", List.of("shop.local"), "/", List.of(version("blue", blue.address()),
                        version("green", green.address())), weights("blue", 9000, "green", 1000),
                        new StickySpec("veer_shop", null),
                        List.of(new RouteSpec(new RouteMatch.Header("x-canary", "always"), "green")), null),
                service("users", List.of("users.local"), "/", List.of(version("blue", blue.address()),
                        version("green", green.address())), weights("blue", 5000, "green", 5000),
                        new StickySpec(null, KeySource.header("x-user-id")), List.of(), null),
                service("crumbs", List.of("crumbs.local"), "/", List.of(version("blue", blue.address()),
                        version("green", green.address())), weights("blue", 5000, "green", 5000),
                        new StickySpec(null, KeySource.cookie("uid")),
                        List.of(new RouteSpec(new RouteMatch.Cookie("beta", "on"), "green")), null),
                service("plain", List.of("plain.local"), "/", List.of(version("blue", blue.address())),
                        weights("blue", 10000), null, List.of(), null));
    }

    @AfterAll
    static void stop() {
        proxy.close();
        blue.close();
        green.close();
    }

    private HttpResponse<String> get(String host, String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.localAddress().getPort() + path))
                .timeout(Duration.ofSeconds(10));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private RawHttp.Response raw(String request) throws Exception {
        try (RawHttp http = new RawHttp(proxy.localAddress().getPort())) {
            return http.send(request).read();
        }
    }

    @Test
    void splitFollowsWeightsWithinTwoPercent() throws Exception {
        long blueBefore = proxy.stats().totals("shop", "blue").responsesByClass()[2];
        long greenBefore = proxy.stats().totals("shop", "green").responsesByClass()[2];
        int n = 4000;
        int onGreen = 0;
        try (RawHttp http = new RawHttp(proxy.localAddress().getPort())) {
            for (int i = 0; i < n; i++) {
                RawHttp.Response r = http.send("GET /split HTTP/1.1\r\nHost: shop.local\r\n\r\n").read();
                assertThat(r.status()).isEqualTo(200);
                String backend = r.header("x-backend");
                assertThat(r.header("set-cookie")).isEqualTo("veer_shop=" + backend + "; Path=/; HttpOnly; SameSite=Lax");
                if (backend.equals("green")) {
                    onGreen++;
                }
            }
        }
        double share = onGreen / (double) n;
        System.out.printf("split: %d of %d on green = %.2f%%%n", onGreen, n, share * 100);
        // 4,000 draws at 10%: σ = 0.47 points, so ±2 points is 4.2σ (a healthy run fails 1 in 40,000 times).
        assertThat(share).isBetween(0.08, 0.12);

        TotalStats blueTotals = proxy.stats().totals("shop", "blue");
        TotalStats greenTotals = proxy.stats().totals("shop", "green");
        assertThat(greenTotals.responsesByClass()[2] - greenBefore).isEqualTo(onGreen);
        assertThat(blueTotals.responsesByClass()[2] - blueBefore).isEqualTo(n - onGreen);
        // The window sums completed one-second slices: wait for the collector to complete the last one, however
        // late a loaded machine runs it. The whole ring: on a loaded machine the requests took over a minute.
        Duration ring = Duration.ofSeconds(dev.veer.proxy.stats.StatsRegistry.RING_SECONDS);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        WindowStats window = proxy.stats().window("shop", "green", ring);
        while (window.requests() < onGreen && System.nanoTime() < deadline) {
            Thread.sleep(50);
            window = proxy.stats().window("shop", "green", ring);
        }
        assertThat(window.requests()).isGreaterThanOrEqualTo(onGreen);
        assertThat(window.errors()).isZero();
        assertThat(window.latencyMicros().getTotalCount()).isEqualTo(window.requests());
        assertThat(window.latencyMicros().getValueAtPercentile(50)).isPositive();
    }

    @Test
    void stickyCookieKeepsTheVersionAndIsNotReissued() throws Exception {
        for (int i = 0; i < 20; i++) {
            RawHttp.Response r = raw("GET / HTTP/1.1\r\nHost: shop.local\r\nCookie: other=1; veer_shop=green\r\n\r\n");
            assertThat(r.header("x-backend")).isEqualTo("green");
            assertThat(r.header("set-cookie")).isNull();
        }
    }

    /** HTTP/2-to-1 gateways and some clients split cookies over several Cookie fields. */
    @Test
    void stickyCookieInASecondCookieHeaderIsHonoured() throws Exception {
        for (int i = 0; i < 20; i++) {
            RawHttp.Response r = raw("GET /split-cookie-" + i + " HTTP/1.1\r\nHost: shop.local\r\nCookie: a=1\r\n"
                    + "cookie: b=2\r\nCOOKIE: veer_shop=green\r\n\r\n");
            assertThat(r.header("x-backend")).isEqualTo("green");
            assertThat(r.header("set-cookie")).isNull();
        }
        Backend.Recorded got = green.requests().stream()
                .filter(rec -> rec.uri().equals("/split-cookie-0")).findFirst().orElseThrow();
        assertThat(got.headers().getAll("cookie")).as("joined into one field, in order")
                .containsExactly("a=1; b=2; veer_shop=green");
    }

    @Test
    void cookieRouteMatchesInASecondCookieHeader() throws Exception {
        for (int i = 0; i < 20; i++) {
            RawHttp.Response r = raw("GET / HTTP/1.1\r\nHost: crumbs.local\r\nCookie: a=1\r\nCookie: beta=on\r\n\r\n");
            assertThat(r.header("x-backend")).isEqualTo("green");
        }
    }

    @Test
    void hashOnCookieInASecondCookieHeaderGivesTheSameVersionAsInOne() throws Exception {
        int onGreen = 0;
        for (int user = 0; user < 30; user++) {
            RawHttp.Response one = raw("GET / HTTP/1.1\r\nHost: crumbs.local\r\nCookie: a=1; uid=u" + user
                    + "\r\n\r\n");
            RawHttp.Response split = raw("GET / HTTP/1.1\r\nHost: crumbs.local\r\nCookie: a=1\r\nCookie: uid=u" + user
                    + "\r\n\r\n");
            assertThat(split.header("x-backend")).as("user %d", user).isEqualTo(one.header("x-backend"));
            onGreen += "green".equals(one.header("x-backend")) ? 1 : 0;
        }
        // 50/50 by key hash: both versions get users, so the comparison above is not trivially one version.
        assertThat(onGreen).isBetween(3, 27);
    }

    @Test
    void hashOnHeaderKeepsEachUserOnOneVersion() throws Exception {
        int onGreen = 0;
        for (int user = 0; user < 40; user++) {
            String first = null;
            for (int i = 0; i < 3; i++) {
                RawHttp.Response r = raw("GET / HTTP/1.1\r\nHost: users.local\r\nX-User-Id: u" + user + "\r\n\r\n");
                if (first == null) {
                    first = r.header("x-backend");
                }
                assertThat(r.header("x-backend")).isEqualTo(first);
            }
            if (first.equals("green")) {
                onGreen++;
            }
        }
        assertThat(onGreen).isBetween(5, 35);
    }

    @Test
    void anEmptyHashKeyCountsAsNoKey() throws Exception {
        // Hashed, every empty key would land in one bucket, so all 40 requests on one version (at 50/50).
        java.util.Set<String> byHeader = new java.util.HashSet<>();
        java.util.Set<String> byCookie = new java.util.HashSet<>();
        for (int i = 0; i < 40; i++) {
            byHeader.add(raw("GET / HTTP/1.1\r\nHost: users.local\r\nX-User-Id:   \r\n\r\n").header("x-backend"));
            byCookie.add(raw("GET / HTTP/1.1\r\nHost: crumbs.local\r\nCookie: uid=\r\n\r\n").header("x-backend"));
        }
        assertThat(byHeader).containsExactlyInAnyOrder("blue", "green");
        assertThat(byCookie).containsExactlyInAnyOrder("blue", "green");
    }

    @Test
    void headerRouteWinsOverWeightsAndCookie() throws Exception {
        for (int i = 0; i < 10; i++) {
            RawHttp.Response r = raw("GET / HTTP/1.1\r\nHost: shop.local\r\nX-Canary: always\r\nCookie: veer_shop=blue\r\n\r\n");
            assertThat(r.header("x-backend")).isEqualTo("green");
        }
    }

    /** A repeated header matches when any of its fields has the value, in whichever position it came. */
    @Test
    void headerRouteMatchesAnyOfARepeatedHeadersFields() throws Exception {
        for (int i = 0; i < 10; i++) {
            RawHttp.Response r = raw("GET / HTTP/1.1\r\nHost: shop.local\r\nX-Canary: never\r\n"
                    + "Cookie: veer_shop=blue\r\nx-canary: always\r\n\r\n");
            assertThat(r.header("x-backend")).isEqualTo("green");
        }
        // Each field is compared whole: a list in one field is not split, nor is case ignored.
        for (String fields : List.of("X-Canary: never, always\r\n", "X-Canary: never\r\nX-Canary: Always\r\n")) {
            RawHttp.Response r = raw("GET / HTTP/1.1\r\nHost: shop.local\r\nCookie: veer_shop=blue\r\n" + fields
                    + "\r\n");
            assertThat(r.header("x-backend")).as(fields).isEqualTo("blue");
        }
    }

    @Test
    void unknownHostIs404() throws Exception {
        RawHttp.Response r = raw("GET / HTTP/1.1\r\nHost: nowhere.local\r\n\r\n");
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.header("content-type")).startsWith("text/plain");
    }

    @Test
    void unmatchedHostGets404RepeatedlyOnAKeepAliveClient() throws Exception {
        // java.net.http sends Host 127.0.0.1:port, which no service here matches: proxy-made 404s keep the
        // connection usable.
        for (int i = 0; i < 5; i++) {
            assertThat(get("", "/x").statusCode()).isEqualTo(404);
        }
    }

    @Test
    void hopByHopHeadersAreStrippedBothWaysAndForwardedHeadersAppended() throws Exception {
        blue.respondWith(req -> {
            FullHttpResponse r = Backend.text(HttpResponseStatus.OK, "hygiene");
            r.headers().set("Connection", "X-Resp-Hop")
                    .set("X-Resp-Hop", "1")
                    .set("Keep-Alive", "timeout=5")
                    .set("Proxy-Authenticate", "Basic")
                    .set("Trailer", "X-Checksum")
                    .set("Upgrade", "h2c")
                    .set("X-Resp-Keep", "yes");
            return r;
        });
        try {
            int before = blue.requests().size();
            RawHttp.Response r = raw("GET /hygiene HTTP/1.1\r\n"
                    + "Host: plain.local\r\n"
                    + "Connection: keep-alive, X-Secret-Hop\r\n"
                    + "X-Secret-Hop: 1\r\n"
                    + "Keep-Alive: timeout=5\r\n"
                    + "Proxy-Connection: keep-alive\r\n"
                    + "TE: trailers\r\n"
                    + "Trailer: X-Checksum\r\n"
                    + "Upgrade: websocket\r\n"
                    + "Proxy-Authorization: Basic abc\r\n"
                    + "X-Forwarded-For: 10.0.0.1\r\n"
                    + "X-Forwarded-Host: original.example\r\n"
                    + "X-Forwarded-Proto: https\r\n"
                    + "X-Veer-Version: forged\r\n"
                    + "X-Veer-Flags: forged=on\r\n"
                    // What CGI-style servers read as the same variables, and httpoxy's Proxy.
                    + "X_Veer_Version: forged\r\n"
                    + "x_veer_flags: forged=on\r\n"
                    + "X_Forwarded_For: 6.6.6.6\r\n"
                    + "Proxy: http://evil.example:3128\r\n"
                    + "X-Keep: yes\r\n\r\n");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyText()).isEqualTo("hygiene");
            for (String hop : List.of("x-resp-hop", "keep-alive", "proxy-authenticate", "upgrade", "connection")) {
                assertThat(r.header(hop)).as(hop).isNull();
            }
            assertThat(r.header("x-resp-keep")).isEqualTo("yes");
            // RFC 9110 §7.6.1 does not list Trailer: it announces trailers that Veer relays, so it goes on.
            assertThat(r.header("trailer")).isEqualTo("X-Checksum");

            Backend.Recorded got = blue.requests().get(before);
            for (String hop : List.of("connection", "x-secret-hop", "keep-alive", "proxy-connection", "te",
                    "upgrade", "proxy-authorization", "transfer-encoding")) {
                assertThat(got.headers().contains(hop)).as(hop).isFalse();
            }
            for (String spoof : List.of("x_veer_version", "x_veer_flags", "x_forwarded_for", "proxy")) {
                assertThat(got.headers().contains(spoof)).as(spoof).isFalse();
            }
            assertThat(got.headers().get("x-keep")).isEqualTo("yes");
            assertThat(got.headers().get("trailer")).isEqualTo("X-Checksum");
            assertThat(got.headers().getAll("x-forwarded-for")).containsExactly("10.0.0.1, 127.0.0.1");
            assertThat(got.headers().getAll("x-forwarded-host")).containsExactly("original.example, plain.local");
            assertThat(got.headers().getAll("x-forwarded-proto")).containsExactly("https, http");
            assertThat(got.headers().getAll("x-veer-version")).containsExactly("blue");
            // Veer owns x-veer-flags: no flag was evaluated here, so the client's value must not pass.
            assertThat(got.headers().contains("x-veer-flags")).as("x-veer-flags").isFalse();
            assertThat(got.headers().get("host")).isEqualTo("plain.local");
        } finally {
            blue.respondWith(blue::defaultResponse);
        }
    }

    @Test
    void forwardedFieldsNamedInConnectionLoseTheClientsValuesButKeepVeers() throws Exception {
        int before = blue.requests().size();
        RawHttp.Response r = raw("GET /named HTTP/1.1\r\n"
                + "Host: plain.local\r\n"
                + "Connection: keep-alive, X-Forwarded-For, x-forwarded-host\r\n"
                + "X-Forwarded-For: 9.9.9.9\r\n"
                + "X-Forwarded-Host: original.example\r\n"
                + "X-Forwarded-Proto: https\r\n\r\n");
        assertThat(r.status()).isEqualTo(200);
        Backend.Recorded got = blue.requests().get(before);
        // RFC 9110 §7.6.1: what Connection names is dropped; Veer's own values are still appended.
        assertThat(got.headers().getAll("x-forwarded-for")).containsExactly("127.0.0.1");
        assertThat(got.headers().getAll("x-forwarded-host")).containsExactly("plain.local");
        assertThat(got.headers().getAll("x-forwarded-proto")).containsExactly("https, http");
    }

    @Test
    void http10ClientWithoutKeepAliveIsClosedAndGetsNoChunking() throws Exception {
        try (RawHttp http = new RawHttp(proxy.localAddress().getPort())) {
            RawHttp.Response r = http.send("GET / HTTP/1.0\r\nHost: plain.local\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("transfer-encoding")).isNull();
            assertThat(r.bodyText()).isEqualTo("blue");
            assertThat(http.closedWithin(2000)).isTrue();
        }
    }

    /** {@code plain.local.} is the fully qualified {@code plain.local}. */
    @Test
    void aHostWithATrailingDotFindsItsService() throws Exception {
        try (RawHttp http = new RawHttp(proxy.localAddress().getPort())) {
            RawHttp.Response r = http.send("GET / HTTP/1.1\r\nHost: Plain.Local.:8080\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyText()).isEqualTo("blue");
        }
    }

    @Test
    void connectionCloseIsHonoured() throws Exception {
        try (RawHttp http = new RawHttp(proxy.localAddress().getPort())) {
            RawHttp.Response r = http.send("GET / HTTP/1.1\r\nHost: plain.local\r\nConnection: close\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("connection")).isEqualTo("close");
            assertThat(http.closedWithin(2000)).isTrue();
        }
    }
}
