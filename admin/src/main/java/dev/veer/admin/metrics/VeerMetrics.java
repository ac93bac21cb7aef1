package dev.veer.admin.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import dev.veer.admin.api.EndpointHealth;
import dev.veer.admin.control.RuntimeView;
import dev.veer.admin.control.UnpersistedChanges;
import dev.veer.proxy.accesslog.AccessLog;
import dev.veer.analyzer.RolloutPhase;
import dev.veer.admin.rollout.RolloutJson;
import dev.veer.config.model.HostPort;
import dev.veer.config.model.ServiceSpec;
import dev.veer.config.model.VersionSpec;
import dev.veer.config.model.Weights;
import dev.veer.proxy.stats.FailureReason;
import dev.veer.proxy.stats.StatsKey;
import dev.veer.proxy.stats.StatsRegistry;
import dev.veer.proxy.stats.TotalStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.netty4.NettyAllocatorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * The /metrics body: Veer's own families rendered at scrape time from the proxy's stats registry and the view
 * in force, followed by the JVM and Netty allocator meters Micrometer binds.
 */
public final class VeerMetrics implements AutoCloseable {

    /**
     * Upper bounds (seconds) of the request duration histogram buckets: Prometheus' defaults, below them 0.5, 1
     * and 2.5 ms (as Envoy's start at 0.5 ms), since most requests through a proxy in front of a fast service
     * take under 5 ms and their p50/p95 would otherwise all fall in the first bucket; and eleven bounds from 50 ms
     * to 1 s, where latency SLOs and canary limits sit: with only 0.1 and 0.25 there, histogram_quantile put a
     * steady 200 ms p50 at 175 ms. Above 10 s, 30 and 60 s (as Envoy's and Istio's go on): the upstream read
     * timeout is 60 s by default, and with 10 s as the last bound every slower answer, and every such 504, fell in
     * +Inf, where histogram_quantile can only say 10 s: a canary whose p95 was 50 s looked like a baseline at 11 s.
     */
    static final double[] BUCKETS = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.25,
        0.3, 0.4, 0.5, 0.75, 1, 2.5, 5, 10, 30, 60};
    /** Status classes by index of TotalStats.responsesByClass; 1xx (index 1) is not a §5 code and not exported. */
    private static final String[] CODES = {null, null, "2xx", "3xx", "4xx", "5xx"};
    private static final int FIRST_EXPORTED_CLASS = 2;
    /** The fields of a rollout naming its versions, and the role label each gets in veer_rollout_role. */
    private static final String[] ROLES = {"canary", "baseline"};

    private final StatsRegistry stats;
    private final Supplier<RuntimeView> view;
    private final EndpointHealth health;
    private final Supplier<Map<String, Map<String, Long>>> flagEvaluations;
    private final Supplier<Map<Integer, Long>> refused;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();

    /**
     * {@code flagEvaluations}: flag → result (on, off, variant) → count, as the proxy counts them; {@code refused}:
     * status → requests answered without charging a version ({@code RefusedRequests}).
     */
    public VeerMetrics(StatsRegistry stats, Supplier<RuntimeView> view, EndpointHealth health,
                       Supplier<Map<String, Map<String, Long>>> flagEvaluations, Supplier<Map<Integer, Long>> refused) {
        this.stats = stats;
        this.view = view;
        this.health = health;
        this.flagEvaluations = flagEvaluations;
        this.refused = refused;
        // The Netty binder tags each allocator with its identity hash, a new series on every restart: name them.
        String pooledId = String.valueOf(System.identityHashCode(PooledByteBufAllocator.DEFAULT));
        String unpooledId = String.valueOf(System.identityHashCode(UnpooledByteBufAllocator.DEFAULT));
        registry.config().meterFilter(MeterFilter.replaceTagValues("id",
                id -> id.equals(pooledId) ? "pooled" : id.equals(unpooledId) ? "unpooled" : id));
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new NettyAllocatorMetrics(PooledByteBufAllocator.DEFAULT).bindTo(registry);
        new NettyAllocatorMetrics(UnpooledByteBufAllocator.DEFAULT).bindTo(registry);
    }

    /**
     * Adds {@code veer_access_log_dropped_total}: access log lines lost to a writer that fell behind or failed. The
     * counter reads the log itself, which the proxy holds: Micrometer keeps its state object weakly, and a method
     * reference made here was collected at the first GC, freezing the count.
     */
    public void bindAccessLog(AccessLog accessLog) {
        FunctionCounter.builder("veer.access.log.dropped", accessLog,
                        AccessLog::dropped)
                .description("Access log lines dropped because the writer fell behind or could not write.")
                .register(registry);
    }

    /**
     * Adds {@code veer_unpersisted_changes_total{write="state"|"audit"}}: changes that took effect although that
     * write failed (the analyzer's rollbacks and verdicts on a full or failing disk; see ControlPlane).
     */
    public void bindUnpersistedChanges(UnpersistedChanges unpersisted) {
        bindUnpersisted(unpersisted, "state", UnpersistedChanges::stateNotSaved);
        bindUnpersisted(unpersisted, "audit", UnpersistedChanges::auditNotWritten);
    }

    private void bindUnpersisted(UnpersistedChanges unpersisted, String write,
                                 ToDoubleFunction<UnpersistedChanges> count) {
        FunctionCounter.builder("veer.unpersisted.changes", unpersisted, count)
                .description("Changes that took effect although this write to the state directory failed"
                        + " (the analyzer's rollbacks and verdicts on a full or failing disk).")
                .tag("write", write)
                .register(registry);
    }

    public String scrape() {
        RuntimeView current = view.get();
        StringBuilder out = new StringBuilder(16 * 1024);
        PrometheusText text = new PrometheusText(out);
        List<StatsKey> keys = keys(current);
        List<TotalStats> totals = new ArrayList<>(keys.size());
        for (StatsKey key : keys) {
            totals.add(stats.totals(key.service(), key.version()));
        }

        text.family("veer_requests_total", "counter", "Responses sent, by upstream version and status class.");
        for (int i = 0; i < keys.size(); i++) {
            long[] byClass = totals.get(i).responsesByClass();
            for (int c = FIRST_EXPORTED_CLASS; c < CODES.length && c < byClass.length; c++) {
                text.sample("veer_requests_total", byClass[c], "service", keys.get(i).service(),
                        "version", keys.get(i).version(), "code", CODES[c]);
            }
        }

        text.family("veer_request_duration_seconds", "histogram", "Request latency through the proxy.");
        for (int i = 0; i < keys.size(); i++) {
            histogram(text, keys.get(i), totals.get(i).latencyMicros());
        }

        byReason(text, keys, "veer_upstream_failures_total",
                "Upstream failures the client saw (a 502/504 or a cut response), by reason.", TotalStats::failures,
                totals);
        byReason(text, keys, "veer_upstream_retries_total",
                "Failed upstream attempts sent again on another attempt, which the client never saw, by reason.",
                TotalStats::retries, totals);

        text.family("veer_weight", "gauge", "Share of a service's traffic sent to a version, in percent.");
        for (ServiceSpec s : current.services()) {
            for (String version : s.versionNames()) {
                text.sample("veer_weight", Weights.percent(s.weights().of(version)).doubleValue(),
                        "service", s.name(), "version", version);
            }
        }

        text.family("veer_endpoint_up", "gauge", "1 when the endpoint receives traffic (healthy), else 0.");
        for (ServiceSpec s : current.services()) {
            for (VersionSpec v : s.versions()) {
                Set<String> seen = new LinkedHashSet<>();
                for (HostPort endpoint : v.endpoints()) {
                    if (seen.add(endpoint.toString())) {
                        text.sample("veer_endpoint_up", health.healthy(s.name(), v.name(), endpoint) ? 1 : 0,
                                "service", s.name(), "version", v.name(), "endpoint", endpoint.toString());
                    }
                }
            }
        }

        // Every service has both rollout families, before its first rollout too (step 0, every phase 0), so
        // queries and alerts see a series from the start instead of an absent one.
        text.family("veer_rollout_step", "gauge",
                "Current step (1-based) of the service's latest rollout; 0 when it never had one.");
        for (ServiceSpec s : current.services()) {
            JsonNode rollout = current.rollouts().get(s.name());
            text.sample("veer_rollout_step", rollout == null ? 0 : RolloutJson.step(rollout), "service", s.name());
        }

        text.family("veer_rollout_phase", "gauge", "1 for the phase the service's latest rollout is in, else 0.");
        for (ServiceSpec s : current.services()) {
            JsonNode rollout = current.rollouts().get(s.name());
            String phase = rollout == null ? null : rollout.path("phase").asText();
            for (RolloutPhase p : RolloutPhase.values()) {
                text.sample("veer_rollout_phase", p.name().equals(phase) ? 1 : 0, "service", s.name(), "phase",
                        p.name());
            }
        }

        // Beyond CONTRACT §5: the metrics name versions, not their roles, and a gate comparing "the worst version
        // against the best" flags the baseline when a canary does better (a fix). No series before a first rollout.
        text.family("veer_rollout_role", "gauge",
                "1 for the canary and the baseline of the service's latest rollout, by role.");
        for (ServiceSpec s : current.services()) {
            JsonNode rollout = current.rollouts().get(s.name());
            if (rollout != null) {
                for (String role : ROLES) {
                    text.sample("veer_rollout_role", 1, "service", s.name(), "version",
                            rollout.path(role).asText(), "role", role);
                }
            }
        }

        text.family("veer_flag_evaluations_total", "counter",
                "Requests a feature flag was evaluated for (targeting matched), by result: on, off or variant.");
        flagEvaluations.get().forEach((flag, results) -> results.forEach((result, count) ->
                text.sample("veer_flag_evaluations_total", count, "flag", flag, "result", result)));

        text.family("veer_refused_requests_total", "counter", "Requests answered by Veer without charging a version,"
                + " by status: refused before routing, or ended by the client's fault (a body too large, malformed or"
                + " not sent in time).");
        refused.get().forEach((status, count) ->
                text.sample("veer_refused_requests_total", count, "status", Integer.toString(status)));

        appendWithHelp(out, registry.scrape());
        return out.toString();
    }

    /**
     * Appends Micrometer's exposition, giving a help text to families that have none: the Netty allocator binder
     * registers its meters without descriptions, and {@code promtool check metrics} rejects an empty HELP.
     */
    static void appendWithHelp(StringBuilder out, String exposition) {
        int start = 0;
        while (start < exposition.length()) {
            int end = exposition.indexOf('\n', start);
            if (end < 0) {
                end = exposition.length();
            }
            String line = exposition.substring(start, end);
            if (line.startsWith("# HELP ")) {
                int nameEnd = line.indexOf(' ', 7);
                String name = nameEnd < 0 ? line.substring(7) : line.substring(7, nameEnd);
                if (nameEnd < 0 || line.substring(nameEnd).isBlank()) {
                    line = "# HELP " + name + " " + name.replace('_', ' ');
                }
            }
            out.append(line).append('\n');
            start = end + 1;
        }
    }

    /**
     * Every version of the view, plus any the proxy still has stats for: a removed version keeps its series for
     * StatsRegistry.RETIRED_KEPT, so that its last increments are scraped.
     */
    private List<StatsKey> keys(RuntimeView current) {
        Set<StatsKey> keys = new LinkedHashSet<>();
        for (ServiceSpec s : current.services()) {
            for (String version : s.versionNames()) {
                keys.add(new StatsKey(s.name(), version));
            }
        }
        TreeSet<String> extra = new TreeSet<>();
        for (StatsKey key : stats.keys()) {
            if (!keys.contains(key)) {
                extra.add(key.service() + "\u0000" + key.version());
            }
        }
        for (String k : extra) {
            int sep = k.indexOf('\u0000');
            keys.add(new StatsKey(k.substring(0, sep), k.substring(sep + 1)));
        }
        return new ArrayList<>(keys);
    }

    private static void byReason(PrometheusText text, List<StatsKey> keys, String family, String help,
                                 Function<TotalStats, Map<FailureReason, Long>> counts, List<TotalStats> totals) {
        text.family(family, "counter", help);
        for (int i = 0; i < keys.size(); i++) {
            Map<FailureReason, Long> byReason = counts.apply(totals.get(i));
            for (FailureReason reason : FailureReason.values()) {
                Long n = byReason.get(reason);
                text.sample(family, n == null ? 0 : n, "service", keys.get(i).service(),
                        "version", keys.get(i).version(), "reason", reason.label());
            }
        }
    }

    private static void histogram(PrometheusText text, StatsKey key, Histogram micros) {
        long count = micros == null ? 0 : micros.getTotalCount();
        String name = "veer_request_duration_seconds";
        for (double bound : BUCKETS) {
            long below = count == 0 ? 0 : micros.getCountBetweenValues(0, (long) (bound * 1_000_000));
            text.sample(name + "_bucket", Math.min(below, count), "service", key.service(), "version", key.version(),
                    "le", PrometheusText.format(bound));
        }
        text.sample(name + "_bucket", count, "service", key.service(), "version", key.version(), "le", "+Inf");
        double sumSeconds = count == 0 ? 0 : micros.getMean() * count / 1_000_000.0;
        text.sample(name + "_sum", sumSeconds, "service", key.service(), "version", key.version());
        text.sample(name + "_count", count, "service", key.service(), "version", key.version());
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
