package dev.veer.config;

import dev.veer.config.model.HostPort;
import dev.veer.config.model.Transport;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.veer.config.Configs.SHOP;
import static dev.veer.config.Configs.errors;
import static dev.veer.config.Configs.parse;
import static org.assertj.core.api.Assertions.assertThat;

class ValidationErrorsTest {

    @Test
    void unknownKeysAreErrorsWithTheKnownOnesListed() {
        assertThat(errors("proxy: { listn: \"0.0.0.0:80\" }\nextra: 1\n")).containsExactly(
                "extra: unknown key (expected one of: proxy, admin, state, services, flags)",
                "proxy.listn: unknown key (expected one of: listen, ioThreads, maxConnections, maxInFlight, "
                        + "poolSizePerEndpoint, drainTimeout, eventBatchMicros, transport, accessLog, normalizePath, "
                        + "limits, tls)");
    }

    /**
     * A token a client cannot send byte for byte (non-ASCII is read back as Latin-1, whitespace splits the header)
     * could never match: refused with its path, without printing it, from the file as from the environment.
     */
    @Test
    void adminTokenIsAnRfc6750B64Token() throws Exception {
        String expected = " (expected: letters, digits and - . _ ~ + / then optional = padding (RFC 6750 b64token),"
                + " e.g. from openssl rand -hex 24)";
        assertThat(errors("admin: { token: \"two words\" }\n" + SHOP)).containsExactly(
                "admin.token: character 4 of the token is a space" + expected);
        assertThat(errors("admin: { token: \"tab\\there\" }\n" + SHOP)).containsExactly(
                "admin.token: character 4 of the token is a tab" + expected);
        assertThat(errors("admin: { token: \"line\\nbreak\" }\n" + SHOP)).containsExactly(
                "admin.token: character 5 of the token is a line break" + expected);
        assertThat(errors("admin: { token: \"pa=dding\" }\n" + SHOP)).containsExactly(
                "admin.token: '=' inside the token (only trailing = padding is allowed)" + expected);
        assertThat(errors(SHOP, Map.of("VEER_ADMIN_TOKEN", "s3cret-h\u00e9llo"), List.of())).containsExactly(
                "admin.token: character 9 of the token is a non-ASCII character" + expected + " [from VEER_ADMIN_TOKEN]");
        assertThat(errors(SHOP, Map.of(), List.of("admin.token=quote\"d"))).containsExactly(
                "admin.token: character 6 of the token is '\"'" + expected + " [from --set admin.token=(hidden)]");

        for (String valid : List.of("0123abcdef", "Az09-._~+/", "bWFueSB3b3Jkcw==", "from-a-file\n")) {
            assertThat(ConfigLoader.parse(SHOP, "test.yaml", Map.of("VEER_ADMIN_TOKEN", valid), List.of())
                    .admin().token()).as(valid).isEqualTo(valid.trim());
        }
        assertThat(parse("admin: { token: \"\" }\n" + SHOP).admin().hasToken()).as("empty: no token").isFalse();
    }

    @Test
    void hostsAreNamesOrWholeLabelWildcards() {
        String hint = " (expected: a host name, or *.domain for every name under it; leave hosts out to match any host)";
        assertThat(errors("""
                services:
                  - name: shop
                    match: { hosts: ["*.example.com", "Shop.Local:8080", "*", "foo.*.com", "*example.com", "*."] }
                    versions:
                      - { name: blue, endpoints: ["127.0.0.1:9001"] }
                    weights: { blue: 100 }
                """)).containsExactly("services[0].match.hosts[2]: '*'" + hint,
                "services[0].match.hosts[3]: 'foo.*.com'" + hint, "services[0].match.hosts[4]: '*example.com'" + hint,
                "services[0].match.hosts[5]: '*.'" + hint);
    }

    @Test
    void failureLimitIsAtMostTheWindowItIsCountedIn() {
        assertThat(errors("""
                services:
                  - name: shop
                    versions:
                      - { name: blue, endpoints: ["127.0.0.1:9001"] }
                    weights: { blue: 100 }
                    rollout: { analysis: { failureLimit: 11 } }
                """)).singleElement().asString().startsWith("services[0].rollout.analysis.failureLimit: 11 (expected: 1..10");
    }

    @Test
    void reasonIsNoVersionName() {
        assertThat(errors("""
                services:
                  - name: shop
                    versions:
                      - { name: blue, endpoints: ["127.0.0.1:9001"] }
                      - { name: reason, endpoints: ["127.0.0.1:9002"] }
                    weights: { blue: 100 }
                """)).contains("services[0].versions[1].name: 'reason' is reserved (expected: another version name;"
                + " \"reason\" in a weights body says why the weights change)");
    }

    @Test
    void weightsMustSumToExactly100() {
        assertThat(errors("""
                services:
                  - name: shop
                    versions:
                      - { name: blue, endpoints: ["127.0.0.1:9001"] }
                      - { name: green, endpoints: ["127.0.0.1:9002"] }
                    weights: { blue: 90, green: 5 }
                """)).containsExactly("services[0].weights: sum is 95 (expected: 100)");
    }

    @Test
    void weightsNameKnownVersionsWithAtMostTwoDecimals() {
        assertThat(errors("""
                services:
                  - name: shop
                    versions:
                      - { name: blue, endpoints: ["127.0.0.1:9001"] }
                      - { name: green, endpoints: ["127.0.0.1:9002"] }
                    weights: { blue: 99.995, purple: 0.005, green: -1 }
                """)).containsExactly(
                "services[0].weights.blue: 99.995 (expected: at most 2 decimals)",
                "services[0].weights.purple: unknown version (expected one of: blue, green)",
                "services[0].weights.green: -1 (expected: 0..100)");
    }

    @Test
    void badEndpointIsReportedAtItsIndex() {
        assertThat(errors("""
                services:
                  - name: shop
                    versions: [ { name: blue, endpoints: ["127.0.0.1:9001"] } ]
                  - name: cart
                    match: { pathPrefix: /cart }
                    versions:
                      - { name: blue, endpoints: ["127.0.0.1:9001", "127.0.0.1:9002", "abc", "h:0", "::1:80"] }
                """)).containsExactly(
                "services[1].versions[0].endpoints[2]: 'abc' (expected: host:port)",
                "services[1].versions[0].endpoints[3]: 'h:0': port 0 (expected: 1..65535)",
                "services[1].versions[0].endpoints[4]: '::1:80' (expected: IPv6 in brackets, e.g. [::1]:8080)");
    }

    /**
     * A host is a DNS name (RFC 1123 labels), an IPv4 address or a bracketed IPv6 address: "bad host:80" and
     * "exa_mple..com:80" passed, and a URL was told to bracket its IPv6. An endpoint's port is 1..65535, a
     * listener's 0..65535 (0: any free port), and each says its own range.
     */
    @Test
    void endpointAndListenAddressesAreHostPort() throws Exception {
        String name = " is not a host name (expected: a host name of letters, digits, hyphens and underscores in"
                + " dot-separated labels, not starting or ending with a hyphen, or an IP address)";
        // Docker Compose's container names have underscores, and resolve.
        assertThat(dev.veer.config.model.HostPort.parse("project_web_1:80").host()).isEqualTo("project_web_1");
        assertThat(errors("""
                proxy: { listen: "127.0.0.1:-1" }
                admin: { listen: "localhost:65536" }
                services:
                  - name: shop
                    versions:
                      - name: blue
                        endpoints: ["bad host:80", "exa_mple..com:80", "-a.example:80", "a-.example:80", "999.1.1.1:80",
                                    "10.0.0:80", "127.0.0.1:-1", "http://x:80", "x:80/api", "[zz]:80", "[::1]", "h:+80",
                                    "h:٨٠", "h:123456789012", "h:"]
                """)).containsExactly(
                "proxy.listen: '127.0.0.1:-1': port -1 (expected: 0..65535)",
                "admin.listen: 'localhost:65536': port 65536 (expected: 0..65535)",
                "services[0].versions[0].endpoints[0]: 'bad host:80': 'bad host'" + name,
                "services[0].versions[0].endpoints[1]: 'exa_mple..com:80': 'exa_mple..com'" + name,
                "services[0].versions[0].endpoints[2]: '-a.example:80': '-a.example'" + name,
                "services[0].versions[0].endpoints[3]: 'a-.example:80': 'a-.example'" + name,
                "services[0].versions[0].endpoints[4]: '999.1.1.1:80': '999.1.1.1' is not an IPv4 address (expected:"
                        + " four numbers 0..255, e.g. 10.0.0.1)",
                "services[0].versions[0].endpoints[5]: '10.0.0:80': '10.0.0' is not an IPv4 address (expected:"
                        + " four numbers 0..255, e.g. 10.0.0.1)",
                "services[0].versions[0].endpoints[6]: '127.0.0.1:-1': port -1 (expected: 1..65535)",
                "services[0].versions[0].endpoints[7]: 'http://x:80': a URL (expected: host:port, without a scheme"
                        + " such as http://)",
                "services[0].versions[0].endpoints[8]: 'x:80/api': a path (expected: host:port, without a path)",
                "services[0].versions[0].endpoints[9]: '[zz]:80': 'zz' is not an IPv6 address (expected: [IPv6]:port,"
                        + " e.g. [::1]:8080)",
                "services[0].versions[0].endpoints[10]: '[::1]' (expected: [IPv6]:port, e.g. [::1]:8080)",
                "services[0].versions[0].endpoints[11]: 'h:+80': port is not a number (expected: host:port)",
                "services[0].versions[0].endpoints[12]: 'h:٨٠': port is not a number (expected: host:port)",
                "services[0].versions[0].endpoints[13]: 'h:123456789012': port of 12 digits (expected: 1..65535)",
                "services[0].versions[0].endpoints[14]: 'h:' (expected: host:port)");

        assertThat(parse("""
                proxy: { listen: "[::]:0" }
                services:
                  - name: shop
                    versions:
                      - name: blue
                        endpoints: ["Localhost:80", "svc.ns.svc.cluster.local.:8080", "1and1.example:1", "10.0.0.1:65535",
                                    "[::ffff:10.0.0.1]:80", "[fe80::1%eth0]:80", "[2001:db8::8:800:200c:417a]:443",
                                    "[1:2:3:4:5:6:7:8]:80"]
                """).services().get(0).versions().get(0).endpoints()).extracting(HostPort::toString).containsExactly(
                "Localhost:80", "svc.ns.svc.cluster.local.:8080", "1and1.example:1", "10.0.0.1:65535",
                "[::ffff:10.0.0.1]:80", "[fe80::1%eth0]:80", "[2001:db8::8:800:200c:417a]:443", "[1:2:3:4:5:6:7:8]:80");
        for (String bad : List.of("[1:2:3:4:5:6:7:8:9]:80", "[1::2::3]:80", "[:1::]:80", "[1:2:3:4:5:6:7::8]:80",
                "[::1.2.3]:80", "[12345::]:80", "[fe80::1%]:80")) {
            assertThat(errors(SHOP.replace("127.0.0.1:9001", bad))).as(bad).singleElement().asString()
                    .endsWith("is not an IPv6 address (expected: [IPv6]:port, e.g. [::1]:8080)");
        }
    }

    @Test
    void versionsNeedEndpointsAndUniqueValidNames() {
        assertThat(errors("""
                services:
                  - name: shop
                    versions:
                      - { name: blue, endpoints: [] }
                      - { name: blue, endpoints: ["127.0.0.1:1"] }
                      - { name: "-x", endpoints: ["127.0.0.1:2"] }
                      - { name: green }
                """)).containsExactly(
                "services[0].versions[0].endpoints: empty (expected: at least one host:port)",
                "services[0].versions[1].name: 'blue' duplicate (expected: unique version names)",
                "services[0].versions[2].name: '-x' (expected: a name matching [A-Za-z0-9][A-Za-z0-9_.-]*)",
                "services[0].versions[3].endpoints: missing (expected: at least one host:port)");
    }

    @Test
    void aBrokenVersionIsReportedOnceNotAgainOnWeightsAndRoutes() {
        assertThat(errors("""
                services:
                  - name: shop
                    versions:
                      - { name: blue, endpoints: ["127.0.0.1:9001"] }
                      - { name: "green!", endpoints: ["127.0.0.1:9002"] }
                    weights: { blue: 50, "green!": 50 }
                    routes: [ { match: { header: x-c }, version: "green!" } ]
                """)).containsExactly(
                "services[0].versions[1].name: 'green!' (expected: a name matching [A-Za-z0-9][A-Za-z0-9_.-]*)");
    }

    @Test
    void aServiceNeedsANameAndVersions() {
        assertThat(errors("services:\n  - match: { pathPrefix: /x }\n")).containsExactly(
                "services[0].name: missing (expected: a name matching [A-Za-z0-9][A-Za-z0-9_.-]*)",
                "services[0].versions: missing (expected: at least one version)");
    }

    @Test
    void duplicateServiceNamesAndOverlappingMatchesAreRefused() {
        assertThat(errors("""
                services:
                  - name: shop
                    match: { hosts: ["Shop.Local:8080", "b.local"] }
                    versions: [ { name: v1, endpoints: ["127.0.0.1:9001"] } ]
                  - name: shop
                    match: { hosts: ["x.local"] }
                    versions: [ { name: v1, endpoints: ["127.0.0.1:9001"] } ]
                  - name: other
                    match: { hosts: ["shop.local"], pathPrefix: "/" }
                    versions: [ { name: v1, endpoints: ["127.0.0.1:9001"] } ]
                  - name: fine
                    match: { hosts: ["shop.local"], pathPrefix: "/api" }
                    versions: [ { name: v1, endpoints: ["127.0.0.1:9001"] } ]
                  - name: badprefix
                    match: { pathPrefix: "api" }
                    versions: [ { name: v1, endpoints: ["127.0.0.1:9001"] } ]
                """)).containsExactly(
                "services[1].name: 'shop' duplicate of services[0] (expected: unique service names)",
                "services[2].match: host 'shop.local' with pathPrefix '/' is already matched by services[0] ('shop') "
                        + "(expected: a distinct host or pathPrefix)",
                "services[4].match.pathPrefix: 'api' (expected: a path starting with /)");
    }

    /**
     * A service or flag with an error of its own is still checked against the others: the duplicate name and the
     * shared match showed up one run of {@code veer check} after another, each once the error before it was fixed.
     */
    @Test
    void namesAndMatchesAreCheckedAcrossServicesThatHaveOtherErrors() {
        assertThat(errors("""
                services:
                  - name: shop
                    match: { hosts: ["a.local"] }
                    versions: [ { name: blue, endpoints: ["127.0.0.1:9001"] } ]
                    weights: { blue: 90 }
                  - name: shop
                    match: { hosts: ["a.local"] }
                    versions: [ { name: blue, endpoints: ["127.0.0.1:9002"] } ]
                    weights: { blue: 100 }
                  - name: "bad name"
                    match: { hosts: ["a.local", "b.local"] }
                    versions: [ { name: blue, endpoints: ["127.0.0.1:9003"] } ]
                  - name: cart
                    match: { hosts: ["b.local", "c local"] }
                    versions: [ { name: blue, endpoints: ["127.0.0.1:9004"] } ]
                flags:
                  - { name: f, percentage: 200 }
                  - { name: f }
                """)).containsExactly(
                "flags[0].percentage: 200 (expected: 0..100)",
                "flags[1].name: 'f' duplicate of flags[0] (expected: unique flag names)",
                "services[0].weights: sum is 90 (expected: 100)",
                "services[1].name: 'shop' duplicate of services[0] (expected: unique service names)",
                "services[1].match: host 'a.local' with pathPrefix '/' is already matched by services[0] ('shop')"
                        + " (expected: a distinct host or pathPrefix)",
                "services[2].name: 'bad name' (expected: a name matching [A-Za-z0-9][A-Za-z0-9_.-]*)",
                "services[2].match: host 'a.local' with pathPrefix '/' is already matched by services[0] ('shop')"
                        + " (expected: a distinct host or pathPrefix)",
                "services[3].match.hosts[1]: 'c local' (expected: a host name, or *.domain for every name under it;"
                        + " leave hosts out to match any host)",
                "services[3].match: host 'b.local' with pathPrefix '/' is already matched by services[2]"
                        + " (expected: a distinct host or pathPrefix)");
        // A match read as something else than written (a misspelt key reads as any host) is not compared.
        assertThat(errors(SHOP + """
                  - name: cart
                    match: { hostz: ["cart.local"] }
                    versions: [ { name: blue, endpoints: ["127.0.0.1:9003"] } ]
                """)).containsExactly("services[1].match.hostz: unknown key (expected one of: hosts, pathPrefix)");
        // Nor a host left as written because its ${VAR} is unset; a bad host is named at its own index.
        assertThat(errors(SHOP.replace("- name: shop", "- name: shop\n    match: { hosts: [\"${H}\"] }") + """
                  - name: cart
                    match: { hosts: [ { a: 1 }, "c local", "${H}" ] }
                    versions: [ { name: blue, endpoints: ["127.0.0.1:9003"] } ]
                """)).containsExactly(
                "services[0].match.hosts[0]: ${H} is not set (expected: the variable set, or a default: ${H:-value})",
                "services[1].match.hosts[2]: ${H} is not set (expected: the variable set, or a default: ${H:-value})",
                "services[1].match.hosts[0]: a mapping (expected: a string)",
                "services[1].match.hosts[1]: 'c local' (expected: a host name, or *.domain for every name under it;"
                        + " leave hosts out to match any host)");
    }

    /** A weight left as written because its ${VAR} is unset is not summed as 0: the variable is the one error. */
    @Test
    void aWeightWhoseVariableIsUnsetGivesNoSumError() {
        assertThat(errors(SHOP + "    weights: { blue: \"${W}\", green: 0 }\n")).containsExactly(
                "services[0].weights.blue: ${W} is not set (expected: the variable set, or a default: ${W:-value})");
    }

    @Test
    void routesNameKnownVersionsAndFlags() {
        assertThat(errors("""
                services:
                  - name: shop
                    versions:
                      - { name: blue, endpoints: ["127.0.0.1:9001"] }
                      - { name: green, endpoints: ["127.0.0.1:9002"] }
                    routes:
                      - { match: { header: { name: x-canary, value: always } }, version: purple }
                      - { match: { flag: nope }, version: green }
                      - { match: { flag: ab, variant: c }, version: green }
                      - { match: { header: x-a, cookie: b }, version: green }
                      - { match: { cookie: { name: "bad name" } }, version: green }
                      - { match: { header: x-ok }, version: green }
                flags:
                  - { name: ab, variants: [ { name: a, weight: 1 }, { name: b, weight: 1 } ] }
                """)).containsExactly(
                "services[0].routes[0].version: 'purple' unknown version (expected one of: blue, green)",
                "services[0].routes[1].match.flag: 'nope' unknown flag (expected: one of: ab)",
                "services[0].routes[2].match.variant: 'c' unknown variant of flag 'ab' (expected: one of: a, b)",
                "services[0].routes[3].match: more than one condition (expected: exactly one of header, cookie, flag)",
                "services[0].routes[4].match.cookie.name: 'bad name' (expected: a valid cookie name)");
    }

    @Test
    void aFlagRouteWithoutAnyFlagsDeclared() {
        assertThat(errors(Configs.SHOP + "    routes: [ { match: { flag: f }, version: green } ]\n")).containsExactly(
                "services[0].routes[0].match.flag: 'f' unknown flag (expected: a flag declared under flags)");
    }

    @Test
    void aBrokenFlagIsNotAlsoReportedAsUnknownOnItsRoutes() {
        assertThat(errors(Configs.SHOP + """
                    routes: [ { match: { flag: f, variant: x }, version: green } ]
                flags: [ { name: f, percentage: 200 } ]
                """)).containsExactly("flags[0].percentage: 200 (expected: 0..100)");
    }

    @Test
    void stickyNeedsACookieTokenAndAKeySource() {
        assertThat(errors(Configs.SHOP + "    sticky: { cookie: \"a;b\", hashOn: \"query:id\" }\n")).containsExactly(
                "services[0].sticky.cookie: 'a;b' (expected: a cookie name, letters, digits and !#$%&'*+-.^_`|~)",
                "services[0].sticky.hashOn: 'query:id' (expected: header:NAME or cookie:NAME)");
    }

    /** Hosts are held to what a request's Host may be; a trailing dot is the same host, as on the wire. */
    @Test
    void matchHostsAreWhatARequestCanName() throws Exception {
        String yaml = """
                services:
                  - name: shop
                    match: { hosts: ["Shop.Local.", "a,b", "x%zz", "ok%41.example"] }
                    versions: [ { name: blue, endpoints: ["127.0.0.1:9001"] } ]
                    weights: { blue: 100 }
                """;
        assertThat(errors(yaml)).containsExactly(
                "services[0].match.hosts[1]: 'a,b' (expected: a host name, or *.domain for every name under it;"
                        + " leave hosts out to match any host)",
                "services[0].match.hosts[2]: 'x%zz' (expected: a host name, or *.domain for every name under it;"
                        + " leave hosts out to match any host)");
        assertThat(parse(yaml.replace(", \"a,b\", \"x%zz\"", "")).services().get(0).match().hosts())
                .containsExactly("shop.local", "ok%41.example");
    }

    /** A service that is no mapping reads as any host on /: it clashes with nothing, it is wrong already. */
    @Test
    void servicesThatAreNoMappingAreNotSaidToClash() {
        assertThat(errors("services: [\"a\", \"b\"]\n")).noneMatch(e -> e.contains("already matched"));
    }

    @Test
    void durationsNeedAUnit() {
        assertThat(errors("""
                proxy:
                  drainTimeout: 30
                  eventBatchMicros: 5000
                  limits: { headerTimeout: 10x, idleTimeout: 0s, maxBodyBytes: 10MB, maxHeaderCount: 0 }
                """)).containsExactly(
                "proxy.limits.maxHeaderCount: 0 (expected: 1..100000)",
                "proxy.limits.maxBodyBytes: '10MB' (expected: bytes, or a size like 64KiB, 10MiB, 1GiB)",
                "proxy.limits.headerTimeout: '10x' (expected: a duration with a unit, e.g. 500ms, 30s, 5m, 2h, 1h30m)",
                "proxy.limits.idleTimeout: '0s' (expected: at least 1ms)",
                "proxy.drainTimeout: 30 (expected: a duration with a unit, e.g. 500ms, 30s, 5m, 2h, 1h30m)",
                "proxy.eventBatchMicros: 5000 (expected: 0..1000)");
    }

    /** A negative duration has its unit: it is refused for its sign, not as "a duration with a unit". */
    @Test
    void aNegativeDurationIsBelowTheMinimum() {
        assertThat(errors("proxy: { drainTimeout: -1s, limits: { idleTimeout: -1h30m } }\n")).containsExactly(
                "proxy.limits.idleTimeout: '-1h30m' (expected: at least 1ms)",
                "proxy.drainTimeout: '-1s' (expected: at least 0s)");
    }

    /**
     * Timers run in nanoseconds, which overflow past 292 years: 200000d passed the check, then every connection
     * failed to open (idle and response timeouts) or Veer stopped with "long overflow" (header timeout, health check
     * interval, drain). Too long for any Duration, it is refused for its length too, not as "a duration with a unit".
     */
    @Test
    void aDurationIsAtMostAYear() throws Exception {
        String expected = " (expected: at most 365d)";
        assertThat(errors("""
                proxy:
                  drainTimeout: 200000d
                  limits: { headerTimeout: 366d, idleTimeout: 200000d, responseTimeout: 8761h,
                            upstreamIdleTimeout: 99999999999999999999999h }
                services:
                  - name: shop
                    versions:
                      - { name: blue, endpoints: ["127.0.0.1:9001"] }
                    healthCheck: { interval: 200000d }
                    rollout: { steps: [ { weight: 5, pause: 400d } ] }
                """)).containsExactly(
                "proxy.limits.headerTimeout: '366d'" + expected,
                "proxy.limits.responseTimeout: '8761h'" + expected,
                "proxy.limits.idleTimeout: '200000d'" + expected,
                "proxy.limits.upstreamIdleTimeout: '99999999999999999999999h'" + expected,
                "proxy.drainTimeout: '200000d'" + expected,
                "services[0].healthCheck.interval: '200000d'" + expected,
                "services[0].rollout.steps[0].pause: '400d'" + expected);
        assertThat(parse("proxy: { limits: { idleTimeout: 365d } }\n").proxy().limits().idleTimeout())
                .isEqualTo(java.time.Duration.ofDays(365));
    }

    @Test
    void rolloutStepsAndAnalysisRanges() {
        assertThat(errors(Configs.SHOP + """
                    rollout:
                      steps: [ { weight: 101 }, {}, { approval: false }, { pause: 5 } ]
                      analysis: { maxErrorRate: 1.5, latencyPercentile: 1, failureLimit: 0, confidence: 0.5, bogus: 1,
                                  interval: 0s, minRequests: -1 }
                """)).containsExactly(
                "services[0].rollout.steps[0].weight: 101 (expected: 0..100)",
                "services[0].rollout.steps[1]: empty step (expected: weight, pause or approval: true)",
                "services[0].rollout.steps[2].approval: false (expected: true, or leave it out)",
                "services[0].rollout.steps[3].pause: 5 (expected: a duration with a unit, e.g. 500ms, 30s, 5m, 2h, 1h30m)",
                "services[0].rollout.analysis.bogus: unknown key (expected one of: interval, minRequests, maxErrorRate, "
                        + "maxErrorRateIncrease, latencyPercentile, maxLatency, maxLatencyIncrease, failureLimit, "
                        + "inconclusiveLimit, confidence)",
                "services[0].rollout.analysis.interval: '0s' (expected: at least 1ms)",
                "services[0].rollout.analysis.minRequests: -1 (expected: >= 0)",
                "services[0].rollout.analysis.maxErrorRate: 1.5 (expected: 0..1)",
                "services[0].rollout.analysis.latencyPercentile: 1 (expected: > 0 and < 1)",
                "services[0].rollout.analysis.failureLimit: 0 (expected: 1..10)",
                "services[0].rollout.analysis.confidence: 0.5 (expected: > 0.5 and < 1)");
    }

    @Test
    void healthCheckOutlierAndRetryRanges() {
        assertThat(errors(Configs.SHOP + """
                    healthCheck: { path: health, interval: 1s, timeout: 2s, healthyThreshold: 0 }
                    outlierDetection: { baseEjection: 1m, maxEjection: 30s, maxEjectionPercent: 101 }
                    retry: { attempts: 9, budgetRatio: 2 }
                """)).containsExactly(
                "services[0].healthCheck.path: 'health' (expected: a path starting with /)",
                "services[0].healthCheck.timeout: 2s (expected: at most the interval, 1s)",
                "services[0].healthCheck.healthyThreshold: 0 (expected: 1..1000)",
                "services[0].outlierDetection.maxEjection: 30s (expected: at least baseEjection, 1m)",
                "services[0].outlierDetection.maxEjectionPercent: 101 (expected: 0..100)",
                "services[0].retry.attempts: 9 (expected: 0..5)",
                "services[0].retry.budgetRatio: 2 (expected: 0..1)");
    }

    /**
     * The check sends its path as written: a space or line break broke its request line, and a non-ASCII character
     * went out as one Latin-1 byte or '?', so every endpoint failed its checks ("no answer within 1000 ms") and the
     * service answered 503.
     */
    @Test
    void aHealthCheckPathIsOneARequestCanSend() throws Exception {
        String expected = "': a request path holds such characters only percent-encoded (expected: '";
        for (String[] bad : List.of(new String[]{"/he alth", "/he%20alth"}, new String[]{"/h\\r\\nX: y", "/h%0D%0AX:%20y"},
                new String[]{"/sant\u00e9", "/sant%C3%A9"}, new String[]{"/health#ready", "/health%23ready"})) {
            assertThat(errors(Configs.SHOP + "    healthCheck: { path: \"" + bad[0] + "\" }\n"))
                    .containsExactly("services[0].healthCheck.path: '" + bad[0].replace("\\r\\n", "\r\n") + expected
                            + bad[1] + "')");
        }
        assertThat(parse(Configs.SHOP + "    healthCheck: { path: \"/health?probe=veer&x=%20\" }\n")
                .service("shop").healthCheck().path()).isEqualTo("/health?probe=veer&x=%20");
    }

    @Test
    void transportIsOneOfTheFourNames() throws Exception {
        assertThat(errors("proxy: { transport: uring }\n" + Configs.SHOP)).containsExactly(
                "proxy.transport: 'uring' (expected: auto, io_uring, epoll or nio)");
        assertThat(parse("proxy: { transport: io_uring }\n" + Configs.SHOP).proxy().transport())
                .isEqualTo(Transport.IO_URING);
        assertThat(parse(Configs.SHOP).proxy().transport()).as("default").isEqualTo(Transport.AUTO);
        assertThat(errors(Configs.SHOP, Map.of("VEER_PROXY_TRANSPORT", "EPOLL"), List.of())).containsExactly(
                "proxy.transport: 'EPOLL' (expected: auto, io_uring, epoll or nio) [from VEER_PROXY_TRANSPORT]");
    }

    @Test
    void flagRules() {
        assertThat(errors("""
                flags:
                  - name: a
                    percentage: 12.345
                    stickiness: "header:"
                    targeting:
                      - { header: x-plan }
                      - { header: x-plan, cookie: c, in: [x] }
                      - { header: x-plan, in: [] }
                      - { clientAddress: true, exists: 1 }
                      - { header: x-v, semverAtLeast: "two" }
                      - { header: x-plan, in: [a], equals: b }
                    variants: [ { name: v, weight: 0 }, { name: v, weight: 1 } ]
                  - name: a
                  - { name: b, enabled: maybe, percentage: 101 }
                """)).containsExactly(
                "flags[0].percentage: 12.345 (expected: at most 2 decimals)",
                "flags[0].stickiness: 'header:' (expected: header:NAME or cookie:NAME)",
                "flags[0].targeting[0]: no operator (expected: exactly one of equals, in, notIn, prefix, exists, "
                        + "semverAtLeast)",
                "flags[0].targeting[1]: more than one attribute (expected: exactly one of header: NAME, cookie: NAME, "
                        + "clientAddress: true)",
                "flags[0].targeting[2].in: a list (expected: a non-empty list of values)",
                "flags[0].targeting[3].exists: 1 (expected: true)",
                "flags[0].targeting[4].semverAtLeast: 'two' (expected: a version like 1.2.3)",
                "flags[0].targeting[5]: more than one operator (expected: exactly one of equals, in, notIn, prefix, "
                        + "exists, semverAtLeast)",
                "flags[0].variants[0].weight: 0 (expected: 1..1000000)",
                "flags[0].variants[1].name: 'v' duplicate (expected: unique variant names)",
                "flags[1].name: 'a' duplicate of flags[0] (expected: unique flag names)",
                "flags[2].enabled: 'maybe' (expected: true or false)",
                "flags[2].percentage: 101 (expected: 0..100)");
    }

    /** x-veer-flags could not tell a variant called off from a flag that is off. */
    @Test
    void aVariantMayNotBeCalledOnOrOff() {
        assertThat(errors("""
                flags:
                  - { name: a, variants: [ { name: "off", weight: 1 }, { name: "On", weight: 1 }, { name: b, weight: 1 } ] }
                """)).containsExactly(
                "flags[0].variants[0].name: 'off' (expected: a name other than on and off, which x-veer-flags sends"
                        + " for a flag without variants)",
                "flags[0].variants[1].name: 'On' (expected: a name other than on and off, which x-veer-flags sends"
                        + " for a flag without variants)");
    }

    @Test
    void duplicateFlagNames() {
        assertThat(errors("flags:\n  - name: a\n  - name: a\n"))
                .containsExactly("flags[1].name: 'a' duplicate of flags[0] (expected: unique flag names)");
    }

    /** Requests are matched in normal form, so a prefix in another never matches: refused, with the form it needs. */
    @Test
    void aPathPrefixIsInNormalForm() throws Exception {
        String service = "services:\n  - name: shop\n    match: { pathPrefix: \"%s\" }\n"
                + "    versions:\n      - { name: blue, endpoints: [\"127.0.0.1:9001\"] }\n";
        assertThat(errors(String.format(service, "/%61pi/"))).containsExactly("services[0].match.pathPrefix:"
                + " '/%61pi/' never matches: request paths are matched in normal form (expected: '/api/', or"
                + " proxy.normalizePath: false)");
        assertThat(errors(String.format(service, "/a/./b/%2f"))).singleElement().asString()
                .contains("(expected: '/a/b/%2F', or proxy.normalizePath: false)");
        assertThat(errors(String.format(service, "/a%zz/"))).containsExactly("services[0].match.pathPrefix:"
                + " '/a%zz/': a '%' without two hex digits (expected: a path, percent-encoded as %XX)");
        assertThat(parse(String.format(service, "/api/%2F")).services()).hasSize(1);
        // What no request's path holds raw, with or without normalisation.
        for (String[] raw : new String[][] {{"/é/", "/%C3%A9/"}, {"/a b", "/a%20b"}, {"/b\\\\x", "/b%5Cx"},
                {"/api#x", "/api%23x"}}) {
            for (String proxy : List.of("", "proxy: { normalizePath: false }\n")) {
                assertThat(errors(proxy + String.format(service, raw[0]))).as(raw[0]).containsExactly(
                        "services[0].match.pathPrefix: '" + raw[0].replace("\\\\", "\\") + "' never matches: a"
                                + " request's path holds such characters only percent-encoded (expected: '" + raw[1]
                                + "')");
            }
        }
        assertThat(parse("proxy: { normalizePath: false }\n" + String.format(service, "/%61pi/")).services())
                .as("matched as sent").hasSize(1);
    }

    /** An endpoint that is Veer's own listener loops each request through Veer some 5,000 times. */
    @Test
    void anEndpointIsNotVeersOwnListener() throws Exception {
        String service = "services:\n  - name: shop\n    versions:\n      - { name: blue, endpoints: [%s] }\n";
        assertThat(errors(String.format(service, "\"127.0.0.1:8080\""))).as("the default proxy.listen, 0.0.0.0:8080")
                .containsExactly("services[0].versions[0].endpoints[0]: '127.0.0.1:8080' is Veer's own proxy.listen"
                        + " '0.0.0.0:8080': every request would come back to Veer (expected: the address of your"
                        + " service)");
        for (String[] loop : new String[][] {{"127.0.0.1:9000", "\"127.0.0.1:9001\", \"localhost:9000\""},
                {"[::]:9000", "\"[::1]:9000\""}, {"[::]:9000", "\"127.0.0.1:9000\""}, {"0.0.0.0:9000", "\"0.0.0.0:9000\""},
                {"10.1.2.3:9000", "\"10.1.2.3:9000\""}, {"0.0.0.0:9000", "\"127.0.0.2:9000\""},
                {"127.0.0.1:9000", "\"0.0.0.0:9000\""}, {"[::1]:9000", "\"[::]:9000\""},
                // The JVM binds 0.0.0.0 on both stacks.
                {"0.0.0.0:9000", "\"[::1]:9000\""}, {"0.0.0.0:9000", "\"[::]:9000\""}}) {
            assertThat(errors("proxy: { listen: \"" + loop[0] + "\" }\n" + String.format(service, loop[1])))
                    .as(loop[0] + " <- " + loop[1]).singleElement().asString()
                    .contains("is Veer's own proxy.listen '" + loop[0] + "'");
        }
        // An address of one of this host's interfaces reaches a wildcard listener too.
        java.util.Optional<String> own = java.net.NetworkInterface.networkInterfaces()
                .flatMap(java.net.NetworkInterface::inetAddresses)
                .filter(a -> a instanceof java.net.Inet4Address && !a.isLoopbackAddress())
                .map(java.net.InetAddress::getHostAddress).findFirst();
        own.ifPresent(address -> assertThat(errors("proxy: { listen: \"0.0.0.0:9000\" }\n"
                + String.format(service, "\"" + address + ":9000\""))).as(address).singleElement().asString()
                .contains("is Veer's own proxy.listen"));
        // Apart: another port, another address, and any name but localhost,
        // which is not resolved (a backend named api.internal:8080 beside a proxy on 0.0.0.0:8080 is common).
        for (String[] apart : new String[][] {{"0.0.0.0:9000", "\"127.0.0.1:9001\""},
                {"127.0.0.1:9000", "\"127.0.0.2:9000\""}, {"127.0.0.2:9000", "\"0.0.0.0:9000\""},
                {"0.0.0.0:9000", "\"api.internal:9000\""}, {"127.0.0.1:0", "\"127.0.0.1:9000\""}}) {
            assertThat(parse("proxy: { listen: \"" + apart[0] + "\" }\n" + String.format(service, apart[1]))
                    .services()).as(apart[0] + " <- " + apart[1]).hasSize(1);
        }
    }

    /**
     * The proxy and the admin API on one socket passed the check; then start-up failed with "admin cannot listen
     * ... Address already in use", as if another process held the port.
     */
    @Test
    void proxyAndAdminListenersDoNotShareAPort() throws Exception {
        String expected = " (expected: a port proxy.listen does not use)";
        assertThat(errors("proxy: { listen: \"127.0.0.1:22690\" }\nadmin: { listen: \"127.0.0.1:22690\" }\n"))
                .containsExactly("admin.listen: '127.0.0.1:22690' needs port 22690, which proxy.listen"
                        + " '127.0.0.1:22690' already takes" + expected);
        assertThat(errors("admin: { listen: \"127.0.0.1:8080\" }\n")).as("the default proxy.listen, 0.0.0.0:8080")
                .containsExactly("admin.listen: '127.0.0.1:8080' needs port 8080, which proxy.listen '0.0.0.0:8080'"
                        + " already takes" + expected);
        assertThat(errors("proxy: { listen: \"[::]:9000\" }\nadmin: { listen: \"127.0.0.1:9000\" }\n"))
                .singleElement().asString().startsWith("admin.listen: '127.0.0.1:9000' needs port 9000");
        assertThat(errors("proxy: { listen: \"localhost:9000\" }\nadmin: { listen: \"127.0.0.1:9000\" }\n"))
                .singleElement().asString().startsWith("admin.listen: '127.0.0.1:9000' needs port 9000");
        assertThat(errors("", Map.of("VEER_ADMIN_LISTEN", "127.0.0.1:8080"), List.of())).containsExactly(
                "admin.listen: '127.0.0.1:8080' needs port 8080, which proxy.listen '0.0.0.0:8080' already takes"
                        + expected + " [from VEER_ADMIN_LISTEN]");

        // A bad proxy.listen reads as the default; it is not compared, nor is one in a section that is no mapping.
        assertThat(errors("proxy: { listen: nope }\nadmin: { listen: \"127.0.0.1:8080\" }\n"))
                .containsExactly("proxy.listen: 'nope' (expected: host:port)");
        assertThat(errors("proxy: [1]\nadmin: { listen: \"127.0.0.1:8080\" }\n"))
                .containsExactly("proxy: a list (expected: a mapping)");

        // Apart: port 0 (any free port), other ports, other addresses, an IPv6 address beside the IPv4 wildcard.
        for (String[] apart : new String[][] {{"127.0.0.1:0", "127.0.0.1:0"}, {"127.0.0.1:8080", "127.0.0.1:9090"},
                {"127.0.0.1:8080", "127.0.0.2:8080"}, {"0.0.0.0:8080", "[::1]:8080"}}) {
            assertThat(parse("proxy: { listen: \"" + apart[0] + "\" }\nadmin: { listen: \"" + apart[1] + "\" }\n")
                    .admin().listen()).hasToString(apart[1]);
        }
    }

    @Test
    void adminTokenRequiredOffLoopback() {
        assertThat(errors("admin: { listen: \"0.0.0.0:9090\" }\n"))
                .containsExactly("admin.token: required when admin.listen (0.0.0.0:9090) is not loopback (expected:"
                        + " a token, e.g. VEER_ADMIN_TOKEN from openssl rand -hex 24, or admin.listen on 127.0.0.1)");
    }

    @Test
    void wrongShapesAreReported() {
        assertThat(errors("proxy: [1]\nservices: { name: x }\nstate: { dir: \"\" }\n")).containsExactly(
                "proxy: a list (expected: a mapping)",
                "state.dir: '' (expected: a directory path)",
                "services: a mapping (expected: a list)");
    }

    /** Each was followed by the keys it lacks, as missing: {@code versions: [v1]} gave three errors for one. */
    @Test
    void aListElementThatIsNoMappingIsOneError() {
        assertThat(errors("""
                services:
                  - shop
                  - name: cart
                    versions: [ v1, { name: v2, endpoints: ["127.0.0.1:9002"] } ]
                    routes: [ x, { match: y, version: v2 } ]
                    rollout: { steps: [ 5 ] }
                flags:
                  - f
                  - { name: g, targeting: [ premium ], variants: [ a ] }
                """)).containsExactly(
                "flags[0]: 'f' (expected: a mapping)",
                "flags[1].targeting[0]: 'premium' (expected: a mapping)",
                "flags[1].variants[0]: 'a' (expected: a mapping)",
                "services[0]: 'shop' (expected: a mapping)",
                "services[1].versions[0]: 'v1' (expected: a mapping)",
                "services[1].routes[0]: 'x' (expected: a mapping)",
                "services[1].routes[1].match: 'y' (expected: a mapping)",
                "services[1].rollout.steps[0]: 5 (expected: a mapping)");
    }

    @Test
    void everyMistakeInOneFileIsReportedTogether() {
        assertThat(errors("""
                proxy:
                  listen: "nope"
                  ioThreads: many
                  normalizePath: yes please
                admin:
                  metricsAuth: sometimes
                services:
                  - name: shop
                    versions:
                      - { name: blue, endpoints: ["127.0.0.1:9001"] }
                      - { name: green, endpoints: ["127.0.0.1:x"] }
                    weights: { blue: 90, green: 5 }
                """)).containsExactly(
                "proxy.listen: 'nope' (expected: host:port)",
                "proxy.ioThreads: 'many' (expected: an integer 0..1024)",
                "proxy.normalizePath: 'yes please' (expected: true or false)",
                "admin.metricsAuth: 'sometimes' (expected: true or false)",
                "services[0].versions[1].endpoints[0]: '127.0.0.1:x': port is not a number (expected: host:port)",
                "services[0].weights: sum is 95 (expected: 100)");
    }

    @Test
    void syntaxErrorsNameTheSourceAndLine() {
        assertThat(errors("proxy:\n  listen: a\n  listen: b\n")).singleElement().asString()
                .startsWith("test.yaml:3:");
        assertThat(errors("proxy: [\n")).singleElement().asString().startsWith("test.yaml:");
    }

    /** Jackson named the key alone ("Duplicate field 'blue'"), not which of the mappings holds it twice. */
    @Test
    void aDuplicateKeyIsNamedByItsPath() {
        String expected = ": duplicate key (expected: each key once in a mapping; YAML keeps only one of them)";
        assertThat(errors("proxy:\n  listen: a\n  listen: b\n"))
                .containsExactly("test.yaml:3:9: proxy.listen" + expected);
        assertThat(errors("""
                services:
                  - name: shop
                    versions: [ { name: blue, endpoints: ["127.0.0.1:9001"] } ]
                    weights: { blue: 100, blue: 0 }
                """)).containsExactly("test.yaml:4:31: services[0].weights.blue" + expected);
    }

    /**
     * What the parser found, where, and while reading what: Jackson's own message gave only the "while ..." part
     * ("while scanning a quoted scalar") and the place it was at, not "found unexpected end of stream".
     */
    @Test
    void syntaxErrorsSayWhatWasFoundWhereAndWhileReadingWhat() {
        String valid = " (expected: valid YAML or JSON)";
        assertThat(errors("proxy:\n  listen: \"127.0.0.1:8080\n")).containsExactly("test.yaml:3:1: found unexpected end"
                + " of stream, while scanning a quoted scalar started at 2:11" + valid);
        assertThat(errors("proxy:\n\tlisten: x\n")).containsExactly("test.yaml:2:1: found a tab that cannot start any"
                + " token. (Do not use tabs for indentation), while scanning for the next token" + valid);
        assertThat(errors("a: b\n  c: d\n")).containsExactly("test.yaml:2:4: mapping values are not allowed here"
                + valid);
    }

    /**
     * In { } and [ ] a plain value ends at '{', so an unquoted ${W:-100} there is a syntax error: the hint says to
     * quote it, which changes nothing else (an expanded value is typed as if unquoted).
     */
    @Test
    void anUnquotedReferenceInAFlowMappingIsASyntaxErrorWithAHint() throws Exception {
        String service = """
                services:
                  - name: shop
                    versions: [ { name: blue, endpoints: ["127.0.0.1:9001"] } ]
                """;
        assertThat(errors(service + "    weights: { blue: ${W:-100} }\n")).containsExactly("test.yaml:4:23: expected"
                + " ',' or '}', but got {, while parsing a flow mapping started at 4:14 (expected: valid YAML or JSON;"
                + " ${...} inside { } or [ ] needs quotes: \"${W:-100}\", which is still expanded and typed like an"
                + " unquoted value)");
        assertThat(parse(service + "    weights: { blue: \"${W:-100}\" }\n").services().get(0).weights().of("blue"))
                .isEqualTo(10_000);
    }

    /**
     * Jackson's tree reader reads an alias as the anchor's name: {@code cookie: *ck} was the cookie "ck", and
     * {@code veer check} said ok. Every alias, of a scalar, a mapping, as a key or a merge, is refused where it is.
     */
    @Test
    void aliasesAreRefusedWithWhereTheyAre() throws Exception {
        String hint = " is not supported (expected: the value written out again where it is used; YAML anchors and"
                + " aliases are not read)";
        assertThat(errors("""
                services:
                  - name: shop
                    versions: [ { name: blue, endpoints: ["127.0.0.1:9001"] } ]
                    sticky: { cookie: &ck veer_shop }
                  - name: cart
                    match: { pathPrefix: /cart }
                    versions: [ { name: blue, endpoints: ["127.0.0.1:9002"] } ]
                    sticky: { cookie: *ck }
                """)).containsExactly("test.yaml:8:23: alias *ck" + hint);
        assertThat(errors("proxy: &p { listen: \"127.0.0.1:8080\" }\nadmin: *p\n"))
                .containsExactly("test.yaml:2:8: alias *p" + hint);
        assertThat(errors("x: &limits { maxBodyBytes: 1 }\nproxy:\n  limits:\n    <<: *limits\n"))
                .containsExactly("test.yaml:4:9: alias *limits" + hint);
        assertThat(errors("proxy:\n  &k listen: \"127.0.0.1:1\"\nadmin:\n  *k : \"127.0.0.1:2\"\n"))
                .singleElement().asString().startsWith("test.yaml:4:").endsWith("alias *k" + hint);
        // An anchor nothing refers to changes nothing.
        assertThat(parse(SHOP.replace("versions:", "versions: &v")).services().get(0).versions()).hasSize(2);
    }

    /** Jackson reads the first document only: what follows a --- line was silently ignored. */
    @Test
    void aSecondDocumentIsRefused() throws Exception {
        assertThat(errors(SHOP + "---\nproxy: { listen: \"127.0.0.1:1\" }\n")).containsExactly("test.yaml:7:1: a"
                + " second document (expected: one YAML document; what follows its --- line would be ignored)");
        // A --- that starts the only document, and an empty document after it, lose nothing.
        assertThat(parse("---\n" + SHOP + "---\n# nothing\n").services()).hasSize(1);
    }

    /** A number is given short, as 1E+400 rather than its 401 digits. */
    @Test
    void hugeNumbersAreShortInMessages() {
        assertThat(errors(SHOP + """
                    weights: { blue: 1e400, green: 1e-400 }
                    rollout: { analysis: { maxErrorRate: 1e300, minRequests: 100000000000000000000000000000000000000 } }
                """)).containsExactly(
                "services[0].weights.blue: 1E+400 (expected: 0..100)",
                "services[0].weights.green: 1E-400 (expected: at most 2 decimals)",
                "services[0].rollout.analysis.minRequests: 1E+38 (expected: an integer >= 0)",
                "services[0].rollout.analysis.maxErrorRate: 1E+300 (expected: 0..1)");
    }
}
