package dev.veer.analyzer.judge;

import dev.veer.analyzer.RolloutState.Analysis;
import dev.veer.analyzer.Verdict.Result;
import dev.veer.analyzer.WindowStats;
import dev.veer.analyzer.stats.LatencySample;
import dev.veer.analyzer.stats.MannWhitney;
import dev.veer.analyzer.stats.Normal;
import dev.veer.analyzer.stats.Proportions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * Judges one interval of canary traffic against the baseline's, by statistics rather than one noisy number.
 * Every check fails only when its excess is significant at the analysis' {@code confidence}:
 * <ul>
 * <li>error rate above {@code maxErrorRate}: exact one-sided binomial test against that rate;</li>
 * <li>error rate above baseline × (1 + {@code maxErrorRateIncrease}): observed so, and significantly so: the
 *     one-sided conditional test of the rate ratio with the allowed increase inside the null hypothesis (testing
 *     only "canary &gt; baseline", as a plain two-proportion z-test does, fires about α of the intervals on
 *     identical versions, and two such in a row over a six-hour plan roll back ~5% of healthy canaries);</li>
 * <li>latency percentile above {@code maxLatency}: the share of canary requests slower than maxLatency is
 *     significantly above 1 - percentile (exact binomial test);</li>
 * <li>latency shifted as a whole: Mann-Whitney U significant, and the lower end of the Hodges-Lehmann shift's
 *     confidence interval (two-sided 1 - 2α, i.e. the one-sided bound at the analysis' confidence) above both
 *     {@code maxLatencyIncrease} × baseline median and a quarter of the estimate (Kayenta's tolerance);</li>
 * <li>latency tail (what a whole-distribution test misses, e.g. 5% of requests 10× slower): the canary's
 *     percentile significantly above baseline percentile × (1 + maxLatencyIncrease): the share of canary
 *     requests slower than that threshold is significantly above 1 - percentile (exact binomial test), the
 *     threshold taken from the baseline percentile's upper confidence bound.</li>
 * </ul>
 * Too few requests on either side (below {@code minRequests}) is Inconclusive: no decision on noise. So is a canary
 * observed over an absolute limit ({@code maxErrorRate}, {@code maxLatency}) but not yet significantly: not enough
 * evidence to roll it back, but a step must not advance on an interval that broke the operator's own limit (an
 * absolute threshold in Argo Rollouts or Flagger fails such a measurement outright; the statistics here keep a
 * healthy canary near its limit from being rolled back on noise).
 * A null baseline judges the canary by the absolute limits only. Relative latency checks ignore regressions
 * smaller than {@link #MIN_LATENCY_REGRESSION_MICROS}.
 */
public final class Judge {

    /** A relative latency regression must cost at least this much (1 ms) to fail a canary. */
    static final double MIN_LATENCY_REGRESSION_MICROS = 1_000;

    private Judge() {
    }

    /**
     * @param canary        the canary's window
     * @param baseline      the baseline's window (live, or its last-known figures), or null for absolute limits only
     * @param baselineLabel how the reason names the baseline ("baseline", "baseline (last known)")
     */
    public static Judgement judge(WindowStats canary, WindowStats baseline, String baselineLabel, Analysis analysis) {
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("canaryRequests", canary.requests());
        figures.put("canaryErrors", canary.errors());
        figures.put("canaryErrorRate", Format.round(canary.errorRate()));
        if (baseline != null) {
            figures.put("baselineRequests", baseline.requests());
            figures.put("baselineErrors", baseline.errors());
            figures.put("baselineErrorRate", Format.round(baseline.errorRate()));
        }
        long min = analysis.minRequests();
        if (canary.requests() < min) {
            return new Judgement(Result.Inconclusive, "canary " + canary.requests() + " requests < min " + min, figures);
        }
        if (baseline != null && baseline.requests() < min) {
            return new Judgement(Result.Inconclusive,
                    baselineLabel + " " + baseline.requests() + " requests < min " + min, figures);
        }
        double alpha = 1 - analysis.confidence();
        double zOneSided = Normal.quantile(analysis.confidence());
        List<String> failures = new ArrayList<>();
        List<String> overUnproven = new ArrayList<>();
        judgeErrors(canary, baseline, baselineLabel, analysis, alpha, figures, failures, overUnproven);
        String latencySummary = judgeLatency(canary.latencyMicros(), baseline == null ? null : baseline.latencyMicros(),
                baselineLabel, analysis, alpha, zOneSided, figures, failures, overUnproven);
        if (!failures.isEmpty()) {
            return new Judgement(Result.Fail, String.join("; ", failures), figures);
        }
        if (!overUnproven.isEmpty()) {
            return new Judgement(Result.Inconclusive, String.join("; ", overUnproven) + ", not yet significant",
                    figures);
        }
        String errorSummary = "error rate " + Format.percent(canary.errorRate())
                + (baseline == null ? "" : " (" + baselineLabel + " " + Format.percent(baseline.errorRate()) + ")");
        return new Judgement(Result.Pass, latencySummary == null ? errorSummary : errorSummary + ", " + latencySummary,
                figures);
    }

    private static void judgeErrors(WindowStats canary, WindowStats baseline, String baselineLabel, Analysis analysis,
                                    double alpha, Map<String, Object> figures, List<String> failures,
                                    List<String> overUnproven) {
        double canaryRate = canary.errorRate();
        double maxRatePValue = Proportions.binomialUpperTail(canary.errors(), canary.requests(), analysis.maxErrorRate());
        figures.put("maxErrorRatePValue", Format.round(maxRatePValue));
        if (canaryRate > analysis.maxErrorRate()) {
            overLimit("error rate " + Format.percent(canaryRate) + " > max " + Format.percent(analysis.maxErrorRate()),
                    maxRatePValue, alpha, failures, overUnproven);
        }
        if (baseline == null) {
            return;
        }
        double baselineRate = baseline.errorRate();
        double allowedRatio = 1 + analysis.maxErrorRateIncrease();
        double pValue = Proportions.rateRatioPValue(canary.errors(), canary.requests(), baseline.errors(),
                baseline.requests(), allowedRatio);
        figures.put("errorPValue", Format.round(pValue));
        if (canaryRate > baselineRate * allowedRatio && pValue < alpha) {
            // Named, since the rate may well be under maxErrorRate (and the change is infinite over a baseline at 0).
            String change = baselineRate > 0 ? Format.change(canaryRate / baselineRate - 1) + ", " : "";
            failures.add("error rate " + Format.percent(canaryRate) + " vs " + baselineLabel + " "
                    + Format.percent(baselineRate) + " (" + change + "allowed "
                    + Format.change(analysis.maxErrorRateIncrease()) + ", " + Format.pValue(pValue) + ")");
        }
    }

    /** Returns a short summary for a Pass reason, or null when latency could not be judged. */
    private static String judgeLatency(Histogram canary, Histogram baseline, String baselineLabel, Analysis analysis,
                                       double alpha, double zOneSided, Map<String, Object> figures,
                                       List<String> failures, List<String> overUnproven) {
        long min = analysis.minRequests();
        if (canary == null || canary.getTotalCount() < Math.max(1, min)) {
            figures.put("latency", "too few samples");
            return null;
        }
        double quantile = analysis.latencyPercentile();
        String label = Format.percentileLabel(quantile);
        double canaryMedian = canary.getValueAtPercentile(50);
        double canaryQ = canary.getValueAtPercentile(quantile * 100);
        figures.put("canaryP50Ms", Format.round(canaryMedian / 1000));
        figures.put("canary" + capitalized(label) + "Ms", Format.round(canaryQ / 1000));

        long canaryTotal = canary.getTotalCount();
        long maxLatency = analysis.maxLatencyMicros();
        long slowerThanMax = canaryTotal - canary.getCountBetweenValues(0, maxLatency);
        // The percentile is above maxLatency exactly when more than (1 - percentile) of requests are slower.
        double maxLatencyPValue = Proportions.binomialUpperTail(slowerThanMax, canaryTotal, 1 - quantile);
        figures.put("maxLatencyPValue", Format.round(maxLatencyPValue));
        if (canaryQ > maxLatency) {
            overLimit(label + " " + Format.millis(canaryQ) + " > max " + Format.millis(maxLatency), maxLatencyPValue,
                    alpha, failures, overUnproven);
        }
        if (baseline == null || baseline.getTotalCount() < Math.max(1, min)) {
            return label + " " + Format.millis(canaryQ);
        }
        double baselineMedian = baseline.getValueAtPercentile(50);
        double baselineQ = baseline.getValueAtPercentile(quantile * 100);
        figures.put("baselineP50Ms", Format.round(baselineMedian / 1000));
        figures.put("baseline" + capitalized(label) + "Ms", Format.round(baselineQ / 1000));

        // Whole distribution: Mann-Whitney plus the Hodges-Lehmann shift, classified as Kayenta does.
        LatencySample canarySample = LatencySample.of(canary);
        LatencySample baselineSample = LatencySample.of(baseline);
        MannWhitney.Result mw = MannWhitney.test(canarySample, baselineSample);
        double shift = MannWhitney.shiftEstimate(canarySample, baselineSample);
        // Relative limits alone would judge sub-millisecond services by scheduler noise and by the canary's cold
        // connections, so a regression must also cost at least MIN_LATENCY_REGRESSION_MICROS to count.
        double allowedShift = Math.max(analysis.maxLatencyIncrease() * baselineSample.median(),
                MIN_LATENCY_REGRESSION_MICROS);
        figures.put("latencyPValue", Format.round(mw.pValue()));
        figures.put("latencyShiftMs", Format.round(shift / 1000));
        figures.put("latencyShiftAllowedMs", Format.round(allowedShift / 1000));
        if (mw.pValue() < alpha && shift > allowedShift) {
            // Only now is the interval worth its cost: a 1 - 2α two-sided interval is the one-sided bound at α.
            MannWhitney.Interval interval = MannWhitney.shiftInterval(canarySample, baselineSample, mw, 1 - 2 * alpha);
            figures.put("latencyShiftLowerMs", Format.round(interval.lower() / 1000));
            figures.put("latencyShiftUpperMs", Format.round(interval.upper() / 1000));
            // Significantly above the allowance (the allowance inside H0), and Kayenta's tolerance: the interval's
            // lower end above a quarter of the estimate.
            if (interval.lower() > allowedShift && interval.lower() > 0.25 * Math.abs(shift)) {
                failures.add("latency +" + Format.millis(shift) + " (" + Format.change(shift / baselineSample.median())
                        + " of " + baselineLabel + " median " + Format.millis(baselineSample.median())
                        + ", allowed +" + Format.millis(allowedShift) + ", at least +" + Format.millis(interval.lower())
                        + ", " + Format.pValue(mw.pValue()) + ")");
            }
        }

        // The tail at the configured percentile: is the canary's percentile significantly above the baseline's
        // × (1 + maxLatencyIncrease)? Like the absolute check, with the threshold taken from the baseline's upper
        // confidence bound of that percentile, so baseline noise cannot make a threshold too low.
        long baselineTotal = baseline.getTotalCount();
        double upperRank = Math.min(1.0, quantile + zOneSided * Math.sqrt(quantile * (1 - quantile) / baselineTotal));
        double baselineUpper = baseline.getValueAtPercentile(upperRank * 100);
        long threshold = (long) Math.ceil(Math.max(baselineUpper * (1 + analysis.maxLatencyIncrease()),
                baselineUpper + MIN_LATENCY_REGRESSION_MICROS));
        long canaryAbove = canaryTotal - canary.getCountBetweenValues(0, threshold);
        double tailPValue = Proportions.binomialUpperTail(canaryAbove, canaryTotal, 1 - quantile);
        figures.put("tailThresholdMs", Format.round(threshold / 1000.0));
        figures.put("canaryShareAboveTailThreshold", Format.round((double) canaryAbove / canaryTotal));
        figures.put("tailPValue", Format.round(tailPValue));
        if (canaryQ > threshold && tailPValue < alpha) {
            failures.add(label + " " + Format.millis(canaryQ) + " vs " + baselineLabel + " " + Format.millis(baselineQ)
                    + " (" + Format.change(canaryQ / baselineQ - 1) + ", allowed "
                    + Format.change(analysis.maxLatencyIncrease()) + ", " + Format.pValue(tailPValue) + ")");
        }
        return label + " " + Format.millis(canaryQ) + " (" + baselineLabel + " " + Format.millis(baselineQ) + ")";
    }

    /** An absolute limit the canary was observed over: a failure when significantly so, else unproven. */
    private static void overLimit(String what, double pValue, double alpha, List<String> failures,
                                  List<String> overUnproven) {
        if (pValue < alpha) {
            failures.add(what);
        } else {
            overUnproven.add(what + " (" + Format.pValue(pValue) + ")");
        }
    }

    private static String capitalized(String label) {
        return Character.toUpperCase(label.charAt(0)) + label.substring(1).replace(".", "_");
    }
}
