package dev.veer.config.model;

import java.time.Duration;

/**
 * Per-listener protection limits and timeouts; defaults follow Envoy and nginx.
 *
 * @param maxHeaderBytes     total size of the request head (request line excluded) before 431
 * @param maxHeaderCount     number of header fields before 431
 * @param maxRequestLineBytes request line length before 414; also the longest chunk-size line (extensions
 *                           included) of a chunked body: a longer one is refused with 400 in a request, and
 *                           makes a response malformed (502, or the client connection cut if the response started)
 * @param maxBodyBytes       request body size before 413 (0 = unlimited); 64 MiB by default: bodies stream, so
 *                           the limit guards backends, not Veer's memory, and must not refuse ordinary uploads
 * @param headerTimeout      time to receive a complete request head before 408
 * @param connectTimeout     upstream connect timeout (504, counted with reason connect; retried once)
 * @param responseTimeout    upstream read timeout: no whole response head this long after the request, or no body byte
 *                           for this long, gives 504
 * @param idleTimeout        how long an idle client keep-alive connection (or WebSocket tunnel) stays open
 * @param upstreamIdleTimeout how long an idle pooled upstream connection is kept. Short (4 s), and it must stay
 *                           under the backends' own keep-alive timeout: a backend that closes an idle connection
 *                           just as a request is sent on it fails that request, and only an idempotent one can be
 *                           sent again (Node.js and uvicorn close after 5 s, gunicorn after 2 s; HAProxy purges
 *                           idle server connections every 5 s)
 */
public record Limits(int maxHeaderBytes, int maxHeaderCount, int maxRequestLineBytes, long maxBodyBytes,
                     Duration headerTimeout, Duration connectTimeout, Duration responseTimeout,
                     Duration idleTimeout, Duration upstreamIdleTimeout) {

    public static final Limits DEFAULTS = new Limits(60 * 1024, 100, 8 * 1024, 64L * 1024 * 1024,
            Duration.ofSeconds(10), Duration.ofSeconds(5), Duration.ofSeconds(60), Duration.ofHours(1),
            Duration.ofSeconds(4));
}
