package dev.veer.config.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A service: how requests are matched to it, its versions, the split between them and the rules
 * that override the split. Nullable: sticky, healthCheck, rollout.
 */
public record ServiceSpec(String name, MatchSpec match, List<VersionSpec> versions, Weights weights,
                          StickySpec sticky, List<RouteSpec> routes, HealthCheckSpec healthCheck,
                          OutlierDetectionSpec outlierDetection, RetrySpec retry, RolloutSpec rollout) {

    public ServiceSpec {
        versions = List.copyOf(versions);
        routes = List.copyOf(routes);
    }

    public VersionSpec version(String versionName) {
        for (VersionSpec v : versions) {
            if (v.name().equals(versionName)) {
                return v;
            }
        }
        return null;
    }

    public List<String> versionNames() {
        return versions.stream().map(VersionSpec::name).toList();
    }

    public ServiceSpec withWeights(Weights newWeights) {
        return new ServiceSpec(name, match, versions, newWeights, sticky, routes, healthCheck, outlierDetection, retry,
                rollout);
    }

    public ServiceSpec withRoutes(List<RouteSpec> newRoutes) {
        return new ServiceSpec(name, match, versions, weights, sticky, newRoutes, healthCheck, outlierDetection, retry,
                rollout);
    }

    /** Adds the version (weight 0) or replaces its endpoints in place, keeping weights. */
    public ServiceSpec withVersion(VersionSpec version) {
        List<VersionSpec> newVersions = new ArrayList<>(versions);
        Map<String, Integer> bps = new LinkedHashMap<>(weights.basisPoints());
        int at = newVersions.indexOf(version(version.name()));
        if (at >= 0) {
            newVersions.set(at, version);
        } else {
            newVersions.add(version);
            bps.put(version.name(), 0);
        }
        return new ServiceSpec(name, match, newVersions, new Weights(bps), sticky, routes, healthCheck,
                outlierDetection, retry, rollout);
    }

    /** Removes a version (the caller checks its weight is 0) and any route that targets it. */
    public ServiceSpec withoutVersion(String versionName) {
        List<VersionSpec> newVersions = versions.stream().filter(v -> !v.name().equals(versionName)).toList();
        Map<String, Integer> bps = new LinkedHashMap<>(weights.basisPoints());
        bps.remove(versionName);
        List<RouteSpec> newRoutes = routes.stream().filter(r -> !r.version().equals(versionName)).toList();
        return new ServiceSpec(name, match, newVersions, new Weights(bps), sticky, newRoutes, healthCheck,
                outlierDetection, retry, rollout);
    }
}
