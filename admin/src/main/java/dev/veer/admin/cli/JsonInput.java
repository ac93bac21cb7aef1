package dev.veer.admin.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.veer.admin.internal.Text;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Request bodies the operator supplies as a file or inline text; both must be a JSON object. */
final class JsonInput {

    private JsonInput() {
    }

    static JsonNode readFile(String file, String option) throws UsageException {
        String text;
        try {
            text = Files.readString(Path.of(file));
        } catch (IOException e) {
            throw new UsageException(option + ": cannot read " + file + " (" + Text.ioReason(e) + ")");
        }
        return parse(text, option + " " + file);
    }

    static JsonNode parse(String text, String source) throws UsageException {
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new UsageException(source + ": not valid JSON (" + e.getOriginalMessage() + ")");
        }
        if (node == null || !node.isObject()) {
            throw new UsageException(source + ": expected a JSON object");
        }
        return node;
    }
}
