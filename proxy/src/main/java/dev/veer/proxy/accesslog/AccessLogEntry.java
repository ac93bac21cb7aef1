package dev.veer.proxy.accesslog;

import dev.veer.config.model.HostPort;
import dev.veer.proxy.route.RouteDecision;
import dev.veer.proxy.stats.FailureReason;

/**
 * One request as the access log records it. Made on the event loop from values the exchange holds already, and
 * turned into text on the log's writer thread.
 *
 * @param endedAtMillis  wall-clock time the exchange ended
 * @param client         the client's address
 * @param method         null when the request head was refused before it could be read (malformed, too large)
 * @param target         the request target as received
 * @param status         the status the client got; 0 when it got none (it closed the connection first)
 * @param service        null when no service matched
 * @param endpoint       the endpoint that answered or was tried last; null when none was chosen
 * @param choice         why the version was chosen; null when none was
 * @param flags          the {@code x-veer-flags} value sent upstream; null when no flag was evaluated
 * @param bodyBytes      response body bytes relayed to the client
 * @param failure        the upstream failure the client saw, or null
 * @param retries        attempts on other endpoints after a failure the client did not see
 * @param replayed       sent again on a fresh connection after a pooled one closed before answering: the upstream
 *                       may have received it twice
 * @param completed      false when the exchange was cut before its response ended
 */
public record AccessLogEntry(long endedAtMillis, String client, String method, String target, String host,
                             String protocol, String userAgent, int status, long durationMicros, String service,
                             String version, HostPort endpoint, RouteDecision.Reason choice, String flags,
                             long bodyBytes, FailureReason failure, int retries, boolean replayed,
                             boolean completed) {

    /*
     * Longest field values kept, in chars: queued entries hold their strings, and a client's 60 KiB User-Agent times
     * the queue's capacity ran a 256 MiB heap out of memory. Longer values end in "...".
     */
    public static final int MAX_TARGET = 2048;
    public static final int MAX_HOST = 256;
    public static final int MAX_USER_AGENT = 512;

    /** {@code value} cut to {@code max} chars and marked so, or as it is. */
    public static String clip(String value, int max) {
        return value == null || value.length() <= max ? value : value.substring(0, max) + "...";
    }
}
