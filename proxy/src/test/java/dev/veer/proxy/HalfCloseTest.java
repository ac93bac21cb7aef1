package dev.veer.proxy;

import static dev.veer.proxy.support.Specs.service;
import static dev.veer.proxy.support.Specs.version;
import static dev.veer.proxy.support.Specs.weights;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.veer.proxy.support.Backend;
import dev.veer.proxy.support.RawHttp;
import dev.veer.proxy.support.Specs;
import io.netty.handler.codec.http.HttpResponseStatus;
import dev.veer.config.model.Transport;
import io.netty.channel.epoll.Epoll;
import java.io.IOException;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A client that shuts down its sending side after its request ({@code nc -N}, {@code shutdown(SHUT_WR)}) still gets
 * the answer, as from HAProxy; one that stops mid-request, or on an idle connection, is closed at once. On each
 * transport this machine runs but epoll, where the FIN closes the connection, as nginx does: Netty 4.2.18 stops
 * watching a socket whose input shut, so a write that has to wait for room could not finish.
 */
class HalfCloseTest {

    /** Long enough for the client's FIN to reach the proxy before the response does. */
    private static final long BACKEND_DELAY_MILLIS = 200;
    /** More than the kernel's socket buffers hold on loopback: the proxy has to wait for room to write it all. */
    private static final int BIG_BODY = 8 * 1024 * 1024;
    private static Backend backend;
    private static final Map<Transport, ProxyServer> proxies = new EnumMap<>(Transport.class);

    @BeforeAll
    static void start() throws Exception {
        backend = new Backend("v1");
        String big = "b".repeat(BIG_BODY);
        backend.respondWith(r -> {
            try {
                Thread.sleep(BACKEND_DELAY_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return r.method().equals("POST") ? Backend.echo(r)
                    : Backend.text(HttpResponseStatus.OK, r.uri().equals("/big") ? big : "ok " + r.uri());
        });
    }

    /** The transports that answer a half-closed client: all this machine runs but epoll (see the class comment). */
    static Stream<Transport> halfClosing() {
        return TransportTest.runnable().filter(t -> t != Transport.EPOLL);
    }

    private static int port(Transport transport) {
        return proxies.computeIfAbsent(transport, t -> {
            try {
                return ProxyServer.start(Specs.settings(t), List.of(service("svc", List.of("svc"), "/",
                        List.of(version("v1", backend.address())), weights("v1", 10000), null, List.of(), null)),
                        List.of());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).localAddress().getPort();
    }

    /** A client that sends {@code requests} and then shuts down its sending side (FIN). */
    private static RawHttp sentThenFin(Transport transport, String requests) throws IOException {
        RawHttp http = new RawHttp(port(transport));
        http.send(requests);
        http.socket().shutdownOutput();
        return http;
    }

    /** Reads the one response a half-closed client gets: a 200 saying it is the last, then the close. */
    private static RawHttp.Response answeredThenClosed(RawHttp http) throws IOException {
        RawHttp.Response r = http.read();
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("connection")).isEqualTo("close");
        assertThat(http.closedWithin(2000)).isTrue();
        return r;
    }

    @AfterAll
    static void stop() throws IOException {
        for (ProxyServer proxy : proxies.values()) {
            proxy.close();
        }
        backend.close();
    }

    @ParameterizedTest
    @MethodSource("halfClosing")
    void aRequestFollowedByTheClientsFinIsAnsweredThenTheConnectionCloses(Transport transport) throws Exception {
        try (RawHttp http = sentThenFin(transport, "GET /one HTTP/1.1\r\nHost: svc\r\n\r\n")) {
            assertThat(answeredThenClosed(http).bodyText()).isEqualTo("ok /one");
        }
    }

    @ParameterizedTest
    @MethodSource("halfClosing")
    void aWholeBodyBeforeTheFinReachesTheBackendAndIsAnswered(Transport transport) throws Exception {
        try (RawHttp http = sentThenFin(transport, "POST /upload HTTP/1.1\r\nHost: svc\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")) {
            assertThat(answeredThenClosed(http).bodyText()).isEqualTo("hello world");
        }
    }

    @ParameterizedTest
    @MethodSource("halfClosing")
    void pipelinedRequestsBeforeTheFinAreAllAnsweredInOrder(Transport transport) throws Exception {
        try (RawHttp http = sentThenFin(transport,
                "GET /a HTTP/1.1\r\nHost: svc\r\n\r\nGET /b HTTP/1.1\r\nHost: svc\r\n\r\n")) {
            RawHttp.Response first = http.read();
            RawHttp.Response second = http.read();
            assertThat(first.bodyText()).isEqualTo("ok /a");
            assertThat(first.header("connection")).isNull();
            assertThat(second.bodyText()).isEqualTo("ok /b");
            assertThat(second.header("connection")).isEqualTo("close");
            assertThat(http.closedWithin(2000)).isTrue();
        }
    }

    @ParameterizedTest
    @MethodSource("halfClosing")
    void aResponseLargerThanTheSocketBuffersReachesAClientThatReadsItLate(Transport transport) throws Exception {
        try (RawHttp http = sentThenFin(transport, "GET /big HTTP/1.1\r\nHost: svc\r\n\r\n")) {
            Thread.sleep(1000); // the proxy fills the buffers and waits for room
            assertThat(answeredThenClosed(http).body()).hasSize(BIG_BODY);
        }
    }

    @Test
    void onEpollTheFinClosesTheConnectionWithoutAnAnswer() throws Exception {
        assumeTrue(Epoll.isAvailable(), "epoll runs here");
        try (RawHttp http = sentThenFin(Transport.EPOLL, "GET /one HTTP/1.1\r\nHost: svc\r\n\r\n")) {
            assertThat(http.closedWithin(2000)).as("closed, nothing read").isTrue();
        }
    }

    @ParameterizedTest
    @MethodSource("dev.veer.proxy.TransportTest#runnable")
    void aFinBeforeTheBodyIsWholeClosesWithoutAnswerOrUpstreamRequest(Transport transport) throws Exception {
        int before = backend.requests().size();
        try (RawHttp http = sentThenFin(transport,
                "POST /partial HTTP/1.1\r\nHost: svc\r\nContent-Length: 10\r\n\r\nabc")) {
            assertThat(http.closedWithin(2000)).isTrue();
        }
        Thread.sleep(BACKEND_DELAY_MILLIS * 2);
        assertThat(backend.requests()).hasSize(before);
    }

    @ParameterizedTest
    @MethodSource("dev.veer.proxy.TransportTest#runnable")
    void aFinOnAnIdleKeepAliveConnectionClosesIt(Transport transport) throws Exception {
        try (RawHttp http = new RawHttp(port(transport))) {
            assertThat(http.send("GET /first HTTP/1.1\r\nHost: svc\r\n\r\n").read().bodyText()).isEqualTo("ok /first");
            http.socket().shutdownOutput();
            assertThat(http.closedWithin(2000)).isTrue();
        }
        // Half a head, then the FIN: no answer, no wait for the header timeout.
        try (RawHttp http = sentThenFin(transport, "GET /never HTTP/1.1\r\nHost: sv")) {
            assertThat(http.closedWithin(2000)).isTrue();
        }
    }
}
