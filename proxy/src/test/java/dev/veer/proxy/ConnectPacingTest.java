package dev.veer.proxy;

import static dev.veer.proxy.support.Services.NO_EJECTION;
import static dev.veer.proxy.support.Services.oneVersion;
import static org.assertj.core.api.Assertions.assertThat;

import dev.veer.config.model.HostPort;
import dev.veer.config.model.Limits;
import dev.veer.config.model.ProxySettings;
import dev.veer.config.model.RetrySpec;
import dev.veer.proxy.support.Backend;
import dev.veer.proxy.support.FakeTicker;
import dev.veer.proxy.support.RawHttp;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Connect pacing: a cold pool under many concurrent requests opens at most 32 connections to an endpoint at a time
 * per event loop; the other requests wait for a connection to come free, and fail together with a connect that
 * failed.
 */
class ConnectPacingTest {

    private static final int CLIENTS = 100;

    private static ProxySettings oneLoop(Duration connectTimeout) {
        Limits d = Limits.DEFAULTS;
        Limits limits = new Limits(d.maxHeaderBytes(), d.maxHeaderCount(), d.maxRequestLineBytes(), d.maxBodyBytes(),
                d.headerTimeout(), connectTimeout, d.responseTimeout(), d.idleTimeout(), d.upstreamIdleTimeout());
        return new ProxySettings(new HostPort("127.0.0.1", 0), 1, limits, 10_000, 10_000, 1024,
                Duration.ofSeconds(5), ProxySettings.DEFAULTS.eventBatchMicros(),
                ProxySettings.DEFAULTS.transport(), null, ProxySettings.DEFAULTS.normalizePath(), null);
    }

    @Test
    void anEndpointThatDoesNotAnswerSynsSeesAtMost32ConnectsAndTheWaitersFailWithThem() throws Exception {
        // A listener with a full accept queue: the kernel drops further SYNs, so connects to it stay in SYN_SENT.
        try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            List<Socket> fillers = fillAcceptQueue(silent);
            ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
            try (ProxyServer proxy = ProxyServer.start(oneLoop(Duration.ofSeconds(2)),
                    List.of(oneVersion("silent", null, NO_EJECTION, new RetrySpec(0, 1.0),
                            "127.0.0.1:" + silent.getLocalPort())), List.of(), new FakeTicker())) {
                List<Future<Integer>> answers = new ArrayList<>();
                long start = System.nanoTime();
                for (int i = 0; i < CLIENTS; i++) {
                    answers.add(clients.submit(() -> get(proxy.localAddress().getPort(), "silent")));
                }
                int peak = 0;
                long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1500);
                while (System.nanoTime() < until) {
                    peak = Math.max(peak, synSentTo(silent.getLocalPort()));
                    Thread.sleep(20);
                }
                assertThat(peak).as("connects in SYN_SENT at once").isBetween(1, 32);
                for (Future<Integer> answer : answers) {
                    // Connects that time out are an upstream timeout: 504, like nginx's.
                    assertThat(answer.get(10, TimeUnit.SECONDS)).isEqualTo(504);
                }
                // The queued requests fail with the connects they waited behind (one 2 s timeout), not each after a
                // connect of its own, 32 at a time (four timeouts, 8 s).
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
            } finally {
                clients.shutdownNow();
                for (Socket s : fillers) {
                    s.close();
                }
            }
        }
    }

    /**
     * The waiting path's correctness, not the pacing (the first test shows that): every one of 500 requests from a
     * cold start is answered once, whether it got a released connection, one opened for another exchange, or its own.
     */
    @Test
    void requestsBeyondTheConnectsInFlightAreServedByReleasedAndNewConnections() throws Exception {
        int perClient = 5;
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        try (Backend backend = new Backend("b");
             ProxyServer proxy = ProxyServer.start(oneLoop(Duration.ofSeconds(5)),
                     List.of(oneVersion("paced", null, NO_EJECTION, RetrySpec.DEFAULTS, backend.address())),
                     List.of(), new FakeTicker())) {
            List<Future<List<Integer>>> answers = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                answers.add(clients.submit(() -> {
                    List<Integer> statuses = new ArrayList<>();
                    try (RawHttp http = new RawHttp(proxy.localAddress().getPort())) {
                        for (int r = 0; r < perClient; r++) {
                            statuses.add(http.send("GET /r" + r + " HTTP/1.1\r\nHost: paced\r\n\r\n").read().status());
                        }
                    }
                    return statuses;
                }));
            }
            int ok = 0;
            for (Future<List<Integer>> answer : answers) {
                for (int status : answer.get(30, TimeUnit.SECONDS)) {
                    ok += status == 200 ? 1 : 0;
                }
            }
            assertThat(ok).isEqualTo(CLIENTS * perClient);
            assertThat(backend.requests()).hasSize(CLIENTS * perClient);
        } finally {
            clients.shutdownNow();
        }
    }

    /** Connects until the listener's accept queue is full: the next connect gets no answer to its SYN. */
    private static List<Socket> fillAcceptQueue(ServerSocket listener) throws IOException {
        List<Socket> fillers = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            Socket s = new Socket();
            try {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort()), 300);
                fillers.add(s);
            } catch (SocketTimeoutException full) {
                s.close();
                return fillers;
            }
        }
        throw new IllegalStateException("the accept queue of a listener with backlog 1 never filled up");
    }

    private static int get(int port, String host) throws IOException {
        try (RawHttp http = new RawHttp(port)) {
            return http.send("GET / HTTP/1.1\r\nHost: " + host + "\r\n\r\n").read().status();
        }
    }

    /**
     * Sockets in SYN_SENT (state 02) towards {@code port}, from /proc/net/tcp and tcp6: Java and Netty open IPv4
     * connections as IPv6 sockets where they can.
     */
    private static int synSentTo(int port) throws IOException {
        String remotePort = String.format(Locale.ROOT, ":%04X", port);
        int count = 0;
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            if (!Files.exists(Path.of(table))) {
                continue;
            }
            for (String line : Files.readAllLines(Path.of(table))) {
                String[] fields = line.trim().split("\\s+");
                if (fields.length > 3 && fields[2].endsWith(remotePort) && fields[3].equals("02")) {
                    count++;
                }
            }
        }
        return count;
    }
}
