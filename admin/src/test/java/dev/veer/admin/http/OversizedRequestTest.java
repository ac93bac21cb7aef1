package dev.veer.admin.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veer.admin.auth.BearerAuth;
import dev.veer.admin.http.RawClient.Answer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/** A request the admin listener cannot decode is answered as the proxy listener answers it, then closed. */
class OversizedRequestTest {

    private AdminHttpServer server;
    private InetSocketAddress admin;

    @BeforeEach
    void start() throws InterruptedException {
        Router router = new Router().add("GET", "/api/v1/ping", Router.Access.API,
                r -> CompletableFuture.completedFuture(ApiResponse.text(200, "pong\n", ApiResponse.TEXT)));
        server = AdminHttpServer.start(new InetSocketAddress("127.0.0.1", 0), router, new BearerAuth(null), true,
                new ObjectMapper());
        admin = server.localAddress();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private Answer refusedAndClosed(String request, int status) throws Exception {
        try (RawClient client = new RawClient(admin)) {
            Answer answer = client.exchange(request);
            assertThat(answer.status()).as(answer.toString()).isEqualTo(status);
            assertThat(answer.headers().get("connection")).isEqualTo("close");
            assertThat(client.closedWithin(Duration.ofSeconds(5))).isTrue();
            return answer;
        }
    }

    @Test
    void headersOverTheLimitGet431() throws Exception {
        Answer answer = refusedAndClosed("GET /api/v1/ping HTTP/1.1\r\nHost: localhost\r\nX-Big: " + "a".repeat(20_000)
                + "\r\n\r\n", 431);
        assertThat(answer.json().get("error").asText()).isEqualTo("request headers too large");
    }

    @Test
    void aRequestLineOverTheLimitGets414() throws Exception {
        Answer answer = refusedAndClosed("GET /api/v1/ping?q=" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: localhost\r\n\r\n",
                414);
        assertThat(answer.json().get("error").asText()).isEqualTo("request line too long");
    }

    @Test
    void aChunkSizeLineOverTheLineLimitIsMalformedBodyFramingNot414() throws Exception {
        Answer answer = refusedAndClosed("POST /api/v1/ping HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n"
                + "\r\n1;ext=" + "x".repeat(5_000) + "\r\na\r\n0\r\n\r\n", 400);
        assertThat(answer.json().get("error").asText()).isEqualTo("malformed HTTP request");
    }

    @Test
    void aMalformedRequestGets400() throws Exception {
        Answer answer = refusedAndClosed("GET /api/v1/ping HTTP/1.1\r\nHost: localhost\r\nNo colon here\r\n\r\n", 400);
        assertThat(answer.json().get("error").asText()).isEqualTo("malformed HTTP request");
    }
}
