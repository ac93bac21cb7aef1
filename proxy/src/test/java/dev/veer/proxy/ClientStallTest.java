package dev.veer.proxy;

import static dev.veer.proxy.support.Specs.service;
import static dev.veer.proxy.support.Specs.version;
import static dev.veer.proxy.support.Specs.weights;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.veer.config.model.Limits;
import dev.veer.config.model.Transport;
import dev.veer.proxy.stats.FailureReason;
import dev.veer.proxy.stats.TotalStats;
import dev.veer.proxy.support.Await;
import dev.veer.proxy.support.Backend;
import dev.veer.proxy.support.RawBackend;
import dev.veer.proxy.support.RawHttp;
import dev.veer.proxy.support.Specs;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A client that stalls is the client's fault, not the version's: it must not show as an upstream timeout or a 5xx
 * of the version, or slow clients alone could roll a healthy canary back.
 */
class ClientStallTest {

    private static final Duration RESPONSE_TIMEOUT = Duration.ofMillis(500);
    private static final int BIG_BODY = 16 * 1024 * 1024;
    private static final int MEDIUM_BODY = 4 * 1024 * 1024;
    private static final long SEND_BUFFER_MAX = sendBufferMax();
    private static byte[] slowBody;
    private static Backend backend;
    private static RawBackend sink;
    private static ProxyServer proxy;
    /** The same, with a longer response timeout: more room either side of a cut (a test that waits close to one). */
    private static ProxyServer patientProxy;
    private static final Duration PATIENT_TIMEOUT = Duration.ofSeconds(1);

    @BeforeAll
    static void start() throws Exception {
        backend = new Backend("v1");
        // Built once and wrapped per answer: encoding 16 MiB anew for every request could take the backend past the
        // response timeout on a loaded machine, which the proxy rightly counts as the version's timeout.
        byte[] big = "x".repeat(BIG_BODY).getBytes(StandardCharsets.ISO_8859_1);
        byte[] medium = "m".repeat(MEDIUM_BODY).getBytes(StandardCharsets.ISO_8859_1);
        // Four times the largest send buffer (see the slow readers' tests), sent in part.
        slowBody = "s".repeat((int) Math.min(4 * SEND_BUFFER_MAX, 256L * 1024 * 1024))
                .getBytes(StandardCharsets.ISO_8859_1);
        backend.respondWith(r -> r.uri().equals("/big") ? ok(big, big.length)
                : r.uri().startsWith("/slow/") ? ok(slowBody, Integer.parseInt(r.uri().substring(6)))
                : r.uri().equals("/medium") ? ok(medium, medium.length)
                : r.uri().startsWith("/size/") ? ok(medium, Integer.parseInt(r.uri().substring(6)))
                : Backend.text(HttpResponseStatus.OK, "ok"));
        // Reads a request head (and a byte), then nothing more: an upstream that stops reading a body.
        sink = new RawBackend(RawBackend.Behaviour.STALL);
        Limits d = Limits.DEFAULTS;
        Limits limits = new Limits(d.maxHeaderBytes(), d.maxHeaderCount(), d.maxRequestLineBytes(), d.maxBodyBytes(),
                d.headerTimeout(), d.connectTimeout(), RESPONSE_TIMEOUT, d.idleTimeout(), d.upstreamIdleTimeout());
        proxy = ProxyServer.start(Specs.settings(limits), List.of(
                service("svc", List.of("svc"), "/", List.of(version("v1", backend.address())), weights("v1", 10000),
                        null, List.of(), null),
                service("sink", List.of("sink"), "/", List.of(version("v1", sink.address())), weights("v1", 10000),
                        null, List.of(), null)), List.of());
        Limits patient = new Limits(d.maxHeaderBytes(), d.maxHeaderCount(), d.maxRequestLineBytes(),
                d.maxBodyBytes(), d.headerTimeout(), d.connectTimeout(), PATIENT_TIMEOUT, d.idleTimeout(),
                d.upstreamIdleTimeout());
        patientProxy = ProxyServer.start(Specs.settings(patient), List.of(
                service("svc", List.of("svc"), "/", List.of(version("v1", backend.address())), weights("v1", 10000),
                        null, List.of(), null)), List.of());
        // The first exchange of a fresh JVM (classes to load, code still interpreted, paranoid leak detection, the
        // upstream connection to open) could take the backend past the 500 ms response timeout on a loaded machine:
        // a 504, after which the first test's keep-alive client, reading nothing, was never cut. Warmed up first, with
        // a response of a size the tests use, until one comes back whole.
        for (ProxyServer warming : List.of(proxy, patientProxy)) {
            for (int attempt = 0; attempt < 5; attempt++) {
                try (RawHttp http = new RawHttp(warming.localAddress().getPort())) {
                    if (http.send("GET /medium HTTP/1.1\r\nHost: svc\r\n\r\n").read().status() == 200) {
                        break;
                    }
                }
            }
        }
    }

    /** 200 with the first {@code length} bytes of {@code body}, not copied. */
    private static FullHttpResponse ok(byte[] body, int length) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                Unpooled.wrappedBuffer(body, 0, length));
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, length);
        return r;
    }

    @AfterAll
    static void stop() throws IOException {
        proxy.close();
        patientProxy.close();
        backend.close();
        sink.close();
    }

    @Test
    void aClientThatStopsSendingItsBodyGets408AndTheVersionIsNotBlamed() throws Exception {
        TotalStats before = totals();
        long refusedBefore = proxy.refused().snapshot().getOrDefault(408, 0L);
        try (RawHttp http = new RawHttp(proxy.localAddress().getPort())) {
            // The backend answers only once the whole body is in: it waits, as the proxy does.
            RawHttp.Response r = http.send("POST /upload HTTP/1.1\r\nHost: svc\r\nContent-Length: 10\r\n\r\nabc").read();
            assertThat(r.status()).isEqualTo(408);
            assertThat(r.bodyText()).contains("request body not received in time");
            assertThat(http.closedWithin(2000)).isTrue();
        }
        TotalStats after = totals();
        assertThat(after.failures().get(FailureReason.TIMEOUT)).isEqualTo(before.failures().get(FailureReason.TIMEOUT));
        assertThat(after.responsesByClass()).isEqualTo(before.responsesByClass());
        // Nor its latency: 408s a timeout long would put a canary over its latency limit.
        assertThat(after.latencyMicros().getTotalCount()).isEqualTo(before.latencyMicros().getTotalCount());
        assertThat(proxy.refused().snapshot().get(408)).isEqualTo(refusedBefore + 1);
    }

    @Test
    void aClientWaitingForA100ContinueThatNeverComesIsTheUpstreamsTimeout() throws Exception {
        TotalStats before = totals("sink");
        try (RawHttp http = new RawHttp(proxy.localAddress().getPort())) {
            // The client may wait for the 100 (RFC 9110 §10.1.1); the sink reads the head and never answers.
            RawHttp.Response r = http.send("POST /upload HTTP/1.1\r\nHost: sink\r\nExpect: 100-continue\r\n"
                    + "Content-Length: 10\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(504);
        }
        TotalStats after = totals("sink");
        assertThat(after.failures().get(FailureReason.TIMEOUT) - before.failures().get(FailureReason.TIMEOUT))
                .isEqualTo(1);
    }

    @Test
    void aClientThatGivesUpWaitingIsCountedAs499WithTheTimeItWaited() throws Exception {
        TotalStats before = totals("sink");
        int sinkRequestsBefore = sink.requests();
        long waitedMillis = RESPONSE_TIMEOUT.toMillis() / 5;
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", proxy.localAddress().getPort()));
            s.getOutputStream().write("GET /hangs HTTP/1.1\r\nHost: sink\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            // The exchange's clock started before the sink got the request: waiting from there, the client has waited
            // at least this long by the proxy's clock too, however late a loaded machine let the proxy read it.
            await(() -> sink.requests() > sinkRequestsBefore, "the sink got the request");
            // The sink never answers; the client gives up well before the proxy's response timeout.
            Thread.sleep(waitedMillis);
        }
        await(() -> proxy.stats().totals("sink", "v1").responsesByClass()[4] > before.responsesByClass()[4],
                "the client's leaving counted");
        TotalStats after = totals("sink");
        // Uncounted, a version whose requests hang until clients leave looked healthy to the analyzer.
        assertThat(after.responsesByClass()[4] - before.responsesByClass()[4]).isEqualTo(1);
        assertThat(after.latencyMicros().getTotalCount() - before.latencyMicros().getTotalCount()).isEqualTo(1);
        assertThat(after.latencyMicros().getMaxValue()).isGreaterThanOrEqualTo(waitedMillis * 1000);
        // The client's doing, not the version's failure.
        assertThat(after.responsesByClass()[5]).isEqualTo(before.responsesByClass()[5]);
        assertThat(after.failures().get(FailureReason.TIMEOUT)).isEqualTo(before.failures().get(FailureReason.TIMEOUT));
    }

    @Test
    void aClientThatLeavesMidUploadIsNotCountedAgainstTheVersion() throws Exception {
        TotalStats before = totals("sink");
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", proxy.localAddress().getPort()));
            s.getOutputStream().write(("POST /upload HTTP/1.1\r\nHost: sink\r\nContent-Length: 100\r\n\r\nabc")
                    .getBytes(StandardCharsets.ISO_8859_1));
            // Its upload time is its own, as a stalled client's is: counted, it would be latency of the version.
            Thread.sleep(RESPONSE_TIMEOUT.toMillis() / 2);
            s.setSoLinger(true, 0); // a reset, as a cancelled upload often ends, not a FIN (which ends a request)
        }
        // A whole request that waits after it, on the same connection setup, shows the close has been handled.
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", proxy.localAddress().getPort()));
            s.getOutputStream().write("GET /hangs HTTP/1.1\r\nHost: sink\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            Thread.sleep(100);
        }
        await(() -> proxy.stats().totals("sink", "v1").responsesByClass()[4] > before.responsesByClass()[4],
                "the GET's leaving counted");
        TotalStats after = totals("sink");
        assertThat(after.responsesByClass()[4] - before.responsesByClass()[4]).as("the GET only").isEqualTo(1);
        assertThat(after.latencyMicros().getTotalCount() - before.latencyMicros().getTotalCount()).isEqualTo(1);
    }

    @Test
    void aClientThatStopsReadingIsCutAndTheVersionIsNotBlamed() throws Exception {
        TotalStats before = totals();
        long received = 0;
        boolean reset = false;
        try (Socket s = new Socket()) {
            s.setReceiveBufferSize(64 * 1024);
            s.connect(new InetSocketAddress("127.0.0.1", proxy.localAddress().getPort()));
            s.getOutputStream().write("GET /big HTTP/1.1\r\nHost: svc\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            // Read nothing until the proxy gives up on the connection. A fixed wait was not enough on a loaded box: the
            // proxy may still be filling the kernel's buffers (MBs on loopback) when it ends, each write a progress.
            await(() -> proxy.openConnections() > 0, "the proxy accepting the connection");
            await(() -> proxy.openConnections() == 0, "the proxy cutting the client that reads nothing");
            s.setSoTimeout(5_000);
            InputStream in = s.getInputStream();
            byte[] buf = new byte[64 * 1024];
            try {
                int n;
                while ((n = in.read(buf)) != -1) {
                    received += n;
                }
            } catch (IOException cut) {
                reset = true;
            }
        }
        assertThat(received).as("cut before the whole body").isLessThan(BIG_BODY);
        // Not a FIN after what the kernel held, which a client reading on took for the end of the response.
        assertThat(reset).as("reset").isTrue();
        TotalStats after = totals();
        assertThat(after.failures().get(FailureReason.TIMEOUT)).isEqualTo(before.failures().get(FailureReason.TIMEOUT));
        assertThat(after.responsesByClass()[5]).isEqualTo(before.responsesByClass()[5]);
    }

    @Test
    void aClientThatNeverReadsTheLastResponseOfItsConnectionIsClosedAfterTheResponseTimeout() throws Exception {
        // Sizes around what the kernel's buffers and the proxy's hold: for some, the whole body leaves the upstream,
        // the exchange completes and only the final flush is left, which a client that never reads never lets end.
        List<Socket> clients = new java.util.ArrayList<>();
        try {
            for (int size = 64 * 1024; size <= MEDIUM_BODY; size += 48 * 1024) {
                Socket s = new Socket();
                s.setReceiveBufferSize(8192);
                s.connect(new InetSocketAddress("127.0.0.1", proxy.localAddress().getPort()));
                s.getOutputStream().write(("GET /size/" + size + " HTTP/1.1\r\nHost: svc\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
                clients.add(s);
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (proxy.openConnections() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(proxy.openConnections()).as("connections still open, " + clients.size() + " clients").isZero();
            // Each gets its response whole (all of it was handed to the kernel before the close) or a reset: closed
            // with a FIN, a cut one read to its end looked whole up to the close, and the kernel went on sending it.
            // (A loaded machine may answer some 504 in their stead: whole too.)
            for (Socket s : clients) {
                long[] body = readBody(s);
                if (body != null) {
                    assertThat(body[0]).as("body bytes, not reset").isEqualTo(body[1]);
                }
            }
        } finally {
            for (Socket s : clients) {
                s.close();
            }
        }
    }

    @Test
    void anUpstreamThatStopsReadingTheBodyIsTheUpstreamsTimeout() throws Exception {
        TotalStats before = totals("sink");
        try (RawHttp http = new RawHttp(proxy.localAddress().getPort())) {
            int length = 32 * 1024 * 1024;
            http.send("POST /upload HTTP/1.1\r\nHost: sink\r\nContent-Length: " + length + "\r\n\r\n");
            Thread writer = new Thread(() -> {
                byte[] chunk = new byte[64 * 1024];
                try {
                    for (int sent = 0; sent < length; sent += chunk.length) {
                        http.output().write(chunk);
                    }
                } catch (IOException closed) {
                    // the proxy gave up on the upload
                }
            });
            writer.setDaemon(true);
            writer.start();
            // The client keeps sending; the proxy stops reading it only because the upstream stopped reading.
            assertThat(http.read().status()).isEqualTo(504);
        }
        TotalStats after = totals("sink");
        assertThat(after.failures().get(FailureReason.TIMEOUT) - before.failures().get(FailureReason.TIMEOUT))
                .isEqualTo(1);
    }

    @Test
    void aClientThatReadsSlowlyButSteadilyGetsTheWholeResponse() throws Exception {
        // The proxy sees a reader's progress only when its outbound buffer moves, and that moves only when the kernel
        // takes more: on loopback the socket's send buffer grows to tcp_wmem's max at once (4 MiB here), most of a body
        // sits in it, and epoll reports the socket writable again only once a third of it is free. A reader at a fixed
        // ~1.6 MB/s needed ~0.8 s for that, against a cut after ~1 s without progress (two looks a timeout apart), and
        // was cut on a loaded machine. This one frees a third of the largest send buffer every half timeout, whatever
        // the machine's tcp_wmem: a stall of some 1.5 timeouts is needed to cut it. Its body, four send buffers, still
        // takes about six timeouts to read.
        long bytesPerSecond = perSecond(SEND_BUFFER_MAX / 3, RESPONSE_TIMEOUT.dividedBy(2));
        int length = slowBody.length;
        assertThat(readBodyPaced(proxy, "/slow/" + length, "", bytesPerSecond, length)).as("body bytes").isEqualTo(length);
    }

    @Test
    void aClientWhoseReadingTheProxySeesOnlyAfterATimeoutIsLookedAtAgainBeforeItIsCut() throws Exception {
        // The proxy's outbound buffer stays put until this client has freed a third of the send buffer, which takes it
        // one and a half timeouts: the first look, a timeout after the proxy last moved bytes, finds nothing drained,
        // and only a second look a timeout later may cut (nginx's send_timeout is between two writes, not one). Half a
        // timeout (a second on a proxy of its own) either side of the cut leaves a loaded machine room; the rest of the
        // body, a sixth of a send buffer more than the kernel holds, it reads as fast as it comes.
        long bytesPerSecond = perSecond(SEND_BUFFER_MAX / 3, PATIENT_TIMEOUT.multipliedBy(3).dividedBy(2));
        int length = (int) (SEND_BUFFER_MAX + SEND_BUFFER_MAX / 6);
        assertThat(readBodyPaced(patientProxy, "/slow/" + length, "", bytesPerSecond, SEND_BUFFER_MAX / 3))
                .as("body bytes").isEqualTo(length);
    }

    @Test
    void aClientThatReadsTheLastResponseOfItsConnectionTooSlowlyForTheProxysQueueToMoveGetsItWhole() throws Exception {
        // A third of a send buffer every four timeouts: the proxy's queue moves only that often (see the slow readers
        // above), and two looks a timeout apart that saw only it cut this client, which never stopped, a second in (a
        // connection's last response went by the same rule, or by a timeout from the exchange's end). The kernel sends
        // it data every 64 KiB or so it reads, some ten times a timeout, which the looks see on epoll. Paced for half a
        // send buffer (three seconds), then read as fast as it comes.
        assumeTrue(proxy.transport() == Transport.EPOLL, "the kernel's sending is seen on epoll only");
        long bytesPerSecond = perSecond(SEND_BUFFER_MAX / 3, RESPONSE_TIMEOUT.multipliedBy(4));
        int length = (int) SEND_BUFFER_MAX;
        assertThat(readBodyPaced(proxy, "/slow/" + length, "Connection: close\r\n", bytesPerSecond, length / 2))
                .as("body bytes").isEqualTo(length);
    }

    /**
     * Reads a response from {@code s} up to the close: its body's bytes and its Content-Length, or null if the
     * connection was reset.
     */
    private static long[] readBody(Socket s) throws IOException {
        s.setSoTimeout(10_000);
        InputStream in = s.getInputStream();
        byte[] buf = new byte[64 * 1024];
        String head = "";
        long received = 0;
        try {
            int n;
            while ((n = in.read(buf)) != -1) {
                if (head.length() < 4096) {
                    head += new String(buf, 0, Math.min(n, 4096), StandardCharsets.ISO_8859_1);
                }
                received += n;
            }
        } catch (java.net.SocketException reset) {
            return null;
        }
        String lower = head.substring(0, head.indexOf("\r\n\r\n")).toLowerCase(java.util.Locale.ROOT);
        int at = lower.indexOf("\r\ncontent-length:") + "\r\ncontent-length:".length();
        long contentLength = Long.parseLong(lower.substring(at, lower.indexOf("\r\n", at)).trim());
        return new long[] {received - (lower.length() + 4), contentLength};
    }

    private static long perSecond(long bytes, Duration in) {
        return bytes * 1_000_000_000L / in.toNanos();
    }

    /**
     * GETs {@code path} through {@code through}, with {@code fields} (whole lines) in its head, and reads the
     * response's body to its end or the connection's, the first {@code pacedBytes} at {@code bytesPerSecond}: kept to
     * by the clock from the first byte, not by fixed sleeps that a loaded machine stretches, so a late read is caught
     * up. The rest as fast as it comes. Returns the body's bytes read.
     */
    private static long readBodyPaced(ProxyServer through, String path, String fields, long bytesPerSecond,
            long pacedBytes) throws IOException, InterruptedException {
        try (Socket s = new Socket()) {
            s.setReceiveBufferSize(64 * 1024);
            s.connect(new InetSocketAddress("127.0.0.1", through.localAddress().getPort()));
            s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: svc\r\n" + fields + "\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            s.setSoTimeout(10_000);
            InputStream in = s.getInputStream();
            StringBuilder head = new StringBuilder();
            int headEnd = -1;
            long contentLength = Long.MAX_VALUE;
            byte[] buf = new byte[16 * 1024];
            long start = 0;
            long received = 0;
            int n;
            while (received - Math.max(headEnd, 0) < contentLength && (n = in.read(buf)) != -1) {
                if (received == 0) {
                    start = System.nanoTime();
                }
                if (headEnd < 0) {
                    head.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
                    int end = head.indexOf("\r\n\r\n");
                    if (end >= 0) {
                        headEnd = end + 4;
                        String lower = head.substring(0, end).toLowerCase(java.util.Locale.ROOT);
                        int at = lower.indexOf("\r\ncontent-length:") + "\r\ncontent-length:".length();
                        contentLength = Long.parseLong(lower.substring(at, lower.indexOf("\r\n", at)).trim());
                    }
                }
                received += n;
                if (received < pacedBytes) {
                    long aheadNanos = start + received * 1_000_000_000L / bytesPerSecond - System.nanoTime();
                    if (aheadNanos > 1_000_000) {
                        Thread.sleep(aheadNanos / 1_000_000);
                    }
                }
            }
            return received - Math.max(headEnd, 0);
        }
    }

    /** The most a socket's send buffer grows to (tcp_wmem's max on Linux; 4 MiB, Linux's default, elsewhere). */
    private static long sendBufferMax() {
        try {
            String[] wmem = Files.readString(Path.of("/proc/sys/net/ipv4/tcp_wmem")).trim().split("\\s+");
            return Long.parseLong(wmem[2]);
        } catch (IOException | RuntimeException unknown) {
            return 4L * 1024 * 1024;
        }
    }

    private static TotalStats totals() throws InterruptedException {
        return totals("svc");
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        Await.until(condition, what, Duration.ofSeconds(10));
    }

    private static TotalStats totals(String service) throws InterruptedException {
        // Settle what in-flight recording there is.
        Thread.sleep(100);
        return proxy.stats().totals(service, "v1");
    }
}
