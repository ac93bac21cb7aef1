package dev.veer.config.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import dev.veer.config.model.Weights;

import java.math.BigDecimal;

/** Percentages with at most two decimals, held as basis points (12.5% = 1250). */
public final class Percent {

    public static final String EXPECTED = "a percent 0..100 with at most 2 decimals";

    private Percent() {
    }

    /**
     * Basis points, or null after reporting why the value is not a percent. A number written as a string
     * ({@code "90"}) is refused: API bodies must send numbers, and the config file's unquoted numbers (also those
     * produced by ${ENV} expansion or --set, which are re-typed as YAML scalars) are numbers already.
     */
    public static Integer toBasisPoints(JsonNode node, String path, Problems problems) {
        if (Describe.quotedNumber(node)) {
            problems.add(path, Describe.value(node) + " is a string (expected: a number, " + EXPECTED + ")");
            return null;
        }
        BigDecimal value = decimal(node);
        if (value == null) {
            problems.add(path, Describe.value(node) + " (expected: " + EXPECTED + ")");
            return null;
        }
        if (value.signum() < 0 || value.compareTo(BigDecimal.valueOf(100)) > 0) {
            problems.add(path, Describe.number(value) + " (expected: 0..100)");
            return null;
        }
        BigDecimal bps = value.movePointRight(2);
        if (bps.stripTrailingZeros().scale() > 0) {
            problems.add(path, Describe.number(value) + " (expected: at most 2 decimals)");
            return null;
        }
        return bps.intValueExact();
    }

    /** A percent as JSON: an integer when whole (90), else a decimal (12.5). */
    public static JsonNode node(int basisPoints) {
        Number percent = Weights.percent(basisPoints);
        return percent instanceof Integer ? IntNode.valueOf(percent.intValue()) : DoubleNode.valueOf(percent.doubleValue());
    }

    /** Formats basis points for messages: 95, 99.5. */
    public static String text(int basisPoints) {
        return BigDecimal.valueOf(basisPoints, 2).stripTrailingZeros().toPlainString();
    }

    /** The node's number, or null when it is none or not finite (JSON reads 1e400 as an infinite double). */
    static BigDecimal decimal(JsonNode node) {
        if (node == null) {
            return null;
        }
        if (node.isIntegralNumber()) {
            return new BigDecimal(node.bigIntegerValue());
        }
        if (node.isBigDecimal()) {
            return node.decimalValue();
        }
        if (node.isNumber()) {
            double d = node.doubleValue();
            return Double.isFinite(d) ? BigDecimal.valueOf(d) : null;
        }
        return null;
    }
}
