package dev.veer.config.internal;

import com.fasterxml.jackson.databind.JsonNode;

import java.math.BigDecimal;
import java.math.MathContext;

/** How a value appears in an error message: {@code 'abc'}, {@code 12}, {@code a mapping}. */
public final class Describe {

    private static final int MAX_NUMBER_CHARS = 32;

    private Describe() {
    }

    public static String value(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "missing";
        }
        if (node.isNull()) {
            return "null";
        }
        if (node.isTextual()) {
            return "'" + node.textValue() + "'";
        }
        if (node.isObject()) {
            return "a mapping";
        }
        if (node.isArray()) {
            return "a list";
        }
        String text = node.asText();
        if (text.length() > MAX_NUMBER_CHARS && (node.isIntegralNumber() || node.isBigDecimal())) {
            return number(node.decimalValue());
        }
        return text;
    }

    /** Whether the node is a string holding a number ({@code "90"}), which is not a number. */
    public static boolean quotedNumber(JsonNode node) {
        if (node == null || !node.isTextual()) {
            return false;
        }
        try {
            new BigDecimal(node.textValue().trim());
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** A number as written: 0.5, 1, 100 (no trailing zeros, no exponent unless it is very long). */
    public static String number(double value) {
        return number(BigDecimal.valueOf(value));
    }

    /**
     * 0.5, 1, 100; a number longer than a line in an error message is given with an exponent instead
     * ({@code 1E+400}, not its 401 digits), and when even that is long, rounded.
     */
    public static String number(BigDecimal value) {
        BigDecimal stripped = value.stripTrailingZeros();
        String plain = stripped.toPlainString();
        if (plain.length() <= MAX_NUMBER_CHARS) {
            return plain;
        }
        String scientific = stripped.toString();
        if (scientific.length() <= MAX_NUMBER_CHARS) {
            return scientific;
        }
        return "about " + stripped.round(new MathContext(12)).stripTrailingZeros();
    }
}
