package dev.veer.admin.control;

import com.fasterxml.jackson.databind.JsonNode;
import dev.veer.admin.audit.AuditEvent;
import dev.veer.admin.state.StateDoc;
import dev.veer.admin.state.StateDoc.FlagState;
import dev.veer.admin.state.StateDoc.ServiceState;
import dev.veer.config.model.ServiceSpec;
import dev.veer.config.model.VeerConfig;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * One change being prepared on the writer thread: an edited copy of the runtime layer and the audit events it
 * will produce. Nothing is visible until the control plane commits it (persist, publish, audit).
 */
public final class Change {

    private final RuntimeView before;
    private final String actor;
    private final Instant at;
    private final Overlay.FlagParser flagParser;
    private VeerConfig config;
    private final Map<String, ServiceState> services;
    private FlagState flags;
    private final Map<String, JsonNode> rollouts;
    private final Set<String> touchedServices = new LinkedHashSet<>();
    private final Set<String> touchedFlags = new LinkedHashSet<>();
    private final List<AuditEvent> events = new ArrayList<>();
    /** Whether anything was edited; a change can edit state without an audit event (an unaudited verdict). */
    private boolean modified;
    /** The service whose canary this change rolls back on the analyzer's decision; null for any other change. */
    private String automaticRollback;

    Change(RuntimeView before, StateDoc doc, String actor, Instant at, Overlay.FlagParser flagParser) {
        this.before = before;
        this.actor = actor;
        this.at = at;
        this.flagParser = flagParser;
        this.config = before.config();
        this.services = new LinkedHashMap<>(doc.services());
        this.flags = doc.flags();
        this.rollouts = new LinkedHashMap<>(doc.rollouts());
    }

    /** The view in force when this change started. */
    public RuntimeView before() {
        return before;
    }

    /** The view this change would put in force (revisions not yet bumped). */
    public RuntimeView draft() {
        return Overlay.apply(config, doc(), flagParser).view();
    }

    public Overlay.Result draftResult() {
        return Overlay.apply(config, doc(), flagParser);
    }

    public void updateService(String service, UnaryOperator<ServiceState> edit) {
        ServiceState current = services.get(service);
        if (current == null) {
            current = ServiceState.untouched(before.serviceRevision(service),
                    config.service(service) == null ? List.of() : config.service(service).versionNames());
        }
        services.put(service, edit.apply(current));
        touchedServices.add(service);
        modified = true;
    }

    public ServiceState serviceState(String service) {
        return services.get(service);
    }

    public void updateFlags(String flag, UnaryOperator<FlagState> edit) {
        FlagState current = flags;
        if (current == null) {
            current = FlagState.untouched(config.flags().stream().map(f -> f.name()).toList());
        }
        flags = edit.apply(current);
        touchedFlags.add(flag);
        modified = true;
    }

    /**
     * Records the rollout state, without the versions the service no longer has (see Overlay): the engine keeps
     * every version the service had when the rollout started, and the audit events made from {@link #rollout} must
     * not show a removed one. Unlike {@link #updateService}, this does not by itself bump the service's revision:
     * the control plane bumps it only when the rollout really changed (see RolloutRevisions).
     */
    public void setRollout(String service, JsonNode state) {
        if (state == null) {
            rollouts.remove(service);
        } else {
            ServiceSpec spec = draft().service(service);
            rollouts.put(service, spec == null ? state : Overlay.fitRollout(state, spec.versionNames()));
        }
        modified = true;
    }

    public JsonNode rollout(String service) {
        return rollouts.get(service);
    }

    /**
     * Marks this change as the analyzer's rollback of {@code service}'s canary: it takes effect even when it cannot
     * be persisted (see {@link ControlPlane}), since refusing it would leave a canary judged bad its traffic.
     */
    public void markAutomaticRollback(String service) {
        automaticRollback = service;
    }

    /** Who made this change: an operator's name, or {@link ControlPlane#ANALYZER}. */
    String actor() {
        return actor;
    }

    /** The service this change rolls back on the analyzer's decision, or null. */
    String automaticRollback() {
        return automaticRollback;
    }

    /** A reload: the new file replaces the old as the base. */
    public void replaceConfig(VeerConfig newConfig) {
        this.config = newConfig;
        modified = true;
    }

    public VeerConfig config() {
        return config;
    }

    public void audit(String action, String target, JsonNode beforeState, JsonNode afterState, String reason) {
        audit(actor, action, target, beforeState, afterState, reason);
    }

    public void audit(String eventActor, String action, String target, JsonNode beforeState, JsonNode afterState,
                      String reason) {
        events.add(new AuditEvent(at, eventActor, action, target, beforeState, afterState, reason));
    }

    public List<AuditEvent> events() {
        return events;
    }

    boolean modified() {
        return modified;
    }

    Set<String> touchedServices() {
        return touchedServices;
    }

    Set<String> touchedFlags() {
        return touchedFlags;
    }

    StateDoc doc() {
        return new StateDoc(before.revision(), services, flags, rollouts);
    }
}
