package dev.veer.config.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Expands {@code ${NAME}}, {@code ${NAME:-default}} and {@code ${NAME-default}} inside the file's string values, as
 * a POSIX shell does ({@code $$} is a literal {@code $}). A value that was changed is re-typed like a YAML scalar, so {@code ioThreads: ${THREADS:-4}} is a
 * number. An unset variable without a default is an error at the value's path. Keys are not expanded: one holding
 * {@code ${} is an error saying so.
 */
public final class EnvExpansion {

    private static final String FORMS = "${NAME}, ${NAME:-default} or ${NAME-default}";

    private EnvExpansion() {
    }

    public static void expand(JsonNode node, String path, Map<String, String> env, Problems problems) {
        if (node instanceof ObjectNode object) {
            List<String> keys = new ArrayList<>();
            object.fieldNames().forEachRemaining(keys::add);
            for (String key : keys) {
                JsonNode child = object.get(key);
                String childPath = Paths.key(path, key);
                if (key.contains("${")) {
                    // Said as such: "unknown key" or "unknown version" would leave the reader looking for a typo.
                    problems.add(childPath, key + " in a key is not expanded (expected: ${...} in values only; the key"
                            + " written out)");
                    problems.suppress(childPath);
                }
                if (child.isTextual()) {
                    JsonNode expanded = expandText(child.textValue(), childPath, env, problems);
                    if (expanded != null) {
                        object.set(key, expanded);
                    }
                } else {
                    expand(child, childPath, env, problems);
                }
            }
        } else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                JsonNode child = array.get(i);
                String childPath = Paths.index(path, i);
                if (child.isTextual()) {
                    JsonNode expanded = expandText(child.textValue(), childPath, env, problems);
                    if (expanded != null) {
                        array.set(i, expanded);
                    }
                } else {
                    expand(child, childPath, env, problems);
                }
            }
        }
    }

    /** The expanded value, or null when the text has nothing to expand or could not be expanded. */
    private static JsonNode expandText(String text, String path, Map<String, String> env, Problems problems) {
        if (text.indexOf('$') < 0) {
            return null;
        }
        try {
            return Yaml.scalar(expand(text, env));
        } catch (IllegalArgumentException e) {
            problems.add(path, e.getMessage());
            problems.suppress(path);
            return null;
        }
    }

    /** {@code text} with every reference replaced; an IllegalArgumentException says what is wrong. */
    private static String expand(String text, Map<String, String> env) {
        StringBuilder out = new StringBuilder(text.length());
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '$' && i + 1 < text.length() && text.charAt(i + 1) == '$') {
                out.append('$');
                i += 2;
            } else if (c == '$' && i + 1 < text.length() && text.charAt(i + 1) == '{') {
                int close = closingBrace(text, i + 2);
                if (close < 0) {
                    throw new IllegalArgumentException("'" + text + "': unclosed ${ (expected: " + FORMS + ")");
                }
                out.append(resolve(text.substring(i + 2, close), text, env));
                i = close + 1;
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    /** The '}' that closes the reference whose name starts at {@code from}, past any nested in its default. */
    private static int closingBrace(String text, int from) {
        int depth = 0;
        for (int i = from; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '$' && i + 1 < text.length() && text.charAt(i + 1) == '$') {
                i++; // a literal '$', as expand reads it
            } else if (c == '$' && i + 1 < text.length() && text.charAt(i + 1) == '{') {
                depth++;
                i++;
            } else if (c == '}') {
                if (depth == 0) {
                    return i;
                }
                depth--;
            }
        }
        return -1;
    }

    /**
     * One reference's value, as a POSIX shell gives it: {@code NAME:-default} takes the default when the variable
     * is unset or empty (a container often sets it to ""), {@code NAME-default} only when it is unset; a default
     * may itself hold references.
     */
    private static String resolve(String reference, String text, Map<String, String> env) {
        int nameEnd = 0;
        while (nameEnd < reference.length() && isNameChar(reference.charAt(nameEnd), nameEnd == 0)) {
            nameEnd++;
        }
        String name = reference.substring(0, nameEnd);
        String rest = reference.substring(nameEnd);
        if (name.isEmpty() || !(rest.isEmpty() || rest.startsWith(":-") || rest.startsWith("-"))) {
            throw new IllegalArgumentException("'" + text + "': '${" + reference + "}' is not a variable reference"
                    + " (expected: " + FORMS + ", NAME of letters, digits and '_', not starting with a digit)");
        }
        String value = env.get(name);
        if (rest.isEmpty()) {
            if (value == null) {
                throw new IllegalArgumentException("${" + name + "} is not set (expected: the variable set, or a"
                        + " default: ${" + name + ":-value})");
            }
            return value;
        }
        boolean emptyTakesDefault = rest.startsWith(":-");
        if (value == null || emptyTakesDefault && value.isEmpty()) {
            return expand(rest.substring(emptyTakesDefault ? 2 : 1), env);
        }
        return value;
    }

    private static boolean isNameChar(char c, boolean first) {
        return c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || !first && c >= '0' && c <= '9';
    }
}
