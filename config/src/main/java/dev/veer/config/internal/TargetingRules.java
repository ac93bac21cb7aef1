package dev.veer.config.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.veer.config.model.TargetRule;
import dev.veer.config.model.TargetRule.Attribute;
import dev.veer.config.model.TargetRule.Operator;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * A targeting rule: one attribute key ({@code header: NAME}, {@code cookie: NAME}, {@code clientAddress: true})
 * and one operator key ({@code equals, in, notIn, prefix, exists, semverAtLeast}), e.g.
 * {@code {header: x-plan, in: [premium]}}.
 */
public final class TargetingRules {

    static final String[] ATTRIBUTE_KEYS = {"header", "cookie", "clientAddress"};

    private TargetingRules() {
    }

    public static TargetRule read(JsonNode node, String path, Problems problems) {
        Fields f = Fields.of(node, path, problems);
        if (f.noMapping()) {
            return null;
        }
        List<String> allowed = new ArrayList<>(List.of(ATTRIBUTE_KEYS));
        for (Operator op : Operator.values()) {
            allowed.add(op.key());
        }
        f.allow(allowed.toArray(String[]::new));
        int before = problems.count();
        Attribute attribute = attribute(f, path, problems);
        Operator operator = null;
        int operators = 0;
        Iterator<String> keys = node != null && node.isObject() ? node.fieldNames() : List.<String>of().iterator();
        while (keys.hasNext()) {
            Operator op = Operator.ofKey(keys.next());
            if (op != null) {
                operator = op;
                operators++;
            }
        }
        if (operators != 1) {
            problems.add(path, (operators == 0 ? "no operator" : "more than one operator")
                    + " (expected: exactly one of equals, in, notIn, prefix, exists, semverAtLeast)");
            return null;
        }
        List<String> values = values(f, operator, problems);
        if (problems.count() > before || attribute == null || values == null) {
            return null;
        }
        return new TargetRule(attribute, operator, values);
    }

    private static Attribute attribute(Fields f, String path, Problems problems) {
        int kinds = (f.has("header") ? 1 : 0) + (f.has("cookie") ? 1 : 0) + (f.has("clientAddress") ? 1 : 0);
        if (kinds != 1) {
            problems.add(path, (kinds == 0 ? "no attribute" : "more than one attribute")
                    + " (expected: exactly one of header: NAME, cookie: NAME, clientAddress: true)");
            return null;
        }
        if (f.has("clientAddress")) {
            if (!f.bool("clientAddress", false)) {
                problems.add(f.path("clientAddress"), Describe.value(f.get("clientAddress")) + " (expected: true)");
                return null;
            }
            return new Attribute(Attribute.Kind.CLIENT_ADDRESS, null);
        }
        boolean header = f.has("header");
        String key = header ? "header" : "cookie";
        String name = f.text(key, null);
        if (name == null) {
            return null;
        }
        if (!Names.isToken(name)) {
            problems.add(f.path(key), "'" + name + "' (expected: a valid " + key + " name)");
            return null;
        }
        return header ? new Attribute(Attribute.Kind.HEADER, name.toLowerCase(Locale.ROOT))
                : new Attribute(Attribute.Kind.COOKIE, name);
    }

    private static List<String> values(Fields f, Operator operator, Problems problems) {
        String key = operator.key();
        String path = f.path(key);
        JsonNode value = f.get(key);
        switch (operator) {
            case EXISTS:
                if (!value.isBoolean() || !value.booleanValue()) {
                    problems.add(path, Describe.value(value) + " (expected: true)");
                    return null;
                }
                return List.of();
            case IN:
            case NOT_IN:
                if (!value.isArray() || value.isEmpty()) {
                    problems.add(path, Describe.value(value) + " (expected: a non-empty list of values)");
                    return null;
                }
                return f.texts(key);
            default:
                String one = Scalars.text(value, path, problems, null);
                if (one == null) {
                    return null;
                }
                if (operator == Operator.SEMVER_AT_LEAST && !isVersion(one)) {
                    problems.add(path, "'" + one + "' (expected: a version like 1.2.3)");
                    return null;
                }
                return List.of(one);
        }
    }

    /** Numeric dot-separated version, optionally with a leading v: 2, 1.4, v1.2.3. */
    private static boolean isVersion(String text) {
        String s = text.startsWith("v") ? text.substring(1) : text;
        if (s.isEmpty() || s.startsWith(".") || s.endsWith(".")) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(Character.isDigit(c) || (c == '.' && s.charAt(i - 1) != '.'))) {
                return false;
            }
        }
        return true;
    }
}
