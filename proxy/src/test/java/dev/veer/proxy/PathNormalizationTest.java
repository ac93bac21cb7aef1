package dev.veer.proxy;

import static dev.veer.proxy.support.Specs.service;
import static dev.veer.proxy.support.Specs.version;
import static dev.veer.proxy.support.Specs.weights;
import static org.assertj.core.api.Assertions.assertThat;

import dev.veer.config.model.ProxySettings;
import dev.veer.config.model.ServiceSpec;
import dev.veer.proxy.support.Backend;
import dev.veer.proxy.support.RawHttp;
import dev.veer.proxy.support.Specs;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * proxy.normalizePath, end to end: {@code /} goes to blue, {@code /admin/} to adm. A target that a normalising
 * backend serves as {@code /admin/x} must reach adm, and each backend must get the path the route was chosen for.
 */
class PathNormalizationTest {

    private static Backend blue;
    private static Backend adm;
    private static ProxyServer normalizing;
    private static ProxyServer asSent;

    @BeforeAll
    static void start() throws Exception {
        blue = new Backend("blue");
        adm = new Backend("adm");
        normalizing = ProxyServer.start(settings(true), services(), List.of());
        asSent = ProxyServer.start(settings(false), services(), List.of());
    }

    private static ProxySettings settings(boolean normalizePath) {
        ProxySettings s = Specs.settings();
        return new ProxySettings(s.listen(), s.ioThreads(), s.limits(), s.maxConnections(), s.maxInFlight(),
                s.poolSizePerEndpoint(), s.drainTimeout(), s.eventBatchMicros(), s.transport(), s.accessLog(),
                normalizePath, s.tls());
    }

    private static List<ServiceSpec> services() {
        return List.of(
                service("site", List.of(), "/", List.of(version("blue", blue.address())), weights("blue", 10000),
                        null, List.of(), null),
                service("admin", List.of(), "/admin/", List.of(version("adm", adm.address())), weights("adm", 10000),
                        null, List.of(), null));
    }

    @AfterAll
    static void stop() {
        normalizing.close();
        asSent.close();
        blue.close();
        adm.close();
    }

    @ParameterizedTest(name = "{0} -> {1} {2}")
    @CsvSource(delimiterString = " | ", value = {
            "GET /./admin/x | adm | /admin/x",
            "GET /%61dmin/x | adm | /admin/x",
            "GET /public/../admin/x | adm | /admin/x",
            "GET /%2e%2E/admin/x | adm | /admin/x",
            "GET /admin/../x | blue | /x",
            "GET /admin/%2e%2e/x | blue | /x",
            "GET /admin/x/../../../../y?back=/../admin/ | blue | /y?back=/../admin/",
            // An encoded slash is part of its segment: no /admin/ directory here.
            "GET /admin%2fx | blue | /admin%2Fx",
            "GET /%61dmin%2F..%2Fx | blue | /admin%2F..%2Fx",
            // An empty segment is kept, as RFC 3986 keeps it.
            "GET //admin/x | blue | //admin/x",
            // Absolute form: normalised once it is origin form.
            "GET http://a/public/%2E%2E/admin/x?q=%2e | adm | /admin/x?q=%2e",
            "OPTIONS * | blue | *",
            "GET /admin/x%7e%c3%a9 | adm | /admin/x~%C3%A9"})
    void routesAndForwardsTheNormalPath(String requestLine, String backend, String forwarded) throws Exception {
        Backend expected = backend.equals("adm") ? adm : blue;
        Backend other = expected == adm ? blue : adm;
        int expectedBefore = expected.requests().size();
        int otherBefore = other.requests().size();
        RawHttp.Response r = send(normalizing, requestLine);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.bodyText()).isEqualTo(backend);
        assertThat(expected.requests().subList(expectedBefore, expected.requests().size()))
                .extracting(Backend.Recorded::uri).containsExactly(forwarded);
        assertThat(other.requests()).hasSize(otherBefore);
    }

    /** proxy.normalizePath: false is the earlier behaviour: routed by the bytes sent, and forwarded as sent. */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiterString = " | ", value = {
            "GET /./admin/x | blue | /./admin/x",
            "GET /%61dmin/x | blue | /%61dmin/x",
            "GET /public/../admin/x | blue | /public/../admin/x",
            "GET /admin/../x | adm | /admin/../x",
            "GET /admin/%zz | adm | /admin/%zz"})
    void offRoutesAndForwardsTheTargetAsSent(String requestLine, String backend, String forwarded) throws Exception {
        Backend expected = backend.equals("adm") ? adm : blue;
        int before = expected.requests().size();
        RawHttp.Response r = send(asSent, requestLine);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.bodyText()).isEqualTo(backend);
        assertThat(expected.requests().subList(before, expected.requests().size()))
                .extracting(Backend.Recorded::uri).containsExactly(forwarded);
    }

    /** A '%' without two hex digits after it cannot be normalised: refused as other malformed targets are. */
    @ParameterizedTest
    @CsvSource({"/admin/%zz", "/%", "/a%2", "/./admin/%g1", "/%61%?q"})
    void aMalformedPercentEncodingIsRefusedClosedAndNotForwarded(String target) throws Exception {
        int blueBefore = blue.requests().size();
        int admBefore = adm.requests().size();
        long refusedBefore = normalizing.refused().snapshot().getOrDefault(400, 0L);
        try (RawHttp http = new RawHttp(normalizing.localAddress().getPort())) {
            RawHttp.Response r = http.send("GET " + target + " HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.bodyText()).isEqualTo("400 Bad Request: malformed request target\n");
            assertThat(http.closedWithin(2000)).as("connection closed").isTrue();
        }
        assertThat(blue.requests()).hasSize(blueBefore);
        assertThat(adm.requests()).hasSize(admBefore);
        assertThat(normalizing.refused().snapshot().get(400)).isEqualTo(refusedBefore + 1);
    }

    /** A malformed encoding in the query is the backend's to judge: only the path is normalised. */
    @Test
    void theQueryIsNotChecked() throws Exception {
        int before = blue.requests().size();
        assertThat(send(normalizing, "GET /a?q=%zz%").status()).isEqualTo(200);
        assertThat(blue.requests().subList(before, blue.requests().size())).extracting(Backend.Recorded::uri)
                .containsExactly("/a?q=%zz%");
    }

    private static RawHttp.Response send(ProxyServer proxy, String requestLine) throws Exception {
        try (RawHttp http = new RawHttp(proxy.localAddress().getPort())) {
            return http.send(requestLine + " HTTP/1.1\r\nHost: a\r\n\r\n").read();
        }
    }
}
