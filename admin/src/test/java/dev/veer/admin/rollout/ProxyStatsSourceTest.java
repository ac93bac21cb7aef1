package dev.veer.admin.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.veer.analyzer.RolloutEngine;
import dev.veer.analyzer.RolloutRequest;
import dev.veer.analyzer.TrafficControl;
import dev.veer.analyzer.Verdict;
import dev.veer.config.model.AnalysisSpec;
import dev.veer.config.model.HostPort;
import dev.veer.config.model.MatchSpec;
import dev.veer.config.model.RolloutSpec;
import dev.veer.config.model.ServiceSpec;
import dev.veer.config.model.StepSpec;
import dev.veer.config.model.VersionSpec;
import dev.veer.config.model.Weights;
import dev.veer.proxy.stats.StatsRegistry;
import dev.veer.proxy.stats.VersionStats;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The analyzer reading the proxy's statistics registry as the runtime wires them. */
class ProxyStatsSourceTest {

    private static final List<String> VERSIONS = List.of("blue", "green");
    private static final ServiceSpec SHOP = new ServiceSpec("shop", new MatchSpec(List.of(), "/"),
            List.of(version("blue"), version("green")), Weights.allTo("blue", VERSIONS), null, List.of(), null, null,
            null, null);
    /** Canary requests in each slice completed at 50%. */
    private static final int PER_SLICE = 10;
    /** Canary requests in the slice under way at the start: routed after the change, in its last part only. */
    private static final int IN_STRADDLING_SLICE = 4;

    private long nowMillis = Instant.parse("2026-11-22T10:00:00Z").toEpochMilli();

    /**
     * The registry completes a slice every second on its own schedule, the rollout ticker runs about every second on
     * another and drifts against it (a fixed-delay schedule): every analysis must judge each request once, and a step
     * only on its own weights.
     */
    @Test
    void everyRequestIsJudgedOnceAndTheFirstWindowHoldsOnlyTheStepsWeights() throws Exception {
        InstantSource clock = () -> Instant.ofEpochMilli(nowMillis);
        try (StatsRegistry registry = StatsRegistry.manual(clock)) {
            VersionStats green = registry.forVersion("shop", "green");
            RolloutEngine engine = new RolloutEngine(clock, new ProxyStatsSource(registry), new NoTraffic(),
                    (state, action, reason) -> { });
            AnalysisSpec analysis = new AnalysisSpec(Duration.ofSeconds(5), 1, 0.5, 10, 0.95, Duration.ofSeconds(10),
                    10, 10, 0, 0.99);
            // Slices complete at every x.500 s; the rollout starts at 0.200 s, inside the slice that completes at 0.500.
            nowMillis += 200;
            long startedAt = nowMillis;
            engine.start("shop", SHOP, RolloutRequest.canary("green", "blue",
                    new RolloutSpec(List.of(new StepSpec(5000, Duration.ofHours(1), false)), analysis)));
            List<Long> sliceEnds = new ArrayList<>();
            long nextSliceAt = startedAt + 300;
            long nextTickAt = startedAt + 1010;
            int canaryRecorded = 0;
            while (nowMillis < startedAt + 120_000) {
                nowMillis = Math.min(nextSliceAt, nextTickAt);
                if (nowMillis == nextSliceAt) {
                    int requests = sliceEnds.isEmpty() ? IN_STRADDLING_SLICE : PER_SLICE;
                    for (int i = 0; i < requests; i++) {
                        green.record(200, 1_000);
                    }
                    canaryRecorded += requests;
                    registry.collectNow();
                    sliceEnds.add(nowMillis);
                    nextSliceAt += 1000;
                } else {
                    engine.tick();
                    // A fixed-delay ticker: one second after the previous tick ended, so it drifts against the slices.
                    nextTickAt += 1010;
                }
            }

            List<Verdict> verdicts = engine.status("shop").verdicts();
            assertThat(verdicts).hasSizeGreaterThan(15);
            assertThat(canaryRecorded).isGreaterThan(1000);
            // Each verdict judges the slices completed since the previous one (the first: since the slice under way at
            // the start was completed), none twice, none skipped; so the straddling slice is in none.
            List<Long> judged = new ArrayList<>();
            List<Long> completedSincePrevious = new ArrayList<>();
            long previous = sliceEnds.get(0) + 1;
            for (Verdict verdict : verdicts) {
                long at = Instant.parse(verdict.at()).toEpochMilli();
                long from = previous;
                judged.add(((Number) verdict.figures().get("canaryRequests")).longValue());
                completedSincePrevious.add(PER_SLICE * sliceEnds.stream().filter(end -> end >= from && end < at).count());
                previous = at;
            }
            assertThat(judged).isEqualTo(completedSincePrevious);
        }
    }

    /** Errors are judged by their rate; their latency must not make the other version look slow or fast. */
    @Test
    void aBaselineFailingFastDoesNotMakeAHealthyCanaryLookSlow() throws Exception {
        InstantSource clock = () -> Instant.ofEpochMilli(nowMillis);
        try (StatsRegistry registry = StatsRegistry.manual(clock)) {
            VersionStats blue = registry.forVersion("shop", "blue");
            VersionStats green = registry.forVersion("shop", "green");
            RolloutEngine engine = new RolloutEngine(clock, new ProxyStatsSource(registry), new NoTraffic(),
                    (state, action, reason) -> { });
            AnalysisSpec analysis = new AnalysisSpec(Duration.ofSeconds(5), 50, 0.01, 0.5, 0.95, Duration.ofSeconds(1),
                    0.10, 2, 0, 0.99);
            engine.start("shop", SHOP, RolloutRequest.canary("green", "blue",
                    new RolloutSpec(List.of(new StepSpec(2000, Duration.ofHours(1), false)), analysis)));
            for (int second = 0; second < 30; second++) {
                for (int i = 0; i < 40; i++) {
                    green.record(200, 18_000 + (i % 10) * 400);
                }
                // The baseline answers as fast as ever, but 60% of its requests fail at once.
                for (int i = 0; i < 160; i++) {
                    if (i % 5 < 3) {
                        blue.record(503, 300);
                    } else {
                        blue.record(200, 18_000 + (i % 10) * 400);
                    }
                }
                nowMillis += 1000;
                registry.collectNow();
                nowMillis += 10;
                engine.tick();
            }

            List<Verdict> verdicts = engine.status("shop").verdicts();
            assertThat(verdicts).hasSizeGreaterThan(4);
            assertThat(verdicts).allSatisfy(v -> assertThat(v.result()).as(v.reason()).isEqualTo(Verdict.Result.Pass));
            assertThat(verdicts.get(verdicts.size() - 1).figures()).containsEntry("baselineErrors", 480L);
        }
    }

    private static VersionSpec version(String name) {
        return new VersionSpec(name, List.of(HostPort.parse("127.0.0.1:9001")));
    }

    /** The weights are the test's to play: it records the canary's requests itself. */
    private static final class NoTraffic implements TrafficControl {
        @Override
        public void setWeights(String service, Weights weights, String reason) {
        }

        @Override
        public void setPreview(String service, String version, String reason) {
        }
    }
}
