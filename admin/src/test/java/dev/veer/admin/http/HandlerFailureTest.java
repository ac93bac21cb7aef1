package dev.veer.admin.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veer.admin.auth.BearerAuth;
import dev.veer.admin.http.RawClient.Answer;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** An answer a handler's bug keeps from being built is still an answer: a 500, and the connection closed. */
class HandlerFailureTest {

    private AdminHttpServer server;

    @BeforeEach
    void start() throws InterruptedException {
        Router router = new Router()
                .add("GET", "/api/v1/null", Router.Access.API, r -> CompletableFuture.completedFuture(null))
                .add("GET", "/api/v1/bad-header", Router.Access.API, r -> CompletableFuture.completedFuture(
                        ApiResponse.text(200, "ok\n", ApiResponse.TEXT).withHeader("X-Bad", "a\r\nb")));
        server = AdminHttpServer.start(new InetSocketAddress("127.0.0.1", 0), router, new BearerAuth(null), true,
                new ObjectMapper());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void anAnswerThatCannotBeBuiltIsA500AndTheConnectionCloses() throws Exception {
        for (String path : new String[] {"/api/v1/null", "/api/v1/bad-header"}) {
            try (RawClient client = new RawClient(server.localAddress())) {
                Answer answer = client.exchange("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n");
                assertThat(answer.status()).as(path).isEqualTo(500);
                assertThat(answer.json().get("error").asText()).startsWith("internal error: ");
                assertThat(client.closedWithin(Duration.ofSeconds(5))).as(path).isTrue();
            }
        }
    }
}
