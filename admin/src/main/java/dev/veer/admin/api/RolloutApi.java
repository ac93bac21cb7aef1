package dev.veer.admin.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veer.admin.control.Change;
import dev.veer.admin.control.ControlPlane;
import dev.veer.admin.control.ControlPlane.Committed;
import dev.veer.admin.control.RolloutRevisions;
import dev.veer.admin.control.RuntimeView;
import dev.veer.admin.http.ApiException;
import dev.veer.admin.http.ApiRequest;
import dev.veer.admin.http.ApiResponse;
import dev.veer.admin.http.Router;
import dev.veer.admin.rollout.RolloutBridge;
import dev.veer.admin.rollout.RolloutJson;
import dev.veer.admin.rollout.Rollouts;
import dev.veer.analyzer.RolloutEngine;
import dev.veer.analyzer.RolloutRequest;
import dev.veer.config.ConfigException;
import dev.veer.config.ModelJson;
import dev.veer.config.model.RolloutSpec;
import dev.veer.config.model.ServiceSpec;
import dev.veer.config.model.Weights;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Start, inspect and steer a service's rollout. Engine commands run on the writer thread as one change each. */
public final class RolloutApi {

    private static final List<String> ACTIONS = List.of("pause", "resume", "approve", "promote", "abort");

    private final ControlPlane control;
    private final RolloutEngine engine;
    private final RolloutBridge bridge;
    private final ObjectMapper mapper;

    public RolloutApi(ControlPlane control, RolloutEngine engine, RolloutBridge bridge, ObjectMapper mapper) {
        this.control = control;
        this.engine = engine;
        this.bridge = bridge;
        this.mapper = mapper;
    }

    public void register(Router router) {
        String base = "/api/v1/services/{svc}/rollout";
        router.add("POST", base, Router.Access.API, this::start)
                .add("GET", base, Router.Access.API, this::get);
        // One literal route per action, so an unknown action is a 404 for every method, not a 405.
        for (String action : ACTIONS) {
            router.add("POST", base + "/" + action, Router.Access.API, request -> command(request, action));
        }
    }

    private CompletableFuture<ApiResponse> get(ApiRequest request) {
        RuntimeView view = control.view();
        String name = ServicesApi.existing(view, request.param("svc")).name();
        JsonNode state = view.rollouts().get(name);
        if (state == null) {
            throw ApiException.notFound("rollout of " + name);
        }
        return CompletableFuture.completedFuture(rolloutResponse(view, name, 200));
    }

    private CompletableFuture<ApiResponse> start(ApiRequest request) {
        String name = request.param("svc");
        JsonNode body = request.jsonObjectOf("canary", "baseline", "strategy", "steps", "analysis");
        String reason = request.reason(body);
        String canary = text(body, "canary", true);
        String baseline = text(body, "baseline", false);
        String strategy = text(body, "strategy", false);
        return control.submit(request.actor(), change -> {
            // Starting a rollout changes the service's weights: If-Match names the service's revision.
            ServiceSpec service = ServicesApi.checkedForChange(change, request, name);
            RolloutSpec plan = null;
            if (body.has("steps") || body.has("analysis")) {
                try {
                    plan = ModelJson.parseRollout(ApiRequest.withoutReason(body), service.rollout(), "");
                } catch (ConfigException e) {
                    throw ApiException.invalid(e);
                }
            }
            String base = baseline != null ? baseline : heaviestOtherThan(service, canary);
            if (!base.equals(canary) && service.version(base) != null && service.weights().of(base) == 0) {
                // The first step would hand most of the traffic to a version that serves none now: a start re-run
                // after a finished rollout, or canary and baseline swapped.
                throw ApiException.conflict("baseline " + base + " of " + name + " has no traffic (weight 0); a "
                        + "rollout would move traffic back onto it. Name the version serving now as the baseline");
            }
            if (service.version(canary) != null && service.version(base) != null && !base.equals(canary)) {
                refuseOtherTraffic(service, canary, base);
            }
            RolloutRequest rolloutRequest = new RolloutRequest(
                    strategy == null ? RolloutRequest.CANARY : strategy, canary, base, plan);
            JsonNode before = RolloutJson.summaryBeforeStart(change.rollout(name), service.weights());
            change.setRollout(name, RolloutBridge.toJson(
                    bridge.command(() -> engine.start(name, service, rolloutRequest))));
            change.audit("rollout.start", name, before, RolloutJson.summary(change.rollout(name)), reason);
            return (Committed<ApiResponse>) after -> rolloutResponse(after, name, 201);
        });
    }

    private CompletableFuture<ApiResponse> command(ApiRequest request, String action) {
        String name = request.param("svc");
        String reason = request.reason(request.optionalJsonObjectOf());
        return control.submit(request.actor(), change -> {
            ServicesApi.existing(change.before(), name);
            JsonNode before = change.rollout(name);
            if (before == null) {
                throw ApiException.notFound("rollout of " + name);
            }
            // The rollout resource has its own revision (see RolloutRevisions): If-Match guards its state.
            request.checkIfMatch(RolloutRevisions.of(before));
            change.setRollout(name, RolloutBridge.toJson(bridge.command(() -> switch (action) {
                case "pause" -> engine.pause(name, reason);
                case "resume" -> engine.resume(name);
                case "approve" -> engine.approve(name);
                case "promote" -> engine.promote(name, reason);
                default -> engine.abort(name, reason);
            })));
            RolloutBridge.auditCommand(change, "rollout." + action, name, before, change.rollout(name), reason);
            return (Committed<ApiResponse>) after -> rolloutResponse(after, name, 200);
        });
    }

    /**
     * Inside {@code change}, which replaced {@code version}'s endpoints of {@code service}: when that version is the
     * canary of a running rollout, the rollout starts over from its first step (see {@link RolloutEngine#restart}),
     * audited as {@code rollout.restart}. Without it the steps went on climbing on verdicts earned by the build that
     * was just replaced.
     */
    public void onVersionReplaced(Change change, String service, String version, String reason) {
        JsonNode before = change.rollout(service);
        if (!Rollouts.isActive(before) || !version.equals(before.path("canary").asText())) {
            return;
        }
        change.setRollout(service, RolloutBridge.toJson(bridge.command(() -> engine.restart(service,
                "canary " + version + " redeployed (endpoints replaced)"))));
        RolloutBridge.auditCommand(change, "rollout.restart", service, before, change.rollout(service),
                reason == null ? change.rollout(service).path("reason").asText() : reason);
    }

    /**
     * A rollout moves traffic between its canary and its baseline only: a third version's share would go to the
     * baseline at the first step and not come back after an abort, so it is refused while one has any.
     */
    private static void refuseOtherTraffic(ServiceSpec service, String canary, String baseline) {
        for (String version : service.versionNames()) {
            int bps = service.weights().of(version);
            if (bps > 0 && !version.equals(canary) && !version.equals(baseline)) {
                throw new ApiException(409, "version " + version + " has " + Weights.percent(bps) + "% of "
                        + service.name() + "'s traffic; a rollout moves traffic between its canary " + canary
                        + " and its baseline " + baseline + " only: move " + version + "'s traffic first",
                        "weights." + version);
            }
        }
    }

    /** The default baseline: the version with the most traffic that is not the canary. */
    private static String heaviestOtherThan(ServiceSpec service, String canary) {
        String best = null;
        int bestBps = -1;
        for (String version : service.versionNames()) {
            int bps = service.weights().of(version);
            if (!version.equals(canary) && bps > bestBps) {
                best = version;
                bestBps = bps;
            }
        }
        if (best == null) {
            throw ApiException.badRequest("missing (expected: the version the canary replaces)", "baseline");
        }
        return best;
    }

    private static String text(JsonNode body, String field, boolean required) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            if (required) {
                throw ApiException.badRequest("missing (expected: a version name)", field);
            }
            return null;
        }
        if (!node.isTextual() || node.asText().isEmpty()) {
            throw ApiException.badRequest(node + " (expected: a non-empty string)", field);
        }
        return node.asText();
    }

    private ApiResponse rolloutResponse(RuntimeView view, String name, int status) {
        JsonNode state = view.rollouts().get(name);
        if (state == null) {
            throw ApiException.notFound("rollout of " + name);
        }
        long revision = RolloutRevisions.of(state);
        return ApiResponse.json(mapper, status, RolloutJson.render(state, revision), revision);
    }
}
