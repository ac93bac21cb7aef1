package dev.veer.proxy;

import static dev.veer.proxy.support.Services.NO_EJECTION;
import static dev.veer.proxy.support.Services.oneVersion;
import static org.assertj.core.api.Assertions.assertThat;

import dev.veer.config.model.HostPort;
import dev.veer.config.model.Limits;
import dev.veer.config.model.ProxySettings;
import dev.veer.config.model.RetrySpec;
import dev.veer.config.model.Transport;
import dev.veer.proxy.support.FakeTicker;
import io.netty.channel.EventLoop;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Connections that queued up while the event loop was busy are all accepted in its next pass, not one per pass
 * (Netty's server channel default): under load a pass takes milliseconds, and clients whose handshake the kernel
 * completed have already sent their first request.
 */
class AcceptBurstTest {

    private static final int WANTED_BURST = 200;

    @ParameterizedTest
    @MethodSource("dev.veer.proxy.TransportTest#runnable")
    void aBurstQueuedWhileTheLoopWasBusyIsAcceptedInOnePass(Transport transport) throws Exception {
        ProxySettings oneLoop = new ProxySettings(new HostPort("127.0.0.1", 0), 1, Limits.DEFAULTS, 10_000, 10_000,
                16, Duration.ofSeconds(5), ProxySettings.DEFAULTS.eventBatchMicros(), transport, null,
                ProxySettings.DEFAULTS.normalizePath(), null);
        // The kernel queues at most net.core.somaxconn handshaken connections (128 before Linux 5.4).
        int burst = Math.min(WANTED_BURST, somaxconn() - 8);
        List<Socket> clients = new ArrayList<>();
        try (ProxyServer proxy = ProxyServer.start(oneLoop, List.of(oneVersion("svc", null, NO_EJECTION,
                RetrySpec.DEFAULTS, "127.0.0.1:1")), List.of(), new FakeTicker())) {
            EventLoop loop = proxy.acceptLoop();
            CountDownLatch busy = new CountDownLatch(1);
            CountDownLatch connected = new CountDownLatch(1);
            CountDownLatch counted = new CountDownLatch(1);
            AtomicInteger acceptedAfterOnePass = new AtomicInteger(-1);
            loop.execute(() -> {
                busy.countDown();
                try {
                    connected.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                // A scheduled task runs after the loop's next I/O pass, not in this run of tasks.
                loop.schedule(() -> {
                    acceptedAfterOnePass.set(proxy.openConnections());
                    counted.countDown();
                }, 0, TimeUnit.NANOSECONDS);
            });
            assertThat(busy.await(5, TimeUnit.SECONDS)).isTrue();
            for (int i = 0; i < burst; i++) {
                // The kernel completes the handshake; the connection waits in the accept queue.
                clients.add(new Socket(InetAddress.getLoopbackAddress(), proxy.localAddress().getPort()));
            }
            connected.countDown();
            assertThat(counted.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(acceptedAfterOnePass.get()).as("connections accepted in the first pass").isEqualTo(burst);
        } finally {
            for (Socket s : clients) {
                s.close();
            }
        }
    }

    private static int somaxconn() throws IOException {
        // Not Files.readString: it trusts the size /proc reports and reads "4" of "4096".
        Path setting = Path.of("/proc/sys/net/core/somaxconn");
        return Files.exists(setting) ? Integer.parseInt(Files.readAllLines(setting).get(0).trim()) : 128;
    }
}
