package dev.veer.proxy.flag;

import dev.veer.proxy.stats.Retirements;
import dev.veer.proxy.stats.StatsRegistry;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Evaluation counts per flag and result ("on", "off" or the variant name), for
 * {@code veer_flag_evaluations_total{flag,result}}. Counters are kept by flag name so they survive a republish;
 * event loops increment striped adders without contention.
 *
 * <p>A flag no longer bound (deleted) keeps its counters for {@link StatsRegistry#RETIRED_KEPT}, as a deleted
 * version keeps its statistics, so its last evaluations are scraped; then they go. Without that, flags named anew
 * for each experiment would add series to every scrape for good.
 */
public final class FlagCounters {

    private final Map<String, Map<String, LongAdder>> byFlag = new ConcurrentHashMap<>();
    /** Flags out of the bound evaluator. Guarded by this. */
    private final Retirements<String> retired;

    public FlagCounters() {
        this(StatsRegistry.RETIRED_KEPT);
    }

    /** Counters that drop a deleted flag's counts {@code retiredKept} after it was last bound (tests). */
    public FlagCounters(Duration retiredKept) {
        this.retired = new Retirements<>(retiredKept);
    }

    /**
     * The adders for one compiled evaluator, indexed [flag][0 = off, 1 = on, 2 + variant]. The flags it lacks are
     * retired from now (if not already); its own are live again.
     */
    public synchronized LongAdder[][] bind(FlagEvaluator evaluator) {
        LongAdder[][] slots = new LongAdder[evaluator.size()][];
        Set<String> live = new HashSet<>();
        for (int i = 0; i < evaluator.size(); i++) {
            live.add(evaluator.name(i));
            Map<String, LongAdder> results = byFlag.computeIfAbsent(evaluator.name(i), n -> new ConcurrentHashMap<>());
            List<String> variants = evaluator.variantNames(i);
            slots[i] = new LongAdder[2 + variants.size()];
            slots[i][0] = results.computeIfAbsent("off", r -> new LongAdder());
            slots[i][1] = results.computeIfAbsent("on", r -> new LongAdder());
            for (int v = 0; v < variants.size(); v++) {
                slots[i][2 + v] = results.computeIfAbsent(variants.get(v), r -> new LongAdder());
            }
        }
        retired.retainOnly(byFlag.keySet(), live);
        return slots;
    }

    /** flag → result → count, sorted by flag name; results in a stable order. Drops retired flags due to go. */
    public synchronized Map<String, Map<String, Long>> snapshot() {
        retired.dropDue(byFlag::remove);
        Map<String, Map<String, Long>> out = new TreeMap<>();
        byFlag.forEach((flag, results) -> {
            Map<String, Long> counts = new LinkedHashMap<>();
            new TreeMap<>(results).forEach((result, adder) -> counts.put(result, adder.sum()));
            out.put(flag, counts);
        });
        return out;
    }
}
