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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The trailer section of a chunked response reaches an HTTP/1.1 client without the fields a proxy must not relay
 * (hop-by-hop, framing, those the head's Connection names), the others as the upstream sent them; a section over a
 * head's limits, or with a line that is no field, is a malformed response. Each test has a backend of its own, so
 * that the upstream connections it counts are its own.
 */
class ResponseTrailersTest {

    private static final String CHUNKED_HEAD = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n";
    private static final String BODY = "5\r\nhello\r\n0\r\n";
    private static final String OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
    /** Every hop-by-hop name, in the case an upstream might use, and the framing ones. */
    private static final String HOP_BY_HOP_TRAILERS = "Connection: close\r\nKeep-Alive: timeout=1\r\n"
            + "Proxy-Connection: close\r\nTE: trailers\r\nTransfer-Encoding: chunked\r\nTrailer: x-checksum\r\n"
            + "Upgrade: h2c\r\nProxy-Authenticate: Basic\r\nProxy-Authorization: Basic abc\r\nContent-Length: 5\r\n";

    private static final List<AutoCloseable> closeables = new ArrayList<>();
    private static ScriptedBackend filtered;
    private static ScriptedBackend split;
    private static ScriptedBackend tooMany;
    private static ScriptedBackend tooLarge;
    private static ScriptedBackend notAField;
    private static ProxyServer proxy;

    @BeforeAll
    static void start() throws Exception {
        filtered = backend()
                .on("/trailers", Script.of(CHUNKED_HEAD + "Connection: X-Secret\r\nTrailer: x-checksum\r\n\r\n"
                        + BODY + "x-checksum: abc\r\n" + HOP_BY_HOP_TRAILERS + "x-secret: s\r\nX-After:  Mixed  Case \r\n"
                        + "\r\n"))
                .on("/only-hop-by-hop", Script.of(CHUNKED_HEAD + "\r\n" + BODY + HOP_BY_HOP_TRAILERS + "\r\n"))
                .on("/ok", Script.of(OK));
        // The head and chunks in one write, then the trailer section three bytes at a time.
        List<String> writes = new ArrayList<>();
        writes.add(CHUNKED_HEAD + "\r\n" + BODY);
        String section = "X-Checksum: abc\r\nConnection: close\r\nX-Count: 2\r\n\r\n";
        for (int i = 0; i < section.length(); i += 3) {
            writes.add(section.substring(i, Math.min(section.length(), i + 3)));
        }
        split = backend()
                .on("/split", Script.of(writes.toArray(String[]::new)))
                .on("/ok", Script.of(OK));
        Limits limits = Limits.DEFAULTS;
        tooMany = backend().on("/many", Script.of(CHUNKED_HEAD + "\r\n" + BODY,
                "X-F: v\r\n".repeat(limits.maxHeaderCount() + 1) + "\r\n"));
        tooLarge = backend().on("/large", Script.of(CHUNKED_HEAD + "\r\n" + BODY,
                "X-Big: " + "a".repeat(limits.maxHeaderBytes()) + "\r\n\r\n"));
        notAField = backend().on("/no-colon", Script.of(CHUNKED_HEAD + "\r\n" + BODY, "Connection close\r\n\r\n"));
        proxy = ProxyServer.start(Specs.settings(), List.of(hostService("filtered", filtered.address()),
                hostService("split", split.address()), hostService("many", tooMany.address()),
                hostService("large", tooLarge.address()), hostService("nofield", notAField.address())), List.of());
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
    void hopByHopTrailersAreDroppedAndTheOthersPassAsSentOnAConnectionThatStaysInUse() throws Exception {
        try (RawHttp http = new RawHttp(proxy.localAddress().getPort())) {
            String response = exchange(http, "GET /trailers HTTP/1.1\r\nHost: filtered\r\n\r\n");
            assertThat(response).endsWith("\r\n\r\n" + BODY + "x-checksum: abc\r\nX-After:  Mixed  Case \r\n\r\n");
            assertThat(http.send("GET /ok HTTP/1.1\r\nHost: filtered\r\n\r\n").read().bodyText()).isEqualTo("ok");
        }
        assertThat(filtered.connections()).as("the upstream connection went back to the pool").isEqualTo(1);
    }

    @Test
    void aSectionOfHopByHopFieldsAloneLeavesTheEmptyLine() throws Exception {
        try (RawHttp http = new RawHttp(proxy.localAddress().getPort())) {
            String response = exchange(http, "GET /only-hop-by-hop HTTP/1.1\r\nHost: filtered\r\n\r\n");
            assertThat(response).endsWith("\r\n\r\n" + BODY + "\r\n");
            assertThat(http.send("GET /ok HTTP/1.1\r\nHost: filtered\r\n\r\n").read().bodyText()).isEqualTo("ok");
        }
    }

    @Test
    void aSectionArrivingInPiecesIsGatheredAndFiltered() throws Exception {
        try (RawHttp http = new RawHttp(proxy.localAddress().getPort())) {
            String response = exchange(http, "GET /split HTTP/1.1\r\nHost: split\r\n\r\n");
            assertThat(response).endsWith("\r\n\r\n" + BODY + "X-Checksum: abc\r\nX-Count: 2\r\n\r\n");
            assertThat(http.send("GET /ok HTTP/1.1\r\nHost: split\r\n\r\n").read().bodyText()).isEqualTo("ok");
        }
        assertThat(split.connections()).as("the upstream connection went back to the pool").isEqualTo(1);
    }

    @Test
    void moreTrailerFieldsThanAHeadMayHaveAreAMalformedResponse() throws Exception {
        assertRefused("many", "/many", "X-F");
    }

    @Test
    void aTrailerSectionLargerThanAHeadMayBeIsAMalformedResponse() throws Exception {
        assertRefused("large", "/large", "X-Big");
    }

    @Test
    void aTrailerLineThatIsNoFieldIsAMalformedResponse() throws Exception {
        assertRefused("nofield", "/no-colon", "Connection close");
    }

    /**
     * The chunks went out before the section came, so the client has the status already: as for any response that
     * turns out malformed mid-body, the connection is cut and nothing of the section reaches the client.
     */
    private static void assertRefused(String service, String path, String sectionStart) throws Exception {
        long before = protocolFailures(service);
        String received;
        try (Socket s = new Socket("127.0.0.1", proxy.localAddress().getPort())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + service + "\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            received = readUntilClosed(s.getInputStream());
        }
        assertThat(received).doesNotContain(sectionStart).doesNotEndWith("0\r\n\r\n");
        // Counted when the proxy has cut the connection, which the client has just seen.
        assertThat(protocolFailures(service) - before).isEqualTo(1);
    }

    private static long protocolFailures(String service) {
        return proxy.stats().totals(service, "v1").failures().get(FailureReason.PROTOCOL);
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
     * Sends a request and returns the raw response, read up to the end of its chunked body: the first empty line
     * after the last chunk (these bodies have one chunk, and no head field ends in "0").
     */
    private static String exchange(RawHttp http, String request) throws IOException {
        http.send(request);
        InputStream in = http.socket().getInputStream();
        StringBuilder got = new StringBuilder();
        // Where the CR LF of the last chunk's line starts: the section's end is the first CR LF CR LF from there.
        int lastChunkEnd = -1;
        while (lastChunkEnd < 0 || got.indexOf("\r\n\r\n", lastChunkEnd) < 0) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed after " + got);
            }
            got.append((char) b);
            if (lastChunkEnd < 0 && got.toString().endsWith("\r\n0\r\n")) {
                lastChunkEnd = got.length() - 2;
            }
        }
        return got.toString();
    }
}
