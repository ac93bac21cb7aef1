package dev.veer.proxy.server;

import dev.veer.config.model.Limits;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.codec.http.TransferEncodingNotAllowedException;
import io.netty.util.ReferenceCountUtil;
import java.util.List;

/**
 * Veer's request framing and limit checks, right after the decoder. A request that is malformed, ambiguous or
 * over a limit is replaced by a {@link RejectedRequest}; everything after it on the connection is dropped, and
 * the proxy handler answers with the status and closes. Nothing of a rejected request reaches an upstream.
 */
final class FramingGuard extends ChannelInboundHandlerAdapter {

    private final Limits limits;
    private final HeadTimer headTimer;
    private final RequestDecoder decoder;
    private boolean rejected;
    private boolean inBody;
    private long bodyBytes;

    FramingGuard(Limits limits, HeadTimer headTimer, RequestDecoder decoder) {
        this.limits = limits;
        this.headTimer = headTimer;
        this.decoder = decoder;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (rejected) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof RejectedRequest) {
            rejected = true;
            ctx.fireChannelRead(msg);
            return;
        }
        if (!(msg instanceof HttpObject)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        RejectedRequest rejection = msg instanceof HttpRequest ? checkHead((HttpRequest) msg) : checkBody((HttpObject) msg);
        if (rejection != null) {
            ReferenceCountUtil.release(msg);
            rejected = true;
            ctx.fireChannelRead(rejection);
            return;
        }
        if (msg instanceof LastHttpContent) {
            inBody = false;
            headTimer.awaitNextHead(decoder.holdsNextHead());
        }
        ctx.fireChannelRead(msg);
    }

    private RejectedRequest checkHead(HttpRequest request) {
        DecoderResult result = request.decoderResult();
        if (result.isFailure()) {
            Throwable cause = result.cause();
            if (cause instanceof TooLongHttpLineException) {
                return reject(HttpResponseStatus.REQUEST_URI_TOO_LONG, "request line too long");
            }
            if (cause instanceof TooLongHttpHeaderException) {
                return namingItsRequestLine(request,
                        reject(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "request headers too large"));
            }
            if (refusedForTransferEncoding(cause)) {
                // The head was read whole; the guard's own rules say why it is refused (400 or 501), as they do
                // when Netty lets a head through.
                RejectedRequest framing = checkFraming(request);
                if (framing != null) {
                    return framing.withHead(request); // read whole: the access log may name it
                }
            }
            // Netty's placeholder for a request line it could not read is a FullHttpRequest; otherwise the line was
            // read and a header field failed (a name no token, whitespace before the colon, CR or NUL in a value).
            return namingItsRequestLine(request, reject(HttpResponseStatus.BAD_REQUEST,
                    request instanceof FullHttpRequest ? "malformed request line" : "malformed header field"));
        }
        headTimer.headReceived();
        RejectedRequest refused = checkParsedHead(request);
        return refused == null ? null : refused.withHead(request); // read whole: the access log may name it
    }

    private RejectedRequest checkParsedHead(HttpRequest request) {
        HttpHeaders headers = request.headers();
        if (headers.size() > limits.maxHeaderCount()) {
            return reject(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "too many request headers");
        }
        if (request.protocolVersion().majorVersion() != 1) {
            return reject(HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED, "HTTP version not supported");
        }
        // RFC 9112 §3.2: only HTTP/1.1 must send a Host, but no request may send two, HTTP/1.0 included: routed on the
        // first, it would reach a backend that reads the last as another host's.
        int hosts = hostCount(headers);
        if (hosts > 1) {
            return reject(HttpResponseStatus.BAD_REQUEST, "more than one Host header");
        }
        if (hosts == 0 && request.protocolVersion().minorVersion() >= 1) {
            return reject(HttpResponseStatus.BAD_REQUEST, "HTTP/1.1 request needs a Host header");
        }
        RejectedRequest framing = checkFraming(request);
        if (framing != null) {
            return framing;
        }
        if (!headers.contains(HttpHeaderNames.TRANSFER_ENCODING) && limits.maxBodyBytes() > 0
                && HttpUtil.getContentLength(request, 0L) > limits.maxBodyBytes()) {
            return reject(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "request body too large");
        }
        inBody = true;
        bodyBytes = 0;
        return null;
    }

    /**
     * A head refused in its fields still has the request line it was read with, which the access log may name (its
     * fields are logged as far as they were read). A request line that failed leaves Netty's placeholder, a
     * {@link FullHttpRequest} that names nothing the client sent: no head then.
     */
    private static RejectedRequest namingItsRequestLine(HttpRequest request, RejectedRequest refused) {
        return request instanceof FullHttpRequest ? refused : refused.withHead(request);
    }

    /** Whether a head with a Transfer-Encoding frames its body in a way Veer relays; null if it does. */
    private static RejectedRequest checkFraming(HttpRequest request) {
        HttpHeaders headers = request.headers();
        if (!headers.contains(HttpHeaderNames.TRANSFER_ENCODING)) {
            return null;
        }
        if (request.protocolVersion().minorVersion() == 0) {
            // RFC 9112 §6.1: Transfer-Encoding in an HTTP/1.0 message is faulty framing, whatever else it says.
            return reject(HttpResponseStatus.BAD_REQUEST, "Transfer-Encoding in an HTTP/1.0 request");
        }
        if (headers.contains(HttpHeaderNames.CONTENT_LENGTH)) {
            // Ambiguous framing whatever the coding: refused as such before the coding is looked at.
            return reject(HttpResponseStatus.BAD_REQUEST, "Content-Length together with Transfer-Encoding");
        }
        return checkTransferEncoding(headers.getAll(HttpHeaderNames.TRANSFER_ENCODING));
    }

    /**
     * Netty's decoder (4.2.18) checks Transfer-Encoding itself once the whole head is read, and fails the head when
     * the field is in an HTTP/1.0 message or its last coding is not chunked. Only those failures are judged again
     * by {@link #checkFraming}; any other failure (a bad field line, say) may have left the head half read.
     */
    private static boolean refusedForTransferEncoding(Throwable cause) {
        if (cause instanceof TransferEncodingNotAllowedException) {
            return true;
        }
        String message = cause instanceof IllegalArgumentException ? cause.getMessage() : null;
        return message != null && (message.startsWith("The final transfer coding must be chunked")
                || message.startsWith("chunked must be the last encoding")
                || message.startsWith("chunked transfer coding must not be applied more than once"));
    }

    private RejectedRequest checkBody(HttpObject part) {
        DecoderResult result = part.decoderResult();
        if (result.isFailure()) {
            // The decoder holds a trailer section to the header size limit (head and trailers together): over it,
            // the request's fields are too large, as for a head.
            if (result.cause() instanceof TooLongHttpHeaderException) {
                return reject(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "request trailers too large");
            }
            return reject(HttpResponseStatus.BAD_REQUEST, "malformed request body framing");
        }
        if (!inBody || !(part instanceof HttpContent)) {
            return reject(HttpResponseStatus.BAD_REQUEST, "malformed request");
        }
        bodyBytes += ((HttpContent) part).content().readableBytes();
        if (limits.maxBodyBytes() > 0 && bodyBytes > limits.maxBodyBytes()) {
            return reject(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "request body too large");
        }
        return null;
    }

    /**
     * Only {@code chunked}, exactly once and as the only coding, is relayed (Veer re-frames bodies and does not
     * decode other codings). A list that names chunked anywhere but last, or more than once, or names nothing, is a
     * framing error, 400. Any other coding, with a final chunked or without one, is one Veer does not implement,
     * 501; without chunked the body's length cannot be known (RFC 9112 §6.3), and like every refusal here it closes
     * the connection, so the bytes after the head are never read as a request. A coding with parameters
     * ({@code chunked;x=1}) is not chunked: the decoder would not read the body as chunks either.
     */
    private static final String CHUNKED = "chunked";

    static RejectedRequest checkTransferEncoding(List<String> values) {
        int codings = 0;
        int chunked = 0;
        boolean lastIsChunked = false;
        for (String value : values) {
            int i = 0;
            int length = value.length();
            while (i <= length) {
                int comma = value.indexOf(',', i);
                int end = comma < 0 ? length : comma;
                // The element without surrounding whitespace, compared in place: no String per coding.
                int start = i;
                int stop = end;
                while (start < stop && value.charAt(start) <= ' ') {
                    start++;
                }
                while (stop > start && value.charAt(stop - 1) <= ' ') {
                    stop--;
                }
                if (start < stop) {
                    codings++;
                    lastIsChunked = stop - start == CHUNKED.length()
                            && value.regionMatches(true, start, CHUNKED, 0, CHUNKED.length());
                    if (lastIsChunked) {
                        chunked++;
                    }
                }
                i = end + 1;
            }
        }
        if (codings == 0 || chunked > 1 || (chunked == 1 && !lastIsChunked)) {
            return reject(HttpResponseStatus.BAD_REQUEST, "Transfer-Encoding must end in a single chunked");
        }
        if (codings > 1 || chunked == 0) {
            return reject(HttpResponseStatus.NOT_IMPLEMENTED, "transfer coding not implemented");
        }
        return null;
    }

    private static int hostCount(HttpHeaders headers) {
        int n = 0;
        for (java.util.Iterator<? extends CharSequence> it = headers.valueCharSequenceIterator(HttpHeaderNames.HOST); it.hasNext(); it.next()) {
            n++;
        }
        return n;
    }

    private static RejectedRequest reject(HttpResponseStatus status, String reason) {
        return new RejectedRequest(status, reason);
    }
}
