package dev.veer.config;

/** One problem in a config or an API body: where ("services[0].weights.green") and what was expected. */
public record ConfigError(String path, String message) {

    @Override
    public String toString() {
        return path.isEmpty() ? message : path + ": " + message;
    }

    /**
     * {@code FILE: path: message}. An error about the whole file that already starts with its name is given as it
     * is: a syntax error says {@code FILE:3:1: ...}, and {@code FILE: FILE:3:1: ...} named the file twice.
     */
    public String in(String file) {
        return path.isEmpty() && message.startsWith(file + ":") ? message : file + ": " + this;
    }
}
