package dev.veer.admin.rollout;

import dev.veer.analyzer.StatsSource;
import dev.veer.analyzer.WindowStats;
import dev.veer.proxy.stats.StatsRegistry;
import java.time.Instant;
import org.HdrHistogram.Histogram;

/**
 * The analyzer's view of the proxy's per-version statistics: the registry's one-second slices in a window, with the
 * latency of the responses that were not errors (see {@link WindowStats}).
 */
public final class ProxyStatsSource implements StatsSource {

    private final StatsRegistry registry;

    public ProxyStatsSource(StatsRegistry registry) {
        this.registry = registry;
    }

    @Override
    public WindowStats window(String service, String version, Instant from, Instant to) {
        var window = registry.window(service, version, from, to);
        Histogram latency = window.latencyMicros().copy();
        latency.subtract(window.errorLatencyMicros());
        return new WindowStats(window.requests(), window.errors(), latency);
    }
}
