package dev.veer.config.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.veer.config.model.AnalysisSpec;
import dev.veer.config.model.RolloutSpec;
import dev.veer.config.model.StepSpec;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code rollout: {steps: [...], analysis: {...}}}. Omitted steps, and each omitted analysis setting, come from
 * the given defaults. A step sets the canary weight, holds for a pause, or waits for approval (or a mix).
 */
public final class RolloutSection {

    static final String[] KEYS = {"steps", "analysis"};
    /** An API body for POST .../rollout also names the versions; those belong to the request, not the plan. */
    static final String[] API_KEYS = {"steps", "analysis", "strategy", "canary", "baseline"};
    static final String[] STEP_KEYS = {"weight", "pause", "approval"};
    static final String[] ANALYSIS_KEYS = {"interval", "minRequests", "maxErrorRate", "maxErrorRateIncrease",
            "latencyPercentile", "maxLatency", "maxLatencyIncrease", "failureLimit", "inconclusiveLimit", "confidence"};

    private static final Duration ONE_MS = Duration.ofMillis(1);
    private static final double UNBOUNDED = Double.POSITIVE_INFINITY;

    private RolloutSection() {
    }

    public static RolloutSpec read(JsonNode node, RolloutSpec defaults, String path, boolean apiBody,
                                   Problems problems) {
        Fields f = Fields.of(node, path, problems).allow(apiBody ? API_KEYS : KEYS);
        List<StepSpec> steps = defaults.steps();
        if (f.has("steps")) {
            steps = steps(f, problems);
        }
        AnalysisSpec analysis = analysis(f.get("analysis"), f.path("analysis"), defaults.analysis(), problems);
        return new RolloutSpec(steps, analysis);
    }

    private static List<StepSpec> steps(Fields f, Problems problems) {
        List<JsonNode> items = f.list("steps");
        if (items.isEmpty() && f.get("steps").isArray()) {
            problems.add(f.path("steps"), "empty (expected: at least one step)");
        }
        List<StepSpec> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            StepSpec step = step(items.get(i), Paths.index(f.path("steps"), i), problems);
            if (step != null) {
                out.add(step);
            }
        }
        return out;
    }

    private static StepSpec step(JsonNode node, String path, Problems problems) {
        Fields f = Fields.of(node, path, problems).allow(STEP_KEYS);
        if (f.noMapping()) {
            return null;
        }
        if (!f.has("weight") && !f.has("pause") && !f.has("approval")) {
            problems.add(path, "empty step (expected: weight, pause or approval: true)");
            return null;
        }
        Integer weightBps = null;
        if (f.has("weight")) {
            weightBps = Percent.toBasisPoints(f.get("weight"), f.path("weight"), problems);
        }
        Duration pause = f.has("pause") ? f.duration("pause", ONE_MS, null) : null;
        boolean approval = false;
        if (f.has("approval")) {
            approval = f.bool("approval", true);
            if (!approval) {
                problems.add(f.path("approval"), "false (expected: true, or leave it out)");
            }
        }
        return new StepSpec(weightBps, pause, approval);
    }

    private static AnalysisSpec analysis(JsonNode node, String path, AnalysisSpec d, Problems problems) {
        Fields f = Fields.of(node, path, problems).allow(ANALYSIS_KEYS);
        return new AnalysisSpec(
                // The analyzer ticks once a second: a shorter interval is accepted and runs every second.
                f.duration("interval", ONE_MS, d.interval()),
                // 0 is the operator's call (a window without requests then passes); docs/canary-analysis.md says so.
                f.integer("minRequests", 0L, Long.MAX_VALUE, d.minRequests()),
                f.decimal("maxErrorRate", 0, false, 1, false, d.maxErrorRate()),
                f.decimal("maxErrorRateIncrease", 0, false, UNBOUNDED, false, d.maxErrorRateIncrease()),
                f.decimal("latencyPercentile", 0, true, 1, true, d.latencyPercentile()),
                f.duration("maxLatency", ONE_MS, d.maxLatency()),
                f.decimal("maxLatencyIncrease", 0, false, UNBOUNDED, false, d.maxLatencyIncrease()),
                // Fails are counted among a step's last 10 analyses (RolloutEngine.FAILURE_WINDOW): more could never roll back.
                f.integer("failureLimit", 1, 10, d.failureLimit()),
                f.integer("inconclusiveLimit", 1, Integer.MAX_VALUE, d.inconclusiveLimit()),
                // At 0.5 or below the one-sided tests' critical value is not positive: any difference would count,
                // and the analyzer refuses such a plan at every start (RolloutEngine.validate).
                f.decimal("confidence", 0.5, true, 1, true, d.confidence()));
    }
}
