package dev.veer.admin.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;

/**
 * Jackson's complaint about a JSON text in the words of the text's author, for the API's 400 and {@code veer ctl}'s
 * --json alike: without its internals (source excerpts, start markers) or its advice on configuring Jackson (the
 * feature that would accept NaN or a comment, the constraint behind a size limit), which the author cannot act on.
 */
public final class JsonProblem {

    private JsonProblem() {
    }

    public static String of(JsonProcessingException e) {
        if (e instanceof MismatchedInputException
                && String.valueOf(e.getOriginalMessage()).startsWith("Trailing token")) {
            return "more after the JSON value (expected: one JSON document)";
        }
        return Text.firstLine(e.getOriginalMessage())
                .replaceAll(" ?\\(start marker at \\[Source:[^\\]]*\\][^)]*\\)", "")
                .replaceAll(" ?\\[Source:[^\\]]*\\]", "")
                .replaceAll(": enable `[^`]*` to allow", "")
                .replaceAll(" ?\\(not recognized as one since Feature '[^']*' not enabled for parser\\)", "")
                .replaceAll(", from `[^`]*`\\)", ")");
    }
}
