package dev.veer.proxy;

import static dev.veer.proxy.support.Specs.service;
import static dev.veer.proxy.support.Specs.version;
import static dev.veer.proxy.support.Specs.weights;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.veer.config.model.ServiceSpec;
import dev.veer.config.model.StickySpec;
import dev.veer.proxy.support.Await;
import dev.veer.proxy.support.Backend;
import dev.veer.proxy.support.RawBackend;
import dev.veer.proxy.support.RawHttp;
import dev.veer.proxy.support.ScriptedBackend;
import dev.veer.proxy.support.ScriptedBackend.Script;
import dev.veer.proxy.support.Specs;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Weight changes are published while keep-alive clients hammer the proxy: no request fails, no connection drops. */
class PublishUnderLoadTest {

    private static ServiceSpec shop(Backend blue, Backend green, int greenBps) {
        return service("shop", List.of(version("blue", blue.address()), version("green", green.address())),
                weights("blue", 10000 - greenBps, "green", greenBps), new StickySpec("veer_shop", null));
    }

    @Test
    void thirtyWeightChangesWithEightKeepAliveClientsAndZeroFailures() throws Exception {
        try (Backend blue = new Backend("blue"); Backend green = new Backend("green");
             ProxyServer proxy = ProxyServer.start(Specs.settings(), List.of(shop(blue, green, 0)), List.of())) {
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong ok = new AtomicLong();
            AtomicInteger failures = new AtomicInteger();
            List<String> failureNotes = new java.util.concurrent.CopyOnWriteArrayList<>();
            List<Thread> clients = new ArrayList<>();
            for (int c = 0; c < 8; c++) {
                int client = c;
                Thread t = new Thread(() -> {
                    try (RawHttp http = new RawHttp(proxy.localAddress().getPort())) {
                        int i = 0;
                        while (!stop.get()) {
                            String request = (i++ % 2 == 0)
                                    ? "GET /c" + client + " HTTP/1.1\r\nHost: shop\r\n\r\n"
                                    : "POST /c" + client + " HTTP/1.1\r\nHost: shop\r\nContent-Length: 4\r\n\r\nping";
                            RawHttp.Response r = http.send(request).read();
                            if (r.status() == 200) {
                                ok.incrementAndGet();
                            } else {
                                failures.incrementAndGet();
                                failureNotes.add("status " + r.status());
                            }
                        }
                    } catch (Exception e) {
                        failures.incrementAndGet();
                        failureNotes.add(e.toString());
                    }
                });
                t.start();
                clients.add(t);
            }
            for (int change = 1; change <= 30; change++) {
                // Publish only after real traffic since the last change, however slow the machine is.
                long target = ok.get() + 16;
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (ok.get() < target && failures.get() == 0 && System.nanoTime() < deadline) {
                    Thread.sleep(2);
                }
                int greenBps = (change * 3300) % 10001;
                proxy.publish(List.of(shop(blue, green, greenBps)), List.of());
            }
            proxy.publish(List.of(shop(blue, green, 10000)), List.of());
            Thread.sleep(100);
            long greenBefore = green.requests().size();
            // Green takes the traffic after the last publish, however slowly a loaded machine lets the clients run.
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (green.requests().size() <= greenBefore && failures.get() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            stop.set(true);
            for (Thread t : clients) {
                t.join(10_000);
            }
            System.out.printf("publish under load: %d ok, %d failed, blue %d, green %d, backend connections %d+%d%n",
                    ok.get(), failures.get(), blue.requests().size(), green.requests().size(),
                    blue.connections(), green.connections());
            assertThat(failureNotes).isEmpty();
            assertThat(failures.get()).isZero();
            assertThat(ok.get()).isGreaterThan(30 * 16);
            assertThat(blue.requests()).isNotEmpty();
            assertThat(green.requests().size()).isGreaterThan((int) greenBefore);
            // Pooling: far fewer upstream connections than requests.
            assertThat(blue.connections() + green.connections()).isLessThan(100);
        }
    }

    @Test
    void drainFinishesInFlightRequestsThenCloses() throws Exception {
        try (Backend slow = new Backend("slow")) {
            slow.respondWith(r -> {
                try {
                    Thread.sleep(300);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return Backend.text(io.netty.handler.codec.http.HttpResponseStatus.OK, "done");
            });
            ProxyServer proxy = ProxyServer.start(Specs.settings(), List.of(service("s",
                    List.of(version("v", slow.address())), weights("v", 10000), null)), List.of());
            int port = proxy.localAddress().getPort();
            try (RawHttp inFlight = new RawHttp(port); RawHttp idle = new RawHttp(port)) {
                assertThat(idle.send("GET / HTTP/1.1\r\nHost: s\r\n\r\n").read().status()).isEqualTo(200);
                inFlight.send("GET / HTTP/1.1\r\nHost: s\r\n\r\n");
                // In flight means at the backend: a request the proxy has not read yet is an idle connection to drain.
                long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                while (slow.requests().size() < 2 && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
                assertThat(slow.requests()).as("the in-flight request at the backend").hasSize(2);
                Thread drainer = new Thread(() -> proxy.drain(Duration.ofSeconds(5)));
                drainer.start();
                RawHttp.Response r = inFlight.read();
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.bodyText()).isEqualTo("done");
                assertThat(r.header("connection")).isEqualTo("close");
                assertThat(idle.closedWithin(2000)).isTrue();
                drainer.join(5000);
                assertThat(drainer.isAlive()).isFalse();
            }
            assertThat(proxy.inFlight()).isZero();
            assertThat(catchConnect(port)).isTrue();
        }
    }

    private static boolean catchConnect(int port) {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
            return false;
        } catch (java.io.IOException e) {
            return true;
        }
    }

    /**
     * The drain's end cuts every exchange still running together, each with a reset, and returns at once: the cuts
     * are queued on the event loops all at once, so fifty stalled exchanges end as soon as one does (with veer run:
     * 1 to 1,000 of them all reset within 40 ms of each other, the process gone 0.1 s later).
     */
    @Test
    void drainTimeoutCutsEveryExchangeStillRunningTogether() throws Exception {
        int stalled = 50;
        try (RawBackend sink = new RawBackend(RawBackend.Behaviour.STALL)) {
            ProxyServer proxy = ProxyServer.start(Specs.settings(), List.of(service("s",
                    List.of(version("v", sink.address())), weights("v", 10000), null)), List.of());
            List<Socket> clients = new ArrayList<>();
            try {
                for (int i = 0; i < stalled; i++) {
                    Socket client = new Socket("127.0.0.1", proxy.localAddress().getPort());
                    clients.add(client);
                    client.setSoTimeout(5000);
                    client.getOutputStream().write("GET / HTTP/1.1\r\nHost: s\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
                }
                // In flight means at the backend (see drainFinishesInFlightRequestsThenCloses).
                Await.until(() -> sink.requests() == stalled, "every request at the backend", Duration.ofSeconds(10));
                long start = System.nanoTime();
                assertThat(proxy.drain(Duration.ofMillis(200))).as("cut in flight").isEqualTo(stalled);
                // A second per cut one after another would be 50; what a loaded machine adds is well under 5.
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
                for (Socket client : clients) {
                    assertThatThrownBy(() -> client.getInputStream().read()).as("a cut exchange's end")
                            .isInstanceOf(SocketException.class).hasMessageContaining("reset");
                }
            } finally {
                for (Socket client : clients) {
                    client.close();
                }
            }
        }
    }

    /**
     * What the drain time cuts is cut with a reset: a response delimited by the close, to an HTTP/1.0 client, ended
     * with a FIN looked whole at half its length.
     */
    @Test
    void drainTimeoutCutsAResponseStillRunningWithAReset() throws Exception {
        CountDownLatch stalled = new CountDownLatch(1);
        try (ScriptedBackend backend = new ScriptedBackend().on("/", Script.of(
                "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n", "first half, ", "second half")
                .lastWriteAfter(stalled))) {
            ProxyServer proxy = ProxyServer.start(Specs.settings(), List.of(service("s",
                    List.of(version("v", backend.address())), weights("v", 10000), null)), List.of());
            try (Socket client = new Socket("127.0.0.1", proxy.localAddress().getPort())) {
                client.setSoTimeout(5000);
                client.getOutputStream().write("GET / HTTP/1.0\r\nHost: s\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                InputStream in = client.getInputStream();
                StringBuilder got = new StringBuilder();
                while (!got.toString().endsWith("first half, ")) {
                    int b = in.read();
                    assertThat(b).as("response so far: " + got).isNotNegative();
                    got.append((char) b);
                }
                assertThat(proxy.drain(Duration.ofMillis(100))).as("cut in flight").isEqualTo(1);
                assertThatThrownBy(() -> {
                    while (in.read() >= 0) {
                        // the rest, if any came
                    }
                }).as("the end of a cut response").isInstanceOf(SocketException.class)
                        .hasMessageContaining("reset");
            } finally {
                stalled.countDown();
            }
        }
    }
}
