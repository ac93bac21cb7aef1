package dev.veer.config;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.veer.config.internal.Durations;
import dev.veer.config.internal.FlagCatalog;
import dev.veer.config.internal.FlagSection;
import dev.veer.config.internal.ModelRenderer;
import dev.veer.config.internal.Problems;
import dev.veer.config.internal.RolloutSection;
import dev.veer.config.internal.ServiceSection;
import dev.veer.config.internal.VersionSection;
import dev.veer.config.internal.WeightsSection;
import dev.veer.config.model.AnalysisSpec;
import dev.veer.config.model.FlagSpec;
import dev.veer.config.model.RolloutSpec;
import dev.veer.config.model.ServiceSpec;
import dev.veer.config.model.VersionSpec;
import dev.veer.config.model.Weights;

import java.time.Duration;

/**
 * Parsing and rendering of model pieces for admin API bodies and the state store, in the config file's syntax
 * (weights in percent with up to 2 decimals, durations like "30s"). Errors carry paths under the given prefix,
 * e.g. {@code weights.green}. {@code parse(render(x))} equals {@code x}.
 */
public final class ModelJson {

    /** Strict as the config file is: a key given twice is an error, not "the last one wins". */
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private ModelJson() {
    }

    /** The shared JSON mapper (thread-safe once configured; do not reconfigure it). */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** {@code {"blue":90,"green":10}}: known versions only, sum exactly 100, versions left out get 0. */
    public static Weights parseWeights(JsonNode node, ServiceSpec service, String path) throws ConfigException {
        Problems problems = new Problems();
        Weights weights = WeightsSection.read(node, path, service.versionNames(), problems);
        problems.throwIfAny();
        return weights;
    }

    /** {@code {"endpoints":["10.0.0.1:8080"]}}; a {@code name} in the body must equal {@code name}. */
    public static VersionSpec parseVersion(String name, JsonNode node, String path) throws ConfigException {
        Problems problems = new Problems();
        VersionSpec version = VersionSection.read(name, node, path, problems);
        problems.throwIfAny();
        return version;
    }

    /** A flag as in the config's {@code flags:}; with {@code name} null the body's {@code name} is used. */
    public static FlagSpec parseFlag(String name, JsonNode node, String path) throws ConfigException {
        Problems problems = new Problems();
        FlagSpec flag = FlagSection.read(name, node, path, problems);
        problems.throwIfAny();
        return flag;
    }

    /**
     * {@code {"steps":[...], "analysis":{...}}}; omitted steps, and each omitted analysis setting, come from
     * {@code defaults}. The rollout request's {@code strategy}, {@code canary} and {@code baseline} keys are
     * allowed in the body (they belong to the request, not the plan) and ignored here.
     */
    public static RolloutSpec parseRollout(JsonNode node, RolloutSpec defaults, String path) throws ConfigException {
        Problems problems = new Problems();
        RolloutSpec rollout = RolloutSection.read(node, defaults == null ? RolloutSpec.DEFAULTS : defaults, path,
                true, problems);
        problems.throwIfAny();
        return rollout;
    }

    /** A service as in the config's {@code services:}. Routes naming flags are not checked against a flag list. */
    public static ServiceSpec parseService(JsonNode node, String path) throws ConfigException {
        Problems problems = new Problems();
        ServiceSpec service = ServiceSection.read(node, path, FlagCatalog.UNCHECKED, problems);
        problems.throwIfAny();
        return service;
    }

    public static ObjectNode render(ServiceSpec s) {
        return ModelRenderer.service(s);
    }

    public static ObjectNode render(FlagSpec f) {
        return ModelRenderer.flag(f);
    }

    public static ObjectNode render(RolloutSpec r) {
        return ModelRenderer.rollout(r);
    }

    public static ObjectNode render(AnalysisSpec a) {
        return ModelRenderer.analysis(a);
    }

    /** Also {@link #render(VersionSpec)}: {@code {"name":"blue","endpoints":["127.0.0.1:9001"]}}. */
    public static ObjectNode render(VersionSpec v) {
        return ModelRenderer.version(v);
    }

    /** {@code {"blue":90,"green":10}} in the service's version order; 12.5 for 1250 basis points. */
    public static ObjectNode renderWeights(Weights w) {
        return ModelRenderer.weights(w);
    }

    /** "1h30m", "500ms": the config syntax for a duration. */
    public static String renderDuration(Duration d) {
        return Durations.format(d);
    }

    /** Parses "1h30m", "500ms"; null when the text is not a duration with a unit. */
    public static Duration parseDuration(String text) {
        return Durations.parse(text);
    }
}
