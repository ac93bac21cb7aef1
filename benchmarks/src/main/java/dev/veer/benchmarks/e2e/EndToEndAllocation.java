package dev.veer.benchmarks.e2e;

import dev.veer.config.model.HostPort;
import dev.veer.config.model.Limits;
import dev.veer.config.model.MatchSpec;
import dev.veer.config.model.OutlierDetectionSpec;
import dev.veer.config.model.ProxySettings;
import dev.veer.config.model.Transport;
import dev.veer.config.model.RetrySpec;
import dev.veer.config.model.ServiceSpec;
import dev.veer.config.model.VersionSpec;
import dev.veer.config.model.Weights;
import dev.veer.proxy.ProxyServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Bytes allocated by the proxy per proxied request, end to end, in one process: a {@link ProxyServer} with one
 * event loop in front of a {@link MinimalBackend}, driven by blocking keep-alive socket clients. The figure is the
 * growth of {@code ThreadMXBean.getThreadAllocatedBytes} over the proxy's event-loop threads (named
 * {@code veer-io-*}) divided by the requests sent, after a warm-up. It covers everything the event loop does for a
 * request: decode, route, header hygiene, upstream pool, both encoders, stats.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.veer.benchmarks.e2e.EndToEndAllocation [requests] [connections] [headers] [transport]
 *   headers: "browser" (7 realistic request headers, the default) or "wrk" (Host only, as wrk sends)
 *   transport: as proxy.transport: auto (the default), io_uring, epoll or nio
 * </pre>
 * Add {@code -XX:StartFlightRecording=filename=e2e.jfr,settings=profile} to see who allocates
 * ({@code jfr print --events jdk.ObjectAllocationSample e2e.jfr}).
 */
public final class EndToEndAllocation {

    private static final String BROWSER_HEADERS = "Host: shop.example.com\r\n"
            + "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0\r\n"
            + "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n"
            + "Accept-Encoding: gzip, deflate, br\r\n"
            + "Accept-Language: en-GB,en;q=0.9\r\n"
            + "Cookie: session=8f2a9c0e1b7d; theme=dark\r\n"
            + "Connection: keep-alive\r\n";
    private static final String WRK_HEADERS = "Host: 127.0.0.1:8080\r\n";

    private EndToEndAllocation() {
    }

    public static void main(String[] args) throws Exception {
        int requests = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int connections = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        String headers = args.length > 2 && args[2].equals("wrk") ? WRK_HEADERS : BROWSER_HEADERS;
        Transport transport = args.length > 3 ? Transport.parse(args[3]) : ProxySettings.DEFAULTS.transport();
        if (transport == null) {
            throw new IllegalArgumentException("transport '" + args[3] + "' (expected: " + Transport.CONFIG_NAMES
                    + ")");
        }
        byte[] request = ("GET /products/4711?page=2 HTTP/1.1\r\n" + headers + "\r\n").getBytes(StandardCharsets.US_ASCII);

        try (MinimalBackend backend = MinimalBackend.start("ok\n");
             ProxyServer proxy = ProxyServer.start(settings(transport), List.of(service(backend.port())), List.of())) {
            InetSocketAddress address = proxy.localAddress();
            int warmup = Math.max(20_000, requests / 2);
            drive(address, request, connections, warmup);
            long[] loops = eventLoopThreadIds();
            long before = allocated(loops);
            long start = System.nanoTime();
            drive(address, request, connections, requests);
            long elapsed = System.nanoTime() - start;
            long bytes = allocated(loops) - before;
            System.out.printf("requests=%d connections=%d headers=%s event-loops=%d transport=%s%n", requests,
                    connections, headers == WRK_HEADERS ? "wrk" : "browser", loops.length,
                    proxy.transport().configName());
            System.out.printf("allocated on the proxy event loop: %.0f B/request (%d bytes)%n",
                    (double) bytes / requests, bytes);
            System.out.printf("throughput (client, proxy and backend in one process, informational): %.0f req/s%n",
                    requests / (elapsed / 1e9));
        }
    }

    private static ProxySettings settings(Transport transport) {
        return new ProxySettings(new HostPort("127.0.0.1", 0), 1, Limits.DEFAULTS, 100_000, 50_000, 64,
                Duration.ofSeconds(5), ProxySettings.DEFAULTS.eventBatchMicros(), transport, null,
                ProxySettings.DEFAULTS.normalizePath(), null);
    }

    private static ServiceSpec service(int backendPort) {
        List<VersionSpec> versions = List.of(
                new VersionSpec("blue", List.of(new HostPort("127.0.0.1", backendPort))),
                new VersionSpec("green", List.of(new HostPort("127.0.0.1", backendPort))));
        return new ServiceSpec("shop", new MatchSpec(List.of(), "/"), versions,
                new Weights(Map.of("blue", 9000, "green", 1000)), null, List.of(), null,
                OutlierDetectionSpec.DEFAULTS, RetrySpec.DEFAULTS, null);
    }

    /** Sends {@code total} requests spread over {@code connections} keep-alive connections, one at a time each. */
    private static void drive(InetSocketAddress address, byte[] request, int connections, int total)
            throws InterruptedException {
        CountDownLatch done = new CountDownLatch(connections);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            int share = total / connections + (c < total % connections ? 1 : 0);
            Thread t = new Thread(() -> {
                try (Socket socket = new Socket()) {
                    socket.setTcpNoDelay(true);
                    socket.connect(address);
                    OutputStream out = socket.getOutputStream();
                    ResponseReader in = new ResponseReader(socket.getInputStream());
                    for (int i = 0; i < share; i++) {
                        out.write(request);
                        int status = in.readResponse();
                        if (status != 200) {
                            throw new IOException("status " + status);
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                } finally {
                    done.countDown();
                }
            }, "client-" + c);
            threads.add(t);
            t.start();
        }
        done.await();
        if (failure.get() != null) {
            throw new IllegalStateException("client failed", failure.get());
        }
    }

    private static long[] eventLoopThreadIds() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("veer-io"))
                .mapToLong(Thread::getId)
                .toArray();
    }

    private static long allocated(long[] threadIds) {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (long bytes : mx.getThreadAllocatedBytes(threadIds)) {
            sum += bytes;
        }
        return sum;
    }

    /** Reads one HTTP/1.1 response framed by Content-Length from a blocking stream; returns its status. */
    private static final class ResponseReader {
        private final InputStream in;
        private final byte[] buf = new byte[16 * 1024];
        private int pos;
        private int limit;

        ResponseReader(InputStream in) {
            this.in = in;
        }

        int readResponse() throws IOException {
            int status = -1;
            long contentLength = 0;
            boolean first = true;
            while (true) {
                String line = readLine();
                if (line.isEmpty()) {
                    break;
                }
                if (first) {
                    status = Integer.parseInt(line.substring(9, 12));
                    first = false;
                } else if (line.regionMatches(true, 0, "content-length:", 0, 15)) {
                    contentLength = Long.parseLong(line.substring(15).trim());
                }
            }
            for (long left = contentLength; left > 0; ) {
                if (pos == limit) {
                    fill();
                }
                int n = (int) Math.min(left, limit - pos);
                pos += n;
                left -= n;
            }
            return status;
        }

        private String readLine() throws IOException {
            StringBuilder line = new StringBuilder();
            while (true) {
                if (pos == limit) {
                    fill();
                }
                byte b = buf[pos++];
                if (b == '\n') {
                    int n = line.length();
                    return n > 0 && line.charAt(n - 1) == '\r' ? line.substring(0, n - 1) : line.toString();
                }
                line.append((char) b);
            }
        }

        private void fill() throws IOException {
            int n = in.read(buf);
            if (n < 0) {
                throw new IOException("connection closed");
            }
            pos = 0;
            limit = n;
        }
    }
}
