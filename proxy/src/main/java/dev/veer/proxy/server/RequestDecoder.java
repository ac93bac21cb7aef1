package dev.veer.proxy.server;

import dev.veer.proxy.http.ChunkFraming;
import dev.veer.proxy.http.RequestLineSyntax;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import io.netty.util.ByteProcessor;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Netty's request decoder made strict where it is lenient by design:
 * <ul>
 *   <li>the request line is held to its syntax ({@link RequestLineSyntax}): Netty splits it at any run of blanks,
 *       skips whitespace and controls before it and takes any byte in the target;</li>
 *   <li>obs-fold (a header line starting with SP or HTAB) is an error (Netty joins it to the previous value);</li>
 *   <li>Content-Length together with chunked Transfer-Encoding is left in the head for {@link FramingGuard} to
 *       refuse (Netty drops the Content-Length);</li>
 *   <li>a chunked body is read strictly by {@link ChunkFraming} before Netty reads it;</li>
 *   <li>more than one Content-Length field is an error in HTTP/1.0 too (Netty keeps the first there and reads the
 *       body by it, while a peer in front that reads the last sees one request where Veer sees two).</li>
 * </ul>
 * The head is scanned for the first two before Netty parses it, and a chunked body for its framing: a malformed
 * request line, a fold or a framing error yields a {@link RejectedRequest}, and everything after it on the
 * connection is discarded.
 * Well-known header names are shared constants ({@link KnownHeaderNames}) instead of a copy per request.
 * Repeated {@code Cookie} header fields are joined into one with "; " (RFC 9113 §8.2.3, what HTTP/2-to-1 gateways
 * must do), so stickiness, cookie routes and flags, which read the first Cookie header, see every cookie; the
 * fields are counted as their names are parsed, so a request with one Cookie header costs nothing more.
 */
final class RequestDecoder extends HttpRequestDecoder {

    /** Lower case: a name byte OR 0x20 is its lower case for letters and '-' alike. */
    private static final byte[] CONTENT_LENGTH = "content-length".getBytes(StandardCharsets.US_ASCII);

    private boolean inHead = true;
    private boolean headEnded;
    /** Bytes after the reader index already scanned in the current head. */
    private int scannedAhead;
    private final RequestLineSyntax requestLine = new RequestLineSyntax();
    /** Where the scan is in the header lines, once the request line has ended. */
    private boolean atLineStart = true;
    private boolean lineEmptySoFar = true;
    private boolean rejected;
    /** Why the scan refused the head, or null. */
    private String malformed;
    /** One per decoder: {@link ByteBuf#forEachByte} reads the buffer without per-byte bounds and index checks. */
    private final ByteProcessor headScanner = this::scanHeadByte;
    private final ChunkFraming chunkFraming;
    /** Bytes after the reader index already checked by {@link #chunkFraming}. */
    private int chunkScannedAhead;
    /** Cookie header fields in the current head. */
    private int cookieFields;
    /** Content-Length header fields in the current head. */
    private int contentLengthFields;

    RequestDecoder(HttpDecoderConfig config) {
        super(config);
        // Netty holds a chunk-size line to the request line's limit too: the same line fails the same way in both.
        this.chunkFraming = new ChunkFraming(config.getMaxInitialLineLength());
    }

    /**
     * The client's FIN passes on without the decoder reading what is left as a last message: bytes left over are a
     * request the client can no longer finish, which {@link ProxyHandler} gives up without an answer.
     */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof ChannelInputShutdownEvent) {
            ctx.fireUserEventTriggered(evt);
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
        if (rejected) {
            buffer.skipBytes(buffer.readableBytes());
            return;
        }
        // Both scans count the bytes they have read past the reader index, and lose what Netty consumes in this call.
        // This call's own reader index, not the one of the call that last scanned: since then the buffer may be
        // another (the decoder lets go of one read to its end), and a head that starts after a body has not been
        // scanned at all.
        int readerIndexAtStart = buffer.readerIndex();
        if (inHead && !headEnded && malformedHead(buffer)) {
            rejected = true;
            buffer.skipBytes(buffer.readableBytes());
            out.add(new RejectedRequest(HttpResponseStatus.BAD_REQUEST, malformed));
            return;
        }
        if (chunkFraming.active()) {
            int reached = chunkFraming.scan(buffer, readerIndexAtStart + chunkScannedAhead);
            if (reached < 0) {
                rejected = true;
                buffer.skipBytes(buffer.readableBytes());
                out.add(new RejectedRequest(HttpResponseStatus.BAD_REQUEST, "malformed chunked body framing"));
                return;
            }
            chunkScannedAhead = reached - readerIndexAtStart;
        }
        int before = out.size();
        super.decode(ctx, buffer, out);
        int consumed = buffer.readerIndex() - readerIndexAtStart;
        chunkScannedAhead = Math.max(0, chunkScannedAhead - consumed);
        for (int i = before; i < out.size(); i++) {
            Object msg = out.get(i);
            if (msg instanceof HttpRequest) {
                HttpRequest request = (HttpRequest) msg;
                inHead = false;
                if (contentLengthFields > 1 && request.decoderResult().isSuccess()) {
                    // FramingGuard refuses it as it does Netty's own refusal of an HTTP/1.1 one; nothing after it is read.
                    request.setDecoderResult(DecoderResult.failure(
                            new IllegalArgumentException("Multiple Content-Length fields")));
                    rejected = true;
                    buffer.skipBytes(buffer.readableBytes());
                }
                contentLengthFields = 0;
                if (cookieFields > 1) {
                    joinCookies(request.headers());
                }
                cookieFields = 0;
                if (request.decoderResult().isSuccess() && MessageFraming.isChunked(request)) {
                    // Netty returns right after a head, so the reader index is at the first byte of the body.
                    chunkFraming.start();
                    chunkScannedAhead = 0;
                }
            }
            if (msg instanceof LastHttpContent) {
                chunkFraming.stop();
                startHead();
            }
        }
        if (inHead && !headEnded) {
            scannedAhead = Math.max(0, scannedAhead - consumed);
        }
    }

    /**
     * Whether bytes are held that no message read so far took, empty lines aside: after a request's end, the start
     * of the next one (the decoder passes each message on before it reads the bytes after it).
     */
    boolean holdsNextHead() {
        return HeadTimer.startsAHead(internalBuffer());
    }

    private void startHead() {
        inHead = true;
        headEnded = false;
        scannedAhead = 0;
        requestLine.reset();
        atLineStart = true;
        lineEmptySoFar = true;
        cookieFields = 0;
        contentLengthFields = 0;
    }

    /** Replaces repeated Cookie fields by one holding their values in order, separated by "; ". */
    private static void joinCookies(HttpHeaders headers) {
        List<String> values = headers.getAll(HttpHeaderNames.COOKIE);
        if (values.size() < 2) {
            return;
        }
        StringBuilder joined = new StringBuilder();
        for (String value : values) {
            if (joined.length() > 0) {
                joined.append("; ");
            }
            joined.append(value);
        }
        headers.set(HttpHeaderNames.COOKIE, joined.toString());
    }

    /** Scans the not yet scanned bytes of the head; true when it is malformed ({@link #malformed} says how). */
    private boolean malformedHead(ByteBuf buffer) {
        int from = buffer.readerIndex() + scannedAhead;
        int end = buffer.writerIndex();
        if (from >= end) {
            return false;
        }
        int stoppedAt = buffer.forEachByte(from, end - from, headScanner);
        if (malformed != null) {
            return true;
        }
        // Stopped at the '\n' that ends the head (the bytes after it are the body's), or scanned everything.
        int scannedTo = stoppedAt < 0 ? end : stoppedAt + 1;
        scannedAhead = scannedTo - buffer.readerIndex();
        return false;
    }

    /** One byte of the head; false stops the scan (a malformed request line, a fold, or the head's end). */
    private boolean scanHeadByte(byte b) {
        if (!requestLine.ended()) {
            if (!requestLine.accept(b)) {
                malformed = requestLine.error();
                return false;
            }
            return true;
        }
        if (atLineStart) {
            atLineStart = false;
            if (b == ' ' || b == '\t') {
                malformed = "obsolete line folding in header";
                return false;
            }
        }
        if (b == '\n') {
            if (lineEmptySoFar) {
                headEnded = true;
                return false;
            }
            atLineStart = true;
            lineEmptySoFar = true;
        } else if (b != '\r') {
            lineEmptySoFar = false;
        }
        return true;
    }

    @Override
    protected AsciiString splitHeaderName(byte[] bytes, int start, int length) {
        if (length == 6 && isCookie(bytes, start)) {
            cookieFields++;
        } else if (length == CONTENT_LENGTH.length && isContentLength(bytes, start)) {
            contentLengthFields++;
        }
        AsciiString known = KnownHeaderNames.find(bytes, start, length);
        return known != null ? known : super.splitHeaderName(bytes, start, length);
    }

    private static boolean isContentLength(byte[] bytes, int start) {
        for (int i = 0; i < CONTENT_LENGTH.length; i++) {
            if ((bytes[start + i] | 0x20) != CONTENT_LENGTH[i]) {
                return false;
            }
        }
        return true;
    }

    private static boolean isCookie(byte[] bytes, int start) {
        return (bytes[start] | 0x20) == 'c' && (bytes[start + 1] | 0x20) == 'o' && (bytes[start + 2] | 0x20) == 'o'
                && (bytes[start + 3] | 0x20) == 'k' && (bytes[start + 4] | 0x20) == 'i'
                && (bytes[start + 5] | 0x20) == 'e';
    }

    /**
     * RFC 9112 §2.3: the protocol name is "HTTP", case-sensitively. Netty's {@code HttpVersion} upper-cases it, so
     * "http/1.1" would pass as HTTP/1.1; a recipient that reads it differently (nginx and Envoy refuse it) must not
     * see Veer relay it. The exception fails the request line: 400, as for any other malformed one.
     */
    @Override
    protected String splitThirdWordInitialLine(byte[] bytes, int start, int length) {
        if (length < 5 || bytes[start] != 'H' || bytes[start + 1] != 'T' || bytes[start + 2] != 'T'
                || bytes[start + 3] != 'P' || bytes[start + 4] != '/') {
            throw new IllegalArgumentException("protocol name is not HTTP");
        }
        return super.splitThirdWordInitialLine(bytes, start, length);
    }

    /**
     * Netty drops the Content-Length here and reads the body as chunked; Veer keeps both, so that
     * {@link FramingGuard} refuses the request with the reason (and nothing of it goes upstream).
     */
    @Override
    protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
    }
}
