package dev.veer.analyzer;

import java.time.Duration;
import java.time.Instant;

/** Where the analyzer reads per-version traffic figures (the proxy's stats registry, or a simulation). */
public interface StatsSource {

    /**
     * How finely a source divides time: it counts traffic in slices of at most this length, each by the time it was
     * completed, so the slice under way at a weight change still holds requests routed by the old weights.
     */
    Duration SLICE = Duration.ofSeconds(1);

    /**
     * The traffic of one version in the slices completed at or after {@code from} and before {@code to}; empty stats
     * when nothing is known. Windows that share their bounds count every slice once.
     */
    WindowStats window(String service, String version, Instant from, Instant to);
}
