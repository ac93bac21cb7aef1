package dev.veer.admin.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.veer.admin.control.Change;
import dev.veer.admin.control.ControlPlane;
import dev.veer.admin.control.ControlPlane.Committed;
import dev.veer.admin.control.RuntimeView;
import dev.veer.admin.control.VersionReplaced;
import dev.veer.admin.rollout.Rollouts;
import dev.veer.admin.http.ApiException;
import dev.veer.admin.http.ApiRequest;
import dev.veer.admin.http.ApiResponse;
import dev.veer.admin.http.Router;
import dev.veer.config.ConfigException;
import dev.veer.config.ModelJson;
import dev.veer.config.model.HostPort;
import dev.veer.config.model.ServiceSpec;
import dev.veer.config.model.VersionSpec;
import dev.veer.config.model.Weights;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Services: list, get, weights, blue-green switch, add/replace/delete a version. */
public final class ServicesApi {

    private final ControlPlane control;
    private final EndpointHealth health;
    private final ObjectMapper mapper;
    private final VersionReplaced versionReplaced;

    public ServicesApi(ControlPlane control, EndpointHealth health, ObjectMapper mapper) {
        this(control, health, mapper, VersionReplaced.NONE);
    }

    public ServicesApi(ControlPlane control, EndpointHealth health, ObjectMapper mapper,
                       VersionReplaced versionReplaced) {
        this.control = control;
        this.health = health;
        this.mapper = mapper;
        this.versionReplaced = versionReplaced;
    }

    public void register(Router router) {
        String svc = "/api/v1/services/{svc}";
        router.add("GET", "/api/v1/services", Router.Access.API, this::list)
                .add("GET", svc, Router.Access.API, this::get)
                .add("PUT", svc + "/weights", Router.Access.API, this::setWeights)
                .add("POST", svc + "/switch", Router.Access.API, this::switchTo)
                .add("PUT", svc + "/versions/{ver}", Router.Access.API, this::putVersion)
                .add("DELETE", svc + "/versions/{ver}", Router.Access.API, this::deleteVersion);
    }

    private CompletableFuture<ApiResponse> list(ApiRequest request) {
        RuntimeView view = control.view();
        ObjectNode body = mapper.createObjectNode();
        body.put("revision", view.revision());
        var services = body.putArray("services");
        for (ServiceSpec s : view.services()) {
            services.add(ServiceJson.render(mapper, view, s, health));
        }
        return CompletableFuture.completedFuture(ApiResponse.json(mapper, 200, body, view.revision()));
    }

    private CompletableFuture<ApiResponse> get(ApiRequest request) {
        RuntimeView view = control.view();
        ServiceSpec service = existing(view, request.param("svc"));
        return CompletableFuture.completedFuture(serviceResponse(view, service.name(), 200));
    }

    private CompletableFuture<ApiResponse> setWeights(ApiRequest request) {
        String name = request.param("svc");
        JsonNode body = request.jsonObject();
        String reason = request.reason(body);
        return control.submit(request.actor(), change -> {
            ServiceSpec service = checkedForChange(change, request, name);
            refuseDuringRollout(change.before(), name, "set weights");
            Weights weights;
            try {
                weights = ModelJson.parseWeights(ApiRequest.withoutReason(body), service, "weights");
            } catch (ConfigException e) {
                throw ApiException.invalid(e);
            }
            return applyWeights(change, service, weights, "weights.set", reason);
        });
    }

    private CompletableFuture<ApiResponse> switchTo(ApiRequest request) {
        String name = request.param("svc");
        JsonNode body = request.jsonObjectOf("to");
        String reason = request.reason(body);
        JsonNode to = body.get("to");
        if (to == null || to.isNull()) {
            throw ApiException.badRequest("missing (expected: the version to send all traffic to)", "to");
        }
        if (!to.isTextual() || to.asText().isEmpty()) {
            throw ApiException.badRequest(to + " (expected: the name of the version to send all traffic to)", "to");
        }
        String version = to.asText();
        return control.submit(request.actor(), change -> {
            ServiceSpec service = checkedForChange(change, request, name);
            refuseDuringRollout(change.before(), name, "switch");
            if (service.version(version) == null) {
                throw ApiException.badRequest("'" + version + "' is not a version of " + name + " (expected one of "
                        + service.versionNames() + ")", "to");
            }
            Weights weights = Weights.allTo(version, service.versionNames());
            return applyWeights(change, service, weights, "service.switch", reason);
        });
    }

    private CompletableFuture<ApiResponse> putVersion(ApiRequest request) {
        String name = request.param("svc");
        String versionName = request.param("ver");
        JsonNode body = request.jsonObject();
        String reason = request.reason(body);
        return control.submit(request.actor(), change -> {
            ServiceSpec service = checkedForChange(change, request, name);
            VersionSpec version;
            try {
                version = ModelJson.parseVersion(versionName, ApiRequest.withoutReason(body), "");
            } catch (ConfigException e) {
                throw ApiException.invalid(e);
            }
            HostPort listen = change.before().config().proxy().listen();
            for (int i = 0; i < version.endpoints().size(); i++) {
                if (version.endpoints().get(i).reaches(listen)) {
                    throw ApiException.badRequest(version.endpoints().get(i).loopError(listen),
                            "endpoints[" + i + "]");
                }
            }
            VersionSpec old = service.version(versionName);
            // A version has no revision of its own: a listed tag names the service's, as If-Match's does.
            request.checkIfNoneMatch(old != null, change.before().serviceRevision(name),
                    "version " + name + "/" + versionName);
            List<String> endpoints = version.endpoints().stream().map(HostPort::toString).toList();
            change.updateService(name, s -> s.withVersionPut(versionName, endpoints));
            change.audit(old == null ? "version.add" : "version.replace", name + "/" + versionName,
                    old == null ? null : ModelJson.render(old), ModelJson.render(version), reason);
            if (old != null && VersionReplaced.redeployed(old, version)) {
                versionReplaced.replaced(change, name, versionName, reason);
            }
            return committed(name, 200);
        });
    }

    private CompletableFuture<ApiResponse> deleteVersion(ApiRequest request) {
        String name = request.param("svc");
        String versionName = request.param("ver");
        String reason = request.reason(null);
        return control.submit(request.actor(), change -> {
            // A version that does not exist is 404 whatever If-Match says: a precondition is judged only for a
            // request that would otherwise succeed (RFC 9110 §13.2.1).
            ServiceSpec service = existing(change.before(), name);
            VersionSpec old = service.version(versionName);
            if (old == null) {
                throw ApiException.notFound("version " + name + "/" + versionName);
            }
            request.checkIfMatch(change.before().serviceRevision(name));
            if (service.weights().of(versionName) > 0) {
                throw new ApiException(409, "version " + versionName + " has weight "
                        + Weights.percent(service.weights().of(versionName)) + "; move its traffic away first",
                        "weights." + versionName);
            }
            JsonNode rollout = change.before().rollouts().get(name);
            if (Rollouts.isActive(rollout) && (versionName.equals(rollout.path("canary").asText())
                    || versionName.equals(rollout.path("baseline").asText()))) {
                throw ApiException.conflict("version " + versionName + " is in the running rollout of " + name);
            }
            if (versionName.equals(change.before().previews().get(name))) {
                throw ApiException.conflict("version " + versionName + " is the preview version of " + name);
            }
            boolean inFile = change.before().config().service(name).version(versionName) != null;
            change.updateService(name, s -> s.withVersionDeleted(versionName, inFile));
            change.audit("version.delete", name + "/" + versionName, ModelJson.render(old), null, reason);
            return (Committed<ApiResponse>) after -> ApiResponse.noContent(after.serviceRevision(name));
        });
    }

    // --- helpers shared by the service mutations

    /** The service a change edits: 404 when it does not exist, 412 when If-Match names another of its revisions. */
    static ServiceSpec checkedForChange(Change change, ApiRequest request, String name) {
        ServiceSpec service = existing(change.before(), name);
        request.checkIfMatch(change.before().serviceRevision(name));
        return service;
    }

    static ServiceSpec existing(RuntimeView view, String name) {
        ServiceSpec service = view.service(name);
        if (service == null) {
            throw ApiException.notFound("service " + name);
        }
        return service;
    }

    static void refuseDuringRollout(RuntimeView view, String service, String what) {
        if (Rollouts.isActive(view.rollouts().get(service))) {
            throw ApiException.conflict("cannot " + what + " while a rollout of " + service + " is "
                    + view.rollouts().get(service).path("phase").asText() + "; abort it first");
        }
    }

    /** The new split into {@code change}, audited with the split it replaces; answered with the service. */
    private Committed<ApiResponse> applyWeights(Change change, ServiceSpec service, Weights weights, String action,
                                                String reason) {
        change.updateService(service.name(), s -> s.withWeights(weights.basisPoints()));
        change.audit(action, service.name(), ModelJson.renderWeights(service.weights()),
                ModelJson.renderWeights(weights), reason);
        return committed(service.name(), 200);
    }

    private Committed<ApiResponse> committed(String name, int status) {
        return after -> serviceResponse(after, name, status);
    }

    ApiResponse serviceResponse(RuntimeView view, String name, int status) {
        ServiceSpec service = existing(view, name);
        return ApiResponse.json(mapper, status, ServiceJson.render(mapper, view, service, health),
                view.serviceRevision(name));
    }
}
