package dev.veer.admin.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.veer.admin.audit.AuditEvent;
import dev.veer.admin.audit.AuditLog;
import dev.veer.admin.http.ApiException;
import dev.veer.admin.http.ApiRequest;
import dev.veer.admin.http.ApiResponse;
import dev.veer.admin.http.Router;

import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Liveness, readiness, the audit log and the Prometheus exposition. */
public final class SystemApi {

    public static final int DEFAULT_EVENTS = 100;

    private final AuditLog audit;
    private final BooleanSupplier ready;
    private final Supplier<String> metrics;
    private final ObjectMapper mapper;

    public SystemApi(AuditLog audit, BooleanSupplier ready, Supplier<String> metrics, ObjectMapper mapper) {
        this.audit = audit;
        this.ready = ready;
        this.metrics = metrics;
        this.mapper = mapper;
    }

    public void register(Router router) {
        router.add("GET", "/healthz", Router.Access.OPEN,
                        r -> done(ApiResponse.text(200, "ok\n", ApiResponse.TEXT)))
                .add("GET", "/readyz", Router.Access.OPEN, r -> done(ready.getAsBoolean()
                        ? ApiResponse.text(200, "ready\n", ApiResponse.TEXT)
                        : ApiResponse.text(503, "not ready\n", ApiResponse.TEXT)))
                .add("GET", "/metrics", Router.Access.METRICS,
                        // Gzipped for a scraper that asks (MetricsGzip): the answer depends on Accept-Encoding.
                        r -> done(ApiResponse.text(200, metrics.get(), ApiResponse.PROMETHEUS_TEXT)
                                .withHeader("vary", "Accept-Encoding")))
                .add("GET", "/api/v1/events", Router.Access.API, this::events);
    }

    /**
     * {@code {"events": [...]}}, oldest first (newest last), at most {@code limit} (default 100, up to the
     * {@value AuditLog#RECENT_CAPACITY} kept in memory; the file holds them all).
     */
    private CompletableFuture<ApiResponse> events(ApiRequest request) {
        int limit = DEFAULT_EVENTS;
        String text = request.queryParam("limit");
        if (text != null) {
            try {
                limit = Integer.parseInt(text);
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > AuditLog.RECENT_CAPACITY) {
                throw ApiException.badRequest("'" + text + "' (expected: 1.." + AuditLog.RECENT_CAPACITY + ")",
                        "limit");
            }
        }
        ObjectNode body = mapper.createObjectNode();
        var events = body.putArray("events");
        for (AuditEvent event : audit.recent(limit)) {
            events.add(audit.toJson(event));
        }
        return done(ApiResponse.json(mapper, 200, body));
    }

    private static CompletableFuture<ApiResponse> done(ApiResponse response) {
        return CompletableFuture.completedFuture(response);
    }
}
