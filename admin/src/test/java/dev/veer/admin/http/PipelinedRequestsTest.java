package dev.veer.admin.http;

import dev.veer.admin.http.RawClient.Answer;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Requests a client sends one after another without waiting (HTTP/1.1 pipelining) are answered in the order they
 * came (RFC 9112 section 9.3.2), whichever is quicker to serve. A change waits for the control-plane thread while a
 * read is answered at once: the read's answer went out first, and a later request with "Connection: close" closed
 * the connection before the change's answer was written, though the change was made.
 */
class PipelinedRequestsTest extends AdminApiHarness {

    private static final String AUTH = "Authorization: Bearer " + AdminApiTest.TOKEN + "\r\n";

    private static String putWeights(int blue, int green) {
        String body = "{\"blue\":" + blue + ",\"green\":" + green + "}";
        return "PUT /api/v1/services/shop/weights HTTP/1.1\r\nHost: localhost\r\n" + AUTH + "Content-Length: "
                + body.length() + "\r\n\r\n" + body;
    }

    private static String get(String target, boolean close) {
        return "GET " + target + " HTTP/1.1\r\nHost: localhost\r\n" + AUTH + (close ? "Connection: close\r\n" : "")
                + "\r\n";
    }

    @Test
    void aChangeIsAnsweredBeforeTheReadsSentAfterIt() throws Exception {
        try (RawClient client = new RawClient(h.server.localAddress())) {
            client.send(putWeights(90, 10) + get("/api/v1/events?limit=1", false) + get("/healthz", false));
            Answer change = client.read();
            Answer events = client.read();
            Answer health = client.read();
            assertThat(change.status()).isEqualTo(200);
            assertThat(change.json().get("weights").toString()).isEqualTo("{\"blue\":90,\"green\":10}");
            assertThat(events.json().get("events").get(0).get("action").asText()).isEqualTo("weights.set");
            assertThat(health.body()).isEqualTo("ok\n");
        }
    }

    @Test
    void aLaterRequestThatClosesTheConnectionWaitsForTheChangesAnswer() throws Exception {
        try (RawClient client = new RawClient(h.server.localAddress())) {
            client.send(putWeights(80, 20) + get("/api/v1/services/shop", true));
            Answer change = client.read();
            Answer read = client.read();
            assertThat(change.status()).isEqualTo(200);
            assertThat(change.json().has("revision")).isTrue();
            assertThat(change.json().get("weights").toString()).isEqualTo("{\"blue\":80,\"green\":20}");
            assertThat(read.json().get("weights").toString()).isEqualTo("{\"blue\":80,\"green\":20}");
            assertThat(client.closedWithin(Duration.ofSeconds(5))).isTrue();
        }
    }

    @Test
    void manyPipelinedChangesAreAnsweredOneByOneInOrder() throws Exception {
        StringBuilder requests = new StringBuilder();
        for (int green = 1; green <= 50; green++) {
            requests.append(putWeights(100 - green, green)).append(get("/api/v1/services/shop", false));
        }
        try (RawClient client = new RawClient(h.server.localAddress())) {
            client.send(requests.toString());
            for (int green = 1; green <= 50; green++) {
                String expected = "{\"blue\":" + (100 - green) + ",\"green\":" + green + "}";
                assertThat(client.read().json().get("weights").toString()).as("change %d", green).isEqualTo(expected);
                assertThat(client.read().json().get("weights").toString()).as("read %d", green).isEqualTo(expected);
            }
        }
    }

    @Test
    void aRefusedRequestAfterAChangeIsAnsweredAfterIt() throws Exception {
        String unauthorized = "GET /api/v1/services/shop HTTP/1.1\r\nHost: localhost\r\n\r\n";
        try (RawClient client = new RawClient(h.server.localAddress())) {
            client.send(putWeights(70, 30) + unauthorized);
            Answer change = client.read();
            Answer refused = client.read();
            assertThat(change.status()).isEqualTo(200);
            assertThat(change.json().get("weights").toString()).isEqualTo("{\"blue\":70,\"green\":30}");
            assertThat(refused.status()).isEqualTo(401);
        }
    }

    @Test
    void requestsAfterOneThatClosesTheConnectionAreNotServed() throws Exception {
        String closing = putWeights(60, 40).replace("Host: localhost\r\n", "Host: localhost\r\nConnection: close\r\n");
        try (RawClient client = new RawClient(h.server.localAddress())) {
            client.send(closing + putWeights(50, 50));
            Answer change = client.read();
            assertThat(change.json().get("weights").toString()).isEqualTo("{\"blue\":60,\"green\":40}");
            assertThat(change.headers().get("connection")).isEqualTo("close");
            assertThat(client.closedWithin(Duration.ofSeconds(5))).isTrue();
        }
        assertThat(h.http.get("/api/v1/services/shop").json().get("weights").toString())
                .isEqualTo("{\"blue\":60,\"green\":40}");
    }

    /** The same when the closing request is answered at once (a read): the change after it is neither made nor answered. */
    @Test
    void aChangeAfterARequestThatClosesTheConnectionAndIsAnsweredAtOnceIsNotMade() throws Exception {
        String before = h.http.get("/api/v1/services/shop").json().get("weights").toString();
        try (RawClient client = new RawClient(h.server.localAddress())) {
            client.send(get("/healthz", true) + putWeights(50, 50));
            Answer health = client.read();
            assertThat(health.headers().get("connection")).isEqualTo("close");
            assertThat(client.closedWithin(Duration.ofSeconds(5))).isTrue();
        }
        // A change sent after the close is made after anything the closed connection got dispatched.
        assertThat(h.http.put("/api/v1/flags/after_close", "{\"enabled\":false}").status()).isEqualTo(200);
        assertThat(h.http.get("/api/v1/services/shop").json().get("weights").toString()).isEqualTo(before);
        assertThat(h.http.get("/api/v1/events?limit=5").json().get("events").toString()).doesNotContain("weights.set");
    }
}
