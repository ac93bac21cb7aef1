package dev.veer.analyzer;

import dev.veer.analyzer.RolloutState.Analysis;
import dev.veer.analyzer.RolloutState.BaselineSnapshot;
import dev.veer.analyzer.RolloutState.Step;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A rollout state being changed by one engine operation. The engine mutates a draft, then freezes it into a new
 * {@link RolloutState}; a draft whose operation threw is simply dropped.
 */
final class Draft {

    final String service;
    final String strategy;
    final String canary;
    final String baseline;
    List<String> versions;
    final List<Step> steps;
    final Analysis analysis;
    final long startedAtMillis;
    RolloutPhase phase;
    String reason;
    int step;
    Map<String, Integer> weightsBps;
    long updatedAtMillis;
    long stepStartedAtMillis;
    long stepDeadlineMillis;
    long pauseRemainingMillis;
    long nextAnalysisAtMillis;
    int stepPasses;
    Verdict.Result stepLastResult;
    int stepFails;
    int consecutiveInconclusive;
    BaselineSnapshot baselineSnapshot;
    long verdictsDropped;
    final List<Verdict> verdicts;

    Draft(RolloutState s) {
        service = s.service();
        strategy = s.strategy();
        canary = s.canary();
        baseline = s.baseline();
        versions = s.versions();
        steps = s.steps();
        analysis = s.analysis();
        startedAtMillis = s.startedAtMillis();
        phase = s.phase();
        reason = s.reason();
        step = s.step();
        weightsBps = s.weightsBps();
        updatedAtMillis = s.updatedAtMillis();
        stepStartedAtMillis = s.stepStartedAtMillis();
        stepDeadlineMillis = s.stepDeadlineMillis();
        pauseRemainingMillis = s.pauseRemainingMillis();
        nextAnalysisAtMillis = s.nextAnalysisAtMillis();
        stepPasses = s.stepPasses();
        stepLastResult = s.stepLastResult();
        stepFails = s.stepFails();
        consecutiveInconclusive = s.consecutiveInconclusive();
        baselineSnapshot = s.baselineSnapshot();
        verdictsDropped = s.verdictsDropped();
        verdicts = new ArrayList<>(s.verdicts());
    }

    Step currentStep() {
        return step < steps.size() ? steps.get(step) : null;
    }

    boolean blueGreen() {
        return RolloutRequest.BLUE_GREEN.equals(strategy);
    }

    RolloutState freeze(long now) {
        updatedAtMillis = now;
        return new RolloutState(service, strategy, canary, baseline, versions, phase, reason, step, steps, analysis,
                weightsBps, startedAtMillis, updatedAtMillis, stepStartedAtMillis, stepDeadlineMillis,
                pauseRemainingMillis, nextAnalysisAtMillis, stepPasses, stepLastResult, stepFails,
                consecutiveInconclusive, baselineSnapshot, verdictsDropped, verdicts);
    }
}
