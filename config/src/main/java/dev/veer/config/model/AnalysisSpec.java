package dev.veer.config.model;

import java.time.Duration;

/**
 * How each analysis interval judges canary against baseline.
 *
 * @param minRequests          below this on either side the verdict is Inconclusive
 * @param maxErrorRate         absolute canary error-rate limit (0.005 = 0.5%)
 * @param maxErrorRateIncrease allowed relative increase over baseline when significant (0.5 = +50%)
 * @param latencyPercentile    percentile compared against maxLatency (0.95)
 * @param maxLatency           absolute latency limit at that percentile
 * @param maxLatencyIncrease   allowed relative latency shift (Mann-Whitney effect size, 0.10 = +10%)
 * @param failureLimit         Fail verdicts among the step's last 10 analyses that roll back
 * @param inconclusiveLimit    consecutive Inconclusives that pause the rollout for a human
 * @param confidence           confidence of the significance tests (0.99)
 */
public record AnalysisSpec(Duration interval, long minRequests, double maxErrorRate, double maxErrorRateIncrease,
                           double latencyPercentile, Duration maxLatency, double maxLatencyIncrease,
                           int failureLimit, int inconclusiveLimit, double confidence) {

    public static final AnalysisSpec DEFAULTS = new AnalysisSpec(Duration.ofMinutes(1), 200, 0.005, 0.5, 0.95,
            Duration.ofMillis(500), 0.10, 2, 10, 0.99);
}
