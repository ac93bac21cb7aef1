package dev.veer.admin.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.veer.admin.state.StateDoc;
import dev.veer.admin.state.StateDoc.FlagState;
import dev.veer.admin.state.StateDoc.ServiceState;
import dev.veer.config.ConfigException;
import dev.veer.config.model.FlagSpec;
import dev.veer.config.model.HostPort;
import dev.veer.config.model.RouteMatch;
import dev.veer.config.model.RouteSpec;
import dev.veer.config.model.ServiceSpec;
import dev.veer.config.model.VeerConfig;
import dev.veer.config.model.VersionSpec;
import dev.veer.config.model.Weights;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Lays the runtime layer ({@link StateDoc}) over a config file. The same code runs at start-up, after every
 * change and on reload, so a restart rebuilds exactly what was in force.
 *
 * <p>Runtime changes win over the file, except where the file no longer has what they refer to: a service gone
 * from the file drops its changes; a version the file removed (it was in the file when the change was made, see
 * {@link ServiceState#baseVersions()}) drops runtime endpoints for it and runtime weights that send it traffic;
 * likewise for flags. Everything dropped is reported so the caller can log and audit it. A rollout whose canary or
 * baseline is gone is dropped; one that only lost a version at weight 0 loses it from its versions and weights.
 */
public final class Overlay {

    /** Header that routes a request to a service's preview version (blue-green preview). */
    public static final String PREVIEW_HEADER = "x-veer-preview";

    /** Turns a stored flag back into a FlagSpec (ModelJson.parseFlag in production). */
    @FunctionalInterface
    public interface FlagParser {
        FlagSpec parse(String name, JsonNode node) throws ConfigException;
    }

    /** A runtime change that no longer fits the config, and why. */
    public record Dropped(String target, String message) {
    }

    /**
     * @param doc the normalized runtime layer: what {@code view} is built from, with dropped entries removed and
     *            the bases updated to this config
     */
    public record Result(RuntimeView view, StateDoc doc, List<Dropped> dropped) {
    }

    private Overlay() {
    }

    public static Result apply(VeerConfig config, StateDoc doc, FlagParser flagParser) {
        List<Dropped> dropped = new ArrayList<>();
        List<ServiceSpec> services = new ArrayList<>();
        Map<String, ServiceState> serviceStates = new LinkedHashMap<>();
        Map<String, Long> serviceRevisions = new LinkedHashMap<>();
        Map<String, String> previews = new LinkedHashMap<>();
        doc.services().forEach((name, state) -> {
            // An entry without runtime changes only carries the revision: nothing of it is lost.
            if (config.service(name) == null && state.changesAnything()) {
                dropped.add(new Dropped(name, "service " + name + " is no longer in the config; its runtime changes"
                        + " were dropped"));
            }
        });
        for (ServiceSpec fileSpec : config.services()) {
            ServiceState state = doc.services().get(fileSpec.name());
            if (state == null) {
                services.add(fileSpec);
                continue;
            }
            ServiceOutcome outcome = applyService(fileSpec, state, dropped);
            services.add(outcome.spec);
            serviceStates.put(fileSpec.name(), outcome.state);
            serviceRevisions.put(fileSpec.name(), outcome.state.revision());
            if (outcome.state.preview() != null) {
                previews.put(fileSpec.name(), outcome.state.preview());
            }
        }

        Map<String, JsonNode> rollouts = new LinkedHashMap<>();
        doc.rollouts().forEach((service, rollout) -> {
            ServiceSpec spec = services.stream().filter(s -> s.name().equals(service)).findFirst().orElse(null);
            if (spec == null) {
                dropped.add(new Dropped(service, "rollout of " + service + " dropped: the service is no longer in the"
                        + " config"));
            } else if (spec.version(rollout.path("canary").asText()) == null
                    || spec.version(rollout.path("baseline").asText()) == null) {
                dropped.add(new Dropped(service, "rollout of " + service + " dropped: its canary "
                        + rollout.path("canary").asText() + " or baseline " + rollout.path("baseline").asText()
                        + " is no longer a version"));
            } else {
                rollouts.put(service, fitRollout(rollout, spec.versionNames()));
            }
        });

        FlagOutcome flags = applyFlags(config, doc.flags(), flagParser, dropped);
        StateDoc normalized = new StateDoc(doc.revision(), serviceStates, flags.state, rollouts);
        RuntimeView view = new RuntimeView(config, Math.max(1, doc.revision()), services, serviceRevisions,
                flags.flags, flags.state.revisions(), previews, rollouts);
        return new Result(view, normalized, dropped);
    }

    private record ServiceOutcome(ServiceSpec spec, ServiceState state) {
    }

    /** An endpoint as the API takes one: host:port, port 1 or more. */
    private static HostPort endpoint(String text) {
        return HostPort.parse(text, 1);
    }

    private static boolean parseable(List<String> endpoints) {
        try {
            endpoints.forEach(Overlay::endpoint);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static ServiceOutcome applyService(ServiceSpec fileSpec, ServiceState state, List<Dropped> dropped) {
        String svc = fileSpec.name();
        Set<String> fileVersions = new LinkedHashSet<>(fileSpec.versionNames());
        Set<String> removedByFile = new HashSet<>(nullToEmpty(state.baseVersions()));
        removedByFile.removeAll(fileVersions);

        Map<String, List<String>> puts = new LinkedHashMap<>();
        if (state.putVersions() != null) {
            state.putVersions().forEach((version, endpoints) -> {
                if (removedByFile.contains(version)) {
                    dropped.add(new Dropped(svc, "runtime endpoints of " + svc + "/" + version
                            + " dropped: the config removed that version"));
                } else if (!parseable(endpoints)) {
                    // Accepted by an older Veer that checked addresses less: dropped, not a refusal to start.
                    dropped.add(new Dropped(svc, "runtime endpoints of " + svc + "/" + version + " " + endpoints
                            + " dropped: not all are host:port addresses this Veer accepts"));
                } else {
                    puts.put(version, endpoints);
                }
            });
        }
        List<String> deletes = new ArrayList<>();
        for (String version : nullToEmpty(state.deletedVersions())) {
            if (fileVersions.contains(version) && !puts.containsKey(version)) {
                deletes.add(version);
            }
        }

        ServiceSpec spec = fileSpec;
        for (Map.Entry<String, List<String>> put : puts.entrySet()) {
            spec = spec.withVersion(new VersionSpec(put.getKey(), put.getValue().stream().map(Overlay::endpoint).toList()));
        }
        for (String version : deletes) {
            spec = spec.withoutVersion(version);
        }

        Map<String, Integer> weightsBps = state.weightsBps();
        if (weightsBps != null) {
            Weights runtime = fitWeights(weightsBps, spec.versionNames());
            if (runtime == null) {
                dropped.add(new Dropped(svc, "runtime weights of " + svc + " " + asPercent(weightsBps)
                        + " dropped: they send traffic to a version the config no longer has; the file's weights apply"));
                weightsBps = null;
            } else {
                spec = spec.withWeights(runtime);
                weightsBps = runtime.basisPoints();
            }
        }
        if (weightsBps == null) {
            // The file's weights apply; a runtime delete of a version they send traffic to must yield.
            for (String version : List.copyOf(deletes)) {
                if (fileSpec.weights().of(version) > 0) {
                    dropped.add(new Dropped(svc, "runtime delete of " + svc + "/" + version
                            + " undone: the config's weights send it traffic"));
                    deletes.remove(version);
                    spec = spec.withVersion(fileSpec.version(version));
                }
            }
            spec = spec.withWeights(fitWeights(fileSpec.weights().basisPoints(), spec.versionNames()));
        }

        String preview = state.preview();
        if (preview != null && spec.version(preview) == null) {
            dropped.add(new Dropped(svc, "preview of " + svc + "/" + preview + " dropped: no such version"));
            preview = null;
        }
        if (preview != null) {
            List<RouteSpec> routes = new ArrayList<>();
            routes.add(new RouteSpec(new RouteMatch.Header(PREVIEW_HEADER, preview), preview));
            routes.addAll(spec.routes());
            spec = spec.withRoutes(routes);
        }
        ServiceState normalized = new ServiceState(state.revision(), List.copyOf(fileVersions),
                state.weightsBps() == null ? null : weightsBps, puts, deletes, preview);
        return new ServiceOutcome(spec, normalized);
    }

    /**
     * The weights restricted to {@code versions} in their order (missing ones at 0), or null when a version
     * outside the list has weight or the sum is not the total.
     */
    static Weights fitWeights(Map<String, Integer> bps, List<String> versions) {
        int sum = 0;
        for (Map.Entry<String, Integer> e : bps.entrySet()) {
            if (e.getValue() > 0 && !versions.contains(e.getKey())) {
                return null;
            }
            sum += Math.max(0, e.getValue());
        }
        if (sum != Weights.TOTAL) {
            return null;
        }
        Map<String, Integer> ordered = new LinkedHashMap<>();
        for (String v : versions) {
            ordered.put(v, bps.getOrDefault(v, 0));
        }
        return new Weights(ordered);
    }

    /**
     * The rollout with only {@code versions} in its versions and weights: the engine lists every version the service
     * had when the rollout started, and one taken away since (by a reload or a delete, at weight 0: a running
     * rollout's canary and baseline cannot go) is no longer part of the split it drives. The same node when it names
     * no other version.
     */
    static JsonNode fitRollout(JsonNode rollout, List<String> versions) {
        Set<String> gone = new LinkedHashSet<>();
        rollout.path("versions").forEach(v -> gone.add(v.asText()));
        rollout.path("weightsBps").fieldNames().forEachRemaining(gone::add);
        gone.removeAll(versions);
        if (gone.isEmpty()) {
            return rollout;
        }
        ObjectNode fitted = ((ObjectNode) rollout).deepCopy();
        ArrayNode kept = fitted.putArray("versions");
        rollout.path("versions").forEach(v -> {
            if (!gone.contains(v.asText())) {
                kept.add(v);
            }
        });
        if (fitted.get("weightsBps") instanceof ObjectNode weights) {
            weights.remove(gone);
        }
        return fitted;
    }

    private record FlagOutcome(List<FlagSpec> flags, FlagState state) {
    }

    private static FlagOutcome applyFlags(VeerConfig config, FlagState state, FlagParser parser,
                                          List<Dropped> dropped) {
        Set<String> fileFlags = new LinkedHashSet<>();
        config.flags().forEach(f -> fileFlags.add(f.name()));
        if (state == null) {
            return new FlagOutcome(config.flags(), FlagState.untouched(List.copyOf(fileFlags)));
        }
        Set<String> removedByFile = new HashSet<>(nullToEmpty(state.baseFlags()));
        removedByFile.removeAll(fileFlags);

        Map<String, FlagSpec> flags = new LinkedHashMap<>();
        config.flags().forEach(f -> flags.put(f.name(), f));
        List<String> deletes = new ArrayList<>();
        for (String name : nullToEmpty(state.deleted())) {
            if (flags.remove(name) != null) {
                deletes.add(name);
            }
        }
        Map<String, JsonNode> puts = new LinkedHashMap<>();
        if (state.put() != null) {
            state.put().forEach((name, node) -> {
                if (removedByFile.contains(name)) {
                    dropped.add(new Dropped("flag:" + name, "runtime change of flag " + name
                            + " dropped: the config removed that flag"));
                    return;
                }
                try {
                    flags.put(name, parser.parse(name, node));
                    puts.put(name, node);
                } catch (ConfigException e) {
                    dropped.add(new Dropped("flag:" + name, "runtime flag " + name + " dropped: " + e.getMessage()));
                }
            });
        }
        // Every flag's revision is kept, a deleted one's too (a few bytes a name): a flag created again counts on from
        // it, so an If-Match read from the flag that was deleted cannot match the new one.
        Map<String, Long> revisions = state.revisions() == null ? new LinkedHashMap<>()
                : new LinkedHashMap<>(state.revisions());
        return new FlagOutcome(List.copyOf(flags.values()),
                new FlagState(List.copyOf(fileFlags), puts, deletes, revisions));
    }

    /** {blue=7500, green=2500} as the API and the operator write it: {"blue":75,"green":25}. */
    private static String asPercent(Map<String, Integer> weightsBps) {
        StringBuilder out = new StringBuilder("{");
        weightsBps.forEach((version, bps) -> out.append(out.length() > 1 ? "," : "").append('"').append(version)
                .append("\":").append(Weights.percent(bps)));
        return out.append('}').toString();
    }

    private static <T> List<T> nullToEmpty(List<T> list) {
        return list == null ? List.of() : list;
    }
}
