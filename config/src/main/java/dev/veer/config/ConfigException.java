package dev.veer.config;

import java.util.List;
import java.util.stream.Collectors;

/** Every error found in one config source, collected rather than stopping at the first. */
public final class ConfigException extends Exception {

    private final transient List<ConfigError> errors;
    private final String file;

    public ConfigException(List<ConfigError> errors) {
        this(errors, "");
    }

    private ConfigException(List<ConfigError> errors, String file) {
        super(errors.stream().map(ConfigError::toString).collect(Collectors.joining("\n")));
        this.errors = List.copyOf(errors);
        this.file = file;
    }

    /** The same errors, found in {@code file}. */
    public ConfigException in(String file) {
        return new ConfigException(errors, file);
    }

    /** The config file the errors are in; "" when they are not about one (an API body). */
    public String file() {
        return file;
    }

    /** One line per error, each naming the file when there is one: {@code FILE: path: message}. */
    public List<String> lines() {
        return errors.stream().map(error -> file.isEmpty() ? error.toString() : error.in(file)).toList();
    }

    public ConfigException(String path, String message) {
        this(List.of(new ConfigError(path, message)));
    }

    public List<ConfigError> errors() {
        return errors;
    }
}
