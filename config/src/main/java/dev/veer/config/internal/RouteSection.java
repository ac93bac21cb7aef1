package dev.veer.config.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.veer.config.model.RouteMatch;
import dev.veer.config.model.RouteSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code routes:} rules tried before weights. A match is exactly one of
 * {@code {header: {name, value?}}}, {@code {cookie: {name, value?}}} or {@code {flag: NAME, variant?: V}};
 * {@code header: NAME} alone is shorthand for "present".
 */
public final class RouteSection {

    static final String[] ROUTE_KEYS = {"match", "version"};
    static final String[] MATCH_KEYS = {"header", "cookie", "flag", "variant"};
    static final String[] NAME_VALUE_KEYS = {"name", "value"};

    private RouteSection() {
    }

    public static List<RouteSpec> read(List<JsonNode> items, String path, List<String> versions, FlagCatalog flags,
                                       Problems problems) {
        List<RouteSpec> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            RouteSpec route = route(items.get(i), Paths.index(path, i), versions, flags, problems);
            if (route != null) {
                out.add(route);
            }
        }
        return out;
    }

    private static RouteSpec route(JsonNode node, String path, List<String> versions, FlagCatalog flags,
                                   Problems problems) {
        Fields f = Fields.of(node, path, problems).allow(ROUTE_KEYS);
        if (f.noMapping()) {
            return null;
        }
        String version = f.requiredText("version", "one of: " + String.join(", ", versions));
        if (version != null && !versions.contains(version)) {
            problems.add(f.path("version"), "'" + version + "' unknown version (expected one of: "
                    + String.join(", ", versions) + ")");
            version = null;
        }
        JsonNode matchNode = f.required("match", "header, cookie or flag");
        RouteMatch match = matchNode == null ? null : match(matchNode, f.path("match"), flags, problems);
        return match == null || version == null ? null : new RouteSpec(match, version);
    }

    private static RouteMatch match(JsonNode node, String path, FlagCatalog flags, Problems problems) {
        Fields f = Fields.of(node, path, problems).allow(MATCH_KEYS);
        if (f.noMapping()) {
            return null;
        }
        int kinds = (f.has("header") ? 1 : 0) + (f.has("cookie") ? 1 : 0) + (f.has("flag") ? 1 : 0);
        if (kinds != 1) {
            problems.add(path, (kinds == 0 ? "no condition" : "more than one condition")
                    + " (expected: exactly one of header, cookie, flag)");
            return null;
        }
        if (f.has("variant") && !f.has("flag")) {
            problems.add(f.path("variant"), "only allowed with flag (expected: {flag: NAME, variant: V})");
            return null;
        }
        if (f.has("flag")) {
            return flag(f, flags, problems);
        }
        boolean header = f.has("header");
        String key = header ? "header" : "cookie";
        JsonNode spec = f.get(key);
        String keyPath = f.path(key);
        String name;
        String value = null;
        String namePath;
        if (spec.isObject()) {
            Fields nv = Fields.of(spec, keyPath, problems).allow(NAME_VALUE_KEYS);
            name = nv.requiredText("name", "a " + key + " name");
            value = nv.text("value", null);
            namePath = nv.path("name");
        } else {
            name = Scalars.text(spec, keyPath, problems, null);
            namePath = keyPath;
        }
        if (name == null) {
            return null;
        }
        if (!Names.isToken(name)) {
            problems.add(namePath, "'" + name + "' (expected: a valid " + key + " name)");
            return null;
        }
        return header ? new RouteMatch.Header(name, value) : new RouteMatch.Cookie(name, value);
    }

    private static RouteMatch flag(Fields f, FlagCatalog flags, Problems problems) {
        String name = Scalars.text(f.get("flag"), f.path("flag"), problems, null);
        String variant = f.text("variant", null);
        if (name == null) {
            return null;
        }
        if (flags.checked()) {
            if (!flags.variantsByFlag().containsKey(name)) {
                problems.add(f.path("flag"), "'" + name + "' unknown flag (expected: "
                        + (flags.variantsByFlag().isEmpty() ? "a flag declared under flags"
                        : "one of: " + String.join(", ", new TreeSet<>(flags.variantsByFlag().keySet()))) + ")");
                return null;
            }
            Set<String> variants = flags.variantsByFlag().get(name);
            if (variant != null && variants != null && !variants.contains(variant)) {
                problems.add(f.path("variant"), "'" + variant + "' unknown variant of flag '" + name + "' (expected: "
                        + (variants.isEmpty() ? "no variant, the flag has none"
                        : "one of: " + String.join(", ", new TreeSet<>(variants))) + ")");
                return null;
            }
        }
        return new RouteMatch.Flag(name, variant);
    }
}
