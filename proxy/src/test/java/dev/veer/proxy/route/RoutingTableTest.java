package dev.veer.proxy.route;

import static dev.veer.proxy.support.Specs.service;
import static dev.veer.proxy.support.Specs.version;
import static dev.veer.proxy.support.Specs.weights;
import static org.assertj.core.api.Assertions.assertThat;

import dev.veer.config.model.KeySource;
import dev.veer.config.model.RouteMatch;
import dev.veer.config.model.RouteSpec;
import dev.veer.config.model.ServiceSpec;
import dev.veer.config.model.StickySpec;
import dev.veer.config.model.Weights;
import dev.veer.proxy.flag.FlagCounters;
import dev.veer.proxy.hash.Murmur3;
import dev.veer.proxy.stats.StatsRegistry;
import dev.veer.proxy.upstream.EndpointRegistry;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RoutingTableTest {

    private final EndpointRegistry registry = new EndpointRegistry();
    private final StatsRegistry stats = StatsRegistry.manual();

    private ServiceRoute compileShop(Weights w, StickySpec sticky, List<RouteSpec> routes) {
        ServiceSpec spec = service("shop", List.of(), "/", List.of(version("blue", "127.0.0.1:9001"),
                version("green", "127.0.0.1:9002")), w, sticky, routes, null);
        return RoutingTable.compile(List.of(spec), List.of(), registry, stats, new FlagCounters()).service("shop");
    }

    @Test
    void murmur3MatchesReferenceVectors() {
        assertThat(Murmur3.hash(new byte[0])).isEqualTo(0);
        assertThat(Murmur3.hash("hello".getBytes(java.nio.charset.StandardCharsets.US_ASCII))).isEqualTo(0x248bfa47);
        String fox = "The quick brown fox jumps over the lazy dog";
        assertThat(Murmur3.hash(fox.getBytes(java.nio.charset.StandardCharsets.US_ASCII))).isEqualTo(0x2e4ff723);
        assertThat(KeyHash.bucket(new Murmur3(0), "xuser-42;", 1, 8)).isEqualTo(bucket("user-42"));
    }

    @Test
    void randomSplitFollowsWeights() {
        ServiceRoute shop = compileShop(weights("blue", 9000, "green", 1000), null, List.of());
        RouteDecision d = new RouteDecision();
        int green = 0;
        int n = 100_000;
        for (int i = 0; i < n; i++) {
            shop.choose(new DefaultHttpHeaders(), d);
            if (d.version().name().equals("green")) {
                green++;
            }
            assertThat(d.reason()).isEqualTo(RouteDecision.Reason.RANDOM);
        }
        assertThat(green / (double) n).isBetween(0.095, 0.105);
    }

    @Test
    void hashOnHeaderIsSticky() {
        ServiceRoute shop = compileShop(weights("blue", 5000, "green", 5000),
                new StickySpec(null, KeySource.header("X-User-Id")), List.of());
        RouteDecision d = new RouteDecision();
        Set<String> seen = new HashSet<>();
        for (int user = 0; user < 200; user++) {
            HttpHeaders h = new DefaultHttpHeaders().set("x-user-id", "user-" + user);
            shop.choose(h, d);
            String first = d.version().name();
            seen.add(first);
            for (int again = 0; again < 5; again++) {
                shop.choose(h, d);
                assertThat(d.version().name()).isEqualTo(first);
                assertThat(d.reason()).isEqualTo(RouteDecision.Reason.HASH);
            }
        }
        assertThat(seen).containsExactlyInAnyOrder("blue", "green");
    }

    @Test
    void stickyCookiePinsOnlyVersionsWithWeight() {
        ServiceRoute shop = compileShop(weights("blue", 10000, "green", 0),
                new StickySpec("veer_shop", null), List.of());
        RouteDecision d = new RouteDecision();
        shop.choose(new DefaultHttpHeaders(), d);
        assertThat(d.setCookie()).isEqualTo("veer_shop=blue; Path=/; HttpOnly; SameSite=Lax");

        shop.choose(new DefaultHttpHeaders().set("cookie", "a=1; veer_shop=blue; b=2"), d);
        assertThat(d.reason()).isEqualTo(RouteDecision.Reason.COOKIE);
        assertThat(d.setCookie()).isNull();

        // green has weight 0: the cookie is ignored and a new session is issued.
        shop.choose(new DefaultHttpHeaders().set("cookie", "veer_shop=green"), d);
        assertThat(d.version().name()).isEqualTo("blue");
        assertThat(d.setCookie()).startsWith("veer_shop=blue");

        ServiceRoute later = compileShop(weights("blue", 9000, "green", 1000), new StickySpec("veer_shop", null), List.of());
        later.choose(new DefaultHttpHeaders().set("cookie", "veer_shop=green"), d);
        assertThat(d.version().name()).isEqualTo("green");
        assertThat(d.reason()).isEqualTo(RouteDecision.Reason.COOKIE);
        // a cookie that merely ends with the name does not count
        later.choose(new DefaultHttpHeaders().set("cookie", "xveer_shop=green"), d);
        assertThat(d.reason()).isEqualTo(RouteDecision.Reason.RANDOM);
        // one cookie parser for the data plane (flags' too): quoted values and spaces around '=' are accepted
        for (String header : List.of("veer_shop=\"green\"", "a=1;veer_shop = green ;b=2")) {
            later.choose(new DefaultHttpHeaders().set("cookie", header), d);
            assertThat(d.version().name()).as(header).isEqualTo("green");
            assertThat(d.reason()).as(header).isEqualTo(RouteDecision.Reason.COOKIE);
        }
    }

    @Test
    void canaryGrowthIsMonotonicAndShrinkMovesOnlyTheSlice() {
        ServiceRoute at10 = compileShop(weights("blue", 9000, "green", 1000), null, List.of());
        ServiceRoute at30 = compileShop(weights("blue", 7000, "green", 3000), null, List.of());
        ServiceRoute at5 = compileShop(weights("blue", 9500, "green", 500), null, List.of());
        int onCanaryAt10 = 0;
        int movedBack = 0;
        for (int user = 0; user < 20_000; user++) {
            int bucket = bucket("user-" + user);
            String v10 = at10.versionForBucket(bucket).name();
            String v30 = at30.versionForBucket(bucket).name();
            String v5 = at5.versionForBucket(bucket).name();
            if (v10.equals("green")) {
                onCanaryAt10++;
                assertThat(v30).as("key on the canary at 10% stays at 30%").isEqualTo("green");
            }
            if (v30.equals("blue")) {
                assertThat(v10).as("a baseline key at 30% was baseline at 10%").isEqualTo("blue");
            }
            if (v10.equals("green") && v5.equals("blue")) {
                movedBack++;
            }
            if (v5.equals("green")) {
                assertThat(v10).isEqualTo("green");
            }
        }
        assertThat(onCanaryAt10 / 20_000.0).isBetween(0.09, 0.11);
        // Shrinking 10 -> 5 moves back about half of the canary's keys, and only those.
        assertThat(movedBack / (double) onCanaryAt10).isBetween(0.4, 0.6);
    }

    @Test
    void threeVersionsNeighbourTradeIsMonotonic() {
        List<ServiceSpec> at = List.of(
                threeVersions(weights("a", 5000, "b", 4000, "c", 1000)),
                threeVersions(weights("a", 5000, "b", 2000, "c", 3000)));
        ServiceRoute before = RoutingTable.compile(List.of(at.get(0)), List.of(), registry, stats, new FlagCounters()).service("svc");
        ServiceRoute after = RoutingTable.compile(List.of(at.get(1)), List.of(), registry, stats, new FlagCounters()).service("svc");
        for (int bucket = 0; bucket < KeyHash.BUCKETS; bucket++) {
            String b = before.versionForBucket(bucket).name();
            String a = after.versionForBucket(bucket).name();
            if (b.equals("c") || b.equals("a")) {
                assertThat(a).isEqualTo(b);
            }
        }
    }

    private static ServiceSpec threeVersions(Weights w) {
        return service("svc", List.of(version("a", "127.0.0.1:1"), version("b", "127.0.0.1:2"),
                version("c", "127.0.0.1:3")), w, null);
    }

    @Test
    void routesComeFirstInOrder() {
        ServiceRoute shop = compileShop(weights("blue", 10000, "green", 0), new StickySpec("veer_shop", null), List.of(
                new RouteSpec(new RouteMatch.Header("X-Canary", "always"), "green"),
                new RouteSpec(new RouteMatch.Cookie("beta", null), "green"),
                new RouteSpec(new RouteMatch.Header("x-old", null), "blue"),
                new RouteSpec(new RouteMatch.Flag("new_checkout", null), "green")));
        RouteDecision d = new RouteDecision();
        shop.choose(new DefaultHttpHeaders().set("x-canary", "always").set("cookie", "veer_shop=blue"), d);
        assertThat(d.version().name()).isEqualTo("green");
        assertThat(d.reason()).isEqualTo(RouteDecision.Reason.ROUTE);
        assertThat(d.setCookie()).isNull();
        shop.choose(new DefaultHttpHeaders().set("x-canary", "Always"), d);
        assertThat(d.version().name()).isEqualTo("blue");
        shop.choose(new DefaultHttpHeaders().set("cookie", "x=1; beta=yes"), d);
        assertThat(d.version().name()).isEqualTo("green");
        shop.choose(new DefaultHttpHeaders().set("x-old", ""), d);
        assertThat(d.reason()).isEqualTo(RouteDecision.Reason.ROUTE);
        assertThat(d.version().name()).isEqualTo("blue");
    }

    @Test
    void exactHostBeatsAnyHostThenLongestPrefix() {
        List<ServiceSpec> specs = List.of(
                service("any", List.of(), "/", List.of(version("v", "127.0.0.1:1")), weights("v", 10000), null, List.of(), null),
                service("anyApi", List.of(), "/api", List.of(version("v", "127.0.0.1:2")), weights("v", 10000), null, List.of(), null),
                service("shop", List.of("shop.local"), "/", List.of(version("v", "127.0.0.1:3")), weights("v", 10000), null, List.of(), null),
                service("shopCart", List.of("shop.local", "www.shop.local"), "/cart", List.of(version("v", "127.0.0.1:4")),
                        weights("v", 10000), null, List.of(), null),
                service("admin", List.of("admin.local"), "/admin", List.of(version("v", "127.0.0.1:5")),
                        weights("v", 10000), null, List.of(), null));
        RoutingTable table = RoutingTable.compile(specs, List.of(), registry, stats, new FlagCounters());
        assertThat(table.match("shop.local", "/api/x").name()).isEqualTo("shop");
        assertThat(table.match("SHOP.local:8080", "/cart/1").name()).isEqualTo("shopCart");
        assertThat(table.match("www.shop.local", "/cart").name()).isEqualTo("shopCart");
        assertThat(table.match("www.shop.local", "/other").name()).isEqualTo("any");
        assertThat(table.match("other", "/api/v1").name()).isEqualTo("anyApi");
        assertThat(table.match(null, "/").name()).isEqualTo("any");
        assertThat(table.match("admin.local", "/public").name()).isEqualTo("any");
        assertThat(table.match("[::1]:80", "/x").name()).isEqualTo("any");

        RoutingTable ipv6 = RoutingTable.compile(List.of(service("v6", List.of("::1"), "/",
                List.of(version("v", "127.0.0.1:6")), weights("v", 10000), null, List.of(), null)), List.of(), registry,
                stats, new FlagCounters());
        assertThat(ipv6.match("[::1]:8080", "/").name()).as("configured [::1] is kept as ::1").isEqualTo("v6");

        RoutingTable hostsOnly = RoutingTable.compile(specs.subList(2, 5), List.of(), registry, stats, new FlagCounters());
        assertThat(hostsOnly.match("unknown", "/")).isNull();
    }

    @Test
    void wildcardHostsMatchSubdomainsLongestSuffixFirstAfterExactHosts() {
        List<ServiceSpec> specs = List.of(
                service("any", List.of(), "/", List.of(version("v", "127.0.0.1:1")), weights("v", 10000), null, List.of(), null),
                service("example", List.of("*.example.com"), "/", List.of(version("v", "127.0.0.1:2")), weights("v", 10000),
                        null, List.of(), null),
                service("eu", List.of("*.eu.example.com"), "/", List.of(version("v", "127.0.0.1:3")), weights("v", 10000),
                        null, List.of(), null),
                service("www", List.of("www.eu.example.com"), "/web", List.of(version("v", "127.0.0.1:4")), weights("v", 10000),
                        null, List.of(), null),
                service("euApi", List.of("*.eu.example.com"), "/api", List.of(version("v", "127.0.0.1:5")),
                        weights("v", 10000), null, List.of(), null));
        RoutingTable table = RoutingTable.compile(specs, List.of(), registry, stats, new FlagCounters());
        assertThat(table.match("shop.example.com", "/").name()).isEqualTo("example");
        assertThat(table.match("A.B.Example.COM:8443", "/").name()).isEqualTo("example");
        assertThat(table.match("shop.eu.example.com", "/").name()).isEqualTo("eu");
        assertThat(table.match("shop.eu.example.com", "/api/x").name()).isEqualTo("euApi");
        assertThat(table.match("www.eu.example.com", "/web/x").name()).as("exact beats wildcard").isEqualTo("www");
        assertThat(table.match("www.eu.example.com", "/api").name()).as("exact host, no prefix of its own matches")
                .isEqualTo("euApi");
        assertThat(table.match("www.eu.example.com", "/").name()).isEqualTo("eu");
        assertThat(table.match("example.com", "/").name()).as("the domain itself is not under *.").isEqualTo("any");
        assertThat(table.match("badexample.com", "/").name()).isEqualTo("any");
        assertThat(table.match(".example.com", "/").name()).as("malformed: leading dot").isEqualTo("any");
        assertThat(table.match("a..example.com", "/").name()).as("malformed: empty label").isEqualTo("any");
    }

    @Test
    void endpointsSurviveRecompileWithTheirHealth() {
        ServiceRoute first = compileShop(weights("blue", 9000, "green", 1000), null, List.of());
        first.version("green").endpoints().get(0).setHealthy(false);
        ServiceRoute second = compileShop(weights("blue", 5000, "green", 5000), null, List.of());
        assertThat(second.version("green").endpoints().get(0)).isSameAs(first.version("green").endpoints().get(0));
        assertThat(second.version("green").pick()).isNull();
        assertThat(second.version("blue").pick()).isNotNull();
    }

    private static int bucket(String key) {
        return KeyHash.bucket(new Murmur3(0), key, 0, key.length());
    }
}
