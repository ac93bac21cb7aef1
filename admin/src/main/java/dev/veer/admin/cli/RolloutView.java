package dev.veer.admin.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Renders a rollout (CONTRACT §4 rollout shape) as the one-line summary of {@code status} or the full view. */
final class RolloutView {

    /** Verdicts shown by the full view; older ones are counted, and {@code --json} has them all. */
    static final int SHOWN_VERDICTS = 10;

    private RolloutView() {
    }

    /** "Progressing, step 1 of 5, canary green vs baseline blue, weights blue=95 green=5, last verdict Pass: ..." */
    static String summary(JsonNode rollout) {
        StringBuilder line = new StringBuilder(Json.text(rollout, "phase"));
        line.append(", step ").append(Json.text(rollout, "step"));
        if (rollout.path("steps").isArray()) {
            line.append(" of ").append(rollout.get("steps").size());
        }
        line.append(", canary ").append(Json.text(rollout, "canary"))
                .append(" vs baseline ").append(Json.text(rollout, "baseline"));
        if (rollout.path("weights").isObject()) {
            line.append(", weights ").append(Json.weights(rollout.get("weights")));
        }
        JsonNode verdicts = rollout.path("verdicts");
        if (verdicts.isArray() && !verdicts.isEmpty()) {
            JsonNode last = verdicts.get(verdicts.size() - 1);
            line.append(", last verdict ").append(Json.text(last, "result"));
            if (last.hasNonNull("reason")) {
                line.append(": ").append(Json.text(last, "reason"));
            }
        }
        return line.toString();
    }

    static void printFull(String service, JsonNode rollout, PrintStream out) {
        out.println(service + " rollout: " + Json.text(rollout, "phase") + " (" + Json.text(rollout, "strategy") + ")");
        // step is 1-based in the API (1..steps.size(), the last one also once finished): printed as is.
        // The rollout's own revision is what --if-match takes for pause/resume/approve/promote/abort.
        out.println("  canary " + Json.text(rollout, "canary") + ", baseline " + Json.text(rollout, "baseline")
                + ", step " + Json.text(rollout, "step")
                + (rollout.path("steps").isArray() ? " of " + rollout.get("steps").size() : "")
                + (rollout.hasNonNull("revision") ? ", revision " + Json.text(rollout, "revision") : ""));
        out.println("  weights: " + Json.weights(rollout.path("weights")));
        if (rollout.hasNonNull("stepEndsAt") && "Progressing".equals(Json.text(rollout, "phase"))) {
            out.println("  this step's pause ends at " + Json.text(rollout, "stepEndsAt")
                    + " (and a Pass is needed to go on)");
        }
        if (rollout.hasNonNull("pauseRemaining")) {
            out.println("  " + Json.text(rollout, "pauseRemaining") + " of this step's pause left when resumed");
        }
        if (rollout.path("steps").isArray() && !rollout.get("steps").isEmpty()) {
            List<String> steps = new ArrayList<>();
            rollout.get("steps").forEach(step -> steps.add(step(step)));
            out.println("  plan: " + String.join(" -> ", steps));
        }
        printVerdicts(rollout.path("verdicts"), rollout.path("verdictsDropped").asLong(0), out);
    }

    /**
     * "5% for 30m", "approval", "100%": how the config file spells a step, in words. A blue-green rollout's steps
     * say what they do, as their weights do not: the preview keeps the traffic where it is (its 0% is the weight
     * the canary does not get) and the switch is watched for its pause.
     */
    static String step(JsonNode step) {
        if (!step.isObject()) {
            return Json.scalar(step);
        }
        String kind = step.path("kind").asText("");
        String pause = step.hasNonNull("pause") ? Json.text(step, "pause") : null;
        if (kind.equals("preview")) {
            return "preview" + (pause == null ? "" : " for " + pause);
        }
        if (kind.equals("switch")) {
            return "switch to 100%" + (pause == null ? "" : ", watched for " + pause);
        }
        List<String> parts = new ArrayList<>();
        if (step.hasNonNull("weight")) {
            parts.add(Json.text(step, "weight") + "%");
        }
        if (step.hasNonNull("pause")) {
            parts.add("for " + Json.text(step, "pause"));
        }
        if (step.path("approval").asBoolean(false)) {
            parts.add("approval");
        }
        return parts.isEmpty() ? Json.compact(step) : String.join(" ", parts);
    }

    private static void printVerdicts(JsonNode verdicts, long dropped, PrintStream out) {
        if (!verdicts.isArray() || verdicts.isEmpty()) {
            out.println("  verdicts: none yet");
            return;
        }
        int skipped = Math.max(0, verdicts.size() - SHOWN_VERDICTS);
        out.println("  verdicts:" + (skipped > 0 ? " (" + skipped + " earlier not shown; --json has them)" : "")
                + (dropped > 0 ? " (" + dropped + " older ones dropped: the latest " + verdicts.size() + " are kept)" : ""));
        TextTable table = new TextTable("AT", "RESULT", "REASON", "FIGURES");
        for (int i = skipped; i < verdicts.size(); i++) {
            JsonNode verdict = verdicts.get(i);
            table.row(Json.text(verdict, "at"), Json.text(verdict, "result"), Json.text(verdict, "reason"),
                    figures(verdict.path("figures")));
        }
        table.print(out, "  ");
    }

    private static String figures(JsonNode figures) {
        if (!figures.isObject() || figures.isEmpty()) {
            return "-";
        }
        List<String> parts = new ArrayList<>();
        for (Map.Entry<String, JsonNode> figure : figures.properties()) {
            // The tests' p-values decide the verdict but say little to a person; --json has them.
            if (!figure.getKey().endsWith("PValue")) {
                parts.add(figure.getKey() + "=" + Json.scalar(figure.getValue()));
            }
        }
        return String.join(" ", parts);
    }
}
