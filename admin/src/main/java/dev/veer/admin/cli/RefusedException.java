package dev.veer.admin.cli;

/** The admin API refused the call or could not be reached: exit 1 with a message naming why. */
final class RefusedException extends Exception {

    /** The API's own JSON error body, for {@code --json} output; null when there was no JSON answer. */
    private final String apiError;

    RefusedException(String message) {
        this(message, null);
    }

    RefusedException(String message, String apiError) {
        super(message);
        this.apiError = apiError;
    }

    String apiError() {
        return apiError;
    }

    /** The same refusal said to be about {@code source} ("--plan FILE"), its error object kept for --json. */
    RefusedException about(String source) {
        return new RefusedException(source + ": " + getMessage(), apiError);
    }

    /** Whether the API refused one field of the request body: its error object names a path. */
    boolean namesABodyField() {
        try {
            return apiError != null && !Json.MAPPER.readTree(apiError).path("path").asText("").isEmpty();
        } catch (java.io.IOException notJson) {
            return false;
        }
    }
}
