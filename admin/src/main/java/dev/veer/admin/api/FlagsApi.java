package dev.veer.admin.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.veer.admin.control.ControlPlane;
import dev.veer.admin.control.ControlPlane.Committed;
import dev.veer.admin.control.RuntimeView;
import dev.veer.admin.http.ApiException;
import dev.veer.admin.http.ApiRequest;
import dev.veer.admin.http.ApiResponse;
import dev.veer.admin.http.Router;
import dev.veer.config.ConfigException;
import dev.veer.config.ModelJson;
import dev.veer.config.model.FlagSpec;
import dev.veer.config.model.RouteMatch;
import dev.veer.config.model.RouteSpec;
import dev.veer.config.model.ServiceSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Feature flags: list, get, create or replace, delete. Changes reach the proxy like any other change. */
public final class FlagsApi {

    private final ControlPlane control;
    private final ObjectMapper mapper;

    public FlagsApi(ControlPlane control, ObjectMapper mapper) {
        this.control = control;
        this.mapper = mapper;
    }

    public void register(Router router) {
        router.add("GET", "/api/v1/flags", Router.Access.API, this::list)
                .add("GET", "/api/v1/flags/{name}", Router.Access.API, this::get)
                .add("PUT", "/api/v1/flags/{name}", Router.Access.API, this::put)
                .add("DELETE", "/api/v1/flags/{name}", Router.Access.API, this::delete);
    }

    private CompletableFuture<ApiResponse> list(ApiRequest request) {
        RuntimeView view = control.view();
        ObjectNode body = mapper.createObjectNode();
        body.put("revision", view.revision());
        var flags = body.putArray("flags");
        for (FlagSpec flag : view.flags()) {
            flags.add(render(view, flag));
        }
        return CompletableFuture.completedFuture(ApiResponse.json(mapper, 200, body, view.revision()));
    }

    private CompletableFuture<ApiResponse> get(ApiRequest request) {
        RuntimeView view = control.view();
        FlagSpec flag = existing(view, request.param("name"));
        return CompletableFuture.completedFuture(flagResponse(view, flag.name()));
    }

    private CompletableFuture<ApiResponse> put(ApiRequest request) {
        String name = request.param("name");
        JsonNode body = request.jsonObject();
        String reason = request.reason(body);
        FlagSpec flag;
        try {
            flag = ModelJson.parseFlag(name, ApiRequest.withoutReason(body), "");
        } catch (ConfigException e) {
            throw ApiException.invalid(e);
        }
        JsonNode rendered = ModelJson.render(flag);
        return control.submit(request.actor(), change -> {
            FlagSpec old = change.before().flag(name);
            checkIfMatch(request, change.before(), old, name);
            request.checkIfNoneMatch(old != null, change.before().flagRevision(name), "flag " + name);
            // A route naming a variant the new flag lacks would stop matching without a word, as a config file
            // with that route and flag is refused by veer check: refused here too, as deleting a routed flag is.
            for (ServiceSpec service : routedServices(change.before())) {
                for (RouteSpec route : service.routes()) {
                    if (route.match() instanceof RouteMatch.Flag f && f.name().equals(name) && f.variant() != null
                            && flag.variants().stream().noneMatch(v -> v.name().equals(f.variant()))) {
                        throw new ApiException(409, "flag " + name + ": variant " + f.variant()
                                + " is used by a route of service " + service.name()
                                + "; keep the variant or change the config first", "variants");
                    }
                }
            }
            change.updateFlags(name, s -> s.withFlagPut(name, rendered));
            change.audit("flag.set", "flag:" + name, old == null ? null : ModelJson.render(old), rendered, reason);
            return (Committed<ApiResponse>) after -> flagResponse(after, name);
        });
    }

    private CompletableFuture<ApiResponse> delete(ApiRequest request) {
        String name = request.param("name");
        String reason = request.reason(null);
        return control.submit(request.actor(), change -> {
            FlagSpec old = existing(change.before(), name);
            checkIfMatch(request, change.before(), old, name);
            // The file's routes too: a route to a version deleted at run time is out of force, not gone, and comes
            // back with the version; it must not come back naming a flag deleted meanwhile.
            for (ServiceSpec service : routedServices(change.before())) {
                for (RouteSpec route : service.routes()) {
                    if (route.match() instanceof RouteMatch.Flag f && f.name().equals(name)) {
                        throw ApiException.conflict("flag " + name + " is used by a route of service "
                                + service.name() + "; change the config first");
                    }
                }
            }
            boolean inFile = change.before().config().flags().stream().anyMatch(f -> f.name().equals(name));
            change.updateFlags(name, s -> s.withFlagDeleted(name, inFile));
            change.audit("flag.delete", "flag:" + name, ModelJson.render(old), null, reason);
            // A deleted flag has no revision of its own any more: the 204 names the state revision that holds the delete.
            return (Committed<ApiResponse>) after -> ApiResponse.noContent(after.revision());
        });
    }

    /**
     * The services whose routes may name a flag: those in force and the file's, since a route to a version deleted at
     * run time is out of force, not gone, and comes back with the version.
     */
    private static List<ServiceSpec> routedServices(RuntimeView view) {
        List<ServiceSpec> routed = new ArrayList<>(view.services());
        routed.addAll(view.config().services());
        return routed;
    }

    /** If-Match on a flag that does not exist never matches, "*" included (RFC 9110 13.1.1). */
    private static void checkIfMatch(ApiRequest request, RuntimeView view, FlagSpec current, String name) {
        if (current == null) {
            if (request.hasIfMatch()) {
                throw new ApiException(412, "flag " + name + " does not exist, If-Match cannot match");
            }
            return;
        }
        request.checkIfMatch(view.flagRevision(name));
    }

    private static FlagSpec existing(RuntimeView view, String name) {
        FlagSpec flag = view.flag(name);
        if (flag == null) {
            throw ApiException.notFound("flag " + name);
        }
        return flag;
    }

    private ObjectNode render(RuntimeView view, FlagSpec flag) {
        ObjectNode node = ModelJson.render(flag);
        node.put("revision", view.flagRevision(flag.name()));
        return node;
    }

    private ApiResponse flagResponse(RuntimeView view, String name) {
        FlagSpec flag = existing(view, name);
        return ApiResponse.json(mapper, 200, render(view, flag), view.flagRevision(name));
    }
}
