package dev.veer.config.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.veer.config.model.FlagSpec;
import dev.veer.config.model.KeySource;
import dev.veer.config.model.TargetRule;
import dev.veer.config.model.VariantSpec;
import dev.veer.config.model.Weights;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One entry of {@code flags:}. {@code enabled} defaults to true and {@code percentage} to 100: declaring a flag
 * serves it to everyone it targets unless said otherwise.
 */
public final class FlagSection {

    static final String[] KEYS = {"name", "enabled", "percentage", "stickiness", "targeting", "variants"};
    static final String[] VARIANT_KEYS = {"name", "weight"};

    private FlagSection() {
    }

    /**
     * A flag as read: its name, null when the name itself is wrong, and the flag, null when anything in it is. Names
     * are checked for duplicates even when the rest of the flag has errors.
     */
    public record Read(String name, FlagSpec flag) {
    }

    /**
     * @param name the flag's name when known from elsewhere (an API path), else null to read the {@code name} key
     * @return the flag, or null when it is too broken to build (its errors are reported)
     */
    public static FlagSpec read(String name, JsonNode node, String path, Problems problems) {
        return readParts(name, node, path, problems).flag();
    }

    public static Read readParts(String name, JsonNode node, String path, Problems problems) {
        int before = problems.count();
        Fields f = Fields.of(node, path, problems).allow(KEYS);
        if (f.noMapping()) {
            return new Read(name, null);
        }
        String flagName = Names.fromPathOrBody(name, f, problems);
        boolean enabled = f.bool("enabled", true);
        Integer percentageBps = Weights.TOTAL;
        if (f.has("percentage")) {
            percentageBps = Percent.toBasisPoints(f.get("percentage"), f.path("percentage"), problems);
        }
        KeySource stickiness = f.keySource("stickiness");
        List<TargetRule> targeting = new ArrayList<>();
        List<JsonNode> rules = f.list("targeting");
        for (int i = 0; i < rules.size(); i++) {
            TargetRule rule = TargetingRules.read(rules.get(i), Paths.index(f.path("targeting"), i), problems);
            if (rule != null) {
                targeting.add(rule);
            }
        }
        List<VariantSpec> variants = variants(f, problems);
        if (problems.count() > before || flagName == null || percentageBps == null) {
            return new Read(flagName, null);
        }
        return new Read(flagName, new FlagSpec(flagName, enabled, percentageBps, stickiness, targeting, variants));
    }

    private static List<VariantSpec> variants(Fields f, Problems problems) {
        List<VariantSpec> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        List<JsonNode> items = f.list("variants");
        for (int i = 0; i < items.size(); i++) {
            Fields v = Fields.of(items.get(i), Paths.index(f.path("variants"), i), problems).allow(VARIANT_KEYS);
            if (v.noMapping()) {
                continue;
            }
            String variantName = v.name("name");
            int weight = v.integer("weight", 1, 1_000_000, 1);
            if (!v.has("weight")) {
                problems.add(v.path("weight"), "missing (expected: an integer >= 1)");
            }
            if (variantName == null) {
                continue;
            }
            // x-veer-flags says "name=on"/"name=off" for a flag without variants: a variant called off would tell a
            // service the flag is off for the very requests it is on for (and count as result="off" in metrics).
            if (variantName.equalsIgnoreCase("on") || variantName.equalsIgnoreCase("off")) {
                problems.add(v.path("name"), "'" + variantName + "' (expected: a name other than on and off, which"
                        + " x-veer-flags sends for a flag without variants)");
                continue;
            }
            if (!seen.add(variantName)) {
                problems.add(v.path("name"), "'" + variantName + "' duplicate (expected: unique variant names)");
                continue;
            }
            out.add(new VariantSpec(variantName, weight));
        }
        return out;
    }
}
