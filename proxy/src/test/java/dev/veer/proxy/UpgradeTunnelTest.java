package dev.veer.proxy;

import static dev.veer.proxy.support.Specs.service;
import static dev.veer.proxy.support.Specs.version;
import static dev.veer.proxy.support.Specs.weights;
import static org.assertj.core.api.Assertions.assertThat;

import dev.veer.config.model.Limits;
import dev.veer.config.model.Transport;
import dev.veer.proxy.support.RawHttp;
import dev.veer.proxy.support.RequestHeads;
import dev.veer.proxy.support.Specs;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Protocol upgrades (WebSocket): the handshake reaches the upstream with its Upgrade and Connection fields, a 101
 * turns both connections into one tunnel that relays bytes each way as they come, and either side's close ends it.
 * The tunnel is held to the idle timeout, not to the response timeout.
 */
class UpgradeTunnelTest {

    private static final String HANDSHAKE = "GET %s HTTP/1.1\r\nHost: ws\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    private static final Duration RESPONSE_TIMEOUT = Duration.ofMillis(300);
    private static final Duration IDLE_TIMEOUT = Duration.ofMillis(1500);

    private static UpgradingBackend backend;
    private static ProxyServer proxy;

    @BeforeAll
    static void start() throws Exception {
        backend = new UpgradingBackend();
        Limits d = Limits.DEFAULTS;
        Limits limits = new Limits(d.maxHeaderBytes(), d.maxHeaderCount(), d.maxRequestLineBytes(), d.maxBodyBytes(),
                d.headerTimeout(), d.connectTimeout(), RESPONSE_TIMEOUT, IDLE_TIMEOUT, d.upstreamIdleTimeout());
        proxy = ProxyServer.start(Specs.settings(limits), List.of(service("ws", List.of("ws"), "/",
                List.of(version("v1", backend.address())), weights("v1", 10000), null, List.of(), null)), List.of());
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        backend.close();
    }

    @Test
    void aWebSocketHandshakeIsPassedOnAndBytesFlowBothWaysUntilTheClientCloses() throws Exception {
        backend.heads.clear();
        backend.closedConnections.clear();
        try (RawHttp client = new RawHttp(proxy.localAddress().getPort())) {
            RawHttp.Response switched = client.send(String.format(HANDSHAKE, "/echo")).read();
            assertThat(switched.status()).isEqualTo(101);
            assertThat(switched.header("upgrade")).isEqualTo("websocket");
            assertThat(switched.header("connection")).isEqualTo("upgrade");
            assertThat(switched.header("sec-websocket-accept")).isEqualTo("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");

            String head = backend.heads.poll(5, TimeUnit.SECONDS).toLowerCase(Locale.ROOT);
            assertThat(head).contains("\r\nupgrade: websocket\r\n").contains("\r\nconnection: upgrade\r\n")
                    .contains("\r\nsec-websocket-key: dghlihnhbxbszsbub25jzq==\r\n").contains("\r\nx-veer-version: v1\r\n");

            // Sent by the upstream right behind its 101, in the same write.
            assertThat(readExactly(client.socket().getInputStream(), 5)).isEqualTo("hello");
            for (String word : List.of("ping", "pong", "x".repeat(100_000))) {
                client.send(word);
                assertThat(readExactly(client.socket().getInputStream(), word.length()))
                        .isEqualTo(word.toUpperCase(Locale.ROOT));
            }
        }
        assertThat(backend.closedConnections.poll(5, TimeUnit.SECONDS)).isEqualTo("/echo");
    }

    @Test
    void aClientThatSentFinBeforeTheSwitchGetsThe101AndTheTunnelCloses() throws Exception {
        // NIO answers half-closed clients (epoll closes at the FIN): the 101 comes after the FIN, and a tunnel the
        // client can no longer send on must not stay open until the idle timeout (an hour by default).
        backend.closedConnections.clear();
        try (ProxyServer nio = ProxyServer.start(Specs.settings(Transport.NIO), List.of(service("ws", List.of("ws"),
                "/", List.of(version("v1", backend.address())), weights("v1", 10000), null, List.of(), null)),
                List.of());
             RawHttp client = new RawHttp(nio.localAddress().getPort())) {
            client.send(String.format(HANDSHAKE, "/echo"));
            client.socket().shutdownOutput();
            assertThat(client.read().status()).isEqualTo(101);
            assertThat(backend.closedConnections.poll(5, TimeUnit.SECONDS)).as("upstream side closed").isEqualTo("/echo");
        }
    }

    @Test
    void theTunnelOutlivesTheResponseTimeoutWhileBytesFlowAndClosesWhenIdle() throws Exception {
        try (RawHttp client = new RawHttp(proxy.localAddress().getPort())) {
            assertThat(client.send(String.format(HANDSHAKE, "/echo")).read().status()).isEqualTo(101);
            InputStream in = client.socket().getInputStream();
            assertThat(readExactly(in, 5)).isEqualTo("hello");
            // Six exchanges 200 ms apart: well past the 300 ms response timeout, never idle for the 1.5 s.
            for (int i = 0; i < 6; i++) {
                Thread.sleep(200);
                client.send("tick");
                assertThat(readExactly(in, 4)).isEqualTo("TICK");
            }
            assertThat(client.closedWithin((int) IDLE_TIMEOUT.toMillis() * 4)).isTrue();
        }
    }

    @Test
    void theUpstreamClosingTheTunnelClosesTheClientAfterItsLastBytes() throws Exception {
        try (RawHttp client = new RawHttp(proxy.localAddress().getPort())) {
            assertThat(client.send(String.format(HANDSHAKE, "/bye")).read().status()).isEqualTo(101);
            assertThat(readExactly(client.socket().getInputStream(), 3)).isEqualTo("bye");
            assertThat(client.closedWithin(5_000)).isTrue();
        }
    }

    @Test
    void anUpgradeTheUpstreamDeclinesIsAnOrdinaryExchangeOnAKeptConnection() throws Exception {
        try (RawHttp client = new RawHttp(proxy.localAddress().getPort())) {
            RawHttp.Response declined = client.send(String.format(HANDSHAKE, "/decline")).read();
            assertThat(declined.status()).isEqualTo(200);
            assertThat(declined.bodyText()).isEqualTo("no");
            RawHttp.Response next = client.send("GET /decline HTTP/1.1\r\nHost: ws\r\n\r\n").read();
            assertThat(next.status()).isEqualTo(200);
            assertThat(next.bodyText()).isEqualTo("no");
        }
    }

    @Test
    void aSwitchToH2cIsNotPassedOn() throws Exception {
        backend.heads.clear();
        try (RawHttp client = new RawHttp(proxy.localAddress().getPort())) {
            RawHttp.Response r = client.send("GET /decline HTTP/1.1\r\nHost: ws\r\nUpgrade: h2c\r\n"
                    + "Connection: Upgrade, HTTP2-Settings\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(200);
        }
        String head = backend.heads.poll(5, TimeUnit.SECONDS).toLowerCase(Locale.ROOT);
        assertThat(head).doesNotContain("upgrade").doesNotContain("http2-settings");
    }

    @Test
    void aSwitchNobodyAskedForIsABadGateway() throws Exception {
        try (RawHttp client = new RawHttp(proxy.localAddress().getPort())) {
            RawHttp.Response r = client.send("GET /echo HTTP/1.1\r\nHost: ws\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(502);
        }
    }

    private static String readExactly(InputStream in, int length) throws IOException {
        return new String(in.readNBytes(length), StandardCharsets.ISO_8859_1);
    }

    /**
     * Answers /echo with a 101 and "hello", then echoes upper-cased; /bye with a 101 and "bye", then closes;
     * /decline with a plain 200 on a kept connection. Records each request head and each tunnel's end.
     */
    private static final class UpgradingBackend implements AutoCloseable {
        private static final String SWITCHED = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";

        final BlockingQueue<String> heads = new LinkedBlockingQueue<>();
        final BlockingQueue<String> closedConnections = new LinkedBlockingQueue<>();
        private final ServerSocket server;

        UpgradingBackend() throws IOException {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread acceptor = new Thread(this::acceptLoop, "upgrading-backend");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        String address() {
            return "127.0.0.1:" + server.getLocalPort();
        }

        private void acceptLoop() {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    Thread t = new Thread(() -> serve(s), "upgrading-backend-conn");
                    t.setDaemon(true);
                    t.start();
                } catch (IOException e) {
                    return;
                }
            }
        }

        private void serve(Socket s) {
            try (s) {
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                String head;
                while ((head = RequestHeads.readOrNull(in)) != null) {
                    heads.add(head);
                    String path = head.split(" ")[1];
                    if (path.equals("/decline") || !head.toLowerCase(Locale.ROOT).contains("upgrade: websocket")) {
                        out.write(path.equals("/decline") ? bytes("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nno")
                                : bytes(SWITCHED));
                        out.flush();
                        continue;
                    }
                    if (path.equals("/bye")) {
                        out.write(bytes(SWITCHED + "bye"));
                        out.flush();
                        return;
                    }
                    out.write(bytes(SWITCHED + "hello"));
                    out.flush();
                    byte[] buf = new byte[8192];
                    int n;
                    while ((n = in.read(buf)) != -1) {
                        out.write(new String(buf, 0, n, StandardCharsets.ISO_8859_1).toUpperCase(Locale.ROOT)
                                .getBytes(StandardCharsets.ISO_8859_1));
                        out.flush();
                    }
                    closedConnections.add(path);
                    return;
                }
            } catch (IOException e) {
                // the proxy closed the connection
            }
        }

        private static byte[] bytes(String text) {
            return text.getBytes(StandardCharsets.ISO_8859_1);
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
