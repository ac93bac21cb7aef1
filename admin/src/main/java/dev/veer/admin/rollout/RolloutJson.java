package dev.veer.admin.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.veer.config.ModelJson;
import dev.veer.config.model.Weights;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The rollout resource of the API, rendered from the persisted state: {@code {"phase","strategy","canary",
 * "baseline","step","steps","weights","verdicts":[{"at","result","reason","figures"}],...}}.
 */
public final class RolloutJson {

    private RolloutJson() {
    }

    public static ObjectNode render(JsonNode state, long revision) {
        ObjectNode node = ModelJson.mapper().createObjectNode();
        node.set("service", state.get("service"));
        node.put("revision", revision);
        node.set("phase", state.get("phase"));
        node.set("strategy", state.get("strategy"));
        node.set("canary", state.get("canary"));
        node.set("baseline", state.get("baseline"));
        node.set("reason", state.get("reason"));
        node.put("step", step(state));
        ArrayNode steps = node.putArray("steps");
        for (JsonNode step : state.path("steps")) {
            // The config file's step syntax ({weight, pause} or {approval: true}) plus the engine's kind.
            ObjectNode s = steps.addObject();
            s.set("kind", step.get("kind"));
            if ("approval".equals(step.path("kind").asText())) {
                s.put("approval", true);
            }
            JsonNode weight = step.get("canaryWeightBps");
            if (weight != null && !weight.isNull()) {
                s.set("weight", ModelJson.mapper().valueToTree(Weights.percent(weight.asInt())));
            }
            long pause = step.path("pauseMillis").asLong();
            if (pause > 0) {
                s.put("pause", ModelJson.renderDuration(Duration.ofMillis(pause)));
            }
        }
        node.set("weights", percentWeights(state.get("weightsBps")));
        node.put("startedAt", instant(state.path("startedAtMillis").asLong()));
        node.put("updatedAt", instant(state.path("updatedAtMillis").asLong()));
        long deadline = state.path("stepDeadlineMillis").asLong(-1);
        if (deadline > 0) {
            node.put("stepEndsAt", instant(deadline));
        }
        long remaining = state.path("pauseRemainingMillis").asLong(-1);
        if (remaining >= 0) {
            // Paused: the step's clock is stopped; resume continues with what is left.
            node.put("pauseRemaining", ModelJson.renderDuration(Duration.ofMillis(remaining)));
        }
        node.set("stepFails", state.get("stepFails"));
        node.set("analysis", analysis(state.path("analysis")));
        // Only the latest RolloutEngine.MAX_VERDICTS are kept; this many older ones were dropped.
        node.put("verdictsDropped", state.path("verdictsDropped").asLong(0));
        ArrayNode verdicts = node.putArray("verdicts");
        for (JsonNode v : state.path("verdicts")) {
            verdicts.add(verdict(state, v));
        }
        return node;
    }

    /** The analysis settings the rollout runs with, in the config file's syntax. */
    private static ObjectNode analysis(JsonNode a) {
        ObjectNode out = ModelJson.mapper().createObjectNode();
        if (a.isMissingNode() || a.isNull()) {
            return out;
        }
        // The analyzer ticks once a second: a shorter interval runs every second, and says so here.
        out.put("interval", ModelJson.renderDuration(Duration.ofMillis(Math.max(1000,
                a.path("intervalMillis").asLong()))));
        out.set("minRequests", a.get("minRequests"));
        out.set("maxErrorRate", a.get("maxErrorRate"));
        out.set("maxErrorRateIncrease", a.get("maxErrorRateIncrease"));
        out.set("latencyPercentile", a.get("latencyPercentile"));
        out.put("maxLatency", ModelJson.renderDuration(Duration.ofNanos(a.path("maxLatencyMicros").asLong() * 1000)));
        out.set("maxLatencyIncrease", a.get("maxLatencyIncrease"));
        out.set("failureLimit", a.get("failureLimit"));
        out.set("inconclusiveLimit", a.get("inconclusiveLimit"));
        out.set("confidence", a.get("confidence"));
        return out;
    }

    /** One verdict of {@code state} as the API and the audit log show it: its step counted from 1. */
    public static ObjectNode verdict(JsonNode state, JsonNode v) {
        ObjectNode out = ModelJson.mapper().createObjectNode();
        out.set("at", v.get("at"));
        out.put("step", oneBased(v.path("step").asInt(), state.path("steps").size()));
        out.set("result", v.get("result"));
        out.set("reason", v.get("reason"));
        out.set("figures", v.get("figures"));
        return out;
    }

    /**
     * The step as the API, the metrics and the audit log count it: 1 for the first step, {@code steps.size()} for
     * the last, and still {@code steps.size()} once the rollout has gone past it (the engine keeps a 0-based index
     * that reaches {@code steps.size()} when all are done).
     */
    public static int step(JsonNode state) {
        return oneBased(state.path("step").asInt(), state.path("steps").size());
    }

    private static int oneBased(int index, int steps) {
        return Math.max(0, Math.min(index + 1, steps));
    }

    /**
     * A rollout in short for audit events: {@code {"phase","step","canary","baseline","weights"}}; null for no
     * rollout.
     */
    public static ObjectNode summary(JsonNode state) {
        return summary(state, false);
    }

    /**
     * The audit summary of what a start replaces: the previous rollout in short (none: only the weights) with the
     * weights the service serves now, as a switch or a weights change since that rollout ended may have moved them.
     */
    public static ObjectNode summaryBeforeStart(JsonNode previous, Weights serving) {
        ObjectNode node = previous == null ? ModelJson.mapper().createObjectNode() : summary(previous);
        node.set("weights", ModelJson.renderWeights(serving));
        return node;
    }

    /** A rollout in short inside the service resource: {@link #summary} plus its strategy and reason. */
    public static ObjectNode serviceSummary(JsonNode state) {
        return summary(state, true);
    }

    /** One builder for both, so the two summaries cannot drift apart; the fields keep the order each had. */
    private static ObjectNode summary(JsonNode state, boolean withStrategyAndReason) {
        if (state == null) {
            return null;
        }
        ObjectNode node = ModelJson.mapper().createObjectNode();
        node.set("phase", state.get("phase"));
        if (withStrategyAndReason) {
            node.set("strategy", state.get("strategy"));
        }
        node.put("step", step(state));
        node.set("canary", state.get("canary"));
        node.set("baseline", state.get("baseline"));
        node.set("weights", percentWeights(state.get("weightsBps")));
        if (withStrategyAndReason) {
            node.set("reason", state.get("reason"));
        }
        return node;
    }

    /** The persisted {"blue": 9000, ...} basis points in percent, rendered as the config renders weights. */
    private static ObjectNode percentWeights(JsonNode bps) {
        Map<String, Integer> basisPoints = new LinkedHashMap<>();
        if (bps != null) {
            for (Map.Entry<String, JsonNode> e : bps.properties()) {
                basisPoints.put(e.getKey(), e.getValue().asInt());
            }
        }
        return ModelJson.renderWeights(new Weights(basisPoints));
    }

    private static String instant(long millis) {
        return Instant.ofEpochMilli(millis).toString();
    }
}
