package dev.veer.analyzer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veer.analyzer.SimulatedTraffic.Behaviour;
import dev.veer.config.model.AnalysisSpec;
import dev.veer.config.model.HostPort;
import dev.veer.config.model.MatchSpec;
import dev.veer.config.model.RolloutSpec;
import dev.veer.config.model.ServiceSpec;
import dev.veer.config.model.StepSpec;
import dev.veer.config.model.VersionSpec;
import dev.veer.config.model.Weights;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RolloutEngineTest {

    private static final Duration TICK = Duration.ofSeconds(10);
    private static final AnalysisSpec ANALYSIS = AnalysisSpec.DEFAULTS; // 1m interval, 200 min requests, ...
    private static final ServiceSpec SHOP = new ServiceSpec("shop", new MatchSpec(List.of(), "/"),
            List.of(version("blue"), version("green"), version("old")),
            Weights.allTo("blue", List.of("blue", "green", "old")), null, List.of(), null, null, null, null);

    private ManualClock clock;
    private SimulatedTraffic traffic;
    private RecordingListener listener;
    private RolloutEngine engine;
    private Instant started;

    @BeforeEach
    void setUp() {
        clock = new ManualClock(Instant.parse("2026-11-22T10:00:00Z"));
        started = clock.instant();
        // 50 requests/s in all: the canary sees 300 a minute at 10%, above the 200 minimum.
        traffic = new SimulatedTraffic(42, SHOP.weights(), 50);
        listener = new RecordingListener();
        engine = new RolloutEngine(clock, traffic, traffic, listener);
    }

    @Test
    void healthyCanaryWalksThePlanAndSucceeds() throws Exception {
        RolloutState state = engine.start("shop", SHOP, RolloutRequest.canary("green", "blue", plan(
                step(10, "5m"), step(50, "5m"), step(100, null))));
        assertThat(state.phase()).isEqualTo(RolloutPhase.Progressing);
        assertThat(traffic.weights().of("green")).isEqualTo(1000);

        Duration took = runUntil(s -> s.phase().terminal(), Duration.ofHours(1));

        RolloutState done = engine.status("shop");
        assertThat(done.phase()).isEqualTo(RolloutPhase.Succeeded);
        assertThat(done.step()).isEqualTo(3);
        assertThat(traffic.weights().basisPoints()).containsExactly(
                java.util.Map.entry("blue", 0), java.util.Map.entry("green", 10_000), java.util.Map.entry("old", 0));
        assertThat(traffic.weightChanges).extracting(w -> w.of("green")).containsExactly(1000, 5000, 10_000);
        assertThat(took).isBetween(Duration.ofMinutes(10), Duration.ofMinutes(11));
        assertThat(done.verdicts()).hasSizeGreaterThanOrEqualTo(10)
                .allSatisfy(v -> assertThat(v.result()).isEqualTo(Verdict.Result.Pass));
        assertThat(done.verdicts().get(0).figures()).containsKeys("canaryRequests", "baselineErrorRate",
                "latencyPValue", "latencyShiftMs", "canaryP95Ms");
        assertThat(listener.actions()).startsWith("rollout.start").contains("rollout.step", "rollout.verdict")
                .endsWith("rollout.succeeded");
    }

    @Test
    void thirtyPercentErrorsRollBackWithinTwoIntervals() throws Exception {
        traffic.behave("green", Behaviour.healthy().withErrorRate(0.30));
        engine.start("shop", SHOP, RolloutRequest.canary("green", "blue", plan(step(10, "30m"), step(100, null))));

        Duration took = runUntil(s -> s.phase().terminal(), Duration.ofHours(1));

        RolloutState state = engine.status("shop");
        assertThat(state.phase()).isEqualTo(RolloutPhase.RolledBack);
        // The first interval already has 300 canary requests (>= 200): Fail at 1m, Fail at 2m → rollback.
        assertThat(took).isLessThanOrEqualTo(Duration.ofMinutes(2));
        assertThat(traffic.weights().of("green")).isZero();
        assertThat(traffic.weights().of("blue")).isEqualTo(10_000);
        assertThat(state.verdicts()).extracting(Verdict::result)
                .containsExactly(Verdict.Result.Fail, Verdict.Result.Fail);
        assertThat(state.verdicts().get(0).reason()).contains("error rate").contains("> max 0.5%");
        assertThat(state.reason()).startsWith("rolled back after 2 failed analyses in the step's last 10");
        assertThat(listener.actions()).endsWith("rollout.verdict", "rollout.rollback");
    }

    @Test
    void aCanaryObservedOverTheErrorLimitClimbsNoStepOnThatInterval() throws Exception {
        // 1 request/s in all: 6 canary requests a minute at 10%, enough for minRequests 5 but seldom enough to prove
        // that 10% errors is over the 0.5% limit. Such intervals were Passes, and the canary climbed on them.
        traffic = new SimulatedTraffic(7, SHOP.weights(), 1);
        engine = new RolloutEngine(clock, traffic, traffic, listener);
        traffic.behave("green", Behaviour.healthy().withErrorRate(0.10));
        AnalysisSpec fewRequests = new AnalysisSpec(Duration.ofMinutes(1), 5, 0.005, 0.5, 0.95, Duration.ofMillis(500),
                0.10, 10, 100, 0.99);
        engine.start("shop", SHOP, RolloutRequest.canary("green", "blue",
                new RolloutSpec(List.of(step(10, "2m"), step(50, "2m"), step(100, null)), fewRequests)));
        run(Duration.ofMinutes(30));

        List<Verdict> verdicts = engine.status("shop").verdicts();
        assertThat(verdicts).filteredOn(v -> ((Number) v.figures().get("canaryErrorRate")).doubleValue() > 0.005)
                .isNotEmpty()
                .allSatisfy(v -> assertThat(v.result()).as(v.reason()).isNotEqualTo(Verdict.Result.Pass));
        assertThat(listener.changes).filteredOn(c -> c.action().equals("rollout.step"))
                .allSatisfy(c -> assertThat(c.state().lastVerdict().figures().get("canaryErrorRate"))
                        .isEqualTo(0.0));
    }

    @Test
    void failsAmongTheStepsLastAnalysesCountSoPassesInBetweenDoNotSaveABadCanary() throws Exception {
        engine.start("shop", SHOP, RolloutRequest.canary("green", "blue", plan(step(10, "30m"), step(100, null))));
        traffic.behave("green", Behaviour.healthy().withErrorRate(0.30));
        runUntil(s -> s.verdicts().size() == 1, Duration.ofMinutes(5));
        traffic.behave("green", Behaviour.healthy());
        runUntil(s -> s.verdicts().size() == 2, Duration.ofMinutes(5));
        assertThat(engine.status("shop").phase()).isEqualTo(RolloutPhase.Progressing);
        traffic.behave("green", Behaviour.healthy().withErrorRate(0.30));
        runUntil(s -> s.verdicts().size() == 3, Duration.ofMinutes(5));

        RolloutState state = engine.status("shop");
        assertThat(state.verdicts()).extracting(Verdict::result)
                .containsExactly(Verdict.Result.Fail, Verdict.Result.Pass, Verdict.Result.Fail);
        assertThat(state.phase()).isEqualTo(RolloutPhase.RolledBack);
        assertThat(state.reason()).startsWith("rolled back after 2 failed analyses in the step's last 10");
    }

    @Test
    void aFailMoreThanTenAnalysesBackNoLongerCounts() throws Exception {
        engine.start("shop", SHOP, RolloutRequest.canary("green", "blue", plan(step(10, "30m"), step(100, null))));
        traffic.behave("green", Behaviour.healthy().withErrorRate(0.30));
        runUntil(s -> s.verdicts().size() == 1, Duration.ofMinutes(5));
        traffic.behave("green", Behaviour.healthy());
        runUntil(s -> s.verdicts().size() == 11, Duration.ofMinutes(15));
        traffic.behave("green", Behaviour.healthy().withErrorRate(0.30));
        runUntil(s -> s.verdicts().size() == 12, Duration.ofMinutes(5));

        RolloutState state = engine.status("shop");
        assertThat(state.verdicts().get(0).result()).isEqualTo(Verdict.Result.Fail);
        assertThat(state.verdicts().get(11).result()).isEqualTo(Verdict.Result.Fail);
        assertThat(state.phase()).as("the first Fail is 11 analyses back").isEqualTo(RolloutPhase.Progressing);
        assertThat(state.stepFails()).isEqualTo(1);
    }

    @Test
    void fiftyPercentSlowerCanaryRollsBack() throws Exception {
        traffic.behave("green", Behaviour.healthy().slowerBy(1.5));
        engine.start("shop", SHOP, RolloutRequest.canary("green", "blue", plan(step(10, "30m"), step(100, null))));

        Duration took = runUntil(s -> s.phase().terminal(), Duration.ofHours(1));

        RolloutState state = engine.status("shop");
        assertThat(state.phase()).isEqualTo(RolloutPhase.RolledBack);
        assertThat(took).isLessThanOrEqualTo(Duration.ofMinutes(2));
        assertThat(traffic.weights().of("green")).isZero();
        Verdict last = state.lastVerdict();
        assertThat(last.reason()).contains("latency +");
        assertThat((Double) last.figures().get("latencyShiftMs")).isBetween(15.0, 35.0);
        assertThat((Double) last.figures().get("latencyPValue")).isLessThan(0.01);
    }

    @Test
    void approvalGateWaitsUntilApproved() throws Exception {
        engine.start("shop", SHOP, RolloutRequest.canary("green", "blue", plan(
                step(10, "2m"), approval(), step(50, "2m"), step(100, null))));

        run(Duration.ofHours(2));
        RolloutState waiting = engine.status("shop");
        assertThat(waiting.phase()).isEqualTo(RolloutPhase.AwaitingApproval);
        assertThat(waiting.step()).isEqualTo(1);
        assertThat(traffic.weights().of("green")).isEqualTo(1000);
        assertThatThrownBy(() -> engine.resume("shop")).isInstanceOf(RolloutException.class)
                .extracting(e -> ((RolloutException) e).status()).isEqualTo(409);

        RolloutState approved = engine.approve("shop");
        assertThat(approved.phase()).isEqualTo(RolloutPhase.Progressing);
        assertThat(approved.step()).isEqualTo(2);
        assertThat(traffic.weights().of("green")).isEqualTo(5000);
        runUntil(s -> s.phase().terminal(), Duration.ofMinutes(30));
        assertThat(engine.status("shop").phase()).isEqualTo(RolloutPhase.Succeeded);
        assertThat(listener.actions()).contains("rollout.approve");
    }

    @Test
    void aCanaryFailingWhileAwaitingApprovalIsRolledBack() throws Exception {
        engine.start("shop", SHOP, RolloutRequest.canary("green", "blue", plan(
                step(10, "2m"), approval(), step(100, null))));
        runUntil(s -> s.phase() == RolloutPhase.AwaitingApproval, Duration.ofHours(1));
        traffic.behave("green", Behaviour.healthy().withErrorRate(0.30));

        runUntil(s -> s.phase().terminal(), Duration.ofMinutes(5));
        assertThat(engine.status("shop").phase()).isEqualTo(RolloutPhase.RolledBack);
        assertThat(traffic.weights().of("green")).isZero();
    }

    @Test
    void pauseStopsTheStepTimerAndResumeKeepsTheRemainingTime() throws Exception {
        engine.start("shop", SHOP, RolloutRequest.canary("green", "blue", plan(step(10, "10m"), step(100, null))));
        run(Duration.ofMinutes(3));
        RolloutState paused = engine.pause("shop", null);
        assertThat(paused.phase()).isEqualTo(RolloutPhase.Paused);
        assertThat(paused.pauseRemainingMillis()).isEqualTo(Duration.ofMinutes(7).toMillis());

        run(Duration.ofHours(1));
        assertThat(engine.status("shop").phase()).isEqualTo(RolloutPhase.Paused);
        assertThat(traffic.weights().of("green")).isEqualTo(1000);
        assertThat(engine.status("shop").verdicts()).hasSizeGreaterThan(60); // analysis goes on while paused

        Instant resumedAt = clock.instant();
        engine.resume("shop");
        Duration took = runUntil(s -> s.phase().terminal(), Duration.ofHours(1));
        assertThat(took).isBetween(Duration.ofMinutes(7), Duration.ofMinutes(7).plus(TICK));
        assertThat(engine.status("shop").phase()).isEqualTo(RolloutPhase.Succeeded);
        assertThat(clock.instant()).isAfter(resumedAt);
    }

    @Test
    void promoteSkipsToFullCanary() throws Exception {
        engine.start("shop", SHOP, RolloutRequest.canary("green", "blue", plan(step(10, "1h"), step(50, "1h"))));
        run(Duration.ofMinutes(5));
        RolloutState promoted = engine.promote("shop", null);
        assertThat(promoted.phase()).isEqualTo(RolloutPhase.Succeeded);
        assertThat(promoted.step()).isEqualTo(2);
        assertThat(traffic.weights().of("green")).isEqualTo(10_000);
        assertThat(traffic.weights().of("old")).isZero();
        assertThatThrownBy(() -> engine.abort("shop", null)).isInstanceOf(RolloutException.class)
                .extracting(e -> ((RolloutException) e).status()).isEqualTo(409);
    }

    @Test
    void abortRollsBackAtOnce() throws Exception {
        engine.start("shop", SHOP, RolloutRequest.canary("green", "blue", plan(step(25, "1h"), step(100, null))));
        run(Duration.ofMinutes(5));
        RolloutState aborted = engine.abort("shop", null);
        assertThat(aborted.phase()).isEqualTo(RolloutPhase.Aborted);
        assertThat(traffic.weights().of("green")).isZero();
        assertThat(traffic.weights().of("blue")).isEqualTo(10_000);
        int verdicts = aborted.verdicts().size();
        run(Duration.ofMinutes(5));
        assertThat(engine.status("shop").verdicts()).hasSize(verdicts); // nothing runs after the end
    }

    @Test
    void inconclusiveStreakPausesForAHuman() throws Exception {
        traffic.requestRate(1); // 6 canary requests a minute: never enough
        engine.start("shop", SHOP, RolloutRequest.canary("green", "blue", plan(step(10, "5m"), step(100, null))));

        Duration took = runUntil(s -> s.phase() == RolloutPhase.Paused, Duration.ofHours(1));

        RolloutState state = engine.status("shop");
        // inconclusiveLimit 10: the 10th Inconclusive in a row pauses, as failureLimit 2 rolls back at the 2nd Fail.
        assertThat(took).isBetween(Duration.ofMinutes(10), Duration.ofMinutes(10).plus(TICK));
        assertThat(state.verdicts()).hasSize(10)
                .allSatisfy(v -> assertThat(v.result()).isEqualTo(Verdict.Result.Inconclusive));
        assertThat(state.reason()).contains("10 inconclusive analyses in a row").contains("< min 200");
        assertThat(state.step()).isZero(); // the 5m pause passed, but without a Pass the step did not advance
        assertThat(traffic.weights().of("green")).isEqualTo(1000);
    }

    @Test
    void restoreMidPauseContinuesWithTheRemainingTime() throws Exception {
        ObjectMapper json = new ObjectMapper();
        engine.start("shop", SHOP, RolloutRequest.canary("green", "blue", plan(step(10, "10m"), step(50, "10m"),
                step(100, null))));
        run(Duration.ofMinutes(4));
        String persisted = json.writeValueAsString(engine.pause("shop", null));

        // The process is down for an hour; a new engine takes the persisted state back.
        clock.advance(Duration.ofHours(1));
        RolloutState restored = json.readValue(persisted, RolloutState.class);
        assertThat(json.writeValueAsString(restored)).isEqualTo(persisted);
        RolloutEngine next = new RolloutEngine(clock, traffic, traffic, listener);
        next.restore(restored);
        assertThat(next.status("shop").phase()).isEqualTo(RolloutPhase.Paused);
        assertThat(next.status("shop").pauseRemainingMillis()).isEqualTo(Duration.ofMinutes(6).toMillis());

        next.resume("shop");
        engine = next;
        Duration took = runUntil(s -> s.step() == 1, Duration.ofHours(1));
        assertThat(took).isBetween(Duration.ofMinutes(6), Duration.ofMinutes(6).plus(TICK));
        assertThat(traffic.weights().of("green")).isEqualTo(5000);
        runUntil(s -> s.phase().terminal(), Duration.ofHours(1));
        assertThat(engine.status("shop").phase()).isEqualTo(RolloutPhase.Succeeded);
    }

    @Test
    void restoreOfARunningStepKeepsItsEndTimeAndNeedsAFreshPass() throws Exception {
        ObjectMapper json = new ObjectMapper();
        engine.start("shop", SHOP, RolloutRequest.canary("green", "blue", plan(step(10, "10m"), step(100, null))));
        run(Duration.ofMinutes(4));
        String persisted = json.writeValueAsString(engine.status("shop"));

        RolloutEngine next = new RolloutEngine(clock, traffic, traffic, listener);
        next.restore(json.readValue(persisted, RolloutState.class));
        engine = next;
        Duration took = runUntil(s -> s.phase().terminal(), Duration.ofHours(1));
        assertThat(took).isBetween(Duration.ofMinutes(6), Duration.ofMinutes(6).plus(TICK));
        assertThat(engine.status("shop").phase()).isEqualTo(RolloutPhase.Succeeded);
    }

    /** The control plane holds a rollout without a version removed at weight 0; a resync must not restart it. */
    @Test
    void resyncToTheRolloutLessARemovedVersionKeepsItsAnalysisTiming() throws Exception {
        engine.start("shop", SHOP, RolloutRequest.canary("green", "blue", plan(step(10, "10m"), step(100, null))));
        run(Duration.ofMinutes(4).plusSeconds(30));
        RolloutState before = engine.status("shop");
        assertThat(before.stepLastResult()).isEqualTo(Verdict.Result.Pass);

        engine.resync(java.util.Map.of("shop", before.keepingVersions(List.of("blue", "green"))));

        RolloutState after = engine.status("shop");
        assertThat(after.versions()).containsExactly("blue", "green");
        assertThat(after.weightsBps()).containsOnlyKeys("blue", "green");
        assertThat(after.nextAnalysisAtMillis()).isEqualTo(before.nextAnalysisAtMillis());
        assertThat(after.stepLastResult()).isEqualTo(Verdict.Result.Pass);
    }

    @Test
    void secondStartIsAConflictUntilTheFirstFinishes() throws Exception {
        engine.start("shop", SHOP, RolloutRequest.canary("green", "blue", plan(step(10, "1h"))));
        assertThatThrownBy(() -> engine.start("shop", SHOP, RolloutRequest.canary("green", "blue", null)))
                .isInstanceOf(RolloutException.class)
                .hasMessageContaining("already Progressing")
                .extracting(e -> ((RolloutException) e).status()).isEqualTo(409);
        engine.abort("shop", null);
        RolloutState again = engine.start("shop", SHOP, RolloutRequest.canary("green", "blue", null));
        assertThat(again.phase()).isEqualTo(RolloutPhase.Progressing);
        assertThat(again.verdicts()).isEmpty();
    }

    @Test
    void badRequestsAreRefusedWith400() {
        assertThatThrownBy(() -> engine.start("shop", SHOP, RolloutRequest.canary("purple", "blue", null)))
                .isInstanceOf(RolloutException.class).hasMessageContaining("canary: 'purple'")
                .extracting(e -> ((RolloutException) e).status()).isEqualTo(400);
        assertThatThrownBy(() -> engine.start("shop", SHOP, RolloutRequest.canary("blue", "blue", null)))
                .extracting(e -> ((RolloutException) e).status()).isEqualTo(400);
        assertThatThrownBy(() -> engine.start("shop", SHOP, new RolloutRequest("linear", "green", "blue", null)))
                .hasMessageContaining("strategy: 'linear'");
        assertThatThrownBy(() -> engine.pause("cart", null)).extracting(e -> ((RolloutException) e).status()).isEqualTo(404);
        assertThat(engine.status("shop")).isNull();
    }

    @Test
    void withoutAPlanTheDefaultGoesTenFiftyHundred() throws Exception {
        RolloutState state = engine.start("shop", SHOP, new RolloutRequest(null, "green", null, null));
        assertThat(state.baseline()).isEqualTo("blue"); // the heaviest other version
        assertThat(state.strategy()).isEqualTo("canary");
        assertThat(state.steps()).extracting(RolloutState.Step::canaryWeightBps).containsExactly(1000, 5000, 10_000);
        assertThat(state.steps().get(0).pauseMillis()).isEqualTo(Duration.ofMinutes(2).toMillis());
        runUntil(s -> s.phase().terminal(), Duration.ofHours(1));
        assertThat(engine.status("shop").phase()).isEqualTo(RolloutPhase.Succeeded);
    }

    @Test
    void blueGreenPreviewsSwitchesWatchesAndSucceeds() throws Exception {
        traffic.previewRate(5); // 300 preview requests a minute
        RolloutState state = engine.start("shop", SHOP, RolloutRequest.blueGreen("green", "blue", plan(pause("5m"))));
        assertThat(state.steps()).extracting(RolloutState.Step::kind).containsExactly("preview", "switch");
        assertThat(traffic.preview()).isEqualTo("green");
        assertThat(traffic.weights().of("blue")).isEqualTo(10_000);

        runUntil(s -> s.step() == 1, Duration.ofHours(1));
        assertThat(traffic.weights().of("green")).isEqualTo(10_000);
        assertThat(traffic.weights().basisPoints()).containsKey("blue"); // the old version stays configured, warm
        assertThat(engine.status("shop").baselineSnapshot()).isNotNull();
        // A healthy green: no Fail. (2 errors in 300 may be an Inconclusive: over 0.5%, not significantly.)
        assertThat(engine.status("shop").verdicts()).isNotEmpty()
                .allSatisfy(v -> assertThat(v.result()).isNotEqualTo(Verdict.Result.Fail));

        runUntil(s -> s.phase().terminal(), Duration.ofHours(1));
        RolloutState done = engine.status("shop");
        assertThat(done.phase()).isEqualTo(RolloutPhase.Succeeded);
        assertThat(done.lastVerdict().reason()).contains("baseline (last known)");
        assertThat(traffic.preview()).isNull();
        assertThat(traffic.previewChanges).containsExactly("green", null);
        assertThat(traffic.weightChanges).extracting(w -> w.of("green")).containsExactly(10_000);
    }

    @Test
    void blueGreenSwitchesBackOnAFailInTheWatchWindow() throws Exception {
        traffic.previewRate(5);
        traffic.behaveAtFullLoad("green", Behaviour.healthy().withErrorRate(0.05));
        engine.start("shop", SHOP, RolloutRequest.blueGreen("green", "blue", plan(pause("5m"))));
        runUntil(s -> s.step() == 1, Duration.ofHours(1));
        Instant switchedAt = clock.instant();
        assertThat(traffic.weights().of("green")).isEqualTo(10_000);

        runUntil(s -> s.phase().terminal(), Duration.ofHours(1));
        RolloutState state = engine.status("shop");
        assertThat(state.phase()).isEqualTo(RolloutPhase.RolledBack);
        assertThat(Duration.between(switchedAt, clock.instant())).isLessThanOrEqualTo(Duration.ofMinutes(1));
        assertThat(state.lastVerdict().result()).isEqualTo(Verdict.Result.Fail);
        assertThat(state.lastVerdict().reason()).contains("> max 0.5%").contains("vs baseline (last known) 0.");
        assertThat(traffic.weights().of("blue")).isEqualTo(10_000);
        assertThat(traffic.weights().of("green")).isZero();
        assertThat(traffic.preview()).isNull();
    }

    @Test
    void verdictsAreCappedKeepingTheNewest() throws Exception {
        engine.start("shop", SHOP, RolloutRequest.canary("green", "blue", plan(step(10, "10h"), step(100, null))));
        run(Duration.ofHours(9));
        RolloutState state = engine.status("shop");
        assertThat(state.verdicts()).hasSize(RolloutEngine.MAX_VERDICTS);
        assertThat(Instant.parse(state.lastVerdict().at())).isAfter(started.plus(Duration.ofHours(8)));
        // 9 h of one-minute analyses: 540, of which the oldest 40 went and are counted.
        assertThat(state.verdictsDropped()).isEqualTo(540 - RolloutEngine.MAX_VERDICTS);
    }

    @Test
    void aFailedWeightChangeLeavesTheStateAndIsRetriedOnTheNextTick() throws Exception {
        FlakyTraffic flaky = new FlakyTraffic(traffic);
        engine = new RolloutEngine(clock, traffic, flaky, listener);
        engine.start("shop", SHOP, RolloutRequest.canary("green", "blue", plan(step(10, "2m"), step(50, "2m"))));
        flaky.failuresLeft = 1;
        runUntil(s -> s.step() == 1, Duration.ofMinutes(10));
        assertThat(flaky.refused).isEqualTo(1);
        assertThat(traffic.weights().of("green")).isEqualTo(5000);
        assertThat(engine.status("shop").weightsBps()).containsEntry("green", 5000);
    }

    @Test
    void blueGreenWithAnApprovalInThePlanWaitsBeforeTheSwitch() throws Exception {
        traffic.previewRate(5);
        engine.start("shop", SHOP, RolloutRequest.blueGreen("green", "blue", plan(pause("3m"), approval())));
        runUntil(s -> s.phase() == RolloutPhase.AwaitingApproval, Duration.ofHours(1));
        assertThat(traffic.weights().of("blue")).isEqualTo(10_000);
        engine.approve("shop");
        assertThat(traffic.weights().of("green")).isEqualTo(10_000);

        // The snapshot of the old version's figures survives persistence.
        ObjectMapper json = new ObjectMapper();
        RolloutState restored = json.readValue(json.writeValueAsString(engine.status("shop")), RolloutState.class);
        assertThat(restored.baselineSnapshot().toWindowStats().latencyMicros().getTotalCount())
                .isEqualTo(engine.status("shop").baselineSnapshot().toWindowStats().latencyMicros().getTotalCount())
                .isPositive();
        runUntil(s -> s.phase().terminal(), Duration.ofHours(1));
        assertThat(engine.status("shop").phase()).isEqualTo(RolloutPhase.Succeeded);
    }

    /** Refuses a number of weight changes, as a control plane that cannot persist would. */
    private static final class FlakyTraffic implements TrafficControl {
        private final TrafficControl delegate;
        int failuresLeft;
        int refused;

        FlakyTraffic(TrafficControl delegate) {
            this.delegate = delegate;
        }

        @Override
        public void setWeights(String service, Weights weights, String reason) {
            if (failuresLeft > 0) {
                failuresLeft--;
                refused++;
                throw new IllegalStateException("state store unavailable");
            }
            delegate.setWeights(service, weights, reason);
        }

        @Override
        public void setPreview(String service, String version, String reason) {
            delegate.setPreview(service, version, reason);
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private void run(Duration length) {
        for (long t = 0; t < length.toMillis(); t += TICK.toMillis()) {
            clock.advance(TICK);
            engine.tick();
        }
    }

    /** Ticks until the condition holds; returns how long that took from the test's start or the last call. */
    private Duration runUntil(Predicate<RolloutState> condition, Duration limit) {
        Instant from = clock.instant();
        Instant deadline = from.plus(limit);
        while (!condition.test(engine.status("shop"))) {
            assertThat(clock.instant()).as("condition not reached in %s", limit).isBefore(deadline);
            clock.advance(TICK);
            engine.tick();
        }
        return Duration.between(from, clock.instant());
    }

    private static RolloutSpec plan(StepSpec... steps) {
        return new RolloutSpec(List.of(steps), ANALYSIS);
    }

    private static StepSpec step(int percent, String pause) {
        return new StepSpec(percent * 100, pause == null ? null : parse(pause), false);
    }

    private static StepSpec pause(String pause) {
        return new StepSpec(null, parse(pause), false);
    }

    private static StepSpec approval() {
        return new StepSpec(null, null, true);
    }

    private static Duration parse(String text) {
        return Duration.parse("PT" + text.toUpperCase(java.util.Locale.ROOT));
    }

    private static VersionSpec version(String name) {
        return new VersionSpec(name, List.of(HostPort.parse("127.0.0.1:9001")));
    }
}
