package dev.veer.config.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.veer.config.model.HostPort;
import dev.veer.config.model.KeySource;

import java.time.Duration;

/**
 * Conversions of single scalar nodes, each reporting {@code value (expected: ...)} at its path and returning the
 * fallback when the value is unusable. Numbers must be numbers: a quoted {@code "4"} is refused (API bodies send
 * JSON numbers; in the config file ${ENV} expansion and --set values are re-typed as YAML scalars, so
 * {@code ioThreads: ${THREADS:-4}} is the number 4).
 */
public final class Scalars {

    private Scalars() {
    }

    public static String text(JsonNode node, String path, Problems problems, String fallback) {
        if (node == null || !node.isValueNode() || node.isNull()) {
            problems.add(path, Describe.value(node) + " (expected: a string)");
            return fallback;
        }
        return WrittenScalar.text(node);
    }

    public static long integer(JsonNode node, String path, Problems problems, long min, long max, long fallback) {
        if (Describe.quotedNumber(node)) {
            problems.add(path, Describe.value(node) + " is a string (expected: a number, an integer "
                    + range(min, max) + ")");
            return fallback;
        }
        Long value = null;
        if (node.isIntegralNumber() && node.canConvertToLong()) {
            value = node.longValue();
        }
        if (value == null) {
            problems.add(path, Describe.value(node) + " (expected: an integer " + range(min, max) + ")");
            return fallback;
        }
        if (value < min || value > max) {
            problems.add(path, value + " (expected: " + range(min, max) + ")");
            return fallback;
        }
        return value;
    }

    private static String range(long min, long max) {
        if (max == Long.MAX_VALUE || max == Integer.MAX_VALUE) {
            return ">= " + min;
        }
        return min + ".." + max;
    }

    public static double decimal(JsonNode node, String path, Problems problems, double min, boolean minExclusive,
                                 double max, boolean maxExclusive, double fallback) {
        Double value = null;
        if (node.isNumber()) {
            value = node.doubleValue();
        }
        String expected;
        if (Double.isInfinite(max)) {
            expected = (minExclusive ? "> " : ">= ") + Describe.number(min);
        } else if (minExclusive || maxExclusive) {
            expected = (minExclusive ? "> " : ">= ") + Describe.number(min) + " and "
                    + (maxExclusive ? "< " : "<= ") + Describe.number(max);
        } else {
            expected = Describe.number(min) + ".." + Describe.number(max);
        }
        if (Describe.quotedNumber(node)) {
            problems.add(path, Describe.value(node) + " is a string (expected: a number " + expected + ")");
            return fallback;
        }
        if (value == null || !Double.isFinite(value)) {
            problems.add(path, Describe.value(node) + " (expected: a number " + expected + ")");
            return fallback;
        }
        boolean belowMin = minExclusive ? value <= min : value < min;
        boolean aboveMax = maxExclusive ? value >= max : value > max;
        if (belowMin || aboveMax) {
            problems.add(path, Describe.number(value) + " (expected: " + expected + ")");
            return fallback;
        }
        return value;
    }

    public static boolean bool(JsonNode node, String path, Problems problems, boolean fallback) {
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isTextual() && (node.textValue().equals("true") || node.textValue().equals("false"))) {
            return Boolean.parseBoolean(node.textValue());
        }
        problems.add(path, Describe.value(node) + " (expected: true or false)");
        return fallback;
    }

    /** A duration of {@code min} to {@link Durations#MAX}. */
    public static Duration duration(JsonNode node, String path, Problems problems, Duration min, Duration fallback) {
        Duration value = node.isTextual() ? Durations.parse(node.textValue()) : null;
        // -1s has its unit: what is wrong is its sign, which the minimum says.
        boolean negative = value == null && node.isTextual() && node.textValue().strip().startsWith("-")
                && Durations.parse(node.textValue().strip().substring(1)) != null;
        if (value == null && !negative) {
            problems.add(path, Describe.value(node) + " (expected: " + Durations.EXPECTED + ")");
            return fallback;
        }
        if (negative || value.compareTo(min) < 0) {
            problems.add(path, Describe.value(node) + " (expected: at least " + Durations.format(min) + ")");
            return fallback;
        }
        if (value.compareTo(Durations.MAX) > 0) {
            problems.add(path, Describe.value(node) + " (expected: at most " + Durations.format(Durations.MAX) + ")");
            return fallback;
        }
        return value;
    }

    public static long size(JsonNode node, String path, Problems problems, long min, long max, long fallback) {
        long value = -1;
        if (node.isIntegralNumber() && node.canConvertToLong()) {
            value = node.longValue();
        } else if (node.isTextual()) {
            value = Sizes.parse(node.textValue());
        }
        if (value < 0) {
            problems.add(path, Describe.value(node) + " (expected: " + Sizes.EXPECTED + ")");
            return fallback;
        }
        if (value < min || value > max) {
            problems.add(path, Describe.value(node) + " (expected: " + min + ".." + max + " bytes)");
            return fallback;
        }
        return value;
    }

    /** {@code host:port} with a port {@code minPort}..65535: 0 for a listener (any free port), 1 for an endpoint. */
    public static HostPort hostPort(JsonNode node, String path, Problems problems, int minPort, HostPort fallback) {
        if (!node.isTextual()) {
            problems.add(path, Describe.value(node) + " (expected: host:port)");
            return fallback;
        }
        try {
            return HostPort.parse(node.textValue(), minPort);
        } catch (IllegalArgumentException e) {
            problems.add(path, e.getMessage());
            return fallback;
        }
    }

    public static KeySource keySource(JsonNode node, String path, Problems problems) {
        KeySource value;
        try {
            value = KeySource.parse(node.isTextual() ? node.textValue() : null);
        } catch (IllegalArgumentException e) {
            problems.add(path, Describe.value(node) + " (expected: header:NAME or cookie:NAME)");
            return null;
        }
        if (!Names.isToken(value.name())) {
            problems.add(path, Describe.value(node) + " (expected: a valid "
                    + (value.kind() == KeySource.Kind.HEADER ? "header" : "cookie") + " name after the colon)");
            return null;
        }
        return value;
    }
}
