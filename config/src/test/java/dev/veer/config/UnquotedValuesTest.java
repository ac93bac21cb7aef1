package dev.veer.config;

import dev.veer.config.model.FlagSpec;
import dev.veer.config.model.RouteMatch;
import dev.veer.config.model.RouteSpec;
import dev.veer.config.model.ServiceSpec;
import dev.veer.config.model.TargetRule;
import dev.veer.config.model.VeerConfig;
import dev.veer.config.model.VersionSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An unquoted value that YAML reads as a number or boolean is taken as written where a string is expected. Read
 * as YAML types it, {@code semverAtLeast: 1.10} was 1.1 (so 1.2.0 passed), {@code value: 0042} was octal 34 (so
 * the header 34 matched and 0042 did not), {@code value: on} was "true", and versions named 1.9 and 1.10 were
 * "1.9" and "1.1", which the weights keyed "1.10" did not name.
 */
class UnquotedValuesTest {

    @Test
    void aStringSettingTakesAnUnquotedValueAsWritten(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("veer.yaml");
        Files.writeString(file, """
                services:
                  - name: shop
                    versions:
                      - { name: 1.9, endpoints: ["127.0.0.1:9001"] }
                      - { name: 1.10, endpoints: ["127.0.0.1:9002"] }
                    weights: { "1.9": 100, "1.10": 0 }
                    routes:
                      - { match: { header: { name: x-tenant, value: 0042 } }, version: 1.10 }
                      - { match: { cookie: { name: beta, value: on } }, version: 1.10 }
                      - { match: { flag: new_app }, version: 1.10 }
                flags:
                  - name: new_app
                    enabled: yes
                    percentage: 50.0
                    targeting:
                      - { header: x-app-version, semverAtLeast: 1.10 }
                      - { header: x-build, in: [2.0, 0x1F, 1_000, true] }
                """);
        VeerConfig config = ConfigLoader.load(file, Map.of(), List.of());

        ServiceSpec shop = config.service("shop");
        assertThat(shop.versions()).extracting(VersionSpec::name).containsExactly("1.9", "1.10");
        assertThat(shop.weights().basisPoints()).containsExactly(Map.entry("1.9", 10_000), Map.entry("1.10", 0));
        assertThat(shop.routes()).extracting(RouteSpec::match).containsExactly(
                new RouteMatch.Header("x-tenant", "0042"), new RouteMatch.Cookie("beta", "on"),
                new RouteMatch.Flag("new_app", null));
        FlagSpec flag = config.flags().get(0);
        assertThat(flag.targeting()).extracting(TargetRule::values)
                .containsExactly(List.of("1.10"), List.of("2.0", "0x1F", "1_000", "true"));
        // Where a number or true/false is expected, the value is what YAML reads, as before.
        assertThat(flag.enabled()).isTrue();
        assertThat(flag.percentageBps()).isEqualTo(5000);
    }

    @Test
    void aSetFlowListKeepsItsValuesAsWrittenToo(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("veer.yaml");
        Files.writeString(file, """
                flags:
                  - { name: new_app, enabled: true, targeting: [ { header: x-app-version, in: [a] } ] }
                """);
        VeerConfig config = ConfigLoader.load(file, Map.of(),
                List.of("flags.new_app.targeting[0].in=[1.10, 007]"));
        assertThat(config.flags().get(0).targeting().get(0).values()).containsExactly("1.10", "007");
    }
}
