package dev.veer.proxy.server;

import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * Takes the place of a request (or a part of one) that must not reach an upstream. It travels the inbound
 * pipeline in order with the requests around it; the proxy handler answers it and closes the connection.
 *
 * @param head         the request head, for the access log, when its request line was read: whole when refused for
 *                     what it says (framing, limits), as far as it was read when a field was malformed; null when
 *                     there is none to trust
 * @param startedNanos when the refused request began (its first byte), or 0 for "now"
 * @param silent       the connection sent no byte at all (a browser's preconnect, a pool warming up): answered,
 *                     but no refused request to count
 */
record RejectedRequest(HttpResponseStatus status, String reason, HttpRequest head, long startedNanos,
                       boolean silent) {

    RejectedRequest(HttpResponseStatus status, String reason) {
        this(status, reason, null, 0, false);
    }

    RejectedRequest withHead(HttpRequest request) {
        return new RejectedRequest(status, reason, request, startedNanos, silent);
    }
}
