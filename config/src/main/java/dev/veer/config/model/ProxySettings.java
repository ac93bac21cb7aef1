package dev.veer.config.model;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The data-plane listener.
 *
 * @param ioThreads             event loops; 0 means one per core
 * @param maxConnections        open downstream connections before new ones are refused
 * @param maxInFlight           concurrent requests before new ones get a fast 503
 * @param poolSizePerEndpoint   idle keep-alive upstream connections kept per event loop and endpoint (1024: at 64,
 *                              more than 64 requests in flight churned connections and halved throughput)
 * @param drainTimeout          how long SIGTERM waits for in-flight requests
 * @param eventBatchMicros      when an event loop is busy but finds its sockets ready one or two at a time, how long
 *                              it lets them gather before the next poll (0: never). Handling them in one pass wakes
 *                              the clients and backends once instead of per response (20: +4-6% req/s and 1.2 µs
 *                              less client-side CPU per request at 50 connections on 2 cores). epoll and NIO only:
 *                              an io_uring loop submits a pass's sends together anyway
 * @param transport             how the event loops reach the kernel; AUTO is epoll, else NIO. IO_URING: about 11%
 *                              less CPU per request than epoll at 50 connections on 2 cores, 290 B more allocated
 * @param accessLog             the file each request is logged to as one JSON line, or null for none (the default:
 *                              a log line costs the event loop an entry object, and the writer thread a core's time
 *                              at full load)
 * @param normalizePath         route and forward each request's path in RFC 3986 §6.2.2 normal form (percent-encoded
 *                              unreserved characters decoded, other encodings' hex upper-cased, dot segments
 *                              removed), so that a backend that normalises serves the path that was routed (off,
 *                              {@code /public/../admin/x} is routed by the {@code /} service while such a backend
 *                              serves {@code /admin/x})
 * @param tls                   TLS termination on a second listener, or null for plain HTTP only
 */
public record ProxySettings(HostPort listen, int ioThreads, Limits limits, int maxConnections, int maxInFlight,
                            int poolSizePerEndpoint, Duration drainTimeout, int eventBatchMicros, Transport transport,
                            Path accessLog, boolean normalizePath, TlsSettings tls) {

    public static final ProxySettings DEFAULTS = new ProxySettings(new HostPort("0.0.0.0", 8080), 0, Limits.DEFAULTS,
            100_000, 50_000, 1024, Duration.ofSeconds(30), 20, Transport.AUTO, null, true, null);
}
