package dev.veer.analyzer.judge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.veer.analyzer.RolloutState.Analysis;
import dev.veer.analyzer.Verdict.Result;
import dev.veer.analyzer.WindowStats;
import dev.veer.config.model.AnalysisSpec;
import java.time.Duration;
import java.util.Random;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class JudgeTest {

    private static final Analysis DEFAULTS = Analysis.of(AnalysisSpec.DEFAULTS);
    private final Random random = new Random(11);

    @Test
    void identicalTrafficPasses() {
        Judgement j = Judge.judge(window(3000, 6, 50, 0, 1), window(27000, 54, 50, 0, 1), "baseline", DEFAULTS);
        assertThat(j.result()).isEqualTo(Result.Pass);
        assertThat(j.reason()).startsWith("error rate 0.2% (baseline 0.2%), p95 ");
        assertThat(j.figures()).containsEntry("canaryRequests", 3000L).containsEntry("baselineErrors", 54L);
    }

    @Test
    void tooFewRequestsOnEitherSideIsInconclusive() {
        assertThat(Judge.judge(window(199, 0, 50, 0, 1), window(5000, 0, 50, 0, 1), "baseline", DEFAULTS).reason())
                .isEqualTo("canary 199 requests < min 200");
        Judgement j = Judge.judge(window(5000, 0, 50, 0, 1), window(150, 0, 50, 0, 1), "baseline", DEFAULTS);
        assertThat(j.result()).isEqualTo(Result.Inconclusive);
        assertThat(j.reason()).isEqualTo("baseline 150 requests < min 200");
    }

    @Test
    void aFewRareErrorsAreNotASignificantIncrease() {
        // 2 canary errors in 3000 against 1 in 27000: far above +50% relative, but the exact test says p ≈ 0.055.
        Judgement j = Judge.judge(window(3000, 2, 50, 0, 1), window(27000, 1, 50, 0, 1), "baseline", DEFAULTS);
        assertThat(j.result()).isEqualTo(Result.Pass);
        assertThat((Double) j.figures().get("errorPValue")).isCloseTo(0.055394, org.assertj.core.data.Offset.offset(1e-5));
    }

    @Test
    void significantErrorIncreaseFailsBelowTheAbsoluteLimit() {
        // 0.45% vs 0.1%: under the 0.5% absolute limit, but +350% and clearly significant.
        Judgement j = Judge.judge(window(20000, 90, 50, 0, 1), window(60000, 60, 50, 0, 1), "baseline", DEFAULTS);
        assertThat(j.result()).isEqualTo(Result.Fail);
        assertThat(j.reason()).startsWith("error rate 0.45% vs baseline 0.1% (+350%, allowed +50%, p<0.0001)");
    }

    @Test
    void aRiseOverABaselineWithoutErrorsSaysWhichLimitItBroke() {
        // 2% is under a 5% absolute limit: the reason must say that the relative limit failed it.
        Analysis lenient = Analysis.of(new AnalysisSpec(Duration.ofMinutes(1), 200, 0.05, 0.5, 0.95,
                Duration.ofMillis(500), 0.10, 2, 10, 0.99));
        Judgement j = Judge.judge(window(1000, 20, 50, 0, 1), window(4000, 0, 50, 0, 1), "baseline", lenient);
        assertThat(j.result()).isEqualTo(Result.Fail);
        assertThat(j.reason()).isEqualTo("error rate 2% vs baseline 0% (allowed +50%, p<0.0001)");
    }

    @Test
    void absoluteErrorLimitFailsWhenSignificantlyAboveAndNeverPassesAbove() {
        // 0.6% of 500 (3 errors) is above 0.5% by one error: not evidence to roll back, nor a Pass. 2% of 500 fails.
        Analysis absoluteOnly = DEFAULTS;
        Judgement unproven = Judge.judge(window(500, 3, 50, 0, 1), null, "baseline", absoluteOnly);
        assertThat(unproven.result()).isEqualTo(Result.Inconclusive);
        assertThat(unproven.reason()).isEqualTo("error rate 0.6% > max 0.5% (p=0.4565), not yet significant");
        assertThat(Judge.judge(window(500, 2, 50, 0, 1), null, "baseline", absoluteOnly).result())
                .isEqualTo(Result.Pass);
        Judgement j = Judge.judge(window(500, 10, 50, 0, 1), null, "baseline", absoluteOnly);
        assertThat(j.result()).isEqualTo(Result.Fail);
        assertThat(j.reason()).isEqualTo("error rate 2% > max 0.5%");
    }

    @Test
    void wholeDistributionShiftFailsOnlyAboveTheAllowedIncrease() {
        // +5% is significant with this much traffic but under the 10% allowance; +20% is not.
        Judgement small = Judge.judge(window(20000, 0, 52.5, 0, 1), window(20000, 0, 50, 0, 1), "baseline", DEFAULTS);
        assertThat(small.result()).isEqualTo(Result.Pass);
        assertThat((Double) small.figures().get("latencyPValue")).isLessThan(0.01);
        Judgement large = Judge.judge(window(3000, 0, 60, 0, 1), window(27000, 0, 50, 0, 1), "baseline", DEFAULTS);
        assertThat(large.result()).isEqualTo(Result.Fail);
        assertThat(large.reason()).startsWith("latency +").contains("of baseline median");
    }

    @Test
    void slowTailIsCaughtThoughTheMedianBarelyMoves() {
        // 5% of canary requests 10× slower: the Hodges-Lehmann shift is small, the p95 is not.
        Judgement j = Judge.judge(window(3000, 0, 50, 0.05, 10), window(27000, 0, 50, 0, 1), "baseline", DEFAULTS);
        assertThat(j.result()).isEqualTo(Result.Fail);
        assertThat(j.reason()).startsWith("p95 ").contains("vs baseline");
        assertThat((Double) j.figures().get("latencyShiftMs")).isLessThan(5.0);
    }

    @Test
    void aFewRequestsOverTheLatencyLimitHoldTheCanaryWithoutFailingIt() {
        // 3 of 40 requests at 600 ms: the p95 is over 500 ms as observed, but 7.5% slower than the limit where 5%
        // may be is far from significant (p = 0.32). 12 of 40 is.
        Analysis few = Analysis.of(new AnalysisSpec(java.time.Duration.ofMinutes(1), 10, 0.005, 0.5, 0.95,
                java.time.Duration.ofMillis(500), 0.10, 2, 10, 0.99));
        Judgement j = Judge.judge(twoSpeeds(40, 3), null, "baseline", few);
        assertThat(j.result()).as(j.reason()).isEqualTo(Result.Inconclusive);
        // 602: the histogram keeps 2 significant digits.
        assertThat(j.reason()).isEqualTo("p95 602 ms > max 500 ms (p=0.3233), not yet significant");
        assertThat(Judge.judge(twoSpeeds(40, 12), null, "baseline", few).result()).isEqualTo(Result.Fail);
    }

    @Test
    void absoluteLatencyLimitAppliesWithoutABaseline() {
        Judgement j = Judge.judge(window(1000, 0, 600, 0, 1), null, "baseline", DEFAULTS);
        assertThat(j.result()).isEqualTo(Result.Fail);
        assertThat(j.reason()).matches("p95 \\d+ ms > max 500 ms");
    }

    /** Lognormal latency (sigma 0.5) around a median, with a share of requests slower by a factor. */
    @Test
    void subMillisecondDifferencesAreNoiseButMillisecondsCount() {
        // 0.2 ms -> 0.4 ms doubles the latency but costs a fraction of a millisecond: not a regression.
        Judgement fast = Judge.judge(window(5000, 0, 0.4, 0, 1), window(5000, 0, 0.2, 0, 1), "baseline", DEFAULTS);
        assertThat(fast.result()).as(fast.reason()).isEqualTo(Result.Pass);
        // 5 ms -> 10 ms is the same ratio and clearly a regression.
        Judgement slow = Judge.judge(window(5000, 0, 10, 0, 1), window(5000, 0, 5, 0, 1), "baseline", DEFAULTS);
        assertThat(slow.result()).as(slow.reason()).isEqualTo(Result.Fail);
    }

    /** {@code requests} without errors, {@code slow} of them at 600 ms and the others at 100 ms. */
    private static WindowStats twoSpeeds(long requests, long slow) {
        Histogram h = new Histogram(3_600_000_000L, 2);
        h.recordValueWithCount(100_000, requests - slow);
        h.recordValueWithCount(600_000, slow);
        return new WindowStats(requests, 0, h);
    }

    private WindowStats window(long requests, long errors, double medianMillis, double slowShare, double slowFactor) {
        Histogram h = new Histogram(3_600_000_000L, 2);
        for (long i = 0; i < requests; i++) {
            double millis = medianMillis * Math.exp(0.5 * random.nextGaussian());
            if (random.nextDouble() < slowShare) {
                millis *= slowFactor;
            }
            h.recordValue(Math.round(millis * 1000));
        }
        return new WindowStats(requests, errors, h);
    }
}
