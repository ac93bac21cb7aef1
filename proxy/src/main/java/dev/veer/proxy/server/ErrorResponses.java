package dev.veer.proxy.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.util.Date;

/**
 * Proxy-made responses, as the bytes to write: the status, the date, a one-line plain-text body and the connection
 * decision.
 */
final class ErrorResponses {

    private ErrorResponses() {
    }

    /**
     * {@code close}: the connection closes after it; {@code http10KeepAlive}: an HTTP/1.0 client keeps it open, and
     * is told so; {@code headRequest}: the response answers a HEAD, so it has the body's length but not the body.
     */
    static ByteBuf create(ByteBufAllocator alloc, HttpResponseStatus status, String message, boolean close,
                          boolean http10KeepAlive, boolean headRequest) {
        byte[] text = (status.code() + " " + status.reasonPhrase() + ": " + message + "\n").getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 " + status.code() + " " + status.reasonPhrase() + "\r\n"
                // RFC 9110 §6.6.1: a server with a clock sends Date on its own 4xx (and may on 5xx); the upstream's
                // responses carry their own.
                + "date: " + DateFormatter.format(new Date()) + "\r\n"
                + "content-type: text/plain; charset=utf-8\r\n"
                + "content-length: " + text.length + "\r\n"
                + (close ? "connection: close\r\n" : http10KeepAlive ? "connection: keep-alive\r\n" : "")
                + "\r\n";
        byte[] headBytes = head.getBytes(StandardCharsets.US_ASCII);
        ByteBuf response = alloc.buffer(headBytes.length + text.length).writeBytes(headBytes);
        if (!headRequest) {
            response.writeBytes(text);
        }
        return response;
    }

    /** Statuses after which the connection is always closed: the request stream can no longer be trusted. */
    static boolean closesConnection(HttpResponseStatus status) {
        int code = status.code();
        return code == 400 || code == 408 || code == 413 || code == 414 || code == 431 || code == 501 || code == 505;
    }
}
