package dev.veer.admin.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import dev.veer.analyzer.RolloutPhase;

/** Reading the persisted rollout state (plain JSON of the analyzer's RolloutState). */
public final class Rollouts {

    private Rollouts() {
    }

    /** A rollout that still drives the service's weights: its phase is one the analyzer does not call terminal. */
    public static boolean isActive(JsonNode rollout) {
        if (rollout == null) {
            return false;
        }
        try {
            return !RolloutPhase.valueOf(rollout.path("phase").asText()).terminal();
        } catch (IllegalArgumentException unknownPhase) {
            return false;
        }
    }
}
