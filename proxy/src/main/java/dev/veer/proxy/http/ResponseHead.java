package dev.veer.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.util.AsciiString;

/**
 * An upstream's HTTP/1.x response head, read without a header map or a String per value. It knows what a proxy needs of a head (status, how the body is framed, whether the connection may be
 * reused) and writes the head on, as HTTP/1.1, with the hop-by-hop header lines (RFC 9110 §7.6.1, and every header
 * named in Connection) left out. The other lines are copied byte for byte, but for a list in Content-Length (which
 * goes on as its first length) and a status line without a reason phrase (which gets the SP before the phrase, as
 * RFC 9112 §4 requires). The same hop-by-hop names are kept out of the trailer section that may follow a chunked
 * body ({@link #passesInTrailers}).
 *
 * <p>Strict where a lenient reading could let one response hide in another: the status line must be
 * {@code HTTP/1.0} or {@code HTTP/1.1} and a three-digit code, a header name is a token directly followed by ':',
 * values have no control characters but HTAB, obs-fold is refused, and a Content-Length is digits only, or a list
 * of the same digits, the same in every field; it is passed on once, as one length. Content-Length together with
 * Transfer-Encoding is refused (RFC 9112 §6.1: a sign of response splitting; Envoy refuses it too), as is
 * Transfer-Encoding in an HTTP/1.0 response (RFC 9112 §6.1: its framing is faulty), and a Content-Length named in
 * Connection is kept, since it frames the body.
 * A 1xx or 204 response's Content-Length is dropped (RFC 9110 §8.6: such responses never carry one).
 * Transfer-Encoding is Veer's own to write, as it frames the body it relays; on the answer to a HEAD, which carries
 * no body, it tells how a GET's body would be coded (RFC 9110 §9.3.2), and passes as it came.
 *
 * <p>The head is copied once into an array of its own and read there: a buffer's {@code getByte} checks bounds
 * and liveness on every byte. One instance per upstream connection, reused for each head; valid until the next
 * {@link #parse}.
 */
public final class ResponseHead {

    /**
     * More interim (1xx) heads before the final one are refused, by the proxy and the health check alike: an upstream
     * may send them for ever. A real server sends one or two (100 Continue, 103 Early Hints), or a 102 Processing now
     * and then.
     */
    public static final int MAX_INTERIM_HEADS = 32;
    public static final String TOO_MANY_INTERIM_HEADS = "more than " + MAX_INTERIM_HEADS + " interim (1xx) responses";

    /** How the body that follows the head is delimited. */
    public enum Framing { NONE, LENGTH, CHUNKED, UNTIL_CLOSE }

    private static final byte[] HTTP_1_1 = HeadBytes.ascii("HTTP/1.1 ");
    private static final AsciiString CONNECTION = AsciiString.cached("connection");
    private static final AsciiString CONTENT_LENGTH = AsciiString.cached("content-length");
    private static final AsciiString TRANSFER_ENCODING = AsciiString.cached("transfer-encoding");
    private static final AsciiString CHUNKED = AsciiString.cached("chunked");
    private static final AsciiString CLOSE = AsciiString.cached("close");
    private static final AsciiString KEEP_ALIVE = AsciiString.cached("keep-alive");
    private static final AsciiString UPGRADE = AsciiString.cached("upgrade");
    private static final AsciiString TRAILER = AsciiString.cached("trailer");
    private static final byte[] CONNECTION_UPGRADE = HeadBytes.ascii("connection: upgrade\r\n");
    /** Hop-by-hop besides Connection, Transfer-Encoding (handled above) and the names listed in Connection. */
    private static final AsciiString[] HOP_BY_HOP = {
        KEEP_ALIVE, AsciiString.cached("proxy-connection"), AsciiString.cached("te"), UPGRADE,
        AsciiString.cached("proxy-authenticate"), AsciiString.cached("proxy-authorization"),
    };

    /** More fields are refused as they are read, before the line index grows for them. */
    private final int maxFields;
    /** The head's bytes, from index 0; grows to the largest head seen. */
    private byte[] bytes = new byte[512];
    private int statusStart;
    private int statusEnd;
    private int status;
    private boolean http10;
    private Framing framing;
    private long contentLength;
    private boolean closeToken;
    private boolean keepAliveToken;
    /** Per header line: start of the name, end of the name, end of the value (before CR LF). */
    private int[] lines = new int[3 * 16];
    private boolean[] hop = new boolean[16];
    private int lineCount;
    /** The line of the Upgrade field, or -1: a 101 that switches protocols relays it. */
    private int upgradeLine;
    /** Tokens of Connection other than close and keep-alive: start and end of each. */
    private int[] connectionTokens = new int[8];
    private int connectionTokenCount;
    private String error;

    /** {@code maxFields}: the most header fields a head may have (the request limit, as Envoy applies it). */
    public ResponseHead(int maxFields) {
        this.maxFields = maxFields;
    }

    /**
     * Reads the head in {@code buffer} from {@code from} to {@code to} (just after the empty line that ends it).
     * {@code requestWasHead}: the response answers a HEAD request, so it has no body whatever its headers say.
     * Returns false when the head is malformed; {@link #error()} then says why.
     */
    public boolean parse(ByteBuf buffer, int from, int to, boolean requestWasHead) {
        int end = to - from;
        if (bytes.length < end) {
            bytes = new byte[Math.max(end, 2 * bytes.length)];
        }
        buffer.getBytes(from, bytes, 0, end);
        int start = 0;
        contentLength = -1;
        closeToken = false;
        keepAliveToken = false;
        lineCount = 0;
        upgradeLine = -1;
        connectionTokenCount = 0;
        error = null;
        int lineEnd = lineEnd(start, end);
        if (!statusLine(start, contentEnd(start, lineEnd))) {
            return false;
        }
        boolean encoded = false;
        // No body follows whatever the head says: framing is not checked (a HEAD's answer may carry any coding).
        boolean bodyless = interim() || requestWasHead || status == 204 || status == 304;
        // A Transfer-Encoding that frames nothing may still say how a GET's body would be coded: a HEAD's answer's.
        // A 304 may carry one too (RFC 9112 §6.1), but Python's http.client and urllib3 then wait for chunks that
        // never come; a 1xx or 204 response never carries one.
        boolean codingInformative = requestWasHead && !interim() && status != 204 && status != 304;
        int i = lineEnd + 1;
        while (true) {
            int next = lineEnd(i, end);
            int contentEnd = contentEnd(i, next);
            if (contentEnd == i) {
                break;
            }
            if (lineCount == maxFields) {
                return fail("more than " + maxFields + " response header fields");
            }
            int nameEnd = headerLine(i, contentEnd);
            if (nameEnd < 0) {
                return false;
            }
            int valueStart = skipBlanks(nameEnd + 1, contentEnd);
            int valueEnd = trimBlanks(valueStart, contentEnd);
            boolean dropped = false;
            int keptEnd = contentEnd;
            if (nameIs(i, nameEnd, TRANSFER_ENCODING)) {
                if (http10) {
                    // RFC 9112 §6.1: the framing of such a message is faulty, so its end cannot be known.
                    return fail("Transfer-Encoding in an HTTP/1.0 response");
                }
                // Veer re-frames the body as chunked and writes its own Transfer-Encoding: another coding (gzip,
                // chunked) would reach the client undeclared, so only chunked alone is relayed.
                if (!bodyless && (encoded || !regionIs(valueStart, valueEnd, CHUNKED))) {
                    return fail(encoded ? "Transfer-Encoding given twice" : "unsupported transfer coding");
                }
                encoded = true;
                dropped = !codingInformative;
            } else if (nameIs(i, nameEnd, CONTENT_LENGTH)) {
                boolean repeated = contentLength >= 0;
                int firstValueEnd = contentLength(valueStart, valueEnd);
                if (firstValueEnd < 0) {
                    return false;
                }
                // A repeat of the same length, in this field or another, is passed on once (RFC 9110 §8.6); a
                // different one failed above. A client that does not read lists gets no list.
                keptEnd = firstValueEnd;
                dropped = repeated || interim() || status == 204;
            } else if (nameIs(i, nameEnd, CONNECTION)) {
                connectionTokens(valueStart, valueEnd);
                dropped = true;
            } else {
                if (nameIs(i, nameEnd, UPGRADE)) {
                    upgradeLine = lineCount;
                }
                dropped = isHopByHop(bytes, i, nameEnd);
            }
            addLine(i, nameEnd, keptEnd, dropped);
            i = next + 1;
        }
        if (connectionTokenCount > 0) {
            dropConnectionNamed();
        }
        if (!bodyless && encoded && contentLength >= 0) {
            return fail("Content-Length with Transfer-Encoding");
        }
        if (bodyless && encoded && contentLength >= 0) {
            // No sender may send both (RFC 9112 §6.2), and a strict peer takes both as smuggling: the length, which
            // tells a HEAD's client the size, is the one kept.
            dropLines(TRANSFER_ENCODING);
        }
        if (bodyless) {
            framing = Framing.NONE;
        } else if (encoded) {
            framing = Framing.CHUNKED;
        } else if (contentLength >= 0) {
            framing = Framing.LENGTH;
        } else {
            framing = Framing.UNTIL_CLOSE;
        }
        return true;
    }

    public String error() {
        return error;
    }

    public int status() {
        return status;
    }

    /** A 1xx response: another head follows. */
    public boolean interim() {
        return status < 200;
    }

    public Framing framing() {
        return framing;
    }

    /** The body's length, for {@link Framing#LENGTH}. */
    public long contentLength() {
        return contentLength;
    }

    /** True when the upstream connection may carry another exchange after this response's body. */
    public boolean reusable() {
        boolean keepAlive = http10 ? keepAliveToken && !closeToken : !closeToken;
        return keepAlive && framing != Framing.UNTIL_CLOSE;
    }

    /**
     * Writes the status line as HTTP/1.1 and the end-to-end header lines, each ending in CRLF, but not the empty
     * line that ends the head: the caller adds its own header lines first. {@code clientReadsChunks}: false for a
     * client that reads no chunked coding (HTTP/1.0, RFC 9112 §6.1), whose body is taken out of its chunks: no
     * Trailer field announces a trailer section it will not get, and no Transfer-Encoding passes on.
     */
    public void writeEndToEnd(HeadBytes out, boolean clientReadsChunks) {
        out.write(HTTP_1_1).write(bytes, statusStart, statusEnd - statusStart);
        if (statusEnd - statusStart == 3) {
            // No reason phrase, nor the SP before it, which RFC 9112 §4 has a sender write all the same.
            out.writeByte(' ');
        }
        out.crlf();
        for (int l = 0; l < lineCount; l++) {
            if (!hop[l] && (clientReadsChunks || !chunkedFraming(l))) {
                int start = lines[3 * l];
                out.write(bytes, start, lines[3 * l + 2] - start).crlf();
            }
        }
    }

    /** True for a Trailer or Transfer-Encoding line: what only a client that reads chunks may be sent. */
    private boolean chunkedFraming(int line) {
        int nameStart = lines[3 * line];
        int nameEnd = lines[3 * line + 1];
        return nameIs(nameStart, nameEnd, TRAILER) || nameIs(nameStart, nameEnd, TRANSFER_ENCODING);
    }

    /**
     * True when a trailer field named {@code src[nameStart, nameEnd)} may follow the body this head framed: not
     * hop-by-hop, not framing (a trailer must not change how the message is framed, RFC 9110 §6.5.1), not Trailer
     * (which announces trailers in a head), and not named in this head's Connection field.
     */
    public boolean passesInTrailers(byte[] src, int nameStart, int nameEnd) {
        return !FieldSyntax.regionIs(src, nameStart, nameEnd, CONNECTION)
                && !FieldSyntax.regionIs(src, nameStart, nameEnd, TRANSFER_ENCODING)
                && !FieldSyntax.regionIs(src, nameStart, nameEnd, CONTENT_LENGTH)
                && !FieldSyntax.regionIs(src, nameStart, nameEnd, TRAILER)
                && !isHopByHop(src, nameStart, nameEnd)
                && !namedInConnection(src, nameStart, nameEnd);
    }

    /**
     * For a 101 that switches the connection to another protocol: writes Connection: upgrade and the upstream's
     * Upgrade field, which {@link #writeEndToEnd} leaves out as hop-by-hop. False when the head names no protocol.
     */
    public boolean writeUpgrade(HeadBytes out) {
        if (upgradeLine < 0) {
            return false;
        }
        int start = lines[3 * upgradeLine];
        out.write(CONNECTION_UPGRADE).write(bytes, start, lines[3 * upgradeLine + 2] - start).crlf();
        return true;
    }

    // ---------------------------------------------------------------- reading

    /** Index of the LF ending the line that starts at {@code from}; the head is known to end with one. */
    private int lineEnd(int from, int end) {
        int lf = indexOf(from, end, (byte) '\n');
        return lf < 0 ? end - 1 : lf;
    }

    private int indexOf(int from, int end, byte b) {
        for (int i = from; i < end; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }

    /** The end of a line's content: before its CR LF, or before a bare LF. */
    private int contentEnd(int start, int lf) {
        return lf > start && bytes[lf - 1] == '\r' ? lf - 1 : lf;
    }

    private boolean statusLine(int start, int end) {
        // "HTTP/1.x" SP 3DIGIT [ SP reason-phrase ]
        if (end - start < 12 || bytes[start] != 'H' || bytes[start + 1] != 'T'
                || bytes[start + 2] != 'T' || bytes[start + 3] != 'P'
                || bytes[start + 4] != '/' || bytes[start + 5] != '1'
                || bytes[start + 6] != '.' || bytes[start + 8] != ' ') {
            return fail("malformed status line");
        }
        byte minor = bytes[start + 7];
        if (minor != '0' && minor != '1') {
            return fail("unsupported HTTP version");
        }
        http10 = minor == '0';
        int code = 0;
        for (int i = start + 9; i < start + 12; i++) {
            byte b = bytes[i];
            if (b < '0' || b > '9') {
                return fail("malformed status code");
            }
            code = code * 10 + (b - '0');
        }
        if (end > start + 12 && bytes[start + 12] != ' ') {
            return fail("malformed status line");
        }
        if (code < 100 || code > 599) {
            // RFC 9110 §15: outside 100..599 a code means nothing to the client (libraries use 6xx-9xx internally).
            return fail("status code out of range");
        }
        for (int i = start + 12; i < end; i++) {
            if (FieldSyntax.isControl(bytes[i])) {
                return fail("control character in status line");
            }
        }
        status = code;
        statusStart = start + 9;
        statusEnd = end;
        return true;
    }

    /** Checks one header line; returns the index of its ':' or -1. */
    private int headerLine(int start, int end) {
        int colon = FieldSyntax.colon(bytes, start, end);
        switch (colon) {
            case FieldSyntax.FOLDED:
                fail("obsolete line folding in response header");
                return -1;
            case FieldSyntax.BAD_NAME:
                fail("malformed response header name");
                return -1;
            case FieldSyntax.CONTROL_IN_VALUE:
                fail("control character in response header value");
                return -1;
            case FieldSyntax.NO_NAME:
                fail("malformed response header line");
                return -1;
            default:
                return colon;
        }
    }

    /**
     * Reads a Content-Length value in {@code [start, end)}, trimmed: a length in at most 18 digits, or a list of
     * lengths all the same ("2, 2", which RFC 9110 §8.6 lets a recipient take as 2), that must also be the length of
     * any earlier field. Returns where the first length ends, or -1.
     */
    private int contentLength(int start, int end) {
        int firstEnd = -1;
        int i = start;
        while (true) {
            int digitsStart = i;
            long value = 0;
            while (i < end && bytes[i] >= '0' && bytes[i] <= '9') {
                if (i - digitsStart == 18) {
                    fail("invalid Content-Length");
                    return -1;
                }
                value = value * 10 + (bytes[i++] - '0');
            }
            if (i == digitsStart) {
                fail("invalid Content-Length");
                return -1;
            }
            if (contentLength >= 0 && contentLength != value) {
                fail("conflicting Content-Length values");
                return -1;
            }
            contentLength = value;
            if (firstEnd < 0) {
                firstEnd = i;
            }
            i = skipBlanks(i, end);
            if (i == end) {
                return firstEnd;
            }
            if (bytes[i] != ',') {
                fail("invalid Content-Length");
                return -1;
            }
            i = skipBlanks(i + 1, end);
        }
    }

    private void connectionTokens(int start, int end) {
        int i = start;
        while (i < end) {
            int comma = indexOf(i, end, (byte) ',');
            int tokenEnd = comma < 0 ? end : comma;
            int s = skipBlanks(i, tokenEnd);
            int e = trimBlanks(s, tokenEnd);
            if (regionIs(s, e, CLOSE)) {
                closeToken = true;
            } else if (regionIs(s, e, KEEP_ALIVE)) {
                keepAliveToken = true;
            } else if (e > s) {
                if (2 * connectionTokenCount + 2 > connectionTokens.length) {
                    connectionTokens = java.util.Arrays.copyOf(connectionTokens, connectionTokens.length * 2);
                }
                connectionTokens[2 * connectionTokenCount] = s;
                connectionTokens[2 * connectionTokenCount + 1] = e;
                connectionTokenCount++;
            }
            i = tokenEnd + 1;
        }
    }

    /** Drops every line of the field {@code name}. */
    private void dropLines(AsciiString name) {
        for (int l = 0; l < lineCount; l++) {
            if (nameIs(lines[3 * l], lines[3 * l + 1], name)) {
                hop[l] = true;
            }
        }
    }

    /** Marks the header lines whose name Connection lists as hop-by-hop, except Content-Length. */
    private void dropConnectionNamed() {
        for (int l = 0; l < lineCount; l++) {
            int nameStart = lines[3 * l];
            int nameEnd = lines[3 * l + 1];
            if (!hop[l] && !nameIs(nameStart, nameEnd, CONTENT_LENGTH)) {
                hop[l] = namedInConnection(bytes, nameStart, nameEnd);
            }
        }
    }

    /** True when {@code src[start, end)} is a name this head's Connection field lists. */
    private boolean namedInConnection(byte[] src, int start, int end) {
        for (int t = 0; t < connectionTokenCount; t++) {
            int s = connectionTokens[2 * t];
            int e = connectionTokens[2 * t + 1];
            if (e - s == end - start && FieldSyntax.equalsIgnoreCase(bytes, s, src, start, e - s)) {
                return true;
            }
        }
        return false;
    }

    /** True for a hop-by-hop name other than Connection, Transfer-Encoding and those Connection lists. */
    private static boolean isHopByHop(byte[] src, int start, int end) {
        for (AsciiString name : HOP_BY_HOP) {
            if (FieldSyntax.regionIs(src, start, end, name)) {
                return true;
            }
        }
        return false;
    }

    private void addLine(int start, int nameEnd, int contentEnd, boolean dropped) {
        if (3 * lineCount + 3 > lines.length) {
            lines = java.util.Arrays.copyOf(lines, lines.length * 2);
            hop = java.util.Arrays.copyOf(hop, hop.length * 2);
        }
        lines[3 * lineCount] = start;
        lines[3 * lineCount + 1] = nameEnd;
        lines[3 * lineCount + 2] = contentEnd;
        hop[lineCount] = dropped;
        lineCount++;
    }

    private boolean nameIs(int start, int end, AsciiString name) {
        return regionIs(start, end, name);
    }

    private boolean regionIs(int start, int end, AsciiString lowerCase) {
        return FieldSyntax.regionIs(bytes, start, end, lowerCase);
    }

    private int skipBlanks(int from, int end) {
        int i = from;
        while (i < end && FieldSyntax.isBlank(bytes[i])) {
            i++;
        }
        return i;
    }

    private int trimBlanks(int start, int end) {
        int e = end;
        while (e > start && FieldSyntax.isBlank(bytes[e - 1])) {
            e--;
        }
        return e;
    }

    private boolean fail(String why) {
        error = why;
        return false;
    }

}
