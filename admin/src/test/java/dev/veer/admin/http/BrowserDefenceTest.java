package dev.veer.admin.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.veer.admin.http.RawClient.Answer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A web page must not drive the admin API: not by posting to it from another site (CSRF), nor by rebinding its
 * own name to 127.0.0.1 (DNS rebinding) when no token guards it. Over real sockets, with the headers a browser
 * sends.
 */
class BrowserDefenceTest {

    private static final String SWITCH_TO_GREEN = "{\"to\":\"green\"}";

    @TempDir
    Path dir;
    ControlPlaneHarness h;

    @AfterEach
    void stop() {
        h.close();
    }

    private void start(String token) throws Exception {
        h = new ControlPlaneHarness(dir, AdminApiTest.YAML, token);
    }

    /** POST .../switch with {@code headers} (CRLF-terminated lines) and a text/plain body, as a form or fetch can. */
    private Answer postSwitch(String host, String headers) throws IOException {
        try (RawClient client = new RawClient(h.server.localAddress())) {
            return client.exchange("POST /api/v1/services/shop/switch HTTP/1.1\r\nHost: " + host + "\r\n" + headers
                    + "Content-Type: text/plain\r\nContent-Length: " + SWITCH_TO_GREEN.length() + "\r\n\r\n"
                    + SWITCH_TO_GREEN);
        }
    }

    private Answer get(String host, String path, String headers) throws IOException {
        try (RawClient client = new RawClient(h.server.localAddress())) {
            return client.exchange("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n" + headers + "\r\n");
        }
    }

    private String own() {
        return "127.0.0.1:" + h.server.localAddress().getPort();
    }

    private static void assertForbidden(Answer answer, String because) {
        assertThat(answer.status()).as(answer.toString()).isEqualTo(403);
        assertThat(answer.headers().get("content-type")).startsWith("application/json");
        JsonNode error = answer.json();
        assertThat(error.fieldNames()).toIterable().containsExactly("error", "path");
        assertThat(error.get("error").asText()).contains(because);
        assertThat(error.get("path").asText()).isEmpty();
    }

    private void assertNothingChanged() {
        assertThat(h.http.get("/api/v1/services/shop").json().get("weights").toString())
                .isEqualTo("{\"blue\":100,\"green\":0}");
        assertThat(h.published).isEmpty();
        assertThat(h.http.get("/api/v1/events").json().get("events")).isEmpty();
    }

    @Test
    void anotherSitesPageCannotChangeAnything() throws Exception {
        start(null);
        assertForbidden(postSwitch(own(), "Origin: http://evil.example\r\n"), "Origin http://evil.example");
        assertForbidden(postSwitch(own(), "Origin: http://127.0.0.1:1\r\n"), "is not this server");
        assertForbidden(postSwitch(own(), "Origin: null\r\n"), "Origin null");
        assertForbidden(postSwitch(own(), "Sec-Fetch-Site: cross-site\r\n"), "Sec-Fetch-Site: cross-site");
        assertForbidden(postSwitch(own(), "Sec-Fetch-Site: same-site\r\n"), "Sec-Fetch-Site: same-site");
        assertForbidden(postSwitch(own(), "Origin: http://" + own() + "\r\nOrigin: http://evil.example\r\n"),
                "evil.example");
        assertNothingChanged();
    }

    @Test
    void theAdminsOwnPageCurlAndCtlAreServed() throws Exception {
        start(null);
        String port = Integer.toString(h.server.localAddress().getPort());
        for (String sameOrigin : List.of("Origin: http://" + own() + "\r\n", "Origin: HTTP://LOCALHOST:" + port
                + "\r\nSec-Fetch-Site: same-origin\r\n", "Sec-Fetch-Site: none\r\n", "")) {
            String host = sameOrigin.contains("LOCALHOST") ? "localhost:" + port : own();
            Answer answer = postSwitch(host, sameOrigin);
            assertThat(answer.status()).as(sameOrigin + answer).isEqualTo(200);
        }
        // The README's curl examples send -d without a JSON Content-Type.
        assertThat(h.http.send("POST", "/api/v1/services/shop/switch", "{\"to\":\"blue\"}", null, null,
                java.util.Map.of("Content-Type", "application/x-www-form-urlencoded")).status()).isEqualTo(200);
    }

    @Test
    void withoutATokenOnlyLoopbackNamesAreAnswered() throws Exception {
        start(null);
        int port = h.server.localAddress().getPort();
        for (String rebound : List.of("attacker.example:" + port, "attacker.example", "localhost.attacker.example",
                "127.0.0.1.nip.io:" + port, "0.0.0.0:" + port, "[::ffff:10.0.0.1]")) {
            // A rebinding page is same-origin to its own name: only the Host gives it away.
            assertForbidden(postSwitch(rebound, "Origin: http://" + rebound + "\r\n"), "is not a loopback name");
            assertForbidden(get(rebound, "/api/v1/services", ""), "is not a loopback name");
            assertForbidden(get(rebound, "/metrics", ""), "is not a loopback name");
        }
        assertNothingChanged();
        for (String loopback : List.of("localhost:" + port, "LocalHost", "127.0.0.1:" + port, "127.1.2.3",
                "[::1]:" + port)) {
            assertThat(get(loopback, "/api/v1/services", "").status()).as(loopback).isEqualTo(200);
        }
        try (RawClient client = new RawClient(h.server.localAddress())) {
            // No Host at all is no browser's request, so no rebinding page's: HTTP/1.0 by hand still works.
            assertThat(client.exchange("GET /api/v1/services HTTP/1.0\r\n\r\n").status()).isEqualTo(200);
        }
        try (RawClient client = new RawClient(h.server.localAddress())) {
            // Netty reads any HTTP/x.y: a version the API does not speak is refused, not served as HTTP/1.1.
            assertThat(client.exchange("GET /api/v1/services HTTP/2.0\r\nHost: localhost\r\n\r\n").status())
                    .isEqualTo(505);
        }
        // Probes may name the listener as they like, but still not from another site's page.
        assertThat(get("attacker.example:" + port, "/healthz", "").status()).isEqualTo(200);
        assertThat(get("10.0.0.7:" + port, "/readyz", "").status()).isEqualTo(200);
        assertForbidden(get(own(), "/healthz", "Origin: http://evil.example\r\n"), "Origin");
    }

    @Test
    void withATokenAnyHostIsAnsweredButNoOtherSitesPage() throws Exception {
        start(AdminApiTest.TOKEN);
        String bearer = "Authorization: Bearer " + AdminApiTest.TOKEN + "\r\n";
        assertThat(get("veer-admin.internal:9090", "/api/v1/services", bearer).status()).isEqualTo(200);
        assertThat(get("veer-admin.internal:9090", "/api/v1/services", "").status()).isEqualTo(401);
        assertForbidden(postSwitch(own(), bearer + "Origin: http://evil.example\r\n"), "Origin");
        assertNothingChanged();
    }

    @Test
    void anAmbiguousHostIs400() throws Exception {
        start(null);
        try (RawClient client = new RawClient(h.server.localAddress())) {
            Answer answer = client.exchange("GET /api/v1/services HTTP/1.1\r\nHost: " + own()
                    + "\r\nHost: attacker.example\r\n\r\n");
            assertThat(answer.status()).isEqualTo(400);
            assertThat(answer.json().get("error").asText()).contains("Host");
        }
        try (RawClient client = new RawClient(h.server.localAddress())) {
            // RFC 9112 §3.2: an HTTP/1.1 request must name its Host; it does not get past the loopback check unnamed.
            Answer answer = client.exchange("POST /api/v1/services/shop/switch HTTP/1.1\r\nContent-Length: 13\r\n"
                    + "\r\n{\"to\":\"green\"}");
            assertThat(answer.status()).isEqualTo(400);
            assertThat(answer.json().get("error").asText()).contains("no Host header");
        }
        assertNothingChanged();
    }

    /** A request target in absolute form is served (RFC 9112 §3.2.2), its authority taken as the Host. */
    @Test
    void anAbsoluteFormTargetIsServedWithItsAuthorityAsTheHost() throws Exception {
        start(null);
        try (RawClient client = new RawClient(h.server.localAddress())) {
            Answer answer = client.exchange("GET http://" + own() + "/api/v1/services/shop HTTP/1.1\r\nHost: "
                    + own() + "\r\n\r\n");
            assertThat(answer.status()).isEqualTo(200);
            assertThat(answer.json().get("name").asText()).isEqualTo("shop");
        }
        try (RawClient client = new RawClient(h.server.localAddress())) {
            // The authority, not the Host header, is what the loopback check reads.
            assertForbidden(client.exchange("GET http://attacker.example/api/v1/services HTTP/1.1\r\nHost: "
                    + own() + "\r\n\r\n"), "is not a loopback name");
        }
        try (RawClient client = new RawClient(h.server.localAddress())) {
            // The target's authority is no Host field: an HTTP/1.1 request still needs one (RFC 9112 §3.2).
            assertThat(client.exchange("GET http://" + own() + "/api/v1/services HTTP/1.1\r\n\r\n").status())
                    .isEqualTo(400);
        }
    }
}
