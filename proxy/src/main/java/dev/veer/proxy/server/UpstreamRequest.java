package dev.veer.proxy.server;

import dev.veer.proxy.http.ChunkWriter;
import dev.veer.proxy.http.FlatHttpHeaders;
import dev.veer.proxy.http.HeadBytes;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import java.util.Iterator;
import java.util.Map;

/**
 * A request as it goes upstream, written straight into bytes from the client's decoded request: no rewritten
 * header map, no encoder pass. The head keeps the client's fields in order except the hop-by-hop ones (RFC 9110
 * §7.6.1, and every field named in Connection) and the ones Veer owns, which it writes itself at the end:
 * X-Forwarded-For/-Proto/-Host (the client's values first unless Connection names the field, Veer's appended),
 * x-veer-version, x-veer-flags (a client's own never passes), and Transfer-Encoding: chunked for a chunked body.
 * Upstream requests are always HTTP/1.1 keep-alive, whatever the client spoke. Content-Length and Host pass even
 * when Connection names them.
 */
final class UpstreamRequest {

    static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
    static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
    static final AsciiString X_FORWARDED_HOST = AsciiString.cached("x-forwarded-host");
    static final AsciiString X_VEER_VERSION = AsciiString.cached("x-veer-version");
    static final AsciiString X_VEER_FLAGS = AsciiString.cached("x-veer-flags");

    /**
     * Dropped from the client's fields: hop-by-hop, written by Veer below, or Proxy, which CGI-style servers turn
     * into an HTTP_PROXY variable their HTTP clients take as their proxy (httpoxy). Matched with '_' for '-' too
     * ({@link #isDropped}).
     */
    private static final AsciiString[] NOT_FORWARDED = {
        HttpHeaderNames.CONNECTION, HttpHeaderNames.KEEP_ALIVE, AsciiString.cached("proxy-connection"),
        HttpHeaderNames.TE, HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderNames.UPGRADE,
        HttpHeaderNames.PROXY_AUTHENTICATE, HttpHeaderNames.PROXY_AUTHORIZATION, AsciiString.cached("proxy"),
        X_FORWARDED_FOR, X_FORWARDED_PROTO, X_FORWARDED_HOST, X_VEER_VERSION, X_VEER_FLAGS,
    };
    /**
     * Kept even when Connection names them: without its Content-Length the upstream would read the body as the
     * next request (request smuggling), and without Host it would route the request elsewhere.
     */
    private static final AsciiString[] NOT_NOMINABLE = {HttpHeaderNames.CONTENT_LENGTH, HttpHeaderNames.HOST};
    private static final byte[] HTTP_1_1 = HeadBytes.ascii(" HTTP/1.1\r\n");
    private static final byte[] COMMA = HeadBytes.ascii(", ");
    private static final byte[] CONNECTION_UPGRADE = HeadBytes.ascii("connection: upgrade\r\n");
    private static final AsciiString HTTP = AsciiString.cached("http");
    private static final AsciiString HTTPS = AsciiString.cached("https");

    private UpstreamRequest() {
    }

    /**
     * The head for {@code request}. {@code host}: the Host the client sent, or null, when the endpoint's address
     * {@code defaultHost} is sent instead; {@code secure}: the client came over TLS; {@code flags}: the
     * x-veer-flags value, or null; {@code upgrade}: the
     * protocol the client asks to switch to (its Upgrade field), passed on with Connection: upgrade, or null.
     */
    static ByteBuf head(ByteBufAllocator alloc, HttpRequest request, CharSequence host, CharSequence defaultHost,
                        CharSequence clientIp, boolean secure, CharSequence version, CharSequence flags,
                        boolean chunked,
                        CharSequence upgrade) {
        // The downstream decoder makes its headers with FlatHttpHeaders.FACTORY: read them by index, no iterator.
        FlatHttpHeaders headers = (FlatHttpHeaders) request.headers();
        HeadBytes out = HeadBytes.start();
        out.writeText(request.method().asciiName()).writeByte(' ').writeText(request.uri()).write(HTTP_1_1);
        int count = headers.size();
        boolean connectionNamesFields = headers.contains(HttpHeaderNames.CONNECTION);
        for (int i = 0; i < count; i++) {
            CharSequence name = headers.nameAt(i);
            if (!isDropped(name) && !(connectionNamesFields && namedInConnection(headers, name)
                    && !isOneOf(name, NOT_NOMINABLE))) {
                out.writeField(name, headers.valueAt(i));
            }
        }
        if (host == null) {
            // An HTTP/1.0 client named no host: the upstream gets one, but X-Forwarded-Host says only what the
            // client sent, so an application building URLs from it does not publish the endpoint's address.
            out.writeField(HttpHeaderNames.HOST, defaultHost);
        }
        appendedField(out, headers, connectionNamesFields, X_FORWARDED_FOR, clientIp);
        appendedField(out, headers, connectionNamesFields, X_FORWARDED_PROTO, secure ? HTTPS : HTTP);
        appendedField(out, headers, connectionNamesFields, X_FORWARDED_HOST, host);
        out.writeField(X_VEER_VERSION, version);
        if (flags != null) {
            out.writeField(X_VEER_FLAGS, flags);
        }
        if (chunked) {
            out.write(ChunkWriter.TRANSFER_ENCODING_CHUNKED);
        }
        if (upgrade != null) {
            out.write(CONNECTION_UPGRADE);
            out.writeField(HttpHeaderNames.UPGRADE, upgrade);
        }
        return out.crlf().toBuffer(alloc, 0);
    }

    /**
     * Writes a part of the request body as the head framed it: as it is for a length, as one chunk (the last chunk
     * and the trailers after the final part) when chunked. Takes over {@code part}. Not flushed.
     */
    static void writeBody(Channel ch, HttpContent part, boolean chunked, FlatHttpHeaders head, int maxTrailers) {
        ByteBuf content = part.content();
        boolean last = part instanceof LastHttpContent;
        if (!chunked) {
            if (content.isReadable()) {
                ch.write(content, ch.voidPromise());
            } else {
                part.release();
            }
            return;
        }
        // Read the trailers before the content is handed to the channel, which may release the part.
        ByteBuf end = last ? lastChunk(ch.alloc(), ((LastHttpContent) part).trailingHeaders(), head, maxTrailers)
                : null;
        ChunkWriter.chunk(ch, ch.alloc(), content);
        if (end != null) {
            ch.write(end, ch.voidPromise());
        }
    }

    /**
     * The last chunk and the trailers that may pass: what the head would not pass either (hop-by-hop, those the
     * head's Connection names, Veer's own, framing) is dropped, as is Host, which a trailer must not change (RFC 9110
     * §6.5.1), and any beyond the head's field limit, since a proxy may drop trailers but must not let them through
     * unchecked. Trailer itself, which belongs in the head, never gets here: Netty's decoder leaves it out of a trailer
     * section, as it does Content-Length and Transfer-Encoding.
     */
    static ByteBuf lastChunk(ByteBufAllocator alloc, HttpHeaders trailers, FlatHttpHeaders head, int maxTrailers) {
        HeadBytes end = HeadBytes.start().write(ChunkWriter.LAST_CHUNK);
        int kept = 0;
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = trailers.iteratorCharSequence();
             it.hasNext() && kept < maxTrailers; ) {
            Map.Entry<CharSequence, CharSequence> trailer = it.next();
            CharSequence name = trailer.getKey();
            if (!isDropped(name) && !isOneOf(name, NOT_NOMINABLE) && !namedInConnection(head, name)) {
                end.writeField(name, trailer.getValue());
                kept++;
            }
        }
        return end.crlf().toBuffer(alloc, 0);
    }

    /**
     * A list-valued field: the client's non-empty values in order, joined by ", ", then Veer's own; with no value of
     * Veer's ({@code value} null or empty), the client's alone, and no field when it sent none.
     */
    private static void appendedField(HeadBytes out, FlatHttpHeaders headers, boolean connectionNamesFields,
                                      AsciiString name, CharSequence value) {
        boolean started = false;
        // The client's values are hop-by-hop when its Connection field names this one (RFC 9110 §7.6.1).
        int count = connectionNamesFields && namedInConnection(headers, name) ? 0 : headers.size();
        for (int i = 0; i < count; i++) {
            // An empty field adds no empty member (", 127.0.0.1"), which a backend reading the first member as the
            // client's takes for an address or scheme of ""; Envoy too puts the ", " only after a non-empty value.
            if (AsciiString.contentEqualsIgnoreCase(headers.nameAt(i), name) && headers.valueAt(i).length() > 0) {
                started = startOrJoin(out, name, started);
                out.writeText(headers.valueAt(i));
            }
        }
        // An empty Host (a target without authority, RFC 9112 §3.2) adds no empty member to the client's list.
        if (value != null && value.length() > 0) {
            started = startOrJoin(out, name, started);
            out.writeText(value);
        }
        if (started) {
            out.crlf();
        }
    }

    /** Writes the field name before a list's first value, the separator before the others; returns true. */
    private static boolean startOrJoin(HeadBytes out, AsciiString name, boolean started) {
        if (started) {
            out.write(COMMA);
        } else {
            out.writeFieldName(name);
        }
        return true;
    }

    /**
     * True for a field in {@link #NOT_FORWARDED}, also spelt with '_' for '-': CGI, WSGI and Rack servers read
     * {@code x_veer_version} as they read {@code x-veer-version} (both become HTTP_X_VEER_VERSION), so a client
     * could otherwise pass its own beside Veer's, and spoof a version, flags or a forwarded address.
     */
    private static boolean isDropped(CharSequence name) {
        for (AsciiString candidate : NOT_FORWARDED) {
            if (candidate.length() == name.length() && sameNameUnderscoreAsDash(candidate, name)) {
                return true;
            }
        }
        return false;
    }

    /** {@code lowerName} (lower case, '-' between words) against {@code name} in any case, '_' read as '-'. */
    private static boolean sameNameUnderscoreAsDash(AsciiString lowerName, CharSequence name) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            char folded = c == '_' ? '-' : c >= 'A' && c <= 'Z' ? (char) (c + 32) : c;
            if (folded != lowerName.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isOneOf(CharSequence name, AsciiString[] names) {
        for (AsciiString candidate : names) {
            if (candidate.length() == name.length() && candidate.contentEqualsIgnoreCase(name)) {
                return true;
            }
        }
        return false;
    }

    /** True when a Connection field of the request lists {@code name} (close and keep-alive name no field). */
    static boolean namedInConnection(FlatHttpHeaders headers, CharSequence name) {
        int count = headers.size();
        for (int i = 0; i < count; i++) {
            if (AsciiString.contentEqualsIgnoreCase(headers.nameAt(i), HttpHeaderNames.CONNECTION)
                    && listsToken(headers.valueAt(i), name)) {
                return true;
            }
        }
        return false;
    }

    /** True when the comma-separated {@code list} holds {@code token}, ignoring case and blanks around items. */
    static boolean listsToken(CharSequence list, CharSequence token) {
        int length = list.length();
        int i = 0;
        while (i < length) {
            int end = i;
            while (end < length && list.charAt(end) != ',') {
                end++;
            }
            int s = i;
            int e = end;
            while (s < e && isBlank(list.charAt(s))) {
                s++;
            }
            while (e > s && isBlank(list.charAt(e - 1))) {
                e--;
            }
            if (e - s == token.length() && AsciiString.regionMatches(list, true, s, token, 0, e - s)) {
                return true;
            }
            i = end + 1;
        }
        return false;
    }

    private static boolean isBlank(char c) {
        return c == ' ' || c == '\t';
    }

}
