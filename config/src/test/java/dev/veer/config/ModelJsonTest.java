package dev.veer.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.veer.config.model.AnalysisSpec;
import dev.veer.config.model.FlagSpec;
import dev.veer.config.model.HealthCheckSpec;
import dev.veer.config.model.HostPort;
import dev.veer.config.model.KeySource;
import dev.veer.config.model.MatchSpec;
import dev.veer.config.model.OutlierDetectionSpec;
import dev.veer.config.model.RetrySpec;
import dev.veer.config.model.RolloutSpec;
import dev.veer.config.model.RouteMatch;
import dev.veer.config.model.RouteSpec;
import dev.veer.config.model.ServiceSpec;
import dev.veer.config.model.StepSpec;
import dev.veer.config.model.StickySpec;
import dev.veer.config.model.TargetRule;
import dev.veer.config.model.TargetRule.Attribute;
import dev.veer.config.model.TargetRule.Operator;
import dev.veer.config.model.VariantSpec;
import dev.veer.config.model.VeerConfig;
import dev.veer.config.model.VersionSpec;
import dev.veer.config.model.Weights;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class ModelJsonTest {

    private static final ServiceSpec SHOP = new ServiceSpec("shop",
            new MatchSpec(List.of("shop.local", "::1"), "/api"),
            List.of(new VersionSpec("blue", List.of(new HostPort("127.0.0.1", 9001), new HostPort("::1", 9003))),
                    new VersionSpec("green", List.of(new HostPort("localhost", 9002)))),
            weights(Map.entry("blue", 8750), Map.entry("green", 1250)),
            new StickySpec("veer_shop", KeySource.header("x-user-id")),
            List.of(new RouteSpec(new RouteMatch.Header("x-canary", "always"), "green"),
                    new RouteSpec(new RouteMatch.Header("x-any", null), "blue"),
                    new RouteSpec(new RouteMatch.Cookie("beta", "1"), "green"),
                    new RouteSpec(new RouteMatch.Cookie("seen", null), "blue"),
                    new RouteSpec(new RouteMatch.Flag("new_checkout", null), "green"),
                    new RouteSpec(new RouteMatch.Flag("ab", "b"), "green")),
            new HealthCheckSpec("/health", Duration.ofMillis(2500), Duration.ofMillis(300), 2, 3),
            new OutlierDetectionSpec(7, Duration.ofSeconds(10), Duration.ofMinutes(90), 34),
            new RetrySpec(2, 0.15),
            new RolloutSpec(List.of(new StepSpec(500, Duration.ofMinutes(30), false), new StepSpec(null, null, true),
                    new StepSpec(1234, null, false), new StepSpec(null, Duration.ofSeconds(1), false),
                    new StepSpec(10_000, null, false)),
                    new AnalysisSpec(Duration.ofSeconds(90), 123, 0.005, 0.5, 0.99, Duration.ofMillis(750), 0.1, 3, 4,
                            0.95)));

    @SafeVarargs
    private static Weights weights(Map.Entry<String, Integer>... entries) {
        Map<String, Integer> bps = new LinkedHashMap<>();
        for (Map.Entry<String, Integer> e : entries) {
            bps.put(e.getKey(), e.getValue());
        }
        return new Weights(bps);
    }

    private static JsonNode json(String text) throws Exception {
        return ModelJson.mapper().readTree(text);
    }

    /** Through the text form too: what the admin writes to disk and reads back after a restart. */
    private static JsonNode viaText(ObjectNode node) throws Exception {
        return json(ModelJson.mapper().writeValueAsString(node));
    }

    @Test
    void serviceRoundTrips() throws Exception {
        assertThat(ModelJson.parseService(viaText(ModelJson.render(SHOP)), "")).isEqualTo(SHOP);
        ServiceSpec minimal = new ServiceSpec("m", new MatchSpec(List.of(), "/"),
                List.of(new VersionSpec("v1", List.of(new HostPort("10.0.0.1", 80)))),
                Weights.allTo("v1", List.of("v1")), null, List.of(), null, OutlierDetectionSpec.DEFAULTS,
                RetrySpec.DEFAULTS, null);
        assertThat(ModelJson.parseService(viaText(ModelJson.render(minimal)), "")).isEqualTo(minimal);
    }

    @Test
    void everyServiceOfTheExamplesRoundTrips() throws Exception {
        for (String file : List.of("veer.yaml", "examples/blue-green.yaml", "examples/canary-analysis.yaml",
                "examples/header-preview.yaml", "examples/flags-rollout.yaml", "examples/multi-service.yaml")) {
            VeerConfig config = ConfigLoader.load(Path.of(file), Map.of("VEER_ADMIN_TOKEN", "t"), List.of());
            for (ServiceSpec service : config.services()) {
                assertThat(ModelJson.parseService(viaText(ModelJson.render(service)), "")).as(file).isEqualTo(service);
            }
            for (FlagSpec flag : config.flags()) {
                assertThat(ModelJson.parseFlag(null, viaText(ModelJson.render(flag)), "")).as(file).isEqualTo(flag);
            }
        }
    }

    @Test
    void flagRoundTripsWithEveryRuleKind() throws Exception {
        FlagSpec flag = new FlagSpec("new_checkout", false, 1250, KeySource.cookie("session"), List.of(
                new TargetRule(new Attribute(Attribute.Kind.HEADER, "x-plan"), Operator.IN, List.of("a", "b")),
                new TargetRule(new Attribute(Attribute.Kind.HEADER, "x-plan"), Operator.NOT_IN, List.of("free")),
                new TargetRule(new Attribute(Attribute.Kind.COOKIE, "Beta"), Operator.EQUALS, List.of("1")),
                new TargetRule(new Attribute(Attribute.Kind.CLIENT_ADDRESS, null), Operator.PREFIX, List.of("10.")),
                new TargetRule(new Attribute(Attribute.Kind.HEADER, "x-debug"), Operator.EXISTS, List.of()),
                new TargetRule(new Attribute(Attribute.Kind.HEADER, "x-app"), Operator.SEMVER_AT_LEAST,
                        List.of("2.4.0"))),
                List.of(new VariantSpec("control", 3), new VariantSpec("treatment", 1)));
        assertThat(ModelJson.parseFlag(null, viaText(ModelJson.render(flag)), "")).isEqualTo(flag);
        assertThat(ModelJson.parseFlag("new_checkout", viaText(ModelJson.render(flag)), "")).isEqualTo(flag);
    }

    @Test
    void flagBodyDefaultsAndNameFromThePath() throws Exception {
        FlagSpec flag = ModelJson.parseFlag("dark", json("{\"percentage\": 20}"), "");
        assertThat(flag).isEqualTo(new FlagSpec("dark", true, 2000, null, List.of(), List.of()));
        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> ModelJson.parseFlag("dark", json("{\"name\": \"light\", \"percentage\": \"x\"}"), ""));
        assertThat(e.errors()).extracting(ConfigError::toString).containsExactly(
                "name: 'light' (expected: 'dark' or no name)",
                "percentage: 'x' (expected: a percent 0..100 with at most 2 decimals)");
    }

    @Test
    void rolloutAndAnalysisRoundTrip() throws Exception {
        assertThat(ModelJson.parseRollout(viaText(ModelJson.render(SHOP.rollout())), RolloutSpec.DEFAULTS, ""))
                .isEqualTo(SHOP.rollout());
        assertThat(ModelJson.parseRollout(viaText(ModelJson.render(RolloutSpec.DEFAULTS)), null, ""))
                .isEqualTo(RolloutSpec.DEFAULTS);
        ObjectNode body = ModelJson.mapper().createObjectNode();
        body.set("analysis", ModelJson.render(SHOP.rollout().analysis()));
        assertThat(ModelJson.parseRollout(body, RolloutSpec.DEFAULTS, "").analysis())
                .isEqualTo(SHOP.rollout().analysis());
    }

    @Test
    void rolloutBodyOverridesOnlyWhatItNames() throws Exception {
        RolloutSpec plan = ModelJson.parseRollout(json("""
                {"canary": "green", "baseline": "blue", "steps": [{"weight": 50, "pause": "1m"}],
                 "analysis": {"minRequests": 10}}"""), SHOP.rollout(), "");
        assertThat(plan.steps()).containsExactly(new StepSpec(5000, Duration.ofMinutes(1), false));
        assertThat(plan.analysis().minRequests()).isEqualTo(10);
        assertThat(plan.analysis().interval()).isEqualTo(Duration.ofSeconds(90));   // from the service's plan
        assertThat(ModelJson.parseRollout(json("{}"), SHOP.rollout(), "")).isEqualTo(SHOP.rollout());

        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> ModelJson.parseRollout(json("{\"stepz\": [], \"analysis\": {\"interval\": 60}}"), null, ""));
        assertThat(e.errors()).extracting(ConfigError::toString).containsExactly(
                "stepz: unknown key (expected one of: steps, analysis, strategy, canary, baseline)",
                "analysis.interval: 60 (expected: a duration with a unit, e.g. 500ms, 30s, 5m, 2h, 1h30m)");
    }

    @Test
    void weightsRenderAsPercentAndParseBack() throws Exception {
        ObjectNode rendered = ModelJson.renderWeights(SHOP.weights());
        assertThat(ModelJson.mapper().writeValueAsString(rendered)).isEqualTo("{\"blue\":87.5,\"green\":12.5}");
        assertThat(ModelJson.parseWeights(viaText(rendered), SHOP, "weights")).isEqualTo(SHOP.weights());
        assertThat(ModelJson.parseWeights(json("{\"green\": 100}"), SHOP, "weights").basisPoints())
                .containsExactly(Map.entry("blue", 0), Map.entry("green", 10_000));
        assertThat(ModelJson.parseWeights(json("{\"green\": 0.01, \"blue\": 99.99}"), SHOP, "weights").basisPoints())
                .containsExactly(Map.entry("blue", 9999), Map.entry("green", 1));
    }

    @Test
    void weightsErrorsCarryThePathPrefix() throws Exception {
        ConfigException unknown = catchThrowableOfType(ConfigException.class,
                () -> ModelJson.parseWeights(json("{\"blue\": 90, \"purple\": 10}"), SHOP, "weights"));
        assertThat(unknown.errors()).containsExactly(
                new ConfigError("weights.purple", "unknown version (expected one of: blue, green)"));
        ConfigException sum = catchThrowableOfType(ConfigException.class,
                () -> ModelJson.parseWeights(json("{\"blue\": 90, \"green\": 5.5}"), SHOP, "weights"));
        assertThat(sum.errors()).containsExactly(new ConfigError("weights", "sum is 95.5 (expected: 100)"));
        ConfigException decimals = catchThrowableOfType(ConfigException.class,
                () -> ModelJson.parseWeights(json("{\"blue\": 90.001, \"green\": \"ten\"}"), SHOP, "weights"));
        assertThat(decimals.errors()).extracting(ConfigError::toString).containsExactly(
                "weights.blue: 90.001 (expected: at most 2 decimals)",
                "weights.green: 'ten' (expected: a percent 0..100 with at most 2 decimals)");
        ConfigException notObject = catchThrowableOfType(ConfigException.class,
                () -> ModelJson.parseWeights(json("[1]"), SHOP, "weights"));
        assertThat(notObject.errors()).extracting(ConfigError::toString)
                .containsExactly("weights: a list (expected: a mapping of version to percent)");
        // A number refused for its form still counts towards the sum: both errors in one run.
        ConfigException both = catchThrowableOfType(ConfigException.class,
                () -> ModelJson.parseWeights(json("{\"blue\": 90, \"green\": 5.555}"), SHOP, "weights"));
        assertThat(both.errors()).extracting(ConfigError::toString).containsExactly(
                "weights.green: 5.555 (expected: at most 2 decimals)", "weights: sum is 95.555 (expected: 100)");
    }

    @Test
    void numbersWrittenAsStringsAreRefusedInApiBodies() throws Exception {
        ConfigException weights = catchThrowableOfType(ConfigException.class,
                () -> ModelJson.parseWeights(json("{\"blue\": \"90\", \"green\": 10}"), SHOP, "weights"));
        assertThat(weights.errors()).extracting(ConfigError::toString).containsExactly(
                "weights.blue: '90' is a string (expected: a number, a percent 0..100 with at most 2 decimals)");

        ConfigException percentage = catchThrowableOfType(ConfigException.class,
                () -> ModelJson.parseFlag("f", json("{\"enabled\": true, \"percentage\": \"25\"}"), "flag"));
        assertThat(percentage.errors()).extracting(ConfigError::path).containsExactly("flag.percentage");

        ConfigException plan = catchThrowableOfType(ConfigException.class, () -> ModelJson.parseRollout(json("""
                {"steps": [{"weight": "10", "pause": "1m"}, {"weight": 100}],
                 "analysis": {"minRequests": "200", "maxErrorRate": "0.01"}}"""), RolloutSpec.DEFAULTS, ""));
        assertThat(plan.errors()).extracting(ConfigError::path)
                .containsExactlyInAnyOrder("steps[0].weight", "analysis.minRequests", "analysis.maxErrorRate");
        assertThat(plan.errors()).allSatisfy(e -> assertThat(e.message()).contains("is a string (expected: a number"));

        // The same bodies with numbers parse.
        assertThat(ModelJson.parseWeights(json("{\"blue\": 90, \"green\": 10}"), SHOP, "weights").of("blue"))
                .isEqualTo(9000);
        assertThat(ModelJson.parseRollout(json("""
                {"steps": [{"weight": 10, "pause": "1m"}, {"weight": 100}],
                 "analysis": {"minRequests": 200, "maxErrorRate": 0.01}}"""), RolloutSpec.DEFAULTS, "")
                .analysis().minRequests()).isEqualTo(200);
    }

    @Test
    void configFileNumbersStayNumbersUnquotedFromEnvAndFromSet() throws Exception {
        String yaml = Configs.SHOP + """
                    weights: { blue: "${BLUE_WEIGHT}", green: 10 }
                flags:
                  - { name: f, enabled: true, percentage: 12.5 }
                """;
        VeerConfig config = ConfigLoader.parse(yaml, "test.yaml", Map.of("BLUE_WEIGHT", "90"),
                List.of("services[0].rollout.analysis.minRequests=50"));
        assertThat(config.service("shop").weights().of("blue")).isEqualTo(9000);
        assertThat(config.flags().get(0).percentageBps()).isEqualTo(1250);
        assertThat(config.service("shop").rollout().analysis().minRequests()).isEqualTo(50);
        assertThat(Configs.errors(Configs.SHOP + "    weights: { blue: \"90\", green: 10 }\n"))
                .containsExactly("services[0].weights.blue: '90' is a string (expected: a number, a percent 0..100"
                        + " with at most 2 decimals)");
    }

    @Test
    void versionBody() throws Exception {
        VersionSpec green = SHOP.version("green");
        assertThat(ModelJson.parseVersion("green", viaText(ModelJson.render(green)), "")).isEqualTo(green);
        assertThat(ModelJson.parseVersion("v3", json("{\"endpoints\": [\"10.0.0.9:81\"]}"), ""))
                .isEqualTo(new VersionSpec("v3", List.of(new HostPort("10.0.0.9", 81))));
        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> ModelJson.parseVersion("v3", json("{\"endpoints\": [\"x\", \"10.0.0.9:81\", \"10.0.0.9:81\"]}"),
                        ""));
        assertThat(e.errors()).extracting(ConfigError::toString).containsExactly(
                "endpoints[0]: 'x' (expected: host:port)",
                "endpoints[2]: '10.0.0.9:81' duplicate (expected: each endpoint once)");
        // The admin API's version PUT checks hosts and ports as the config file does.
        ConfigException badHost = catchThrowableOfType(ConfigException.class,
                () -> ModelJson.parseVersion("v3", json("{\"endpoints\": [\"bad host:80\", \"h:0\"]}"), ""));
        assertThat(badHost.errors()).extracting(ConfigError::toString).containsExactly(
                "endpoints[0]: 'bad host:80': 'bad host' is not a host name (expected: a host name of letters, digits,"
                        + " hyphens and underscores in dot-separated labels, not starting or ending with a hyphen, or an"
                        + " IP address)",
                "endpoints[1]: 'h:0': port 0 (expected: 1..65535)");
        ConfigException empty = catchThrowableOfType(ConfigException.class,
                () -> ModelJson.parseVersion("bad name", json("{}"), "body"));
        assertThat(empty.errors()).extracting(ConfigError::toString).containsExactly(
                "body.name: 'bad name' (expected: a name matching [A-Za-z0-9][A-Za-z0-9_.-]*)",
                "body.endpoints: missing (expected: at least one host:port)");
    }

    @Test
    void parseServiceReportsEveryErrorUnderItsPrefix() throws Exception {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ModelJson.parseService(json("""
                {"name": "s", "versions": [{"name": "a", "endpoints": ["h:1"]}], "weights": {"a": 50},
                 "routes": [{"match": {"flag": "anything"}, "version": "b"}]}"""), "service"));
        assertThat(e.errors()).extracting(ConfigError::toString).containsExactly(
                "service.weights: sum is 50 (expected: 100)",
                "service.routes[0].version: 'b' unknown version (expected one of: a)");
    }

    @Test
    void durationHelpers() {
        assertThat(ModelJson.renderDuration(Duration.ofSeconds(30))).isEqualTo("30s");
        assertThat(ModelJson.parseDuration("1h30m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(ModelJson.parseDuration("90")).isNull();
    }
}
