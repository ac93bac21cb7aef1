package dev.veer.config.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.veer.config.model.HostPort;
import dev.veer.config.model.VersionSpec;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** One version: {@code {name: blue, endpoints: ["127.0.0.1:9001"]}}; at least one endpoint, no duplicates. */
public final class VersionSection {

    static final String[] KEYS = {"name", "endpoints"};

    private VersionSection() {
    }

    /** Not a version name: the admin API's weights body uses it for the audit reason. */
    private static final String RESERVED = "reason";

    /**
     * @param name the version's name when it is known from elsewhere (an API path), else null to read it from
     *             the {@code name} key
     */
    public static VersionSpec read(String name, JsonNode node, String path, Problems problems) {
        Fields f = Fields.of(node, path, problems).allow(KEYS);
        if (f.noMapping()) {
            return null;
        }
        String versionName = Names.fromPathOrBody(name, f, problems);
        if (RESERVED.equals(versionName)) {
            // A weights body ({"blue":90,"green":10,"reason":"..."}) could never give such a version a weight.
            problems.add(name == null ? f.path("name") : path, "'" + versionName + "' is reserved (expected: another"
                    + " version name; \"reason\" in a weights body says why the weights change)");
            versionName = null;
        }
        List<HostPort> endpoints = endpoints(f, problems);
        return versionName == null ? null : new VersionSpec(versionName, endpoints);
    }

    private static List<HostPort> endpoints(Fields f, Problems problems) {
        String path = f.path("endpoints");
        if (!f.has("endpoints")) {
            problems.add(path, "missing (expected: at least one host:port)");
            return List.of();
        }
        List<JsonNode> items = f.list("endpoints");
        if (items.isEmpty() && f.get("endpoints").isArray()) {
            problems.add(path, "empty (expected: at least one host:port)");
        }
        List<HostPort> out = new ArrayList<>();
        Set<HostPort> seen = new HashSet<>();
        for (int i = 0; i < items.size(); i++) {
            String itemPath = Paths.index(path, i);
            HostPort endpoint = Scalars.hostPort(items.get(i), itemPath, problems, 1, null);
            if (endpoint == null) {
                continue;
            }
            if (!seen.add(endpoint)) {
                problems.add(itemPath, "'" + endpoint + "' duplicate (expected: each endpoint once)");
                continue;
            }
            out.add(endpoint);
        }
        return out;
    }
}
