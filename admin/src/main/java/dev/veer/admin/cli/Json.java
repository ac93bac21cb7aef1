package dev.veer.admin.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veer.admin.internal.Text;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The client's JSON mapper and the small conversions the renderers share. */
final class Json {

    static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {
    }

    /** Text of a scalar field, or "-" when absent or null, so table cells are never empty. */
    static String text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isMissingNode() || value.isNull() ? "-" : scalar(value);
    }

    /** A scalar as an operator reads it: numbers without trailing zeros, strings unquoted, others compact JSON. */
    static String scalar(JsonNode value) {
        if (value.isNumber()) {
            return number(value.decimalValue());
        }
        if (value.isTextual()) {
            return value.asText();
        }
        if (value.isMissingNode() || value.isNull()) {
            return "-";
        }
        return compact(value);
    }

    static String number(BigDecimal value) {
        return value.signum() == 0 ? "0" : value.stripTrailingZeros().toPlainString();
    }

    static String compact(JsonNode value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            return value.toString();
        }
    }

    /** "blue=90 green=10" from {"blue":90,"green":10}; "-" when there are none. */
    static String weights(JsonNode weights) {
        if (!weights.isObject() || weights.isEmpty()) {
            return "-";
        }
        List<String> parts = new ArrayList<>();
        for (Map.Entry<String, JsonNode> entry : weights.properties()) {
            parts.add(entry.getKey() + "=" + scalar(entry.getValue()));
        }
        return String.join(" ", parts);
    }

    /** The list a collection endpoint answers, whether a bare array or wrapped as {"<key>": [...]}. */
    static List<JsonNode> list(JsonNode body, String key) {
        JsonNode array = body.isArray() ? body : body.path(key);
        List<JsonNode> items = new ArrayList<>();
        if (array.isArray()) {
            array.forEach(items::add);
        } else if (array.isObject()) {
            // a map keyed by name: carry the name into each item when it lacks one
            for (Map.Entry<String, JsonNode> entry : array.properties()) {
                JsonNode item = entry.getValue();
                if (item.isObject() && !item.has("name")) {
                    item = item.deepCopy();
                    ((com.fasterxml.jackson.databind.node.ObjectNode) item).put("name", entry.getKey());
                }
                items.add(item);
            }
        }
        return items;
    }

    /** A body that is not what was expected, shown in an error: its first line, at most 200 characters. */
    static String excerpt(String body) {
        String line = Text.firstLine(body.strip());
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }
}
