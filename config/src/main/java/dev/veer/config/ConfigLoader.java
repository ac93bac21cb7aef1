package dev.veer.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.veer.config.internal.ConfigWalk;
import dev.veer.config.internal.EnvExpansion;
import dev.veer.config.internal.Overrides;
import dev.veer.config.internal.Problems;
import dev.veer.config.internal.Yaml;
import dev.veer.config.model.VeerConfig;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Loads the Veer configuration. Layers, later wins: built-in defaults &lt; the file &lt; {@code VEER_<PATH>}
 * environment variables &lt; {@code --set key=value} flags. {@code ${ENV}} and {@code ${ENV:-default}} are
 * expanded in the file's string values only. Every error is reported at once, each with its key path.
 *
 * <p>Environment: only scalar settings of proxy, proxy.limits, admin and state, named by their key path with
 * dots as underscores and case ignored: {@code VEER_PROXY_LISTEN}, {@code VEER_ADMIN_TOKEN},
 * {@code VEER_ADMIN_METRICS_AUTH} (or {@code VEER_ADMIN_METRICSAUTH}), {@code VEER_STATE_DIR},
 * {@code VEER_PROXY_LIMITS_MAX_HEADER_BYTES}. Other {@code VEER_*} variables are not config and are ignored.
 *
 * <p>{@code --set}: a key path with dots and [index], where a list element may also be named by its name:
 * {@code services[0].weights.blue=50} or {@code services.shop.weights.blue=50}; a dot inside a name is written
 * {@code \.} ({@code services.shop.weights.v1\.10=50}). Values are YAML scalars, or a flow list/mapping
 * ({@code services.shop.match.hosts=[a.local, b.local]}).
 */
public final class ConfigLoader {

    private ConfigLoader() {
    }

    /** VEER_* variables that are neither config keys nor read by the scripts and ctl. */
    private static final List<String> NOT_CONFIG = List.of("VEER_JAVA_OPTS", "VEER_ADMIN_URL");

    /**
     * The {@code VEER_*} variables in {@code env} that set nothing: most likely a misspelt key
     * ({@code VEER_ADMIN_TOKN}), which would otherwise be ignored without a word. In name order.
     */
    public static List<String> unusedVariables(Map<String, String> env) {
        return env.keySet().stream()
                .filter(name -> name.startsWith("VEER_") && !NOT_CONFIG.contains(name) && Overrides.envKey(name) == null)
                .sorted().toList();
    }

    /** Loads {@code file}; errors name the file when it cannot be read or parsed. */
    public static VeerConfig load(Path file, Map<String, String> env, List<String> setFlags) throws ConfigException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            // "FILE: ...", as a syntax error says "FILE:3:1: ...": a reload's answer has no other place that names
            // the file, and the command line prints such an error as it is.
            throw new ConfigException("", file + ": " + readProblem(file, e)).in(file.toString());
        }
        if (holdsNothing(text)) {
            // Most likely a file cut short (a ConfigMap that lost its data): a proxy that starts from it routes nothing.
            throw new ConfigException("", file + ": the file is empty (expected: a YAML or JSON config; an empty file"
                    + " is more likely cut short than meant)").in(file.toString());
        }
        try {
            return parse(text, file.toString(), env, setFlags);
        } catch (ConfigException e) {
            throw e.in(file.toString()); // a reload's errors name it as the command line's do
        }
    }

    /** True when {@code text} has nothing but blank lines and comments (and a byte order mark). */
    private static boolean holdsNothing(String text) {
        for (String line : text.replace("\uFEFF", "").split("\n", -1)) {
            String content = line.strip();
            if (!content.isEmpty() && !content.startsWith("#")) {
                return false;
            }
        }
        return true;
    }

    private static String readProblem(Path file, IOException e) {
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "no such file (expected: a YAML or JSON config file)";
        }
        if (Files.isDirectory(file)) {
            return "is a directory (expected: a YAML or JSON config file)";
        }
        if (e instanceof java.nio.charset.CharacterCodingException) {
            return "not UTF-8 text (expected: a YAML or JSON config file in UTF-8)";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "cannot read: permission denied (expected: a file this user can read)";
        }
        // A FileSystemException's message repeats the path; its reason is what went wrong ("Is a directory").
        String reason = e instanceof java.nio.file.FileSystemException fs && fs.getReason() != null ? fs.getReason()
                : e.getMessage();
        return "cannot read: " + (reason == null ? e.getClass().getSimpleName() : reason);
    }

    /** Parses config text (YAML or JSON); {@code sourceName} is used in syntax errors. */
    public static VeerConfig parse(String text, String sourceName, Map<String, String> env, List<String> setFlags)
            throws ConfigException {
        JsonNode tree = Yaml.read(text, sourceName);
        Problems problems = new Problems();
        if (!tree.isObject()) {
            throw new ConfigException("", sourceName + ": the document is not a mapping (expected: proxy, admin, "
                    + "state, services, flags)");
        }
        ObjectNode root = (ObjectNode) tree;
        Problems expansion = new Problems();
        EnvExpansion.expand(root, "", env, expansion);
        Problems overriding = new Problems();
        Overrides overrides = new Overrides();
        overrides.applyEnv(root, env, overriding);
        overrides.applySet(root, setFlags, overriding);
        // A file value that a variable or --set replaced is never read: an unset ${VAR} in it is no error, and the
        // replacing value is validated as any other.
        for (ConfigError error : expansion.errors()) {
            if (overrides.origins().keySet().stream().noneMatch(set -> atOrBelow(error.path(), set))) {
                problems.add(error.path(), error.message());
                problems.suppress(error.path());
            }
        }
        overriding.errors().forEach(error -> problems.add(error.path(), error.message()));
        VeerConfig config = ConfigWalk.read(root, problems);
        if (config == null || !problems.isEmpty()) {
            throw new ConfigException(withOrigins(problems.errors(), overrides.origins()));
        }
        return config;
    }

    /**
     * Says where an overridden value came from: {@code proxy.listen: 'x' (expected: host:port) [from VEER_PROXY_LISTEN]}.
     * An override is named on an error about its own key or below it; about the map or list that holds it (a
     * weights sum); about a key the message names ({@code admin.token: required when admin.listen ...}); or on an
     * unknown key the override itself brought in.
     */
    private static List<ConfigError> withOrigins(List<ConfigError> errors, Map<String, String> origins) {
        List<ConfigError> out = new ArrayList<>(errors.size());
        for (ConfigError error : errors) {
            List<String> from = new ArrayList<>();
            for (Map.Entry<String, String> e : origins.entrySet()) {
                if (blames(error, e.getKey()) && !from.contains(e.getValue())) {
                    from.add(e.getValue());
                }
            }
            out.add(from.isEmpty() ? error
                    : new ConfigError(error.path(), error.message() + " [from " + String.join(", ", from) + "]"));
        }
        return out;
    }

    private static boolean atOrBelow(String path, String set) {
        return path.equals(set) || path.startsWith(set + ".") || path.startsWith(set + "[");
    }

    private static boolean blames(ConfigError error, String set) {
        String path = error.path();
        if (path.isEmpty()) {
            return false;
        }
        if (atOrBelow(path, set)) {
            return true;
        }
        if (set.startsWith(path + ".")) {
            String below = set.substring(path.length() + 1);
            boolean child = below.indexOf('.') < 0 && below.indexOf('[') < 0;
            return child || error.message().startsWith("unknown key");
        }
        return mentions(error.message(), set);
    }

    /** Whether {@code message} names the key path {@code set} as a whole word (not admin.listenX). */
    private static boolean mentions(String message, String set) {
        for (int at = message.indexOf(set); at >= 0; at = message.indexOf(set, at + 1)) {
            int end = at + set.length();
            boolean startsWord = at == 0 || !isPathChar(message.charAt(at - 1));
            boolean endsWord = end == message.length() || !isPathChar(message.charAt(end));
            if (startsWord && endsWord) {
                return true;
            }
        }
        return false;
    }

    private static boolean isPathChar(char c) {
        return Character.isLetterOrDigit(c) || c == '.' || c == '_' || c == '[' || c == ']';
    }
}
