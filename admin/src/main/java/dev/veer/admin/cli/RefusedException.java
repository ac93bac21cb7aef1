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
}
