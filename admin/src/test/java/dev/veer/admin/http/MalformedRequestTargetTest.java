package dev.veer.admin.http;

import dev.veer.admin.http.RawClient.Answer;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A request target whose percent-escapes do not decode ({@code %zz}, a lone {@code %}) is a malformed request: it
 * gets a 400 with the JSON error body, with or without a token. Decoding it threw in the pipeline, and the
 * connection closed without an answer (curl: "Empty reply from server").
 */
class MalformedRequestTargetTest extends AdminApiHarness {

    private Answer get(String target, boolean withToken) throws Exception {
        try (RawClient client = new RawClient(h.server.localAddress())) {
            return client.exchange("GET " + target + " HTTP/1.1\r\nHost: localhost\r\n"
                    + (withToken ? "Authorization: Bearer " + AdminApiTest.TOKEN + "\r\n" : "") + "\r\n");
        }
    }

    @Test
    void aBadEscapeInThePathIs400() throws Exception {
        for (String target : new String[]{"/api/v1/services/%zz", "/api/v1/services/shop%", "/api/v1/flags/a%2",
                "/healthz%"}) {
            Answer answer = get(target, true);
            assertThat(answer.status()).as(target).isEqualTo(400);
            assertThat(answer.json().get("error").asText()).as(target).contains("percent-encoding");
            assertThat(answer.json().has("path")).isTrue();
        }
    }

    @Test
    void aBadEscapeInTheQueryIs400() throws Exception {
        for (String target : new String[]{"/api/v1/events?limit=%zz", "/api/v1/events?x=%"}) {
            Answer answer = get(target, true);
            assertThat(answer.status()).as(target).isEqualTo(400);
            assertThat(answer.json().get("error").asText()).as(target).contains("percent-encoding");
        }
    }

    @Test
    void aBadEscapeIs400WithoutATokenToo() throws Exception {
        assertThat(get("/api/v1/services/%zz", false).status()).isEqualTo(400);
    }

    @Test
    void aChangeWithABadEscapeInItsQueryChangesNothing() throws Exception {
        String body = "{\"blue\":90,\"green\":10}";
        try (RawClient client = new RawClient(h.server.localAddress())) {
            Answer answer = client.exchange("PUT /api/v1/services/shop/weights?x=%zz HTTP/1.1\r\nHost: localhost\r\n"
                    + "Authorization: Bearer " + AdminApiTest.TOKEN + "\r\nContent-Length: " + body.length()
                    + "\r\n\r\n" + body);
            assertThat(answer.status()).isEqualTo(400);
        }
        assertThat(h.http.get("/api/v1/services/shop").json().get("weights").toString())
                .isEqualTo("{\"blue\":100,\"green\":0}");
    }

    @Test
    void wellFormedEscapesStillDecode() throws Exception {
        assertThat(get("/api/v1/services/%73hop", true).status()).isEqualTo(200);
        assertThat(get("/api/v1/events?limit=%31", true).json().get("events").size()).isLessThanOrEqualTo(1);
    }

    /** In a path, unlike a form-encoded query, "+" is a plus sign (RFC 3986): the error names what was sent. */
    @Test
    void aPlusInThePathStaysAPlus() throws Exception {
        Answer answer = get("/api/v1/services/sh+op", true);
        assertThat(answer.status()).isEqualTo(404);
        assertThat(answer.json().get("error").asText()).isEqualTo("service sh+op not found");
    }
}
