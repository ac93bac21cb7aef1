package dev.veer.admin.http;

import java.time.Duration;

/**
 * How long the admin listener waits for a client: a connection that stops sending would otherwise hold its socket
 * (and, mid-body, its buffered bytes) for ever.
 *
 * @param head a request's headers, from its first byte (from the connect for a connection's first request)
 * @param body a request's body, from the end of its headers
 * @param idle the next request on a keep-alive connection, from the end of the previous answer
 */
record ReadTimeouts(Duration head, Duration body, Duration idle) {

    /**
     * Headers as the proxy's default (10 s, in the spirit of Envoy and nginx); a body of at most 1 MiB from an
     * operator or a script has no reason to take longer than 30 s; the admin API is called now and then, so an
     * idle connection is worth keeping for a minute, not the proxy's hour.
     */
    static final ReadTimeouts DEFAULTS = new ReadTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(30),
            Duration.ofSeconds(60));
}
