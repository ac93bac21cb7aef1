package dev.veer.config.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The layers above the file: {@code VEER_<PATH>} environment variables, then {@code --set key=value} flags,
 * written into the tree before the validating walk. Remembers which key came from where, so an error about
 * an overridden value can say so.
 */
public final class Overrides {

    private static final String ENV_PREFIX = "VEER_";

    /** Scalar settings reachable from the environment, by their key with dots and case removed. */
    private static final Map<String, String> ENV_KEYS = envKeys();

    /** Key path → the variable or flag that set it. */
    private final Map<String, String> origins = new LinkedHashMap<>();

    public Map<String, String> origins() {
        return origins;
    }

    private static Map<String, String> envKeys() {
        Map<String, String> keys = new LinkedHashMap<>();
        for (String key : ProxySection.KEYS) {
            if (!key.equals("limits") && !key.equals("tls")) {
                keys.put(squash("proxy." + key), "proxy." + key);
            }
        }
        for (String key : ProxySection.LIMIT_KEYS) {
            keys.put(squash("proxy.limits." + key), "proxy.limits." + key);
        }
        for (String key : TlsSection.KEYS) {
            keys.put(squash("proxy.tls." + key), "proxy.tls." + key);
        }
        for (String key : AdminSection.KEYS) {
            keys.put(squash("admin." + key), "admin." + key);
        }
        for (String key : StateSection.KEYS) {
            keys.put(squash("state." + key), "state." + key);
        }
        return keys;
    }

    /** {@code proxy.limits.maxHeaderBytes} and {@code PROXY_LIMITS_MAX_HEADER_BYTES} both squash to the same. */
    private static String squash(String key) {
        StringBuilder out = new StringBuilder(key.length());
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c != '.' && c != '_') {
                out.append(Character.toUpperCase(c));
            }
        }
        return out.toString();
    }

    /** The config key a {@code VEER_*} variable sets, or null when it is not a config key (VEER_JAVA_OPTS). */
    public static String envKey(String variable) {
        if (!variable.startsWith(ENV_PREFIX)) {
            return null;
        }
        return ENV_KEYS.get(squash(variable.substring(ENV_PREFIX.length())));
    }

    /** Applies every config variable, in name order so the outcome never depends on map iteration. */
    public void applyEnv(ObjectNode root, Map<String, String> env, Problems problems) {
        for (Map.Entry<String, String> e : new TreeMap<>(env).entrySet()) {
            String key = envKey(e.getKey());
            if (key == null) {
                continue;
            }
            String other = origins.get(key);
            if (other != null) {
                // Both spellings are taken (VEER_PROXY_DRAIN_TIMEOUT, VEER_PROXY_DRAINTIMEOUT); which one won was
                // their name order, something no one would guess.
                problems.add(e.getKey(), "sets the same key as " + other + " (expected: one of them)");
                continue;
            }
            String[] parts = key.split("\\.");
            List<Segment> segments = new ArrayList<>();
            for (String part : parts) {
                segments.add(new Segment(part, -1));
            }
            String label = e.getKey();
            String resolved = put(root, segments, Yaml.scalar(e.getValue()), label, problems);
            if (resolved != null) {
                origins.put(resolved, label);
            }
        }
    }

    public void applySet(ObjectNode root, List<String> flags, Problems problems) {
        for (String flag : flags) {
            int eq = flag.indexOf('=');
            // A secret's value never goes into an error message: it would reach logs and terminals.
            String label = eq > 0 && flag.substring(0, eq).trim().toLowerCase(java.util.Locale.ROOT).endsWith("token")
                    ? "--set " + flag.substring(0, eq + 1) + "(hidden)" : "--set " + flag;
            if (eq <= 0) {
                problems.add(label, "missing '=' (expected: key=value, e.g. proxy.listen=127.0.0.1:8080)");
                continue;
            }
            List<Segment> segments = segments(flag.substring(0, eq).trim());
            if (segments == null) {
                problems.add(label, "'" + flag.substring(0, eq) + "' (expected: a key path like proxy.listen, "
                        + "services[0].weights.blue or services.shop.weights.blue)");
                continue;
            }
            JsonNode value;
            try {
                value = Yaml.value(flag.substring(eq + 1));
            } catch (JsonProcessingException e) {
                problems.add(label, "value is not valid YAML: " + e.getOriginalMessage().lines().findFirst().orElse("")
                        + " (expected: a scalar, [list] or {mapping})");
                continue;
            }
            String resolved = put(root, segments, value, label, problems);
            if (resolved != null) {
                origins.put(resolved, label);
            }
        }
    }

    /** One step of a key path: a key, an [index], or (on a list) the element with that {@code name}. */
    private record Segment(String key, int index) {
    }

    /** Parses {@code a.b[0].c}, where {@code \.} is a dot inside a key ({@code weights.v1\.10}); null if malformed. */
    private static List<Segment> segments(String path) {
        List<Segment> out = new ArrayList<>();
        for (String part : parts(path)) {
            String rest = part;
            int bracket = rest.indexOf('[');
            String key = bracket < 0 ? rest : rest.substring(0, bracket);
            if (key.isEmpty() && (bracket != 0 || out.isEmpty())) {
                return null;
            }
            if (!key.isEmpty()) {
                out.add(new Segment(key, -1));
            }
            rest = bracket < 0 ? "" : rest.substring(bracket);
            while (!rest.isEmpty()) {
                int close = rest.indexOf(']');
                // Digits only: parseInt takes "-1" and "+0", and a negative index would read as a key.
                if (!rest.startsWith("[") || close < 2 || !rest.substring(1, close).matches("[0-9]{1,9}")) {
                    return null;
                }
                out.add(new Segment(null, Integer.parseInt(rest.substring(1, close))));
                rest = rest.substring(close + 1);
            }
        }
        return out.isEmpty() ? null : out;
    }

    /**
     * {@code path} split at each dot not preceded by a backslash, as Helm's --set does: names may hold dots (a version
     * v1.10), and {@code weights.v1.10} would name a key v1 holding a key 10.
     */
    private static List<String> parts(String path) {
        List<String> parts = new ArrayList<>();
        StringBuilder part = new StringBuilder();
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '\\' && i + 1 < path.length() && path.charAt(i + 1) == '.') {
                part.append('.');
                i++;
            } else if (c == '.') {
                parts.add(part.toString());
                part.setLength(0);
            } else {
                part.append(c);
            }
        }
        parts.add(part.toString());
        return parts;
    }

    /**
     * Writes {@code value} at the path, creating mappings on the way; lists must already hold the element.
     * Returns the path written, with indexes resolved (services[0].weights.blue), or null after reporting.
     */
    private static String put(ObjectNode root, List<Segment> segments, JsonNode value, String label,
                              Problems problems) {
        JsonNode current = root;
        String path = "";
        for (int i = 0; i < segments.size(); i++) {
            Segment segment = segments.get(i);
            boolean last = i == segments.size() - 1;
            if (current instanceof ArrayNode array) {
                int index = segment.index >= 0 ? segment.index : indexOfName(array, segment.key);
                if (index < 0 && segment.key.matches("[0-9]{1,9}")) {
                    index = Integer.parseInt(segment.key); // services.0 as services[0], when no element is named 0
                }
                if (index < 0 || index >= array.size()) {
                    problems.add(label, (segment.index >= 0 || segment.key.matches("[0-9]{1,9}")
                            ? "index " + index + " is out of range" : "no element named '" + segment.key + "'")
                            + " in " + path + " (expected: " + (array.isEmpty() ? "" : "[0].." + "[" + (array.size() - 1)
                            + "] or ") + "the name of an element; to add one, set the whole list: " + path
                            + "=[...])");
                    return null;
                }
                path = Paths.index(path, index);
                if (last) {
                    array.set(index, value);
                    return path;
                }
                current = array.get(index);
            } else if (current instanceof ObjectNode object) {
                if (segment.key == null) {
                    problems.add(label, path + " is a mapping (expected: .key, not [" + segment.index + "])");
                    return null;
                }
                path = Paths.key(path, segment.key);
                if (last) {
                    object.set(segment.key, value);
                    return path;
                }
                JsonNode next = object.get(segment.key);
                if (next == null || next.isNull()) {
                    if (segments.get(i + 1).key == null) {
                        problems.add(label, path + " is missing (expected: an existing list to index into)");
                        return null;
                    }
                    next = object.putObject(segment.key);
                }
                current = next;
            } else {
                problems.add(label, path + " is " + Describe.value(current)
                        + " (expected: a mapping or list to set a key in)");
                return null;
            }
        }
        return path;
    }

    private static int indexOfName(ArrayNode array, String name) {
        for (int i = 0; i < array.size(); i++) {
            JsonNode element = array.get(i).get("name");
            if (element != null && element.isValueNode() && WrittenScalar.text(element).equals(name)) {
                return i;
            }
        }
        return -1;
    }
}
