package dev.veer.analyzer;

import dev.veer.analyzer.RolloutState.Analysis;
import dev.veer.analyzer.RolloutState.BaselineSnapshot;
import dev.veer.analyzer.RolloutState.Step;
import dev.veer.analyzer.internal.Plans;
import dev.veer.analyzer.judge.Judge;
import dev.veer.analyzer.judge.Judgement;
import dev.veer.config.model.AnalysisSpec;
import dev.veer.config.model.RolloutSpec;
import dev.veer.config.model.ServiceSpec;
import dev.veer.config.model.StepSpec;
import dev.veer.config.model.Weights;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs rollouts: moves weights step by step, judges canary against baseline every analysis interval, rolls back
 * after {@code failureLimit} Fails among the step's last {@link #FAILURE_WINDOW} analyses, and obeys pause, resume,
 * approve, promote and abort.
 *
 * <p>One rollout per service at a time. All timed work happens in {@link #tick()}, which the control plane calls
 * every second on its single writer thread; time is read only from the injected {@link InstantSource}. Methods are
 * synchronized so a stray call from another thread cannot interleave with a tick.
 *
 * <p>Timers: a running step's pause ends at an absolute time (stored as {@code stepDeadlineMillis}), so a restart
 * does not stretch it; a Paused rollout stores what is left of the pause and gets exactly that back on resume.
 * A step with a pause advances only when the pause is over and the latest analysis in the step is a Pass.
 */
public final class RolloutEngine {

    /** Verdicts kept per rollout (the oldest are dropped and counted: RolloutState.verdictsDropped). */
    public static final int MAX_VERDICTS = 500;
    /** How many of a step's latest analyses failureLimit counts Fails over (see recentStepFails). */
    public static final int FAILURE_WINDOW = 10;

    private static final Logger LOG = LoggerFactory.getLogger(RolloutEngine.class);
    private static final String BASELINE = "baseline";
    private static final String BASELINE_LAST_KNOWN = "baseline (last known)";

    private final InstantSource clock;
    private final StatsSource stats;
    private final TrafficControl traffic;
    private final RolloutListener listener;
    private final Map<String, RolloutState> rollouts = new LinkedHashMap<>();
    /** The baseline's most recent window with enough requests, per service: the snapshot taken at a switch. */
    private final Map<String, WindowStats> lastBaselineWindow = new HashMap<>();
    /**
     * Where each rollout's next analysis window starts, per service: where the last one ended, so that every request
     * is judged once (a fixed-length window looking back from a tick that drifts against the proxy's one-second
     * slices counted a second twice, or skipped one, every few intervals), or one slice after a weight change, so
     * that a step is judged on its own weights only.
     */
    private final Map<String, Long> windowStartMillis = new HashMap<>();

    public RolloutEngine(InstantSource clock, StatsSource stats, TrafficControl traffic, RolloutListener listener) {
        this.clock = clock;
        this.stats = stats;
        this.traffic = traffic;
        this.listener = listener;
    }

    /**
     * Starts a rollout of {@code request.canary()} replacing {@code request.baseline()}.
     *
     * @throws RolloutException 409 while another rollout of the service is not finished; 400 for a bad request
     */
    public synchronized RolloutState start(String service, ServiceSpec spec, RolloutRequest request)
            throws RolloutException {
        if (spec == null) {
            throw RolloutException.notFound("service '" + service + "' not found");
        }
        if (request == null) {
            throw RolloutException.badRequest("rollout request: missing (expected: canary, baseline, steps?, analysis?)");
        }
        if (!spec.name().equals(service)) {
            throw RolloutException.badRequest("service: '" + service + "' (expected: '" + spec.name() + "')");
        }
        RolloutState existing = rollouts.get(service);
        if (existing != null && !existing.phase().terminal()) {
            throw RolloutException.conflict("a rollout of '" + service + "' is already " + existing.phase() + " (canary "
                    + existing.canary() + "); promote or abort it first");
        }
        String strategy = request.strategy() == null ? RolloutRequest.CANARY : request.strategy();
        if (!RolloutRequest.CANARY.equals(strategy) && !RolloutRequest.BLUE_GREEN.equals(strategy)) {
            throw RolloutException.badRequest("strategy: '" + strategy + "' (expected: canary or blueGreen)");
        }
        List<String> versions = spec.versionNames();
        String canary = request.canary();
        if (canary == null || !versions.contains(canary)) {
            throw RolloutException.badRequest("canary: '" + canary + "' (expected: one of " + versions + ")");
        }
        String baseline = request.baseline() != null ? request.baseline() : heaviestOtherThan(spec, canary);
        if (baseline == null || !versions.contains(baseline)) {
            throw RolloutException.badRequest("baseline: '" + baseline + "' (expected: one of " + versions + ")");
        }
        if (baseline.equals(canary)) {
            throw RolloutException.badRequest("baseline: '" + baseline + "' (expected: a version other than the canary)");
        }
        RolloutSpec plan = request.plan() != null ? request.plan() : spec.rollout();
        AnalysisSpec analysis = plan != null && plan.analysis() != null ? plan.analysis() : AnalysisSpec.DEFAULTS;
        validate(analysis);
        List<StepSpec> stepSpecs = plan != null && !plan.steps().isEmpty() ? plan.steps() : Plans.defaultSteps(analysis);
        for (int i = 0; i < stepSpecs.size(); i++) {
            Integer bps = stepSpecs.get(i).canaryWeightBps();
            if (bps != null && (bps < 0 || bps > Weights.TOTAL)) {
                throw RolloutException.badRequest("steps[" + i + "].weight: " + Weights.percent(bps)
                        + " (expected: 0..100)");
            }
        }
        List<Step> steps = RolloutRequest.BLUE_GREEN.equals(strategy)
                ? Plans.blueGreen(stepSpecs, analysis) : Plans.canary(stepSpecs);

        long now = clock.millis();
        Analysis persisted = Analysis.of(analysis);
        RolloutState initial = new RolloutState(service, strategy, canary, baseline, versions,
                RolloutPhase.Progressing, "starting", 0, steps, persisted, spec.weights().basisPoints(), now, now, now,
                -1, -1, now + persisted.intervalMillis(), 0, null, 0, 0, null, 0, List.of());
        Draft draft = new Draft(initial);
        lastBaselineWindow.remove(service);
        windowStartMillis.put(service, now);
        enterStep(draft, 0, now);
        commit(draft, now, "rollout.start", strategy + " " + canary + " vs " + baseline + ": " + draft.reason);
        progress(draft, now);
        return rollouts.get(service);
    }

    /** Runs every analysis and step change that is due. Failures of one rollout do not stop the others. */
    public synchronized void tick() {
        for (String service : new ArrayList<>(rollouts.keySet())) {
            tick(service);
        }
    }

    /**
     * Runs the analysis and step change due for {@code service}'s rollout, if it is running: a caller that commits
     * each rollout's decisions on their own (the control plane) ticks them one by one.
     */
    public synchronized void tick(String service) {
        RolloutState state = rollouts.get(service);
        if (state == null || state.phase().terminal()) {
            return;
        }
        long now = clock.millis();
        try {
            Draft draft = new Draft(state);
            if (now >= draft.nextAnalysisAtMillis) {
                analyze(draft, now);
            }
            if (draft.phase == RolloutPhase.Progressing) {
                progress(draft, now);
            }
        } catch (RuntimeException e) {
            // Traffic control or the listener failed; the last committed state stands and the next tick retries.
            LOG.warn("rollout of {}: tick failed, retrying next tick", service, e);
        }
    }

    /** Stops the step timer (analysis and automatic rollback go on) until {@link #resume}. */
    public synchronized RolloutState pause(String service, String why) throws RolloutException {
        Draft draft = running(service, "pause");
        if (draft.phase == RolloutPhase.Paused) {
            throw RolloutException.conflict("rollout of '" + service + "' is already Paused");
        }
        long now = clock.millis();
        freezeTimer(draft, now);
        draft.phase = RolloutPhase.Paused;
        draft.reason = byOperator("paused", why);
        return commit(draft, now, "rollout.pause", draft.reason);
    }

    /** Continues a Paused rollout with what was left of its step's pause. */
    public synchronized RolloutState resume(String service) throws RolloutException {
        Draft draft = running(service, "resume");
        if (draft.phase != RolloutPhase.Paused) {
            throw RolloutException.conflict("rollout of '" + service + "' is " + draft.phase + ", not Paused");
        }
        long now = clock.millis();
        draft.stepDeadlineMillis = draft.pauseRemainingMillis >= 0 ? now + draft.pauseRemainingMillis : -1;
        draft.pauseRemainingMillis = -1;
        draft.consecutiveInconclusive = 0;
        Step step = draft.currentStep();
        draft.phase = step != null && step.approval() ? RolloutPhase.AwaitingApproval : RolloutPhase.Progressing;
        draft.reason = step == null ? "resumed" : Plans.describe(draft.steps, draft.step);
        commit(draft, now, "rollout.resume", "resumed by operator: " + draft.reason);
        progress(draft, now);
        return rollouts.get(service);
    }

    /** Passes an approval step. */
    public synchronized RolloutState approve(String service) throws RolloutException {
        Draft draft = running(service, "approve");
        if (draft.phase != RolloutPhase.AwaitingApproval) {
            throw RolloutException.conflict("rollout of '" + service + "' is " + draft.phase
                    + ", not AwaitingApproval");
        }
        long now = clock.millis();
        enterStep(draft, draft.step + 1, now);
        commit(draft, now, "rollout.approve", "approved by operator: " + draft.reason);
        progress(draft, now);
        return rollouts.get(service);
    }

    /** Skips the remaining steps: all traffic to the canary now, Succeeded. */
    public synchronized RolloutState promote(String service, String why) throws RolloutException {
        Draft draft = running(service, "promote");
        long now = clock.millis();
        setWeights(draft, Weights.allTo(draft.canary, draft.versions).basisPoints(), "rollout promoted by operator");
        clearPreview(draft, "rollout promoted");
        finish(draft, RolloutPhase.Succeeded, draft.steps.size(), byOperator("promoted", why));
        return commit(draft, now, "rollout.promote", draft.reason);
    }

    /** Rolls back now: canary to 0, baseline to 100, Aborted. */
    public synchronized RolloutState abort(String service, String why) throws RolloutException {
        Draft draft = running(service, "abort");
        long now = clock.millis();
        setWeights(draft, Weights.allTo(draft.baseline, draft.versions).basisPoints(), "rollout aborted by operator");
        clearPreview(draft, "rollout aborted");
        finish(draft, RolloutPhase.Aborted, draft.step, byOperator("aborted", why));
        return commit(draft, now, "rollout.abort", draft.reason);
    }

    /**
     * Starts a running rollout over from its first step, keeping its plan and its verdict history: the canary was
     * redeployed (its endpoints replaced), so what the analyses judged so far was another build, as Argo Rollouts
     * does when the pod template changes mid-rollout and Flagger when it detects a new revision. Weights go back to
     * the first step's, the step's Fails and Passes count from nothing, and the first window starts after the
     * restart. A Paused rollout stays Paused (with the first step's whole pause to run when resumed): the operator
     * who paused it decides when it goes on.
     */
    public synchronized RolloutState restart(String service, String why) throws RolloutException {
        Draft draft = running(service, "restart");
        long now = clock.millis();
        boolean paused = draft.phase == RolloutPhase.Paused;
        enterStep(draft, 0, now);
        // enterStep moves the window only when the weights change: at the first step already, it would still hold
        // requests the old build answered.
        long slice = StatsSource.SLICE.toMillis();
        windowStartMillis.put(service, now + (draft.analysis.intervalMillis() >= 2 * slice ? slice : 0));
        draft.nextAnalysisAtMillis = now + draft.analysis.intervalMillis();
        draft.consecutiveInconclusive = 0;
        if (paused && draft.phase == RolloutPhase.Progressing) {
            freezeTimer(draft, now);
            draft.phase = RolloutPhase.Paused;
        }
        draft.reason = why + ": restarted at " + draft.reason + (draft.phase == RolloutPhase.Paused ? " (Paused)" : "");
        commit(draft, now, "rollout.restart", draft.reason);
        progress(draft, now);
        return rollouts.get(service);
    }

    /** The service's current or last rollout; null if none was ever started (or restored). */
    public synchronized RolloutState status(String service) {
        return rollouts.get(service);
    }

    /** Every known rollout, running or finished, in start order. */
    public synchronized List<RolloutState> all() {
        return List.copyOf(rollouts.values());
    }

    /**
     * Takes back a persisted state after a restart. A running rollout analyses again one interval from now (the
     * proxy's windows start empty) and its step advances only after a fresh Pass; a running pause keeps its end
     * time, a Paused one its remaining time. Weights are not touched: the control plane restores its own.
     */
    public synchronized void restore(RolloutState state) {
        long now = clock.millis();
        Draft draft = new Draft(state);
        if (!state.phase().terminal()) {
            draft.stepLastResult = null;
            draft.nextAnalysisAtMillis = now + state.analysis().intervalMillis();
        }
        rollouts.put(state.service(), draft.freeze(state.updatedAtMillis()));
        lastBaselineWindow.remove(state.service());
        // The proxy's statistics start empty after a restart; the next window starts now either way.
        windowStartMillis.put(state.service(), now);
    }

    /**
     * Goes back to {@code inForce}, the rollouts the control plane holds, after a change this engine joined was
     * refused (its state could not be persisted): without it the engine would go on from a state nobody saved,
     * e.g. an abort refused for a full disk left the rollout Aborted here and Progressing everywhere else, and no
     * command could reach it. A rollout that differs is restored (so a running one analyses again one interval on);
     * one the control plane does not hold (a refused start) is forgotten. One that differs only by versions the
     * service no longer has (removed at weight 0; the control plane holds the rollout without them) is taken as it
     * is held, its analysis timing kept.
     */
    public synchronized void resync(Map<String, RolloutState> inForce) {
        rollouts.keySet().removeIf(service -> !inForce.containsKey(service));
        lastBaselineWindow.keySet().removeIf(service -> !inForce.containsKey(service));
        windowStartMillis.keySet().removeIf(service -> !inForce.containsKey(service));
        inForce.forEach((service, state) -> {
            RolloutState mine = rollouts.get(service);
            if (state.equals(mine)) {
                return;
            }
            if (mine != null && state.equals(mine.keepingVersions(state.versions()))) {
                rollouts.put(service, state);
            } else {
                restore(state);
            }
        });
    }

    // ---- internals -------------------------------------------------------------------------------------------

    private Draft running(String service, String command) throws RolloutException {
        RolloutState state = rollouts.get(service);
        if (state == null) {
            throw RolloutException.notFound("no rollout of '" + service + "'");
        }
        if (state.phase().terminal()) {
            throw RolloutException.conflict("cannot " + command + ": the rollout of '" + service + "' is finished ("
                    + state.phase() + ")");
        }
        return new Draft(state);
    }

    private void analyze(Draft draft, long now) {
        Analysis analysis = draft.analysis;
        Instant from = Instant.ofEpochMilli(windowStartMillis.getOrDefault(draft.service,
                now - analysis.intervalMillis()));
        Instant to = Instant.ofEpochMilli(now);
        WindowStats canary = stats.window(draft.service, draft.canary, from, to);
        WindowStats baseline;
        String label;
        if (draft.weightsBps.getOrDefault(draft.baseline, 0) > 0) {
            baseline = stats.window(draft.service, draft.baseline, from, to);
            label = BASELINE;
            if (baseline.requests() >= analysis.minRequests()) {
                lastBaselineWindow.put(draft.service, baseline);
            }
        } else {
            baseline = draft.baselineSnapshot == null ? null : draft.baselineSnapshot.toWindowStats();
            label = BASELINE_LAST_KNOWN;
        }
        Judgement judgement = Judge.judge(canary, baseline, label, analysis);
        Verdict verdict = new Verdict(Instant.ofEpochMilli(now).toString(), draft.step, judgement.result(),
                judgement.reason(), judgement.figures());
        if (draft.verdicts.size() >= MAX_VERDICTS) {
            // Bounded: the state is rewritten on every analysis. Counted, so nobody takes the rest for all of them.
            draft.verdicts.remove(0);
            draft.verdictsDropped++;
        }
        draft.verdicts.add(verdict);
        draft.nextAnalysisAtMillis += analysis.intervalMillis();
        if (draft.nextAnalysisAtMillis <= now) {
            draft.nextAnalysisAtMillis = now + analysis.intervalMillis();
        }
        draft.stepLastResult = verdict.result();
        switch (verdict.result()) {
            case Pass -> {
                draft.stepPasses++;
                draft.consecutiveInconclusive = 0;
            }
            case Fail -> draft.consecutiveInconclusive = 0;
            case Inconclusive -> draft.consecutiveInconclusive++;
        }
        draft.stepFails = recentStepFails(draft);
        commit(draft, now, "rollout.verdict", verdict.result() + ": " + verdict.reason());
        // Only once the verdict stands: a tick that failed before it judges the same requests again.
        windowStartMillis.put(draft.service, now);

        Step step = draft.currentStep();
        int failureLimit = step != null && Step.SWITCH.equals(step.kind()) ? 1 : Math.max(1, analysis.failureLimit());
        if (verdict.result() == Verdict.Result.Fail && draft.stepFails >= failureLimit) {
            String why = (failureLimit == 1 ? "failed analysis: "
                    : failureLimit + " failed analyses in the step's last " + FAILURE_WINDOW + ": ")
                    + verdict.reason();
            setWeights(draft, Weights.allTo(draft.baseline, draft.versions).basisPoints(), "rollback: " + why);
            clearPreview(draft, "rollback");
            finish(draft, RolloutPhase.RolledBack, draft.step, "rolled back after " + why);
            commit(draft, now, "rollout.rollback", draft.reason);
        } else if (verdict.result() == Verdict.Result.Inconclusive && analysis.inconclusiveLimit() > 0
                && draft.consecutiveInconclusive >= analysis.inconclusiveLimit()
                && draft.phase == RolloutPhase.Progressing) {
            freezeTimer(draft, now);
            draft.phase = RolloutPhase.Paused;
            draft.reason = draft.consecutiveInconclusive + " inconclusive analyses in a row (" + verdict.reason()
                    + "): paused for a human (resume, promote or abort)";
            commit(draft, now, "rollout.pause", draft.reason);
        }
    }

    /**
     * Fail verdicts among the current step's last {@link #FAILURE_WINDOW} analyses. Not only Fails in a row: a
     * canary that fails every other analysis must not climb the steps on the Passes in between (Argo Rollouts and
     * Flagger count failed measurements, not runs of them). Not the whole step either: over a step of hundreds of
     * analyses, two unrelated false Fails would roll back 2% of healthy canaries at 100 req/s (AnalyzerAccuracy).
     */
    private static int recentStepFails(Draft draft) {
        int fails = 0;
        int seen = 0;
        for (int i = draft.verdicts.size() - 1; i >= 0 && seen < FAILURE_WINDOW; i--) {
            Verdict v = draft.verdicts.get(i);
            // A step entered again (a restart at the first step) counts only the verdicts made since; none of a step
            // is made in the millisecond it is entered (its first analysis is an interval later).
            if (v.step() != draft.step || Instant.parse(v.at()).toEpochMilli() <= draft.stepStartedAtMillis) {
                break;
            }
            seen++;
            if (v.result() == Verdict.Result.Fail) {
                fails++;
            }
        }
        return fails;
    }

    /** "paused by operator", with the operator's reason when one was given: the rollout's reason shows it. */
    private static String byOperator(String what, String why) {
        return what + " by operator" + (why == null || why.isBlank() ? "" : ": " + why);
    }

    /** Advances through every step that is complete; stops at a pause still running, an approval or the end. */
    private void progress(Draft draft, long now) {
        while (draft.phase == RolloutPhase.Progressing) {
            Step step = draft.currentStep();
            if (step == null) {
                enterStep(draft, draft.step, now);
                commit(draft, now, "rollout.succeeded", draft.reason);
                return;
            }
            if (step.pauseMillis() > 0
                    && (now < draft.stepDeadlineMillis || draft.stepLastResult != Verdict.Result.Pass)) {
                return;
            }
            enterStep(draft, draft.step + 1, now);
            commit(draft, now, draft.phase == RolloutPhase.Succeeded ? "rollout.succeeded" : "rollout.step",
                    draft.reason);
        }
    }

    /** Applies step {@code index}'s traffic and starts its timer; past the last step, completes the rollout. */
    private void enterStep(Draft draft, int index, long now) {
        if (index >= draft.steps.size()) {
            setWeights(draft, Weights.allTo(draft.canary, draft.versions).basisPoints(), "rollout complete");
            clearPreview(draft, "rollout complete");
            finish(draft, RolloutPhase.Succeeded, draft.steps.size(), "all steps done: " + draft.canary + " at 100%");
            return;
        }
        Step step = draft.steps.get(index);
        String description = Plans.describe(draft.steps, index);
        Map<String, Integer> target = draft.weightsBps;
        if (Step.PREVIEW.equals(step.kind())) {
            traffic.setPreview(draft.service, draft.canary, "rollout " + description);
            target = Weights.allTo(draft.baseline, draft.versions).basisPoints();
        } else if (step.canaryWeightBps() != null) {
            target = split(draft, step.canaryWeightBps());
        }
        if (target.getOrDefault(draft.baseline, 0) == 0 && draft.weightsBps.getOrDefault(draft.baseline, 0) > 0) {
            // The baseline is about to get no traffic: keep its figures to judge the new version against.
            draft.baselineSnapshot = snapshotBaseline(draft, now);
        }
        if (!target.equals(draft.weightsBps)) {
            setWeights(draft, target, "rollout " + description);
            // The slice under way holds requests routed by the old weights: the step's first window starts after it,
            // unless that would leave an interval under two slices next to nothing.
            long slice = StatsSource.SLICE.toMillis();
            windowStartMillis.put(draft.service, now + (draft.analysis.intervalMillis() >= 2 * slice ? slice : 0));
            draft.nextAnalysisAtMillis = now + draft.analysis.intervalMillis();
        }
        draft.step = index;
        draft.stepStartedAtMillis = now;
        draft.stepDeadlineMillis = step.pauseMillis() > 0 ? now + step.pauseMillis() : -1;
        draft.pauseRemainingMillis = -1;
        draft.stepPasses = 0;
        draft.stepFails = 0;
        draft.stepLastResult = null;
        draft.phase = step.approval() ? RolloutPhase.AwaitingApproval : RolloutPhase.Progressing;
        draft.reason = description;
    }

    private BaselineSnapshot snapshotBaseline(Draft draft, long now) {
        WindowStats latest = stats.window(draft.service, draft.baseline,
                Instant.ofEpochMilli(now - draft.analysis.intervalMillis()), Instant.ofEpochMilli(now));
        if (latest.requests() < draft.analysis.minRequests()) {
            WindowStats remembered = lastBaselineWindow.get(draft.service);
            if (remembered != null) {
                latest = remembered;
            }
        }
        return latest.requests() == 0 ? draft.baselineSnapshot : BaselineSnapshot.of(latest, now);
    }

    private Map<String, Integer> split(Draft draft, int canaryBps) {
        Map<String, Integer> bps = new LinkedHashMap<>();
        for (String version : draft.versions) {
            int weight = version.equals(draft.canary) ? canaryBps
                    : version.equals(draft.baseline) ? Weights.TOTAL - canaryBps : 0;
            bps.put(version, weight);
        }
        return bps;
    }

    private void setWeights(Draft draft, Map<String, Integer> target, String reason) {
        if (!target.equals(draft.weightsBps)) {
            traffic.setWeights(draft.service, new Weights(target), reason);
            draft.weightsBps = target;
        }
    }

    private void clearPreview(Draft draft, String reason) {
        if (draft.blueGreen()) {
            traffic.setPreview(draft.service, null, reason);
        }
    }

    private static void freezeTimer(Draft draft, long now) {
        if (draft.stepDeadlineMillis >= 0) {
            draft.pauseRemainingMillis = Math.max(0, draft.stepDeadlineMillis - now);
            draft.stepDeadlineMillis = -1;
        }
    }

    private static void finish(Draft draft, RolloutPhase phase, int step, String reason) {
        draft.phase = phase;
        draft.step = step;
        draft.stepDeadlineMillis = -1;
        draft.pauseRemainingMillis = -1;
        draft.reason = reason;
    }

    private RolloutState commit(Draft draft, long now, String action, String reason) {
        RolloutState state = draft.freeze(now);
        rollouts.put(state.service(), state);
        listener.onChange(state, action, reason);
        return state;
    }

    private static String heaviestOtherThan(ServiceSpec spec, String canary) {
        String heaviest = null;
        int most = -1;
        for (Map.Entry<String, Integer> e : spec.weights().basisPoints().entrySet()) {
            if (!e.getKey().equals(canary) && e.getValue() > most) {
                heaviest = e.getKey();
                most = e.getValue();
            }
        }
        return heaviest;
    }

    private static void validate(AnalysisSpec a) throws RolloutException {
        if (a.interval() == null || a.interval().toMillis() <= 0) {
            throw RolloutException.badRequest("analysis.interval: " + a.interval() + " (expected: > 0)");
        }
        if (!(a.confidence() > 0.5 && a.confidence() < 1)) {
            throw RolloutException.badRequest("analysis.confidence: " + a.confidence() + " (expected: 0.5 < c < 1)");
        }
        if (!(a.latencyPercentile() > 0 && a.latencyPercentile() < 1)) {
            throw RolloutException.badRequest("analysis.latencyPercentile: " + a.latencyPercentile()
                    + " (expected: 0 < p < 1)");
        }
        if (a.maxLatency() == null || a.maxLatency().isNegative()) {
            throw RolloutException.badRequest("analysis.maxLatency: " + a.maxLatency() + " (expected: >= 0)");
        }
    }
}
