package dev.veer.proxy;

import static dev.veer.proxy.support.Specs.hostService;
import static org.assertj.core.api.Assertions.assertThat;

import dev.veer.config.model.Limits;
import dev.veer.proxy.stats.FailureReason;
import dev.veer.proxy.support.RawHttp;
import dev.veer.proxy.support.ScriptedBackend;
import dev.veer.proxy.support.ScriptedBackend.Script;
import dev.veer.proxy.support.Specs;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The chunk-size lines of a chunked response reach the client as the size alone: its extensions and leading zeros
 * stay behind, wherever reads cut the line. A size line is held to the request side's limit on it (the request line
 * limit, 8 KiB by default, extensions included); a longer one is a malformed response. Each refusal has a backend of
 * its own, so that the failures and upstream connections it counts are its own.
 */
class ResponseChunkLinesTest {

    private static final String CHUNKED_HEAD = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    private static final int MAX_LINE = Limits.DEFAULTS.maxRequestLineBytes();
    private static final String OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

    private static final List<AutoCloseable> closeables = new ArrayList<>();
    private static ScriptedBackend relayed;
    private static ScriptedBackend overLimitFirst;
    private static ScriptedBackend overLimitMidBody;
    /** Opened when the client has the first chunk, to let the over-limit line after it leave the backend. */
    private static final CountDownLatch midBodyLineGate = new CountDownLatch(1);
    private static ScriptedBackend overValue;
    private static ProxyServer proxy;

    @BeforeAll
    static void start() throws Exception {
        relayed = backend()
                .on("/extensions", Script.of(CHUNKED_HEAD + "5;name=value\r\nhello\r\n7 ; a=1 ;b=\"x;y\"\r\n, world\r\n"
                        + "0;last\r\nX-Trailer: t\r\n\r\n"))
                .on("/leading-zeros", Script.of(CHUNKED_HEAD + "000000002\r\nok\r\n" + "0".repeat(100) + "A\r\n"
                        + "0123456789\r\n000\r\n\r\n"))
                // Each piece most likely a read of its own: the lines are cut in their digits, their extension, and
                // between their CR and LF.
                .on("/cut-lines", Script.of(CHUNKED_HEAD + "00", "05;na", "me=value\r", "\nhello\r\n1", "0\r\n",
                        "0123456789abcdef\r\n0;x", "\r\n\r\n"))
                .on("/at-limit", Script.of(CHUNKED_HEAD + "5;" + "e".repeat(MAX_LINE - 2) + "\r\nhello\r\n0\r\n\r\n"))
                .on("/ok", Script.of(OK));
        // The head and the whole line in one write: the proxy reads them before anything leaves for the client.
        overLimitFirst = backend()
                .on("/over", Script.of(CHUNKED_HEAD + "5;" + "e".repeat(MAX_LINE - 1) + "\r\nhello\r\n0\r\n\r\n"))
                .on("/ok", Script.of(OK));
        // The line after the first chunk leaves only once the client has that chunk, so the head is out. Read in the
        // same pass as the chunk, the line would fail the response before anything was flushed: a 502, or a cut
        // with nothing sent, as the reads fell (20 ms apart is no promise on a loaded machine).
        overLimitMidBody = backend()
                .on("/over", Script.of(CHUNKED_HEAD + "5\r\nhello\r\n",
                        "5;" + "e".repeat(MAX_LINE - 1) + "\r\nworld\r\n0\r\n\r\n").lastWriteAfter(midBodyLineGate));
        overValue = backend()
                .on("/over-value", Script.of(CHUNKED_HEAD + "000000080000000\r\nhello\r\n0\r\n\r\n"))
                .on("/zeros-over-limit", Script.of(CHUNKED_HEAD + "0".repeat(MAX_LINE) + "5\r\nhello\r\n0\r\n\r\n"));
        proxy = ProxyServer.start(Specs.settings(), List.of(hostService("relayed", relayed.address()),
                hostService("first", overLimitFirst.address()), hostService("midbody", overLimitMidBody.address()),
                hostService("value", overValue.address())),
                List.of());
    }

    private static ScriptedBackend backend() throws IOException {
        ScriptedBackend backend = new ScriptedBackend();
        closeables.add(backend);
        return backend;
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        for (AutoCloseable c : closeables) {
            c.close();
        }
    }

    @Test
    void extensionsStayBehindAndTheRestPassesAsItCame() throws Exception {
        try (RawHttp http = new RawHttp(proxy.localAddress().getPort())) {
            String response = exchange(http, "/extensions");
            assertThat(response).endsWith("\r\n\r\n5\r\nhello\r\n7\r\n, world\r\n0\r\nX-Trailer: t\r\n\r\n");
            assertThat(http.send("GET /ok HTTP/1.1\r\nHost: relayed\r\n\r\n").read().bodyText()).isEqualTo("ok");
        }
    }

    /** RFC 9112 §7.1 puts no bound on the digits; a client may (Go's net/http refuses more than 16). */
    @Test
    void sizesLoseTheirLeadingZerosHoweverManyThereAre() throws Exception {
        try (RawHttp http = new RawHttp(proxy.localAddress().getPort())) {
            String response = exchange(http, "/leading-zeros");
            assertThat(response).endsWith("\r\n\r\n2\r\nok\r\nA\r\n0123456789\r\n0\r\n\r\n");
        }
    }

    @Test
    void aSizeLineCutByReadsGoesOnWhole() throws Exception {
        try (RawHttp http = new RawHttp(proxy.localAddress().getPort())) {
            String response = exchange(http, "/cut-lines");
            assertThat(response).endsWith("\r\n\r\n5\r\nhello\r\n10\r\n0123456789abcdef\r\n0\r\n\r\n");
            assertThat(http.send("GET /ok HTTP/1.1\r\nHost: relayed\r\n\r\n").read().bodyText()).isEqualTo("ok");
        }
        assertThat(relayed.connections()).as("one upstream connection for every exchange").isEqualTo(1);
    }

    @Test
    void aSizeLineAsLongAsARequestLineMayBePasses() throws Exception {
        try (RawHttp http = new RawHttp(proxy.localAddress().getPort())) {
            assertThat(exchange(http, "/at-limit")).endsWith("\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
        }
    }

    @Test
    void aLongerSizeLineBeforeAnyBodyByteIs502AndEndsTheUpstreamConnection() throws Exception {
        long before = protocolFailures("first");
        try (RawHttp http = new RawHttp(proxy.localAddress().getPort())) {
            RawHttp.Response r = http.send("GET /over HTTP/1.1\r\nHost: first\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(502);
            assertThat(r.bodyText()).contains("upstream sent an invalid response");
            assertThat(http.send("GET /ok HTTP/1.1\r\nHost: first\r\n\r\n").read().bodyText()).isEqualTo("ok");
        }
        assertThat(protocolFailures("first") - before).isEqualTo(1);
        assertThat(overLimitFirst.connections()).as("a new upstream connection after the refused response")
                .isEqualTo(2);
    }

    @Test
    void aLongerSizeLineMidBodyCutsTheClientConnection() throws Exception {
        long before = protocolFailures("midbody");
        String received;
        try (Socket s = new Socket("127.0.0.1", proxy.localAddress().getPort())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write("GET /over HTTP/1.1\r\nHost: midbody\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            received = readThrough(s.getInputStream(), "\r\n\r\n5\r\nhello\r\n");
            midBodyLineGate.countDown();
            received += readUntilClosed(s.getInputStream());
        }
        assertThat(received).startsWith("HTTP/1.1 200 OK\r\n").contains("\r\n\r\n5\r\nhello\r\n")
                .doesNotContain("world");
        // Counted when the proxy has cut the connection, which the client has just seen.
        assertThat(protocolFailures("midbody") - before).isEqualTo(1);
    }

    /** Leading zeros count toward neither the size nor its limit (2^31 - 1), but toward the line's length. */
    @Test
    void aSizeOverTheValueLimitOrALineOfZerosOverTheLineLimitIs502() throws Exception {
        for (String path : List.of("/over-value", "/zeros-over-limit")) {
            long before = protocolFailures("value");
            try (RawHttp http = new RawHttp(proxy.localAddress().getPort())) {
                RawHttp.Response r = http.send("GET " + path + " HTTP/1.1\r\nHost: value\r\n\r\n").read();
                assertThat(r.status()).as(path).isEqualTo(502);
            }
            assertThat(protocolFailures("value") - before).as(path).isEqualTo(1);
        }
    }

    private static long protocolFailures(String service) {
        return proxy.stats().totals(service, "v1").failures().get(FailureReason.PROTOCOL);
    }

    /**
     * What the proxy sends up to and including the first {@code expected}; a close, reset or read timeout before
     * that fails the test, naming what came.
     */
    private static String readThrough(InputStream in, String expected) throws IOException {
        StringBuilder got = new StringBuilder();
        try {
            while (got.indexOf(expected) < 0) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("closed after " + got);
                }
                got.append((char) b);
            }
        } catch (SocketException reset) {
            throw new IOException("reset after " + got, reset);
        }
        return got.toString();
    }

    /** Everything the proxy sends until it closes or resets the connection; a read timeout fails the test. */
    private static String readUntilClosed(InputStream in) throws IOException {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        try {
            int n;
            while ((n = in.read(buf)) != -1) {
                got.write(buf, 0, n);
            }
        } catch (SocketException reset) {
            // the proxy cut the connection with a reset
        }
        return got.toString(StandardCharsets.ISO_8859_1);
    }

    /**
     * Sends a GET for {@code path} to the service "relayed" and returns the raw response, read up to the end of its
     * chunked body: the first empty line after the last chunk's line ("0" CR LF).
     */
    private static String exchange(RawHttp http, String path) throws IOException {
        http.send("GET " + path + " HTTP/1.1\r\nHost: relayed\r\n\r\n");
        InputStream in = http.socket().getInputStream();
        StringBuilder got = new StringBuilder();
        int lastChunkEnd = -1;
        while (lastChunkEnd < 0 || got.indexOf("\r\n\r\n", lastChunkEnd) < 0) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed after " + got);
            }
            got.append((char) b);
            if (lastChunkEnd < 0 && endsWithLastChunkLine(got)) {
                lastChunkEnd = got.length() - 2;
            }
        }
        return got.toString();
    }

    /**
     * True when {@code got} ends with a line that is a last chunk's, as the upstream may write it: zeros, perhaps
     * an extension (no head line or chunk data line here is all zeros).
     */
    private static boolean endsWithLastChunkLine(StringBuilder got) {
        int end = got.length();
        if (end < 3 || got.charAt(end - 1) != '\n' || got.charAt(end - 2) != '\r') {
            return false;
        }
        String line = got.substring(got.lastIndexOf("\n", end - 2) + 1, end - 2);
        String size = line.split(";", 2)[0].trim();
        return !size.isEmpty() && size.chars().allMatch(c -> c == '0');
    }
}
