package dev.veer.config.internal;

import dev.veer.config.ConfigError;
import dev.veer.config.ConfigException;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Collects every error of one validating walk so they are all reported together, in the order found. */
public final class Problems {

    private final List<ConfigError> errors = new ArrayList<>();
    private final Set<String> suppressed = new HashSet<>();

    public void add(String path, String message) {
        if (!suppressed.contains(path)) {
            errors.add(new ConfigError(path, message));
        }
    }

    /**
     * Drops later errors at {@code path}: its value is already known to be wrong (an unset ${VAR}), a second
     * message about the same value would only repeat the first.
     */
    public void suppress(String path) {
        suppressed.add(path);
    }

    /**
     * The paths at {@code path} or below it that were reported, or are suppressed as already known to be wrong:
     * a value read there is a fallback, not what was written.
     */
    public List<String> pathsAt(String path) {
        List<String> out = new ArrayList<>();
        errors.stream().map(ConfigError::path).filter(p -> isAtOrBelow(p, path)).forEach(out::add);
        suppressed.stream().filter(p -> isAtOrBelow(p, path)).forEach(out::add);
        return out;
    }

    /**
     * Whether the value at {@code path} is what was written: nothing reported at it, below it, or at a section above
     * it (a section that is no mapping reads as its defaults).
     */
    public boolean asWritten(String path) {
        return pathsAt(path).isEmpty() && !reportedAbove(path);
    }

    /** Whether a section above {@code path} was reported (one that is no mapping reads as its defaults). */
    public boolean reportedAbove(String path) {
        for (int i = 0; i < path.length(); i++) {
            if (path.charAt(i) == '.' || path.charAt(i) == '[') {
                String above = path.substring(0, i);
                if (suppressed.contains(above) || errors.stream().anyMatch(e -> e.path().equals(above))) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean isAtOrBelow(String candidate, String path) {
        return candidate.equals(path) || (candidate.startsWith(path)
                && (candidate.charAt(path.length()) == '.' || candidate.charAt(path.length()) == '['));
    }

    public int count() {
        return errors.size();
    }

    public boolean isEmpty() {
        return errors.isEmpty();
    }

    public List<ConfigError> errors() {
        return List.copyOf(errors);
    }

    public void throwIfAny() throws ConfigException {
        if (!errors.isEmpty()) {
            throw new ConfigException(errors);
        }
    }
}
