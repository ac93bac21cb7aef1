package dev.veer.config.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.veer.config.model.Weights;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code weights: {blue: 90, green: 10}}: percent per version, up to two decimals, summing to exactly 100.
 * Versions left out get 0; the result is ordered like the service's versions.
 */
public final class WeightsSection {

    private static final BigDecimal HUNDRED = BigDecimal.valueOf(100);

    private WeightsSection() {
    }

    /** The weights, or null after reporting why they are unusable. */
    public static Weights read(JsonNode node, String path, List<String> versions, Problems problems) {
        if (node == null || !node.isObject()) {
            problems.add(path, Describe.value(node) + " (expected: a mapping of version to percent)");
            return null;
        }
        int before = problems.count();
        Map<String, Integer> given = new LinkedHashMap<>();
        // A percent refused for its decimals (90.001) still counts towards the sum, so one run reports both; a
        // value that is no percent at all (a string, 120) makes the sum meaningless.
        BigDecimal numericSum = BigDecimal.ZERO;
        boolean sumMeaningful = true;
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            String fieldPath = Paths.key(path, field.getKey());
            if (!versions.contains(field.getKey())) {
                problems.add(fieldPath, "unknown version (expected one of: " + String.join(", ", versions) + ")");
                sumMeaningful = false;
                continue;
            }
            BigDecimal value = Percent.decimal(field.getValue());
            if (value != null && value.signum() >= 0 && value.compareTo(HUNDRED) <= 0) {
                numericSum = numericSum.add(value);
            } else {
                sumMeaningful = false;
            }
            Integer bps = Percent.toBasisPoints(field.getValue(), fieldPath, problems);
            if (bps != null) {
                given.put(field.getKey(), bps);
            }
        }
        // A weight whose ${VAR} is unset was reported (and its path suppressed) during expansion: read as absent here,
        // it would make a second error of a sum that was never written.
        if (problems.count() > before || !problems.pathsAt(path).isEmpty()) {
            if (sumMeaningful && numericSum.compareTo(HUNDRED) != 0) {
                problems.add(path, "sum is " + numericSum.stripTrailingZeros().toPlainString() + " (expected: 100)");
            }
            return null;
        }
        int sum = given.values().stream().mapToInt(Integer::intValue).sum();
        if (sum != Weights.TOTAL) {
            problems.add(path, "sum is " + Percent.text(sum) + " (expected: 100)");
            return null;
        }
        Map<String, Integer> ordered = new LinkedHashMap<>();
        for (String version : versions) {
            ordered.put(version, given.getOrDefault(version, 0));
        }
        return new Weights(ordered);
    }
}
