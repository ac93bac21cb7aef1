package dev.veer.admin.state;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.veer.analyzer.RolloutPhase;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Holds the unfinished rollouts of a document restored from {@code state.json.prev}. That file is one change older
 * than the lost one: a rollout aborted or paused in the lost change would come back running and the analyzer would
 * drive traffic to a canary someone stopped. Paused, it keeps its weights and its analysis but moves no further
 * until an operator has looked and resumed (or aborted) it.
 *
 * <p>Works on the rollout JSON as {@code RolloutBridge} stores it (the analyzer's {@code RolloutState}); the timer is
 * frozen the way {@code RolloutEngine.pause} does it, so a resume gets back what was left of the step's pause.
 */
final class RestoredRollouts {

    static final String REASON = "restored from an older state (state.json.prev) after state.json was found damaged"
            + " or missing: it may have been changed since; check it and resume or abort it by hand";

    /** The document with its unfinished rollouts Paused, and the services they belong to. */
    record Held(StateDoc doc, List<String> services) {
    }

    private RestoredRollouts() {
    }

    static Held hold(StateDoc doc, long nowMillis) {
        Map<String, JsonNode> rollouts = new LinkedHashMap<>(doc.rollouts());
        List<String> held = new ArrayList<>();
        doc.rollouts().forEach((service, json) -> {
            if (json instanceof ObjectNode rollout && !finished(rollout)) {
                rollouts.put(service, paused(rollout, nowMillis));
                held.add(service);
            }
        });
        return new Held(new StateDoc(doc.revision(), doc.services(), doc.flags(), rollouts), held);
    }

    /** Unknown phases count as unfinished: holding a rollout by mistake costs a resume, running one may not. */
    private static boolean finished(JsonNode rollout) {
        try {
            return RolloutPhase.valueOf(rollout.path("phase").asText()).terminal();
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static ObjectNode paused(ObjectNode rollout, long nowMillis) {
        ObjectNode copy = rollout.deepCopy();
        long deadline = copy.path("stepDeadlineMillis").asLong(-1);
        if (deadline >= 0) {
            copy.put("pauseRemainingMillis", Math.max(0, deadline - nowMillis));
            copy.put("stepDeadlineMillis", -1L);
        }
        copy.put("phase", RolloutPhase.Paused.name());
        copy.put("reason", REASON);
        return copy;
    }
}
