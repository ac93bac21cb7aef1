package dev.veer.proxy.stats;

import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * Cumulative traffic of one version since the proxy started.
 *
 * @param responsesByClass index 1..5 counts 1xx..5xx responses; index 0 is unused (length 6)
 * @param failures         upstream failures the client saw (as a 502/504 or a cut response), by reason; every
 *                         reason present, zero when none
 * @param retries          failed upstream attempts that were sent again, so the client never saw them, by reason
 * @param latencyMicros    request latency in microseconds
 */
public record TotalStats(long[] responsesByClass, Map<FailureReason, Long> failures, Map<FailureReason, Long> retries,
                         Histogram latencyMicros) {

    public long requests() {
        long sum = 0;
        for (long n : responsesByClass) {
            sum += n;
        }
        return sum;
    }
}
