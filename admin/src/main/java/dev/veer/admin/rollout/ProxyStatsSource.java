package dev.veer.admin.rollout;

import dev.veer.analyzer.StatsSource;
import dev.veer.analyzer.WindowStats;
import dev.veer.proxy.stats.StatsRegistry;
import java.time.Instant;

/** The analyzer's view of the proxy's per-version statistics: the registry's one-second slices in a window. */
public final class ProxyStatsSource implements StatsSource {

    private final StatsRegistry registry;

    public ProxyStatsSource(StatsRegistry registry) {
        this.registry = registry;
    }

    @Override
    public WindowStats window(String service, String version, Instant from, Instant to) {
        var window = registry.window(service, version, from, to);
        return new WindowStats(window.requests(), window.errors(), window.latencyMicros());
    }
}
