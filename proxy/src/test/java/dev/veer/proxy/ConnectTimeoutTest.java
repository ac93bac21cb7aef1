package dev.veer.proxy;

import static dev.veer.proxy.support.Specs.service;
import static dev.veer.proxy.support.Specs.version;
import static dev.veer.proxy.support.Specs.weights;
import static org.assertj.core.api.Assertions.assertThat;

import dev.veer.config.model.Limits;
import dev.veer.proxy.stats.FailureReason;
import dev.veer.proxy.support.RawHttp;
import dev.veer.proxy.support.Specs;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A connect that times out is an upstream timeout to the client (504), counted under reason "connect". */
class ConnectTimeoutTest {

    private static final Duration CONNECT_TIMEOUT = Duration.ofMillis(300);

    @Test
    void anEndpointThatNeverAcceptsIs504() throws Exception {
        // A listener that never accepts, its accept queue filled: further SYNs are dropped and connects hang.
        try (ServerSocket full = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            List<Socket> fillers = new ArrayList<>();
            try {
                for (int i = 0; i < 8; i++) {
                    Socket s = new Socket();
                    try {
                        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), full.getLocalPort()), 200);
                        fillers.add(s);
                    } catch (java.io.IOException queueFull) {
                        s.close();
                        break;
                    }
                }
                Limits d = Limits.DEFAULTS;
                Limits limits = new Limits(d.maxHeaderBytes(), d.maxHeaderCount(), d.maxRequestLineBytes(),
                        d.maxBodyBytes(), d.headerTimeout(), CONNECT_TIMEOUT, d.responseTimeout(), d.idleTimeout(),
                        d.upstreamIdleTimeout());
                try (ProxyServer proxy = ProxyServer.start(Specs.settings(limits), List.of(service("svc", List.of("svc"),
                        "/", List.of(version("v1", "127.0.0.1:" + full.getLocalPort())), weights("v1", 10000), null,
                        List.of(), null)), List.of());
                     RawHttp http = new RawHttp(proxy.localAddress().getPort())) {
                    RawHttp.Response r = http.send("GET / HTTP/1.1\r\nHost: svc\r\n\r\n").read();
                    assertThat(r.status()).isEqualTo(504);
                    assertThat(r.bodyText()).contains("upstream connection timed out");
                    assertThat(proxy.stats().totals("svc", "v1").failures().get(FailureReason.CONNECT)).isEqualTo(1);
                }
            } finally {
                for (Socket s : fillers) {
                    s.close();
                }
            }
        }
    }
}
