package dev.veer.proxy.stats;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Per (service, version) traffic statistics. Event loops record into {@link VersionStats}; one collector
 * thread drains them every second into cumulative totals and a ring of per-second slices
 * ({@value #RING_SECONDS} seconds), from which {@link #window} sums the most recent ones.
 *
 * <p>A version taken out of the routing table ({@link #retainOnly}) keeps its statistics for {@link #RETIRED_KEPT},
 * so its last requests are still scraped and a version put back soon keeps counting on; then they are dropped.
 * Without that, a release scheme that names each version anew (an image tag) would grow the registry, and the
 * metric series, with every release.
 */
public final class StatsRegistry implements AutoCloseable {

    /** Fifteen minutes of one-second slices. */
    public static final int RING_SECONDS = 15 * 60;

    /** Longer than any sensible scrape interval, so that a removed version's last increments are scraped. */
    public static final Duration RETIRED_KEPT = Duration.ofMinutes(10);

    private final ConcurrentMap<StatsKey, VersionStats> byKey = new ConcurrentHashMap<>();
    /** Versions out of the routing table, with the System.nanoTime() they left it at. Guarded by this. */
    private final Retirements<StatsKey> retired;
    /** Stamps each slice with the time it was completed (the analyzer's windows are bounded by such times). */
    private final InstantSource clock;
    private final ScheduledExecutorService collector;

    /** A registry whose collector thread drains the recorders once per second. */
    public static StatsRegistry started() {
        return new StatsRegistry(true, RETIRED_KEPT, InstantSource.system());
    }

    /** A registry without a collector thread; {@link #collectNow()} moves time forward (tests, benchmarks). */
    public static StatsRegistry manual() {
        return manual(RETIRED_KEPT);
    }

    /** As {@link #manual()}, dropping a retired version's statistics {@code retiredKept} after it left the table. */
    public static StatsRegistry manual(Duration retiredKept) {
        return new StatsRegistry(false, retiredKept, InstantSource.system());
    }

    /** As {@link #manual()}, stamping slices with {@code clock}'s time. */
    public static StatsRegistry manual(InstantSource clock) {
        return new StatsRegistry(false, RETIRED_KEPT, clock);
    }

    private StatsRegistry(boolean scheduled, Duration retiredKept, InstantSource clock) {
        this.retired = new Retirements<>(retiredKept);
        this.clock = clock;
        if (scheduled) {
            collector = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "veer-stats-collector");
                t.setDaemon(true);
                return t;
            });
            collector.scheduleAtFixedRate(this::collectNow, 1, 1, TimeUnit.SECONDS);
        } else {
            collector = null;
        }
    }

    /**
     * The recorder for a version, created on first use; the same object until the version has been out of the
     * routing table for {@link #RETIRED_KEPT}.
     */
    public synchronized VersionStats forVersion(String service, String version) {
        return byKey.computeIfAbsent(new StatsKey(service, version), k -> new VersionStats(k, RING_SECONDS));
    }

    /**
     * Called with every version of a routing table before it is compiled: the others are retired from now (if not
     * already), these are live again. Before compiling, so that a version put back is live before its recorder is
     * looked up, and cannot be dropped in between.
     */
    public synchronized void retainOnly(Set<StatsKey> live) {
        retired.retainOnly(byKey.keySet(), live);
    }

    private synchronized void dropRetired() {
        retired.dropDue(byKey::remove);
    }

    public Set<StatsKey> keys() {
        return Set.copyOf(byKey.keySet());
    }

    /** The last {@code length} of completed one-second slices (sum of interval histograms); empty stats if unknown. */
    public WindowStats window(String service, String version, Duration length) {
        VersionStats stats = byKey.get(new StatsKey(service, version));
        if (stats == null) {
            return VersionStats.emptyWindow();
        }
        long seconds = Math.max(1, (length.toMillis() + 999) / 1000);
        return stats.window((int) Math.min(seconds, RING_SECONDS));
    }

    /**
     * The slices completed at or after {@code from} and before {@code to}, by this registry's clock: consecutive
     * windows that share their bounds count every slice once (no second counted twice, none skipped).
     */
    public WindowStats window(String service, String version, Instant from, Instant to) {
        VersionStats stats = byKey.get(new StatsKey(service, version));
        return stats == null ? VersionStats.emptyWindow() : stats.window(from.toEpochMilli(), to.toEpochMilli());
    }

    /** Cumulative since start (for /metrics and /stats). */
    public TotalStats totals(String service, String version) {
        VersionStats stats = byKey.get(new StatsKey(service, version));
        return stats == null ? VersionStats.emptyTotals() : stats.totals();
    }

    /** Completes the current one-second slice of every version now, and drops retired versions due to go. */
    public void collectNow() {
        for (VersionStats stats : byKey.values()) {
            stats.collect(clock);
        }
        dropRetired();
    }

    @Override
    public void close() {
        if (collector != null) {
            collector.shutdownNow();
        }
    }
}
