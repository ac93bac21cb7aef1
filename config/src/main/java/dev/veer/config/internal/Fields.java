package dev.veer.config.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.veer.config.model.HostPort;
import dev.veer.config.model.KeySource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Typed, validating reads of one mapping of the config tree. Every bad value is reported with its path and the
 * given default is returned instead, so the walk continues and finds the other errors too.
 */
public final class Fields {

    private final ObjectNode node;
    private final String path;
    private final Problems problems;
    private final boolean noMapping;

    private Fields(ObjectNode node, String path, Problems problems, boolean noMapping) {
        this.node = node;
        this.path = path;
        this.problems = problems;
        this.noMapping = noMapping;
    }

    /** A reader over {@code node}; a missing or null node reads as empty, a non-mapping is reported. */
    public static Fields of(JsonNode node, String path, Problems problems) {
        if (node != null && node.isObject()) {
            return new Fields((ObjectNode) node, path, problems, false);
        }
        boolean noMapping = node != null && !node.isNull() && !node.isMissingNode();
        if (noMapping) {
            problems.add(path, Describe.value(node) + " (expected: a mapping)");
        }
        return new Fields(JsonNodeFactory.instance.objectNode(), path, problems, noMapping);
    }

    /**
     * Whether the node was something else than a mapping, which {@link #of} reported: a list element's reader stops
     * there, as each key it requires would only repeat that as missing ({@code versions: [v1]} gave three errors).
     */
    public boolean noMapping() {
        return noMapping;
    }

    /** Reports every key not in {@code keys}: unknown keys are errors, never silently ignored. */
    public Fields allow(String... keys) {
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            boolean known = false;
            for (String key : keys) {
                if (key.equals(name)) {
                    known = true;
                    break;
                }
            }
            if (!known) {
                problems.add(path(name), "unknown key (expected one of: " + String.join(", ", keys) + ")");
            }
        }
        return this;
    }

    public String path() {
        return path;
    }

    public String path(String key) {
        return Paths.key(path, key);
    }

    public Problems problems() {
        return problems;
    }

    public boolean isEmpty() {
        return node.isEmpty();
    }

    /** Present and not null. */
    public boolean has(String key) {
        JsonNode value = node.get(key);
        return value != null && !value.isNull();
    }

    public JsonNode get(String key) {
        return node.get(key);
    }

    /** The key's value, or null after reporting it missing. */
    public JsonNode required(String key, String expected) {
        if (!has(key)) {
            problems.add(path(key), "missing (expected: " + expected + ")");
            return null;
        }
        return node.get(key);
    }

    public String text(String key, String fallback) {
        if (!has(key)) {
            return fallback;
        }
        return Scalars.text(node.get(key), path(key), problems, fallback);
    }

    public String requiredText(String key, String expected) {
        JsonNode value = required(key, expected);
        return value == null ? null : Scalars.text(value, path(key), problems, null);
    }

    /** A required name matching {@link Names#isName}; null after reporting. */
    public String name(String key) {
        String value = requiredText(key, Names.NAME_EXPECTED);
        if (value != null && !Names.isName(value)) {
            problems.add(path(key), "'" + value + "' (expected: " + Names.NAME_EXPECTED + ")");
            return null;
        }
        return value;
    }

    public long integer(String key, long min, long max, long fallback) {
        if (!has(key)) {
            return fallback;
        }
        return Scalars.integer(node.get(key), path(key), problems, min, max, fallback);
    }

    public int integer(String key, int min, int max, int fallback) {
        return (int) integer(key, (long) min, (long) max, (long) fallback);
    }

    /** A decimal within [min, max]; the bounds are exclusive where asked. */
    public double decimal(String key, double min, boolean minExclusive, double max, boolean maxExclusive,
                          double fallback) {
        if (!has(key)) {
            return fallback;
        }
        return Scalars.decimal(node.get(key), path(key), problems, min, minExclusive, max, maxExclusive, fallback);
    }

    public boolean bool(String key, boolean fallback) {
        if (!has(key)) {
            return fallback;
        }
        return Scalars.bool(node.get(key), path(key), problems, fallback);
    }

    /** A duration of at least {@code min}. */
    public Duration duration(String key, Duration min, Duration fallback) {
        if (!has(key)) {
            return fallback;
        }
        return Scalars.duration(node.get(key), path(key), problems, min, fallback);
    }

    public long size(String key, long min, long max, long fallback) {
        if (!has(key)) {
            return fallback;
        }
        return Scalars.size(node.get(key), path(key), problems, min, max, fallback);
    }

    public HostPort hostPort(String key, int minPort, HostPort fallback) {
        if (!has(key)) {
            return fallback;
        }
        return Scalars.hostPort(node.get(key), path(key), problems, minPort, fallback);
    }

    /** {@code header:NAME} or {@code cookie:NAME}, or null when absent or bad. */
    public KeySource keySource(String key) {
        if (!has(key)) {
            return null;
        }
        return Scalars.keySource(node.get(key), path(key), problems);
    }

    /** The elements of a list; a missing key gives an empty list, a non-list is reported. */
    public List<JsonNode> list(String key) {
        if (!has(key)) {
            return List.of();
        }
        JsonNode value = node.get(key);
        if (!value.isArray()) {
            problems.add(path(key), Describe.value(value) + " (expected: a list)");
            return List.of();
        }
        List<JsonNode> out = new ArrayList<>();
        value.forEach(out::add);
        return out;
    }

    /** A list of strings, each checked as a scalar. */
    public List<String> texts(String key) {
        List<String> out = new ArrayList<>();
        List<JsonNode> items = list(key);
        for (int i = 0; i < items.size(); i++) {
            String text = Scalars.text(items.get(i), Paths.index(path(key), i), problems, null);
            if (text != null) {
                out.add(text);
            }
        }
        return out;
    }
}
