package dev.veer.proxy.stats;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Requests a listener answered itself without charging any version, by status: refused before a version was
 * chosen (malformed, over a limit, no service matched, too many in flight) or ended by the client's own fault once
 * routed (a body over the limit, malformed, or not sent in time). They are in no version's counts or latency, so a
 * stalled or hostile client cannot fail a canary, yet an operator can still alert on them.
 */
public final class RefusedRequests {

    private static final int STATUSES = 600;
    /**
     * What a listener answers by itself (docs/ci-gate.md lists them). Their series are there from the start, at 0:
     * Prometheus' rate() and increase() take a series' first sample as the start, so a burst of 404s that made the
     * series appear between two scrapes was otherwise never seen by an alert on them.
     */
    private static final int[] ANSWERED = {400, 404, 408, 413, 414, 431, 501, 503, 505};

    private final AtomicLongArray byStatus = new AtomicLongArray(STATUSES);

    /** One more request answered with {@code status}. */
    public void record(int status) {
        if (status > 0 && status < STATUSES) {
            byStatus.incrementAndGet(status);
        }
    }

    /** Status → count, for the statuses a listener answers and any other seen so far, in status order. */
    public Map<Integer, Long> snapshot() {
        Map<Integer, Long> seen = new TreeMap<>();
        for (int status : ANSWERED) {
            seen.put(status, 0L);
        }
        for (int status = 0; status < STATUSES; status++) {
            long n = byStatus.get(status);
            if (n > 0) {
                seen.put(status, n);
            }
        }
        return seen;
    }
}
