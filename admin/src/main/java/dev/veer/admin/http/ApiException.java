package dev.veer.admin.http;

import dev.veer.config.ConfigError;
import dev.veer.config.ConfigException;

import java.util.List;

/** A refused request: the status and the {@code {"error","path"}} body the client gets. */
public final class ApiException extends RuntimeException {

    private final int status;
    private final String path;
    private final List<ConfigError> errors;
    private final String file;

    public ApiException(int status, String message, String path) {
        this(status, message, path, List.of(), null);
    }

    private ApiException(int status, String message, String path, List<ConfigError> errors, String file) {
        super(message, null, false, false);
        this.status = status;
        this.path = path;
        this.errors = List.copyOf(errors);
        this.file = file;
    }

    /** 400 naming the first problem, with every problem listed under "errors". */
    public static ApiException invalid(ConfigException e) {
        List<ConfigError> all = e.errors();
        String file = e.file().isEmpty() ? null : e.file();
        if (all.isEmpty()) {
            return new ApiException(400, e.getMessage(), null, List.of(), file);
        }
        ConfigError first = all.get(0);
        String message = all.size() == 1 ? first.message()
                : first.message() + " (and " + (all.size() - 1) + " more, see errors)";
        return new ApiException(400, message, first.path().isEmpty() ? null : first.path(), all, file);
    }

    /** Every problem when the request had several (a config reload), else empty. */
    public List<ConfigError> errors() {
        return errors;
    }

    /** The config file the problems are in (a reload's), or null when they are the request's own. */
    public String file() {
        return file;
    }

    public ApiException(int status, String message) {
        this(status, message, null);
    }

    public int status() {
        return status;
    }

    /** The offending key path in the request body ("weights.green"), or null. */
    public String path() {
        return path;
    }

    public static ApiException notFound(String what) {
        return new ApiException(404, what + " not found");
    }

    public static ApiException conflict(String message) {
        return new ApiException(409, message);
    }

    public static ApiException badRequest(String message, String path) {
        return new ApiException(400, message, path);
    }
}
