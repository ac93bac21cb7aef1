package dev.veer.config.internal;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import dev.veer.config.ConfigException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;

/** Reads config text (YAML, which includes JSON) into a tree, and resolves single scalars from env and --set. */
public final class Yaml {

    private static final ObjectMapper YAML = YAMLMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();

    private Yaml() {
    }

    /**
     * The document's tree; an empty document is an empty mapping. Syntax errors, aliases and a second document name
     * the source, line and column.
     */
    public static JsonNode read(String text, String sourceName) throws ConfigException {
        try {
            refuseWhatTheTreeLoses(text, sourceName);
            JsonNode tree = tree(text);
            return tree == null || tree.isMissingNode() || tree.isNull() ? YAML.createObjectNode() : tree;
        } catch (JsonProcessingException e) {
            throw new ConfigException("", YamlSyntaxError.describe(e, text, sourceName));
        }
    }

    /**
     * Refuses what the tree reader would lose without a word. Aliases: it does not resolve them, {@code *ck} reads
     * as the string "ck" whatever {@code &ck} holds, so {@code cookie: *ck} silently became the cookie "ck". A second
     * document (after {@code ---}): it reads the first only.
     */
    private static void refuseWhatTheTreeLoses(String text, String sourceName) throws JsonProcessingException,
            ConfigException {
        try (YAMLParser parser = (YAMLParser) YAML.getFactory().createParser(text)) {
            int depth = 0;
            boolean rootSeen = false;
            JsonToken token;
            while ((token = parser.nextToken()) != null) {
                if (parser.isCurrentAlias()) {
                    throw new ConfigException("", at(parser, sourceName) + YamlSyntaxError.alias(parser.getText()));
                }
                if (depth == 0 && rootSeen && token != JsonToken.VALUE_NULL) { // an empty document loses nothing
                    throw new ConfigException("", at(parser, sourceName) + "a second document (expected: one YAML document; what"
                            + " follows its --- line would be ignored)");
                }
                rootSeen |= depth == 0;
                depth += token.isStructStart() ? 1 : token.isStructEnd() ? -1 : 0;
            }
        } catch (JsonProcessingException e) {
            throw e;
        } catch (IOException e) {
            throw new UncheckedIOException(e); // reading a String does no I/O
        }
    }

    /**
     * The tree of {@code text}, where each unquoted value that YAML reads as a number or boolean other than it is
     * written keeps its written text for the settings that take a string ({@link WrittenScalar}).
     */
    private static JsonNode tree(String text) throws JsonProcessingException {
        JsonNode tree = YAML.readTree(text);
        if (tree == null || !tree.isContainerNode()) {
            return tree;
        }
        try (JsonParser parser = YAML.getFactory().createParser(text)) {
            JsonToken token;
            while ((token = parser.nextToken()) != null) {
                if (token.isNumeric() || token.isBoolean()) {
                    keepWritten(tree, parser.getParsingContext().pathAsPointer(), parser.getText());
                }
            }
        } catch (JsonProcessingException e) {
            throw e;
        } catch (IOException e) {
            throw new UncheckedIOException(e); // reading a String does no I/O
        }
        return tree;
    }

    private static void keepWritten(JsonNode tree, JsonPointer at, String written) {
        JsonNode parent = tree.at(at.head());
        if (parent instanceof ObjectNode object) {
            String key = at.last().getMatchingProperty();
            object.set(key, WrittenScalar.of(object.get(key), written));
        } else if (parent instanceof ArrayNode array) {
            int index = at.last().getMatchingIndex();
            array.set(index, WrittenScalar.of(array.get(index), written));
        }
    }

    /** {@code source:line:column: } of the parser's current token. */
    private static String at(JsonParser parser, String sourceName) {
        JsonLocation at = parser.currentTokenLocation();
        return sourceName + ":" + at.getLineNr() + ":" + at.getColumnNr() + ": ";
    }

    /** A value from the environment or {@code --set}, typed as a YAML plain scalar would be. */
    private static final java.util.regex.Pattern IPV6_HOST_PORT =
            java.util.regex.Pattern.compile("\\[[0-9A-Fa-f:.%]*\\]:\\d+");

    public static JsonNode scalar(String text) {
        if (text.equals("true") || text.equals("false")) {
            return BooleanNode.valueOf(Boolean.parseBoolean(text));
        }
        if (text.equals("null") || text.equals("~")) {
            return NullNode.instance;
        }
        if (isInteger(text)) {
            try {
                long value = Long.parseLong(text);
                return value == (int) value ? IntNode.valueOf((int) value) : LongNode.valueOf(value);
            } catch (NumberFormatException e) {
                return TextNode.valueOf(text);
            }
        }
        if (isDecimal(text)) {
            return DecimalNode.valueOf(new BigDecimal(text));
        }
        return TextNode.valueOf(text);
    }

    /**
     * A {@code --set} value: a scalar, a quoted string ({@code "..."} or {@code '...'}, quotes removed), or a flow
     * list/mapping such as {@code [a.local, b.local]}. A bracketed IPv6 address with a port ({@code [::1]:8080})
     * is a string, not a list.
     */
    public static JsonNode value(String text) throws JsonProcessingException {
        String trimmed = text.trim();
        if (trimmed.length() >= 2 && (trimmed.charAt(0) == '"' || trimmed.charAt(0) == '\'')
                && trimmed.charAt(trimmed.length() - 1) == trimmed.charAt(0)) {
            return TextNode.valueOf(trimmed.substring(1, trimmed.length() - 1));
        }
        if (IPV6_HOST_PORT.matcher(trimmed).matches()) {
            return TextNode.valueOf(trimmed);
        }
        if (trimmed.startsWith("[") || trimmed.startsWith("{")) {
            return tree(trimmed);
        }
        return scalar(text);
    }

    /** Leading zeros stay text: "007" is a token, not seven. */
    private static boolean isInteger(String text) {
        int start = text.startsWith("-") ? 1 : 0;
        if (text.length() == start || text.length() - start > 18) {
            return false;
        }
        if (text.charAt(start) == '0' && text.length() > start + 1) {
            return false;
        }
        for (int i = start; i < text.length(); i++) {
            if (!Character.isDigit(text.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isDecimal(String text) {
        int dot = text.indexOf('.');
        if (dot <= 0 || dot != text.lastIndexOf('.') || dot == text.length() - 1) {
            return false;
        }
        return isInteger(text.substring(0, dot)) && text.substring(dot + 1).chars().allMatch(Character::isDigit);
    }
}
