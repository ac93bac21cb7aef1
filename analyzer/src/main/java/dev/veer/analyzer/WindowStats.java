package dev.veer.analyzer;

import org.HdrHistogram.Histogram;

/**
 * Traffic of one version over one window.
 *
 * @param requests       completed requests
 * @param errors         responses with status &gt;= 500 (proxy-made 502/503/504 included)
 * @param latencyMicros  latency distribution of the responses that were not errors, in microseconds; may be null when
 *                       nothing was recorded. Errors are judged by their rate; their latency would only blur the
 *                       version's speed: a baseline failing fast (instant 503s) made a healthy canary look slow.
 */
public record WindowStats(long requests, long errors, Histogram latencyMicros) {

    /** No traffic at all. */
    public static WindowStats empty() {
        return new WindowStats(0, 0, null);
    }

    public double errorRate() {
        return requests == 0 ? 0.0 : (double) errors / requests;
    }
}
