package dev.veer.admin.state;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The persisted runtime layer: what the API and the analyzer changed on top of the config file.
 * On start the config gives the topology and this document is laid over it.
 *
 * @param revision global revision (bumped by every change that bumps a service, flag or rollout revision, and by a
 *                 reload; an analysis verdict alone does not bump it)
 * @param services per service name, its runtime changes
 * @param flags    flag changes made through the API
 * @param rollouts per service name, the analyzer's rollout state (plain JSON of RolloutState) plus the rollout
 *                 resource's {@code "revision"} (see {@link dev.veer.admin.control.RolloutRevisions})
 */
public record StateDoc(long revision, Map<String, ServiceState> services, FlagState flags,
                       Map<String, JsonNode> rollouts) {

    public StateDoc {
        services = services == null ? Map.of() : Map.copyOf(services);
        rollouts = rollouts == null ? Map.of() : Map.copyOf(rollouts);
    }

    /**
     * @param revision     the service's revision
     * @param baseVersions version names the config file had when these changes were made; a change that refers
     *                     to a version the file has since removed is dropped
     * @param weightsBps   weights set at runtime (basis points), or null when the file's weights apply
     * @param putVersions  versions added or replaced at runtime: name to endpoints ("host:port")
     * @param deletedVersions versions deleted at runtime
     * @param preview      version served to requests with {@code x-veer-preview: <version>}, or null
     */
    public record ServiceState(long revision, List<String> baseVersions, Map<String, Integer> weightsBps,
                               Map<String, List<String>> putVersions, List<String> deletedVersions,
                               String preview) {
        public ServiceState {
            baseVersions = baseVersions == null ? List.of() : List.copyOf(baseVersions);
            putVersions = putVersions == null ? Map.of() : java.util.Collections.unmodifiableMap(
                    new java.util.LinkedHashMap<>(putVersions));
            deletedVersions = deletedVersions == null ? List.of() : List.copyOf(deletedVersions);
            weightsBps = weightsBps == null ? null : java.util.Collections.unmodifiableMap(
                    new java.util.LinkedHashMap<>(weightsBps));
        }

        /**
         * Whether it holds a runtime change (weights, a version put or deleted, a preview). One that does not is
         * kept only for the service's revision, and dropping it drops nothing.
         */
        public boolean changesAnything() {
            return weightsBps != null || !putVersions.isEmpty() || !deletedVersions.isEmpty() || preview != null;
        }

        /** A service nothing was changed on yet at runtime, based on the file's versions. */
        public static ServiceState untouched(long revision, List<String> baseVersions) {
            return new ServiceState(revision, baseVersions, null, Map.of(), List.of(), null);
        }

        public ServiceState withRevision(long newRevision) {
            return new ServiceState(newRevision, baseVersions, weightsBps, putVersions, deletedVersions, preview);
        }

        /** @param bps the runtime weights in basis points */
        public ServiceState withWeights(Map<String, Integer> bps) {
            return new ServiceState(revision, baseVersions, bps, putVersions, deletedVersions, preview);
        }

        /** @param version the preview version, or null to clear it */
        public ServiceState withPreview(String version) {
            return new ServiceState(revision, baseVersions, weightsBps, putVersions, deletedVersions, version);
        }

        /** The version added or replaced with {@code endpoints}; a runtime delete of it is undone. */
        public ServiceState withVersionPut(String version, List<String> endpoints) {
            return new ServiceState(revision, baseVersions, weightsBps, plus(putVersions, version, endpoints),
                    minus(deletedVersions, version), preview);
        }

        /**
         * The version deleted: its runtime endpoints and runtime weight go. Only a version of the config file needs
         * to be remembered as deleted ({@code inFile}); one added at runtime is gone once its put is.
         */
        public ServiceState withVersionDeleted(String version, boolean inFile) {
            return new ServiceState(revision, baseVersions, weightsBps == null ? null : minus(weightsBps, version),
                    minus(putVersions, version), inFile ? plus(deletedVersions, version) : deletedVersions, preview);
        }
    }

    /**
     * @param baseFlags flag names the config file had when these changes were made
     * @param put       flags created or replaced at runtime (rendered like the config file)
     * @param deleted   flags deleted at runtime
     * @param revisions per flag name, its revision
     */
    public record FlagState(List<String> baseFlags, Map<String, JsonNode> put, List<String> deleted,
                            Map<String, Long> revisions) {
        public FlagState {
            baseFlags = baseFlags == null ? List.of() : List.copyOf(baseFlags);
            put = put == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(put));
            deleted = deleted == null ? List.of() : List.copyOf(deleted);
            revisions = revisions == null ? Map.of() : java.util.Collections.unmodifiableMap(
                    new java.util.LinkedHashMap<>(revisions));
        }

        /** No flag was changed at runtime yet; {@code baseFlags} are the file's flag names. */
        public static FlagState untouched(List<String> baseFlags) {
            return new FlagState(baseFlags, Map.of(), List.of(), Map.of());
        }

        /** The flag created or replaced at runtime as {@code rendered}; a runtime delete of it is undone. */
        public FlagState withFlagPut(String name, JsonNode rendered) {
            return new FlagState(baseFlags, plus(put, name, rendered), minus(deleted, name), revisions);
        }

        /**
         * The flag deleted: its runtime definition goes. Only a flag of the config file needs to be remembered as
         * deleted ({@code inFile}); one created at runtime is gone once its put is.
         */
        public FlagState withFlagDeleted(String name, boolean inFile) {
            return new FlagState(baseFlags, minus(put, name), inFile ? plus(deleted, name) : deleted, revisions);
        }

        public FlagState withRevisions(Map<String, Long> newRevisions) {
            return new FlagState(baseFlags, put, deleted, newRevisions);
        }
    }

    // Copy-on-write edits for the withers; the records' constructors make the copies unmodifiable.

    private static <V> Map<String, V> plus(Map<String, V> map, String key, V value) {
        Map<String, V> copy = new LinkedHashMap<>(map);
        copy.put(key, value);
        return copy;
    }

    private static <V> Map<String, V> minus(Map<String, V> map, String key) {
        Map<String, V> copy = new LinkedHashMap<>(map);
        copy.remove(key);
        return copy;
    }

    /** {@code list} with {@code item} at the end unless it is there already. */
    private static List<String> plus(List<String> list, String item) {
        if (list.contains(item)) {
            return list;
        }
        List<String> copy = new ArrayList<>(list);
        copy.add(item);
        return copy;
    }

    private static List<String> minus(List<String> list, String item) {
        List<String> copy = new ArrayList<>(list);
        copy.remove(item);
        return copy;
    }

    /** Nothing changed at runtime yet. */
    public static StateDoc empty() {
        return new StateDoc(0, Map.of(), null, Map.of());
    }
}
