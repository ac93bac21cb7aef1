package dev.veer.proxy;

import static dev.veer.proxy.support.Specs.service;
import static dev.veer.proxy.support.Specs.version;
import static dev.veer.proxy.support.Specs.weights;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.veer.config.model.Transport;
import dev.veer.proxy.server.EventLoopTransport;
import dev.veer.proxy.support.Backend;
import dev.veer.proxy.support.RawHttp;
import dev.veer.proxy.support.Specs;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.uring.IoUring;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every transport this machine allows carries the same traffic: keep-alive, bodies in both framings both ways,
 * concurrent clients. The rest of the suite runs on what {@code auto} picks (epoll here), so this is where the others
 * run.
 */
class TransportTest {

    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    static Stream<Transport> runnable() {
        List<Transport> here = new ArrayList<>(List.of(Transport.NIO));
        if (Epoll.isAvailable()) {
            here.add(Transport.EPOLL);
        }
        if (IoUring.isAvailable()) {
            here.add(Transport.IO_URING);
        }
        return here.stream();
    }

    @Test
    void autoTakesEpollWhereAllowedThenNio() {
        Transport expected = Epoll.isAvailable() ? Transport.EPOLL : Transport.NIO;
        assertThat(EventLoopTransport.select(Transport.AUTO, 20).kind()).isEqualTo(expected);
    }

    @Test
    void aTransportThisMachineLacksIsRefusedByName() {
        Transport missing = !IoUring.isAvailable() ? Transport.IO_URING : !Epoll.isAvailable() ? Transport.EPOLL : null;
        assumeTrue(missing != null, "io_uring and epoll both run here: nothing is missing to refuse");
        assertThatThrownBy(() -> EventLoopTransport.select(missing, 20))
                .isInstanceOf(EventLoopTransport.Unavailable.class)
                .hasMessageStartingWith("proxy.transport " + missing.configName() + " cannot run here: ")
                .hasMessageEndingWith(" (expected: auto, or a transport this machine allows)");
    }

    @ParameterizedTest
    @MethodSource("runnable")
    void carriesKeepAliveBodiesAndConcurrentClients(Transport transport) throws Exception {
        try (Backend echo = new Backend("echo")) {
            echo.respondWith(Backend::echo);
            try (ProxyServer proxy = ProxyServer.start(Specs.settings(transport),
                    List.of(service("echo", List.of(version("v", echo.address())), weights("v", 10000), null)),
                    List.of())) {
                assertThat(proxy.transport()).isEqualTo(transport);
                int port = proxy.localAddress().getPort();

                try (RawHttp http = new RawHttp(port)) {
                    for (int i = 0; i < 50; i++) {
                        String body = "request " + i;
                        http.send("POST /n HTTP/1.1\r\nHost: a\r\nContent-Length: " + body.length() + "\r\n\r\n"
                                + body);
                        RawHttp.Response r = http.read();
                        assertThat(r.status()).isEqualTo(200);
                        assertThat(r.bodyText()).isEqualTo(body);
                    }
                }
                assertThat(echo.connections()).as("one pooled upstream connection for 50 sequential requests")
                        .isEqualTo(1);

                byte[] big = new byte[3 * 1024 * 1024];
                new Random(7).nextBytes(big);
                for (String path : List.of("/length", "/chunked")) {
                    HttpRequest.BodyPublisher publisher = path.equals("/chunked")
                            ? HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(big))
                            : HttpRequest.BodyPublishers.ofByteArray(big);
                    HttpResponse<byte[]> r = CLIENT.send(HttpRequest.newBuilder(
                                    URI.create("http://127.0.0.1:" + port + path)).POST(publisher)
                                    .timeout(Duration.ofSeconds(30)).build(),
                            HttpResponse.BodyHandlers.ofByteArray());
                    assertThat(r.statusCode()).isEqualTo(200);
                    assertThat(Arrays.equals(r.body(), big)).as("3 MiB echoed through " + path).isTrue();
                }

                ExecutorService clients = Executors.newFixedThreadPool(8);
                try {
                    List<Future<Integer>> answered = new ArrayList<>();
                    for (int c = 0; c < 8; c++) {
                        int client = c;
                        answered.add(clients.submit(() -> {
                            int ok = 0;
                            try (RawHttp http = new RawHttp(port)) {
                                for (int i = 0; i < 100; i++) {
                                    String body = client + ":" + i;
                                    http.send(("POST /c HTTP/1.1\r\nHost: a\r\nContent-Length: " + body.length()
                                            + "\r\n\r\n" + body).getBytes(StandardCharsets.ISO_8859_1));
                                    RawHttp.Response r = http.read();
                                    ok += r.status() == 200 && r.bodyText().equals(body) ? 1 : 0;
                                }
                            }
                            return ok;
                        }));
                    }
                    for (Future<Integer> f : answered) {
                        assertThat(f.get()).as("echoed answers of one client's 100").isEqualTo(100);
                    }
                } finally {
                    clients.shutdownNow();
                }
            }
        }
    }
}
