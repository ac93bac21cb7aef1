package dev.veer.config.internal;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A YAML or JSON syntax error as one line, {@code veer.yaml:3:1: found unexpected end of stream, while scanning a
 * quoted scalar started at 2:11 (expected: valid YAML or JSON)}: where the parser stopped, what it found there (which
 * Jackson's own message leaves out, giving only the "while ..." part) and what it was reading.
 */
final class YamlSyntaxError {

    static final String EXPECTED = "valid YAML or JSON";

    /** How Jackson's strict duplicate detection begins its message. */
    private static final String DUPLICATE = "Duplicate field '";

    /** Jackson's message when an alias stands where a key should be: its tree reader takes only scalar keys. */
    private static final Pattern ALIAS_KEY = Pattern.compile("AliasEvent\\(anchor=([^)]*)\\)");

    private YamlSyntaxError() {
    }

    /** What to say about an alias {@code *name}. */
    static String alias(String anchor) {
        return "alias *" + anchor + " is not supported (expected: the value written out again where it is used;"
                + " YAML anchors and aliases are not read)";
    }

    static String describe(JsonProcessingException e, String text, String source) {
        if (e.getCause() instanceof MarkedYAMLException marked && marked.getProblemMark() != null) {
            return snakeYaml(marked, text, source);
        }
        JsonLocation at = e.getLocation();
        String where = at == null || at.getLineNr() < 1 ? source : source + ":" + at.getLineNr() + ":" + at.getColumnNr();
        String message = e.getOriginalMessage() == null ? e.getClass().getSimpleName() : e.getOriginalMessage();
        if (message.startsWith(DUPLICATE) && e.getProcessor() instanceof JsonParser parser) {
            // Jackson names the key alone ("Duplicate field 'listen'"): the path says which mapping holds it twice.
            return where + ": " + path(parser.getParsingContext()) + ": duplicate key (expected: each key once in a"
                    + " mapping; YAML keeps only one of them)";
        }
        Matcher aliasKey = ALIAS_KEY.matcher(message);
        if (aliasKey.find()) {
            return where + ": " + alias(aliasKey.group(1));
        }
        return where + ": " + message.lines().findFirst().orElse("") + " (expected: " + EXPECTED + ")";
    }

    private static String snakeYaml(MarkedYAMLException e, String text, String source) {
        Mark problemAt = e.getProblemMark();
        StringBuilder out = new StringBuilder(source).append(':').append(position(problemAt)).append(": ");
        // SnakeYAML writes a tab as the six characters \t(TAB).
        out.append(e.getProblem() == null ? "not valid here"
                : e.getProblem().replace("character '\\t(TAB)'", "a tab").replace("\\t(TAB)", "tabs"));
        if (e.getContext() != null) {
            out.append(", ").append(e.getContext());
            Mark contextAt = e.getContextMark();
            if (contextAt != null && !position(contextAt).equals(position(problemAt))) {
                out.append(" started at ").append(position(contextAt));
            }
        }
        out.append(" (expected: ").append(EXPECTED);
        String reference = unquotedReference(text, problemAt);
        if (reference != null) {
            // A plain scalar in { } or [ ] ends at the '{' of ${: the value must be quoted there. It is still expanded
            // and re-typed (EnvExpansion), so "${W:-100}" is the number 100 all the same.
            out.append("; ${...} inside { } or [ ] needs quotes: \"").append(reference)
                    .append("\", which is still expanded and typed like an unquoted value");
        }
        return out.append(')').toString();
    }

    /** The key path of the parser's place, {@code services[0].weights.blue}. */
    private static String path(JsonStreamContext context) {
        if (context == null || context.inRoot()) {
            return "";
        }
        String parent = path(context.getParent());
        return context.inArray() ? Paths.index(parent, Math.max(0, context.getCurrentIndex()))
                : Paths.key(parent, context.getCurrentName());
    }

    /** 1-based {@code line:column}; SnakeYAML counts from 0. */
    private static String position(Mark mark) {
        return (mark.getLine() + 1) + ":" + (mark.getColumn() + 1);
    }

    /** The {@code ${...}} whose '{' the parser stopped at, or null when it stopped elsewhere. */
    private static String unquotedReference(String text, Mark at) {
        int index;
        try {
            index = text.offsetByCodePoints(0, at.getIndex()); // SnakeYAML counts code points
        } catch (IndexOutOfBoundsException e) {
            return null;
        }
        if (index < 1 || index >= text.length() || text.charAt(index) != '{' || text.charAt(index - 1) != '$') {
            return null;
        }
        int close = text.indexOf('}', index);
        int lineEnd = text.indexOf('\n', index);
        if (close < 0 || (lineEnd >= 0 && close > lineEnd)) {
            return null;
        }
        return text.substring(index - 1, close + 1);
    }
}
