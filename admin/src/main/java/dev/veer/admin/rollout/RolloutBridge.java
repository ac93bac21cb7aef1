package dev.veer.admin.rollout;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.veer.admin.control.Change;
import dev.veer.admin.control.ControlPlane;
import dev.veer.admin.http.ApiException;
import dev.veer.admin.state.StateDoc.ServiceState;
import dev.veer.analyzer.RolloutEngine;
import dev.veer.analyzer.RolloutException;
import dev.veer.analyzer.RolloutListener;
import dev.veer.analyzer.RolloutPhase;
import dev.veer.analyzer.RolloutState;
import dev.veer.analyzer.TrafficControl;
import dev.veer.config.ModelJson;
import dev.veer.config.model.ServiceSpec;
import dev.veer.config.model.Weights;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Connects the rollout engine to the control plane. The engine's weight and preview changes and its state
 * changes join the change in progress on the writer thread: an operator's command (start, pause, abort...) is
 * one change with one audit event by the operator; what the engine decides on its own during a tick is audited
 * with actor "analyzer", one event per decision.
 */
public final class RolloutBridge implements TrafficControl, RolloutListener {

    /** RolloutState to and from plain JSON (the engine made it persistable with plain Jackson). */
    private static final ObjectMapper STATE_MAPPER = new ObjectMapper()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final ControlPlane control;
    /** True while an operator's command runs; its effects are then folded into the command's own event. */
    private boolean operatorCommand;

    public RolloutBridge(ControlPlane control) {
        this.control = control;
    }

    /**
     * Keeps {@code engine} to the rollouts the control plane holds: when a change it joined is refused (its state
     * could not be persisted), the engine goes back to the rollouts still in force.
     */
    public void keepInStep(RolloutEngine engine) {
        control.onRefused(view -> {
            Map<String, RolloutState> inForce = new LinkedHashMap<>();
            view.rollouts().forEach((service, json) -> {
                try {
                    inForce.put(service, fromJson(json));
                } catch (IllegalArgumentException unreadable) {
                    // Logged when it failed to restore at start-up; the engine never drove it.
                }
            });
            engine.resync(inForce);
        });
    }

    /** An engine command on the writer thread, inside the caller's change; RolloutException becomes an API error. */
    public RolloutState command(EngineCommand command) {
        operatorCommand = true;
        try {
            return command.run();
        } catch (RolloutException e) {
            throw apiError(e);
        } finally {
            operatorCommand = false;
        }
    }

    /**
     * The engine's refusal as an API error. The engine words a bad request as {@code "field: problem"}
     * ({@code "canary: 'purple' (expected: one of [blue, green])"}, {@code "steps[2].weight: ..."}); the field
     * becomes the error's path.
     */
    static ApiException apiError(RolloutException e) {
        String message = e.getMessage() == null ? "" : e.getMessage();
        if (e.status() == 400) {
            int colon = message.indexOf(": ");
            if (colon > 0 && isFieldPath(message.substring(0, colon))) {
                return new ApiException(400, message.substring(colon + 2), message.substring(0, colon));
            }
        }
        return new ApiException(e.status(), message);
    }

    private static boolean isFieldPath(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(Character.isLetterOrDigit(c) || c == '.' || c == '[' || c == ']' || c == '_')) {
                return false;
            }
        }
        return true;
    }

    @FunctionalInterface
    public interface EngineCommand {
        RolloutState run() throws RolloutException;
    }

    @Override
    public void setWeights(String service, Weights weights, String reason) {
        control.joinOrExecute(ControlPlane.ANALYZER, change -> {
            ServiceSpec before = change.draft().service(service);
            if (before == null) {
                throw new IllegalStateException("service " + service + " is gone");
            }
            // The engine's versions are the service's at the rollout's start: one removed since (at weight 0) is
            // left out, one added since is at 0.
            Map<String, Integer> bps = new LinkedHashMap<>();
            before.versionNames().forEach(version -> bps.put(version, weights.of(version)));
            Weights fitted = new Weights(bps);
            change.updateService(service, s -> s.withWeights(fitted.basisPoints()));
            if (!operatorCommand) {
                change.audit(ControlPlane.ANALYZER, "weights.set", service, ModelJson.renderWeights(before.weights()),
                        ModelJson.renderWeights(fitted), reason);
            }
            return null;
        });
    }

    @Override
    public void setPreview(String service, String version, String reason) {
        control.joinOrExecute(ControlPlane.ANALYZER, change -> {
            ServiceState current = change.serviceState(service);
            String before = current == null ? null : current.preview();
            change.updateService(service, s -> s.withPreview(version));
            if (!operatorCommand) {
                ObjectMapper m = ModelJson.mapper();
                change.audit(ControlPlane.ANALYZER, "preview.set", service, m.createObjectNode().put("preview", before),
                        m.createObjectNode().put("preview", version), reason);
            }
            return null;
        });
    }

    @Override
    public void onChange(RolloutState state, String action, String reason) {
        control.joinOrExecute(ControlPlane.ANALYZER, change -> {
            JsonNode before = change.rollout(state.service());
            change.setRollout(state.service(), toJson(state));
            JsonNode after = change.rollout(state.service());
            if (!operatorCommand && state.phase() == RolloutPhase.RolledBack) {
                change.markAutomaticRollback(state.service());
            }
            if (!operatorCommand) {
                ObjectNode summary = RolloutJson.summary(after);
                boolean verdict = action.endsWith("verdict");
                if (verdict && after.path("verdicts").size() > 0) {
                    JsonNode verdicts = after.path("verdicts");
                    summary.set("verdict", RolloutJson.verdict(after, verdicts.get(verdicts.size() - 1)));
                }
                if (!verdict || auditable(before, after)) {
                    change.audit(ControlPlane.ANALYZER, action, state.service(), RolloutJson.summary(before), summary,
                            reason);
                }
            }
            return null;
        });
    }

    /**
     * Which verdicts go to the audit log. Every verdict is kept in the rollout state (GET .../rollout shows them),
     * but the log gets a verdict only when its result differs from the previous verdict's (the first one, Pass
     * after Inconclusive, ...) or when it is a Fail. Otherwise a Paused or AwaitingApproval rollout, analysed every
     * interval while it waits for a human, would write the same Inconclusive event forever. Decisions are never
     * filtered: a rollback, pause or step is its own event.
     */
    static boolean auditable(JsonNode before, JsonNode after) {
        String result = lastResult(after);
        return result == null || "Fail".equals(result) || !result.equals(lastResult(before));
    }

    private static String lastResult(JsonNode rollout) {
        JsonNode verdicts = rollout == null ? null : rollout.get("verdicts");
        if (verdicts == null || !verdicts.isArray() || verdicts.isEmpty()) {
            return null;
        }
        return verdicts.get(verdicts.size() - 1).path("result").asText(null);
    }

    /** Audits an operator's command in {@code change}, before and after as short summaries. */
    public static void auditCommand(Change change, String action, String service, JsonNode before, JsonNode after,
                                    String reason) {
        change.audit(action, service, RolloutJson.summary(before), RolloutJson.summary(after), reason);
    }

    public static JsonNode toJson(RolloutState state) {
        return STATE_MAPPER.valueToTree(state);
    }

    public static RolloutState fromJson(JsonNode json) {
        try {
            return STATE_MAPPER.treeToValue(json, RolloutState.class);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("rollout state does not parse: " + e.getMessage(), e);
        }
    }
}
