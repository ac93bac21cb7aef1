package dev.veer.proxy;

import static dev.veer.proxy.support.Specs.service;
import static dev.veer.proxy.support.Specs.version;
import static dev.veer.proxy.support.Specs.weights;
import static org.assertj.core.api.Assertions.assertThat;

import dev.veer.proxy.stats.FailureReason;
import dev.veer.proxy.support.RawHttp;
import dev.veer.proxy.support.ScriptedBackend;
import dev.veer.proxy.support.ScriptedBackend.Script;
import dev.veer.proxy.support.Specs;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * How upstream responses are relayed byte for byte: heads rewritten in place (hop-by-hop lines out, the rest as
 * sent), bodies framed as they came, re-framed only where the client needs it, and malformed heads refused.
 */
class ResponseRelayTest {

    private static ScriptedBackend backend;
    /** Backends of their own for the tests that count upstream connections, so no other test's pooled one counts. */
    private static ScriptedBackend extraBytesBackend;
    private static ScriptedBackend lengthAndChunkedBackend;
    private static ScriptedBackend http10Backend;
    private static ProxyServer proxy;

    @BeforeAll
    static void start() throws Exception {
        backend = new ScriptedBackend()
                .on("/hop", Script.of("HTTP/1.1 200 OK\r\nX-Custom:   Mixed Case  Value\r\nConnection: x-private, keep-alive\r\n"
                        + "X-Private: secret\r\nKeep-Alive: timeout=5\r\nProxy-Authenticate: Basic\r\nTrailer: x-t\r\n"
                        + "Upgrade: h2c\r\nContent-Length: 2\r\n\r\nok"))
                .on("/trickle", Script.of("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 7\r\n\r\ntrickle")
                        .trickled())
                .on("/until-close", Script.of("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nread until the close")
                        .thenClose())
                .on("/chunked", Script.of("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nX-Trailer: t\r\n\r\n"))
                .on("/announced", Script.of("HTTP/1.1 200 OK\r\nTrailer: X-Trailer\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "5\r\nhello\r\n0\r\nX-Trailer: t\r\n\r\n"))
                .on("/trailer-in-connection", Script.of("HTTP/1.1 200 OK\r\nConnection: Trailer\r\nTrailer: X-Trailer\r\n"
                        + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nX-Trailer: t\r\n\r\n"))
                .on("/continue", Script.of("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ndone"))
                .on("/endless-interim", Script.of("HTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\n".repeat(40)))
                .on("/no-reason", Script.of("HTTP/1.1 204\r\nX-Empty: yes\r\n\r\n"))
                .on("/empty-reason", Script.of("HTTP/1.1 200 \r\nContent-Length: 2\r\n\r\nok"))
                .on("/interim-no-reason", Script.of("HTTP/1.1 103\r\nLink: </x>\r\n\r\nHTTP/1.1 404\r\n"
                        + "Content-Length: 2\r\n\r\nno"))
                .on("/lf-only", Script.of("HTTP/1.1 200 OK\nContent-Length: 2\n\nlf"))
                .on("/fold", Script.of("HTTP/1.1 200 OK\r\nX-A: one\r\n two\r\nContent-Length: 2\r\n\r\nok"))
                .on("/space-colon", Script.of("HTTP/1.1 200 OK\r\nX-A : one\r\nContent-Length: 2\r\n\r\nok"))
                .on("/two-lengths", Script.of("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok"))
                .on("/nul", Script.of("HTTP/1.1 200 OK\r\nX-A: a\0b\r\nContent-Length: 2\r\n\r\nok"))
                .on("/http2", Script.of("HTTP/2.0 200 OK\r\nContent-Length: 2\r\n\r\nok"))
                // RFC 9110 §15: status codes outside 100..599 are invalid (libraries use 6xx-9xx internally).
                .on("/status-600", Script.of("HTTP/1.1 600 Odd\r\nContent-Length: 2\r\n\r\nok"))
                .on("/status-999", Script.of("HTTP/1.1 999 Odd\r\nContent-Length: 2\r\n\r\nok"))
                .on("/length-in-connection", Script.of("HTTP/1.1 200 OK\r\nConnection: Content-Length\r\n"
                        + "Content-Length: 5\r\n\r\nhello"))
                .on("/no-content-with-length", Script.of("HTTP/1.1 204 No Content\r\nContent-Length: 8\r\n"
                        + "X-Kept: yes\r\n\r\n"))
                .on("/head-gzip", Script.of("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"))
                .on("/head-chunked", Script.of("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-After: 1\r\n\r\n"))
                .on("/head-length", Script.of("HTTP/1.1 200 OK\r\nContent-Length: 1234\r\nX-After: 1\r\n\r\n"))
                .on("/head-both", Script.of("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 1234\r\n"
                        + "X-After: 1\r\n\r\n"))
                .on("/not-modified-chunked", Script.of("HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n"
                        + "ETag: \"v1\"\r\n\r\n"))
                .on("/gzip-chunked", Script.of("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
                        + "2\r\nok\r\n0\r\n\r\n"))
                .on("/chunked-twice", Script.of("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
                        + "Transfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n"))
                .on("/huge-head", Script.of("HTTP/1.1 200 OK\r\nX-Big: " + "a".repeat(200 * 1024) + "\r\n\r\n"))
                // Over the request side's defaults (60 KiB, 100 fields), which responses are held to as well.
                .on("/big-head", Script.of("HTTP/1.1 200 OK\r\nX-Big: " + "a".repeat(61 * 1024)
                        + "\r\nContent-Length: 2\r\n\r\nok"))
                .on("/many-fields", Script.of("HTTP/1.1 200 OK\r\n" + "X-F: v\r\n".repeat(101)
                        + "Content-Length: 2\r\n\r\nok"))
                .on("/length-twice", Script.of("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok"))
                .on("/length-list", Script.of("HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\nX-After: 1\r\n\r\nok"))
                .on("/length-list-tight", Script.of("HTTP/1.1 200 OK\r\nContent-Length:2,2 ,\t2\r\n\r\nok"))
                .on("/length-list-twice", Script.of("HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\nContent-Length: 2\r\n"
                        + "\r\nok"))
                .on("/length-list-differs", Script.of("HTTP/1.1 200 OK\r\nContent-Length: 2, 3\r\n\r\nok"))
                .on("/length-list-differs-across", Script.of("HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\n"
                        + "Content-Length: 3\r\n\r\nok"))
                .on("/length-list-empty-element", Script.of("HTTP/1.1 200 OK\r\nContent-Length: 2, , 2\r\n\r\nok"))
                .on("/length-list-trailing-comma", Script.of("HTTP/1.1 200 OK\r\nContent-Length: 2,\r\n\r\nok"));
        extraBytesBackend = new ScriptedBackend()
                .on("/extra", Script.of("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfirstHTTP/1.1 200 OK\r\n"
                        + "Content-Length: 8\r\n\r\nsmuggled"))
                .on("/ok", Script.of("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
        lengthAndChunkedBackend = new ScriptedBackend()
                .on("/length-and-chunked", Script.of("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n"
                        + "Transfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n"))
                .on("/ok", Script.of("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
        http10Backend = new ScriptedBackend()
                .on("/chunked", Script.of("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "2\r\nok\r\n0\r\n\r\n"))
                .on("/ok", Script.of("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
        proxy = ProxyServer.start(Specs.settings(), List.of(single("relay", backend), single("extra", extraBytesBackend),
                single("both", lengthAndChunkedBackend), single("old", http10Backend)), List.of());
    }

    private static dev.veer.config.model.ServiceSpec single(String name, ScriptedBackend target) {
        return service(name, List.of(name), "/", List.of(version("v1", target.address())), weights("v1", 10000), null,
                List.of(), null);
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        backend.close();
        extraBytesBackend.close();
        lengthAndChunkedBackend.close();
        http10Backend.close();
    }

    private static RawHttp.Response get(String path) throws IOException {
        try (RawHttp http = new RawHttp(proxy.localAddress().getPort())) {
            return http.send("GET " + path + " HTTP/1.1\r\nHost: relay\r\n\r\n").read();
        }
    }

    /**
     * Sends one request and returns everything the proxy writes until it closes or, once a head has come, goes quiet
     * for 500 ms. Up to the end of a head it has 10 s: on a loaded machine the first byte may take longer than the
     * quiet that ends the response, which read an empty one.
     */
    private static String rawExchange(String request) throws IOException {
        try (Socket s = new Socket("127.0.0.1", proxy.localAddress().getPort())) {
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            s.setSoTimeout(10_000);
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[8192];
            try {
                int n;
                while ((n = in.read(buf)) != -1) {
                    got.write(buf, 0, n);
                    if (got.toString(StandardCharsets.ISO_8859_1).contains("\r\n\r\n")) {
                        s.setSoTimeout(500);
                    }
                }
            } catch (java.net.SocketTimeoutException quiet) {
                // the response is complete and the connection is kept open
            }
            return got.toString(StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void endToEndLinesPassAsSentAndHopByHopLinesAreDropped() throws Exception {
        String response = rawExchange("GET /hop HTTP/1.1\r\nHost: relay\r\n\r\n");
        assertThat(response).startsWith("HTTP/1.1 200 OK\r\n");
        assertThat(response).contains("\r\nX-Custom:   Mixed Case  Value\r\n");
        assertThat(response.toLowerCase()).doesNotContain("x-private").doesNotContain("keep-alive")
                .doesNotContain("proxy-authenticate").doesNotContain("upgrade").doesNotContain("connection:");
        // Trailer is end to end (RFC 9110 §7.6.1 does not list it), even where no trailer section can follow.
        assertThat(response).contains("\r\nTrailer: x-t\r\n");
        assertThat(response).endsWith("\r\n\r\nok");
    }

    @Test
    void aHeadArrivingAByteAtATimeIsGathered() throws Exception {
        RawHttp.Response r = get("/trickle");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.bodyText()).isEqualTo("trickle");
    }

    @Test
    void aBodyDelimitedByTheUpstreamsCloseIsChunkedForAnHttp11ClientThatStaysConnected() throws Exception {
        try (RawHttp http = new RawHttp(proxy.localAddress().getPort())) {
            RawHttp.Response r = http.send("GET /until-close HTTP/1.1\r\nHost: relay\r\n\r\n").read();
            assertThat(r.header("transfer-encoding")).isEqualTo("chunked");
            assertThat(r.bodyText()).isEqualTo("read until the close");
            assertThat(http.send("GET /trickle HTTP/1.1\r\nHost: relay\r\n\r\n").read().bodyText()).isEqualTo("trickle");
        }
    }

    @Test
    void anHttp10ClientGetsBodiesWithoutChunksUpToTheClose() throws Exception {
        String untilClose = rawExchange("GET /until-close HTTP/1.0\r\nHost: relay\r\n\r\n");
        assertThat(untilClose).startsWith("HTTP/1.1 200 OK\r\n").endsWith("\r\n\r\nread until the close")
                .doesNotContainIgnoringCase("transfer-encoding");
        String chunked = rawExchange("GET /chunked HTTP/1.0\r\nHost: relay\r\nConnection: keep-alive\r\n\r\n");
        assertThat(chunked).endsWith("\r\n\r\nhello, world").doesNotContainIgnoringCase("transfer-encoding")
                .containsIgnoringCase("connection: close");
    }

    @Test
    void theTrailerFieldIsRelayedWithTheTrailersItAnnouncesAndDroppedWithThem() throws Exception {
        String http11 = rawExchange("GET /announced HTTP/1.1\r\nHost: relay\r\n\r\n");
        assertThat(http11).contains("\r\nTrailer: X-Trailer\r\n")
                .endsWith("\r\n\r\n5\r\nhello\r\n0\r\nX-Trailer: t\r\n\r\n");
        // An HTTP/1.0 client gets the chunk data alone, so no trailers, and no field announcing them.
        String http10 = rawExchange("GET /announced HTTP/1.0\r\nHost: relay\r\n\r\n");
        assertThat(http10).endsWith("\r\n\r\nhello").doesNotContainIgnoringCase("trailer");
        // Named in Connection, it is hop-by-hop like any other field so named.
        String named = rawExchange("GET /trailer-in-connection HTTP/1.1\r\nHost: relay\r\n\r\n");
        assertThat(named).doesNotContainIgnoringCase("trailer: x-trailer\r\n").doesNotContainIgnoringCase("connection:")
                .endsWith("\r\n\r\n5\r\nhello\r\n0\r\nX-Trailer: t\r\n\r\n");
    }

    /** But for chunk extensions, which stay behind (see ResponseChunkLinesTest). */
    @Test
    void chunkedBodiesPassAsTheyCameTrailersIncluded() throws Exception {
        String response = rawExchange("GET /chunked HTTP/1.1\r\nHost: relay\r\n\r\n");
        assertThat(response).containsIgnoringCase("transfer-encoding: chunked\r\n")
                .endsWith("\r\n\r\n5\r\nhello\r\n7\r\n, world\r\n0\r\nX-Trailer: t\r\n\r\n");
    }

    @Test
    void bytesBeyondAResponseAreNeverTakenForTheNextOne() throws Exception {
        try (RawHttp http = new RawHttp(proxy.localAddress().getPort())) {
            assertThat(http.send("GET /extra HTTP/1.1\r\nHost: extra\r\n\r\n").read().bodyText()).isEqualTo("first");
            RawHttp.Response next = http.send("GET /ok HTTP/1.1\r\nHost: extra\r\n\r\n").read();
            assertThat(next.bodyText()).isEqualTo("ok");
            assertThat(extraBytesBackend.connections()).as("the tainted connection was closed, not pooled").isEqualTo(2);
        }
    }

    @Test
    void interimAndFinalHeadsInOneReadBothReachTheClient() throws Exception {
        String response = rawExchange("GET /continue HTTP/1.1\r\nHost: relay\r\n\r\n");
        assertThat(response).startsWith("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n").endsWith("\r\n\r\ndone");
    }

    @Test
    void anUpstreamThatSendsOnlyInterimHeadsGets502AfterTheLimit() throws Exception {
        String response = rawExchange("GET /endless-interim HTTP/1.1\r\nHost: relay\r\n\r\n");
        String interim = "HTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\n";
        assertThat(response).startsWith(interim.repeat(32) + "HTTP/1.1 502 ");
        assertThat(response).contains("upstream sent an invalid response");
    }

    /** RFC 9112 §4: the SP after the status code is sent even when the reason phrase is empty. */
    @Test
    void aStatusLineWithoutAReasonPhraseGoesOnWithTheSpaceAfterTheCode() throws Exception {
        String noReason = rawExchange("GET /no-reason HTTP/1.1\r\nHost: relay\r\n\r\n");
        assertThat(noReason).startsWith("HTTP/1.1 204 \r\nX-Empty: yes\r\n");
        String emptyReason = rawExchange("GET /empty-reason HTTP/1.1\r\nHost: relay\r\n\r\n");
        assertThat(emptyReason).startsWith("HTTP/1.1 200 \r\n").endsWith("\r\n\r\nok");
        String interim = rawExchange("GET /interim-no-reason HTTP/1.1\r\nHost: relay\r\n\r\n");
        assertThat(interim).startsWith("HTTP/1.1 103 \r\nLink: </x>\r\n\r\nHTTP/1.1 404 \r\n").endsWith("\r\n\r\nno");
        String reason = rawExchange("GET /hop HTTP/1.1\r\nHost: relay\r\n\r\n");
        assertThat(reason).startsWith("HTTP/1.1 200 OK\r\n");
    }

    @Test
    void lenientButUnambiguousHeadsAreAccepted() throws Exception {
        assertThat(get("/no-reason").status()).isEqualTo(204);
        RawHttp.Response lf = get("/lf-only");
        assertThat(lf.status()).isEqualTo(200);
        assertThat(lf.bodyText()).isEqualTo("lf");
    }

    @Test
    void contentLengthBesideChunkedIs502AndTheConnectionNotReused() throws Exception {
        try (RawHttp http = new RawHttp(proxy.localAddress().getPort())) {
            String get = "GET %s HTTP/1.1\r\nHost: both\r\n\r\n";
            RawHttp.Response both = http.send(get.formatted("/length-and-chunked")).read();
            assertThat(both.status()).isEqualTo(502);
            assertThat(both.bodyText()).contains("upstream sent an invalid response");
        }
        try (RawHttp http = new RawHttp(proxy.localAddress().getPort())) {
            String get = "GET %s HTTP/1.1\r\nHost: both\r\n\r\n";
            assertThat(http.send(get.formatted("/ok")).read().bodyText()).isEqualTo("ok");
            assertThat(http.send(get.formatted("/ok")).read().bodyText()).isEqualTo("ok");
            assertThat(lengthAndChunkedBackend.connections()).as("closed after the first, reused after the second")
                    .isEqualTo(2);
        }
    }

    @Test
    void aContentLengthNamedInConnectionStillFramesTheBody() throws Exception {
        try (RawHttp http = new RawHttp(proxy.localAddress().getPort())) {
            RawHttp.Response r = http.send("GET /length-in-connection HTTP/1.1\r\nHost: relay\r\n\r\n").read();
            assertThat(r.header("content-length")).isEqualTo("5");
            assertThat(r.bodyText()).isEqualTo("hello");
            // Without a length the client would read this response into the first one's body.
            RawHttp.Response next = http.send("GET /trickle HTTP/1.1\r\nHost: relay\r\n\r\n").read();
            assertThat(next.status()).isEqualTo(200);
            assertThat(next.bodyText()).isEqualTo("trickle");
        }
    }

    /**
     * RFC 9112 §6.1: a message received with HTTP/1.0 and Transfer-Encoding has faulty framing (the sender may not
     * mean chunks at all), as a request has (400); an upstream's is a malformed response, whose connection ends.
     */
    @Test
    void anHttp10UpstreamResponseWithTransferEncodingIs502AndEndsItsConnection() throws Exception {
        long before = proxy.stats().totals("old", "v1").failures().get(FailureReason.PROTOCOL);
        try (RawHttp http = new RawHttp(proxy.localAddress().getPort())) {
            String get = "GET %s HTTP/1.1\r\nHost: old\r\n\r\n";
            RawHttp.Response refused = http.send(get.formatted("/chunked")).read();
            assertThat(refused.status()).isEqualTo(502);
            assertThat(refused.bodyText()).contains("upstream sent an invalid response");
            assertThat(http.send(get.formatted("/ok")).read().bodyText()).isEqualTo("ok");
            assertThat(http.send(get.formatted("/ok")).read().bodyText()).isEqualTo("ok");
            assertThat(http10Backend.connections()).as("closed after the first, then reused").isEqualTo(2);
        }
        assertThat(proxy.stats().totals("old", "v1").failures().get(FailureReason.PROTOCOL) - before).isEqualTo(1);
    }

    @Test
    void anAnswerToHeadIsNotHeldToBodyFraming() throws Exception {
        try (RawHttp http = new RawHttp(proxy.localAddress().getPort())) {
            RawHttp.Response head = http.send("HEAD /head-gzip HTTP/1.1\r\nHost: relay\r\n\r\n").read(true);
            assertThat(head.status()).as("no body follows, whatever coding it names").isEqualTo(200);
        }
    }

    /**
     * RFC 9110 §9.3.2: the answer to a HEAD has the fields a GET's would, its framing fields too, which say how the
     * body would come; and nothing after its head, no last chunk either.
     */
    @Test
    void anAnswerToHeadKeepsItsFramingFieldsAndNothingFollowsItsHead() throws Exception {
        String chunked = rawExchange("HEAD /head-chunked HTTP/1.1\r\nHost: relay\r\n\r\n");
        assertThat(chunked).startsWith("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-After: 1\r\n")
                .endsWith("\r\n\r\n");
        assertThat(chunked.indexOf("\r\n\r\n")).as("nothing after the head").isEqualTo(chunked.length() - 4);
        assertThat(chunked.toLowerCase()).doesNotContain("content-length");

        String sized = rawExchange("HEAD /head-length HTTP/1.1\r\nHost: relay\r\n\r\n");
        assertThat(sized).startsWith("HTTP/1.1 200 OK\r\nContent-Length: 1234\r\nX-After: 1\r\n")
                .endsWith("\r\n\r\n");
        assertThat(sized.indexOf("\r\n\r\n")).as("nothing after the head").isEqualTo(sized.length() - 4);
        assertThat(sized.toLowerCase()).doesNotContain("transfer-encoding");

        // Never both (RFC 9112 §6.2): the length is kept.
        String both = rawExchange("HEAD /head-both HTTP/1.1\r\nHost: relay\r\n\r\n");
        assertThat(both).startsWith("HTTP/1.1 200 OK\r\nContent-Length: 1234\r\nX-After: 1\r\n");
        assertThat(both.toLowerCase()).doesNotContain("transfer-encoding");
    }

    /** Then the next response on the connection is read where it starts. */
    @Test
    void anAnswerToHeadWithChunkedFramingLeavesTheConnectionInStep() throws Exception {
        try (RawHttp http = new RawHttp(proxy.localAddress().getPort())) {
            RawHttp.Response head = http.send("HEAD /head-chunked HTTP/1.1\r\nHost: relay\r\n\r\n").read(true);
            assertThat(head.headers("transfer-encoding")).containsExactly("chunked");
            RawHttp.Response next = http.send("GET /trickle HTTP/1.1\r\nHost: relay\r\n\r\n").read();
            assertThat(next.status()).isEqualTo(200);
            assertThat(next.bodyText()).isEqualTo("trickle");
        }
    }

    /**
     * RFC 9112 §6.1 lets a 304 carry the coding a GET's body would have, but Python's http.client and urllib3 then
     * wait for chunks: it is dropped, and nothing follows the head.
     */
    @Test
    void aNotModifiedResponseLosesItsTransferEncoding() throws Exception {
        String response = rawExchange("GET /not-modified-chunked HTTP/1.1\r\nHost: relay\r\n\r\n");
        assertThat(response).startsWith("HTTP/1.1 304 Not Modified\r\n").endsWith("\r\n\r\n");
        assertThat(response.toLowerCase()).doesNotContain("transfer-encoding");
        assertThat(response.indexOf("\r\n\r\n")).as("nothing after the head").isEqualTo(response.length() - 4);
    }

    /** RFC 9112 §6.1: no Transfer-Encoding to a client that did not say HTTP/1.1. */
    @Test
    void anHttp10ClientGetsNoTransferEncodingOnAnAnswerToHead() throws Exception {
        String response = rawExchange("HEAD /head-chunked HTTP/1.0\r\nHost: relay\r\n\r\n");
        assertThat(response).startsWith("HTTP/1.1 200 OK\r\n").contains("\r\nX-After: 1\r\n");
        assertThat(response.toLowerCase()).doesNotContain("transfer-encoding");
    }

    @Test
    void aNoContentResponseLosesItsContentLength() throws Exception {
        String response = rawExchange("GET /no-content-with-length HTTP/1.1\r\nHost: relay\r\n\r\n");
        assertThat(response).startsWith("HTTP/1.1 204 No Content\r\n").contains("X-Kept: yes");
        assertThat(response.toLowerCase()).doesNotContain("content-length");
    }

    @Test
    void aProxyMadeAnswerToHeadHasItsLengthButNoBody() throws Exception {
        try (RawHttp http = new RawHttp(proxy.localAddress().getPort())) {
            RawHttp.Response head = http.send("HEAD /x HTTP/1.1\r\nHost: no-such-service\r\n\r\n").read(true);
            assertThat(head.status()).isEqualTo(404);
            assertThat(Integer.parseInt(head.header("content-length"))).isPositive();
            // Had a body followed, it would be read here as the next response's status line.
            RawHttp.Response next = http.send("GET /trickle HTTP/1.1\r\nHost: relay\r\n\r\n").read();
            assertThat(next.status()).isEqualTo(200);
            assertThat(next.bodyText()).isEqualTo("trickle");
        }
    }

    @Test
    void aContentLengthRepeatedWithTheSameValueIsPassedOnOnce() throws Exception {
        String response = rawExchange("GET /length-twice HTTP/1.1\r\nHost: relay\r\n\r\n");
        assertThat(response).startsWith("HTTP/1.1 200 OK\r\n").endsWith("\r\n\r\nok");
        assertThat(response.toLowerCase().split("content-length:", -1)).hasSize(2);
    }

    /**
     * RFC 9110 §8.6: a list of identical lengths, in one field or several, is that length, passed on once. A request
     * with either is still refused (HostileInputTest), as the request side takes no chances.
     */
    @Test
    void aContentLengthListOfOneValueIsThatValuePassedOnOnce() throws Exception {
        String list = rawExchange("GET /length-list HTTP/1.1\r\nHost: relay\r\n\r\n");
        assertThat(list).startsWith("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-After: 1\r\n").endsWith("\r\n\r\nok");
        String tight = rawExchange("GET /length-list-tight HTTP/1.1\r\nHost: relay\r\n\r\n");
        assertThat(tight).startsWith("HTTP/1.1 200 OK\r\nContent-Length:2\r\n").endsWith("\r\n\r\nok");
        String twice = rawExchange("GET /length-list-twice HTTP/1.1\r\nHost: relay\r\n\r\n");
        assertThat(twice).startsWith("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        assertThat(twice.toLowerCase().split("content-length:", -1)).hasSize(2);
        try (RawHttp http = new RawHttp(proxy.localAddress().getPort())) {
            assertThat(http.send("GET /length-list HTTP/1.1\r\nHost: relay\r\n\r\n").read().bodyText()).isEqualTo("ok");
            RawHttp.Response next = http.send("GET /trickle HTTP/1.1\r\nHost: relay\r\n\r\n").read();
            assertThat(next.bodyText()).as("the connection stays in step").isEqualTo("trickle");
        }
    }

    @Test
    void malformedHeadsAre502() throws Exception {
        for (String path : List.of("/fold", "/space-colon", "/two-lengths", "/nul", "/http2", "/status-600",
                "/status-999", "/huge-head", "/big-head", "/many-fields", "/gzip-chunked", "/chunked-twice",
                "/length-list-differs", "/length-list-differs-across", "/length-list-empty-element",
                "/length-list-trailing-comma")) {
            RawHttp.Response r = get(path);
            assertThat(r.status()).as(path).isEqualTo(502);
            assertThat(r.bodyText()).as(path).contains("upstream sent an invalid response");
        }
    }
}
