package dev.veer.admin.http;

import dev.veer.admin.Http.Reply;
import org.junit.jupiter.api.Test;


import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code If-None-Match: *} on the two create-or-replace calls (a flag, a version) creates only: 412 when the flag or
 * version exists, nothing changed (RFC 9110 section 13.1.2). It was ignored, so an automation's "create it unless it
 * is there" replaced a flag someone had tuned meanwhile.
 */
class CreateOnlyTest extends AdminApiHarness {

    private Reply put(String path, String body, String ifNoneMatch) {
        return h.http.send("PUT", path, body, null, AdminApiTest.TOKEN, java.util.Map.of("If-None-Match", ifNoneMatch));
    }

    @Test
    void aFlagThatExistsIsNotReplaced() {
        Reply refused = put("/api/v1/flags/new_checkout", "{\"enabled\":false}", "*");
        assertThat(refused.status()).isEqualTo(412);
        assertThat(refused.json().get("error").asText()).contains("new_checkout").contains("If-None-Match");
        assertThat(h.http.get("/api/v1/flags/new_checkout").json().get("percentage").asInt()).isEqualTo(5);

        Reply created = put("/api/v1/flags/brand_new", "{\"enabled\":true}", "*");
        assertThat(created.status()).isEqualTo(200);
        assertThat(put("/api/v1/flags/brand_new", "{\"enabled\":false}", "*").status()).isEqualTo(412);
        assertThat(h.http.get("/api/v1/flags/brand_new").json().get("enabled").asBoolean()).isTrue();
    }

    @Test
    void aVersionThatExistsIsNotReplaced() {
        assertThat(put("/api/v1/services/shop/versions/green", "{\"endpoints\":[\"127.0.0.1:9100\"]}", "*").status())
                .isEqualTo(412);
        assertThat(h.http.get("/api/v1/services/shop").json().get("versions").get(1).get("endpoints").get(0)
                .get("address").asText()).isEqualTo("127.0.0.1:9002");
        assertThat(put("/api/v1/services/shop/versions/red", "{\"endpoints\":[\"127.0.0.1:9100\"]}", "*").status())
                .isEqualTo(200);
    }

    @Test
    void aRevisionListedIsAMismatchOnlyWhenItIsTheCurrentOne() {
        long revision = h.http.get("/api/v1/flags/new_checkout").json().get("revision").asLong();
        assertThat(put("/api/v1/flags/new_checkout", "{\"enabled\":true}", "\"" + revision + "\"").status())
                .isEqualTo(412);
        assertThat(put("/api/v1/flags/new_checkout", "{\"enabled\":true}", "\"" + (revision + 100) + "\"").status())
                .isEqualTo(200);
        assertThat(put("/api/v1/flags/new_checkout", "{\"enabled\":true}", "nonsense").status()).isEqualTo(400);
    }
}
