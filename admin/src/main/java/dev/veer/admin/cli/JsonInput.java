package dev.veer.admin.cli;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.veer.admin.internal.JsonProblem;
import dev.veer.config.IoErrors;
import dev.veer.config.ModelJson;
import dev.veer.config.ConfigException;
import dev.veer.config.internal.Yaml;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Request bodies the operator supplies as a file or inline text; both must be an object, in JSON or YAML. */
final class JsonInput {

    private JsonInput() {
    }

    /**
     * A file's object. A file that cannot be read, or holds no usable object, is refused (exit 1), as
     * {@code veer check} refuses a missing or bad config file.
     */
    static JsonNode readFile(String file, String option) throws RefusedException {
        String text;
        try {
            text = Files.readString(Path.of(file));
        } catch (IOException e) {
            throw new RefusedException(option + ": cannot read " + file + " (" + IoErrors.reason(e) + ")");
        }
        String source = option + " " + file;
        // YAML or JSON (YAML holds JSON), as the config file is: a plan or flag copied out of it reads as it is.
        JsonNode node;
        try {
            node = Yaml.read(text, source);
        } catch (ConfigException e) {
            throw new RefusedException(e.errors().get(0).message()); // names the file, line and column
        }
        if (node.isObject() && node.isEmpty() && text.indexOf('{') < 0) {
            // Empty, comments only or null: read as {} it would reset a flag to its defaults or start the default
            // plan; an empty object has to be written as {}.
            throw new RefusedException(source + ": empty (expected: an object; write {} for an empty one)");
        }
        if (!node.isObject()) {
            throw new RefusedException(source + ": expected an object (a JSON object or a YAML mapping)");
        }
        return node;
    }

    /** Inline JSON ({@code --json '{...}'}). */
    static JsonNode parse(String text, String source) throws UsageException {
        JsonNode node;
        try {
            // The API's own mapper: a key given twice, or more after the object, is refused as the API and --file
            // refuse it (Json.MAPPER kept the last key, and read the first of two objects only).
            node = ModelJson.mapper().readTree(text);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            throw new UsageException(source + (at == null ? "" : ":" + at.getLineNr() + ":" + at.getColumnNr())
                    + ": not valid JSON (" + JsonProblem.of(e) + ")");
        }
        return requireObject(node, source);
    }

    private static JsonNode requireObject(JsonNode node, String source) throws UsageException {
        if (node == null || !node.isObject()) {
            throw new UsageException(source + ": expected a JSON object");
        }
        return node;
    }

    /** Fails unless every key of {@code node} is one of {@code allowed}. */
    static void requireKeys(JsonNode node, String source, List<String> allowed, String hint) throws RefusedException {
        for (String key : (Iterable<String>) node::fieldNames) {
            if (!allowed.contains(key)) {
                throw new RefusedException(source + ": " + key + ": not allowed here (expected: "
                        + String.join(", ", allowed) + hint + ")");
            }
        }
    }
}
