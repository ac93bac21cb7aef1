package dev.veer.admin.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.veer.admin.control.RuntimeView;
import dev.veer.admin.rollout.RolloutJson;
import dev.veer.config.ModelJson;
import dev.veer.config.model.HostPort;
import dev.veer.config.model.ServiceSpec;
import dev.veer.config.model.VersionSpec;

/** The service resource: {@code {"name","revision","weights","versions":[{"name","endpoints":[...]}],...}}. */
final class ServiceJson {

    private ServiceJson() {
    }

    static ObjectNode render(ObjectMapper mapper, RuntimeView view, ServiceSpec service, EndpointHealth health) {
        ObjectNode node = mapper.createObjectNode();
        node.put("name", service.name());
        node.put("revision", view.serviceRevision(service.name()));
        node.set("weights", ModelJson.renderWeights(service.weights()));
        ArrayNode versions = node.putArray("versions");
        for (VersionSpec version : service.versions()) {
            ObjectNode v = versions.addObject();
            v.put("name", version.name());
            v.set("weight", mapper.valueToTree(service.weights().asPercent().get(version.name())));
            ArrayNode endpoints = v.putArray("endpoints");
            for (HostPort endpoint : version.endpoints()) {
                ObjectNode e = endpoints.addObject();
                e.put("address", endpoint.toString());
                e.put("healthy", health.healthy(service.name(), version.name(), endpoint));
            }
        }
        ObjectNode config = ModelJson.render(service);
        copy(config, node, "match");
        node.set("sticky", config.has("sticky") ? config.get("sticky") : mapper.nullNode());
        node.set("routes", config.has("routes") ? config.get("routes") : mapper.createArrayNode());
        String preview = view.previews().get(service.name());
        node.put("preview", preview);
        JsonNode rollout = view.rollouts().get(service.name());
        if (rollout != null) {
            // A summary; GET .../rollout has the plan and every verdict.
            node.set("rollout", RolloutJson.serviceSummary(rollout));
        }
        return node;
    }

    private static void copy(ObjectNode from, ObjectNode to, String field) {
        if (from.has(field)) {
            to.set(field, from.get(field));
        }
    }
}
