package dev.veer.admin.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Comparator;
import java.util.List;

/**
 * The rollout resource's revision, and what counts as a change of a rollout.
 *
 * <p>A rollout changes when its phase, step, weights, reason, plan, strategy, canary or baseline change, or when a
 * new rollout starts. An analysis verdict on its own (the verdict list, the fail counters, the update time) is an
 * observation, not a change: it bumps neither the rollout's revision nor its service's, so an {@code If-Match}
 * taken from a GET does not go stale every analysis interval while nothing the client acts on moved.
 *
 * <p>The revision is kept in the persisted rollout JSON under {@code "revision"} (the engine ignores the field
 * when it restores a state). It counts on across the rollouts of a service, so a new rollout never repeats an
 * earlier one's ETag.
 */
public final class RolloutRevisions {

    public static final String FIELD = "revision";
    private static final List<String> STATE_FIELDS = List.of("phase", "step", "weightsBps", "reason", "steps",
            "strategy", "canary", "baseline", "startedAtMillis");

    private RolloutRevisions() {
    }

    /** The revision of a persisted rollout: 0 for none, 1 for one stored before revisions were kept. */
    public static long of(JsonNode rollout) {
        return rollout == null ? 0 : rollout.path(FIELD).asLong(1);
    }

    /** Whether the rollout changed from {@code before} to {@code after} (either may be null). */
    public static boolean changed(JsonNode before, JsonNode after) {
        if (before == null || after == null) {
            return before != after;
        }
        for (String field : STATE_FIELDS) {
            JsonNode was = before.get(field);
            JsonNode is = after.get(field);
            if (was == null || is == null ? was != is : !was.equals(SAME_VALUE, is)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Nodes equal by value: a number read back from state.json is an IntNode where the engine's own rendering of the
     * same long is a LongNode, and Jackson's equals tells them apart (a restart bumped every running rollout's
     * revision, and a saved If-Match got 412).
     */
    private static final Comparator<JsonNode> SAME_VALUE = (a, b) -> {
        if (a.equals(b)) {
            return 0;
        }
        return a.isNumber() && b.isNumber() && a.decimalValue().compareTo(b.decimalValue()) == 0 ? 0 : 1;
    };

    /**
     * {@code after} with its revision: {@code before}'s, plus one if it changed. One stamped already keeps its
     * stamp when the change left it alone; when it still changed, the overlay altered it (a reload took a version
     * at weight 0 out of its weights), and it gets the next revision too.
     */
    public static JsonNode stamp(JsonNode before, JsonNode after) {
        boolean changed = changed(before, after);
        if (after.has(FIELD) && !changed) {
            return after;
        }
        ObjectNode stamped = ((ObjectNode) after).deepCopy();
        stamped.put(FIELD, Math.max(1, of(before) + (changed ? 1 : 0)));
        return stamped;
    }
}
