package dev.veer.admin.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.veer.admin.control.ControlPlane;
import dev.veer.admin.control.RuntimeView;
import dev.veer.admin.http.ApiRequest;
import dev.veer.admin.http.ApiResponse;
import dev.veer.admin.http.Router;
import dev.veer.config.model.ServiceSpec;
import dev.veer.proxy.stats.FailureReason;
import dev.veer.proxy.stats.StatsRegistry;
import dev.veer.proxy.stats.TotalStats;
import dev.veer.proxy.stats.WindowStats;
import org.HdrHistogram.Histogram;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Live per-version figures of a service: since start, and over the recent window
 * ({@code ?window=60s} by default, up to the registry's 15 minutes).
 */
public final class StatsApi {

    static final Duration DEFAULT_WINDOW = Duration.ofSeconds(60);

    private final ControlPlane control;
    private final StatsRegistry stats;
    private final ObjectMapper mapper;

    public StatsApi(ControlPlane control, StatsRegistry stats, ObjectMapper mapper) {
        this.control = control;
        this.stats = stats;
        this.mapper = mapper;
    }

    public void register(Router router) {
        router.add("GET", "/api/v1/services/{svc}/stats", Router.Access.API, this::get);
    }

    private CompletableFuture<ApiResponse> get(ApiRequest request) {
        RuntimeView view = control.view();
        ServiceSpec service = ServicesApi.existing(view, request.param("svc"));
        Duration window = window(request.queryParam("window"));
        ObjectNode body = mapper.createObjectNode();
        body.put("service", service.name());
        body.put("revision", view.serviceRevision(service.name()));
        body.put("windowSeconds", window.toSeconds());
        ObjectNode versions = body.putObject("versions");
        for (String version : service.versionNames()) {
            TotalStats total = stats.totals(service.name(), version);
            long errors = total.responsesByClass().length > 5 ? total.responsesByClass()[5] : 0;
            ObjectNode v = versions.putObject(version);
            figures(v, total.requests(), errors, total.latencyMicros());
            ObjectNode failures = v.putObject("failures");
            for (FailureReason reason : FailureReason.values()) {
                Long n = total.failures().get(reason);
                failures.put(reason.label(), n == null ? 0 : n);
            }
            WindowStats recent = stats.window(service.name(), version, window);
            figures(v.putObject("recent"), recent.requests(), recent.errors(), recent.latencyMicros());
        }
        return CompletableFuture.completedFuture(
                ApiResponse.json(mapper, 200, body, view.serviceRevision(service.name())));
    }

    /**
     * {@code count} (the contract's name; {@code requests} is the same figure), errors, errorRate, and the latency
     * percentiles in milliseconds as {@code p50}/{@code p95}/{@code p99} (the contract's names) and
     * {@code p50Ms}/{@code p95Ms}/{@code p99Ms}; null percentiles when nothing was measured.
     */
    private static void figures(ObjectNode node, long requests, long errors, Histogram latencyMicros) {
        node.put("count", requests);
        node.put("requests", requests);
        node.put("errors", errors);
        node.put("errorRate", requests == 0 ? 0.0 : (double) errors / requests);
        boolean any = latencyMicros != null && latencyMicros.getTotalCount() > 0;
        Double p50 = any ? millis(latencyMicros.getValueAtPercentile(50)) : null;
        Double p95 = any ? millis(latencyMicros.getValueAtPercentile(95)) : null;
        Double p99 = any ? millis(latencyMicros.getValueAtPercentile(99)) : null;
        node.put("p50", p50);
        node.put("p95", p95);
        node.put("p99", p99);
        node.put("p50Ms", p50);
        node.put("p95Ms", p95);
        node.put("p99Ms", p99);
    }

    private static Double millis(long micros) {
        return Math.round(micros / 10.0) / 100.0;
    }

    private static Duration window(String text) {
        if (text == null) {
            return DEFAULT_WINDOW;
        }
        Duration d = dev.veer.config.ModelJson.parseDuration(text);
        if (d == null || d.compareTo(Duration.ofSeconds(1)) < 0
                || d.compareTo(Duration.ofSeconds(StatsRegistry.RING_SECONDS)) > 0) {
            throw dev.veer.admin.http.ApiException.badRequest("'" + text + "' (expected: a duration from 1s to "
                    + StatsRegistry.RING_SECONDS / 60 + "m)", "window");
        }
        // The registry sums whole one-second slices: 1500ms reads 2 of them, so windowSeconds says 2, not 1.
        return Duration.ofSeconds(d.toSeconds() + (d.toNanosPart() > 0 ? 1 : 0));
    }
}
