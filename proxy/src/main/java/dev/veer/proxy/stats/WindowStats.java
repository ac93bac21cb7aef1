package dev.veer.proxy.stats;

import org.HdrHistogram.Histogram;

/**
 * Traffic of one version over a recent window.
 *
 * @param requests           completed responses in the window
 * @param errors             responses with status >= 500, proxy-made 502/503/504 included
 * @param latencyMicros      request latency (head received to last response byte written), microseconds
 * @param errorLatencyMicros the part of {@code latencyMicros} that the errors took
 */
public record WindowStats(long requests, long errors, Histogram latencyMicros, Histogram errorLatencyMicros) {
}
