package dev.veer.config;

import dev.veer.config.model.FlagSpec;
import dev.veer.config.model.HostPort;
import dev.veer.config.model.RouteMatch;
import dev.veer.config.model.RouteSpec;
import dev.veer.config.model.ServiceSpec;
import dev.veer.config.model.StepSpec;
import dev.veer.config.model.TargetRule;
import dev.veer.config.model.VeerConfig;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The shipped default config and every example load as they are (surefire runs in the module directory). */
class ExamplesTest {

    private static VeerConfig load(String file) throws ConfigException {
        return ConfigLoader.load(Path.of(file), Map.of("VEER_ADMIN_TOKEN", "s3cret"), List.of());
    }

    @Test
    void defaultConfigRunsOutOfTheBox() throws Exception {
        VeerConfig config = ConfigLoader.load(Path.of("veer.yaml"), Map.of(), List.of());
        assertThat(config.proxy().listen()).isEqualTo(new HostPort("0.0.0.0", 8080));
        assertThat(config.admin().listen()).isEqualTo(new HostPort("127.0.0.1", 9090));
        assertThat(config.admin().hasToken()).isFalse();
        assertThat(config.state().dir()).isEqualTo(Path.of("./veer-data"));
        // The contract's example flag, and its route below.
        assertThat(config.flags()).extracting(FlagSpec::name).containsExactly("new_checkout");

        ServiceSpec shop = config.service("shop");
        assertThat(shop.match().hosts()).containsExactly("shop.local");
        assertThat(shop.versions().get(0).endpoints()).containsExactly(new HostPort("127.0.0.1", 9001));
        assertThat(shop.versions().get(1).endpoints()).containsExactly(new HostPort("127.0.0.1", 9002));
        assertThat(shop.weights().basisPoints()).containsExactly(Map.entry("blue", 10_000), Map.entry("green", 0));
        assertThat(shop.sticky().cookie()).isEqualTo("veer_shop");
        assertThat(shop.routes()).extracting(RouteSpec::match).containsExactly(
                new RouteMatch.Header("x-canary", "always"), new RouteMatch.Flag("new_checkout", null));
        assertThat(shop.rollout().steps()).containsExactly(
                new StepSpec(500, Duration.ofMinutes(30), false), new StepSpec(2500, Duration.ofHours(2), false),
                new StepSpec(5000, Duration.ofHours(4), false), new StepSpec(null, null, true),
                new StepSpec(10_000, null, false));
        assertThat(shop.rollout().analysis().maxLatency()).isEqualTo(Duration.ofMillis(500));
        assertThat(shop.rollout().analysis().inconclusiveLimit()).isEqualTo(10);    // default
    }

    @Test
    void defaultConfigTakesTheAdminTokenFromTheEnvironment() throws Exception {
        VeerConfig config = ConfigLoader.load(Path.of("veer.yaml"), Map.of("VEER_ADMIN_TOKEN", "t0ken"), List.of());
        assertThat(config.admin().token()).isEqualTo("t0ken");
    }

    @ParameterizedTest
    @ValueSource(strings = {"blue-green.yaml", "canary-analysis.yaml", "header-preview.yaml", "flags-rollout.yaml",
            "multi-service.yaml"})
    void everyExampleValidates(String name) throws Exception {
        assertThat(load("examples/" + name).services()).isNotEmpty();
    }

    @Test
    void examplesSayWhatTheyMean() throws Exception {
        VeerConfig multi = load("examples/multi-service.yaml");
        assertThat(multi.services()).extracting(ServiceSpec::name).containsExactly("api", "assets", "web", "fallback");
        assertThat(multi.service("api").weights().basisPoints())
                .containsExactly(Map.entry("v41", 8750), Map.entry("v42", 1250));
        assertThat(multi.proxy().limits().maxHeaderBytes()).isEqualTo(32 * 1024);
        assertThat(multi.admin().token()).isEqualTo("s3cret");
        // Exposed admin, no well-known default token: without the variable the example is refused.
        ConfigException unset = org.assertj.core.api.Assertions.catchThrowableOfType(ConfigException.class,
                () -> ConfigLoader.load(Path.of("examples/multi-service.yaml"), Map.of(), List.of()));
        assertThat(unset.errors()).extracting(ConfigError::path).contains("admin.token");

        VeerConfig flags = load("examples/flags-rollout.yaml");
        assertThat(flags.flags()).hasSize(4);
        assertThat(flags.flags().get(0).percentageBps()).isEqualTo(500);
        assertThat(flags.flags().get(0).targeting().get(0)).isEqualTo(new TargetRule(
                new TargetRule.Attribute(TargetRule.Attribute.Kind.HEADER, "x-plan"), TargetRule.Operator.IN,
                List.of("premium")));
        assertThat(flags.flags().get(3).enabled()).isFalse();
        assertThat(flags.service("shop").routes().get(0).match()).isEqualTo(new RouteMatch.Flag("new_checkout", null));

        VeerConfig preview = load("examples/header-preview.yaml");
        assertThat(preview.service("web").healthCheck().interval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(preview.service("web").match().pathPrefix()).isEqualTo("/");
        assertThat(preview.service("web").routes().get(1).match()).isEqualTo(new RouteMatch.Cookie("beta", "1"));
    }
}
