package dev.veer.proxy.stats;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Keys that left the routing table (a deleted version, a deleted flag), kept for a while so that scrapes still see
 * their last counts, then dropped: without that, names that come and go would add series to every scrape for good.
 * Not thread-safe: its owner calls it under its own lock.
 */
public final class Retirements<K> {

    /** Each retired key with the System.nanoTime() it left at. */
    private final Map<K, Long> retiredAt = new HashMap<>();
    private final long keptNanos;

    public Retirements(Duration kept) {
        this.keptNanos = kept.toNanos();
    }

    /** Of the {@code known} keys, those not {@code live} are retired from now (if not already); the live ones are back. */
    public void retainOnly(Collection<K> known, Set<K> live) {
        long now = System.nanoTime();
        for (K key : known) {
            if (live.contains(key)) {
                retiredAt.remove(key);
            } else {
                retiredAt.putIfAbsent(key, now);
            }
        }
    }

    /** Forgets the keys retired for the whole keep time, handing each to {@code drop}. */
    public void dropDue(Consumer<K> drop) {
        if (retiredAt.isEmpty()) {
            return;
        }
        long now = System.nanoTime();
        for (Iterator<Map.Entry<K, Long>> it = retiredAt.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<K, Long> retired = it.next();
            if (now - retired.getValue() >= keptNanos) {
                drop.accept(retired.getKey());
                it.remove();
            }
        }
    }
}
