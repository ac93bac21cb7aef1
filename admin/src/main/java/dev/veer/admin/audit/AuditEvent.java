package dev.veer.admin.audit;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;

/**
 * One accepted change or analyzer decision: who, what, on which target, the state before and after, and why.
 *
 * @param actor  "token:&lt;id&gt;", "local", "analyzer", "proxy" (endpoint ejections and health) or "system"
 *               (start-up repairs); never the token itself
 * @param action dotted verb, e.g. "weights.set", "rollout.start", "config.reload"
 * @param target what was changed: a service name, "flag:&lt;name&gt;", or "config"
 * @param before JSON of the changed piece before, or null
 * @param after  JSON of the changed piece after, or null
 * @param stateRevision the revision of {@code state.json} that holds this change, or null for an event that changed
 *               nothing persisted (an endpoint's health) or was written before events carried it: what lets a start
 *               tell a saved change whose event never made it to the log (see {@code VeerRuntime})
 */
public record AuditEvent(Instant at, String actor, String action, String target, JsonNode before, JsonNode after,
                         String reason, Long stateRevision) {

    /** An event not tied to a state revision. */
    public AuditEvent(Instant at, String actor, String action, String target, JsonNode before, JsonNode after,
                      String reason) {
        this(at, actor, action, target, before, after, reason, null);
    }

    /** This event as held by state revision {@code revision}. */
    public AuditEvent inStateRevision(long revision) {
        return new AuditEvent(at, actor, action, target, before, after, reason, revision);
    }
}
