package dev.veer.config;

import dev.veer.config.model.AdminSettings;
import dev.veer.config.model.HostPort;
import dev.veer.config.model.Limits;
import dev.veer.config.model.ProxySettings;
import dev.veer.config.model.VeerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static dev.veer.config.Configs.errors;
import static org.assertj.core.api.Assertions.assertThat;

class LayeringTest {

    private static final String FILE = """
            proxy:
              listen: "127.0.0.1:7000"
              ioThreads: 2
            admin:
              listen: "127.0.0.1:7001"
              token: from-file
            """ + Configs.SHOP;

    @Test
    void emptyFileGivesTheBuiltInDefaults() throws Exception {
        VeerConfig config = Configs.parse("");
        assertThat(config.proxy()).isEqualTo(ProxySettings.DEFAULTS);
        assertThat(config.admin()).isEqualTo(AdminSettings.DEFAULTS);
        assertThat(config.state().dir()).isEqualTo(Path.of("./veer-data"));
        assertThat(config.services()).isEmpty();
        assertThat(config.flags()).isEmpty();
    }

    @Test
    void fileBeatsDefaultsEnvBeatsFileSetBeatsEnv(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("veer.yaml");
        Files.writeString(file, FILE);
        Map<String, String> env = Map.of(
                "VEER_PROXY_LISTEN", "127.0.0.1:7100",
                "VEER_ADMIN_TOKEN", "from-env",
                "VEER_ADMIN_LISTEN", "127.0.0.1:7101");
        List<String> set = List.of("admin.listen=127.0.0.1:7201", "services[0].weights.blue=50",
                "services.shop.weights.green=50");

        VeerConfig fileOnly = ConfigLoader.load(file, Map.of(), List.of());
        assertThat(fileOnly.service("shop").weights().basisPoints())     // omitted: all on the first version
                .containsExactly(Map.entry("blue", 10_000), Map.entry("green", 0));
        assertThat(fileOnly.proxy().listen()).isEqualTo(new HostPort("127.0.0.1", 7000));
        assertThat(fileOnly.proxy().ioThreads()).isEqualTo(2);
        assertThat(fileOnly.proxy().maxInFlight()).isEqualTo(ProxySettings.DEFAULTS.maxInFlight());

        VeerConfig all = ConfigLoader.load(file, env, set);
        assertThat(all.proxy().listen()).isEqualTo(new HostPort("127.0.0.1", 7100));   // env over file
        assertThat(all.proxy().ioThreads()).isEqualTo(2);                               // file over default
        assertThat(all.admin().token()).isEqualTo("from-env");
        assertThat(all.admin().listen()).isEqualTo(new HostPort("127.0.0.1", 7201));   // --set over env
        assertThat(all.service("shop").weights().basisPoints()).containsExactly(
                Map.entry("blue", 5000), Map.entry("green", 5000));
    }

    @Test
    void envNamesMatchKeysIgnoringUnderscoresAndCase() throws Exception {
        Map<String, String> env = Map.of(
                "VEER_ADMIN_METRICS_AUTH", "false",
                "VEER_PROXY_LIMITS_MAX_HEADER_BYTES", "32KiB",
                "VEER_PROXY_LIMITS_RESPONSETIMEOUT", "90s",
                "VEER_PROXY_MAX_IN_FLIGHT", "10",
                "VEER_STATE_DIR", "/tmp/veer-state",
                "VEER_PROXY_ACCESS_LOG", "/var/log/veer/access.log",
                "VEER_PROXY_NORMALIZE_PATH", "false",
                "VEER_JAVA_OPTS", "-Xmx1g",
                "VEER_ADMIN_URL", "http://127.0.0.1:9090",
                "HOME", "/root");
        VeerConfig config = ConfigLoader.parse("", "t", env, List.of());
        assertThat(config.admin().metricsAuth()).isFalse();
        assertThat(config.proxy().limits().maxHeaderBytes()).isEqualTo(32 * 1024);
        assertThat(config.proxy().limits().responseTimeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(config.proxy().maxInFlight()).isEqualTo(10);
        assertThat(config.state().dir()).isEqualTo(Path.of("/tmp/veer-state"));
        assertThat(config.proxy().accessLog()).isEqualTo(Path.of("/var/log/veer/access.log"));
        assertThat(ConfigLoader.parse("proxy: { accessLog: \"\" }", "t", Map.of(), List.of()).proxy().accessLog())
                .as("empty: no access log").isNull();
        assertThat(config.proxy().normalizePath()).isFalse();
        assertThat(ProxySettings.DEFAULTS.normalizePath()).as("on unless turned off").isTrue();
        assertThat(ConfigLoader.parse("proxy: { normalizePath: false }", "t", Map.of(),
                List.of("proxy.normalizePath=true")).proxy().normalizePath()).as("--set over the file").isTrue();
        assertThat(config.proxy().limits().maxHeaderCount()).isEqualTo(Limits.DEFAULTS.maxHeaderCount());
    }

    /** Both spellings of one key: the one that won was the later by name order, without a word. */
    @Test
    void twoVariablesForOneKeyAreAnError(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("veer.yaml");
        Files.writeString(file, "proxy: { drainTimeout: 30s }\n");
        ConfigException e = org.assertj.core.api.Assertions.catchThrowableOfType(ConfigException.class,
                () -> ConfigLoader.load(file, Map.of("VEER_PROXY_DRAIN_TIMEOUT", "5s", "VEER_PROXY_DRAINTIMEOUT", "2m",
                        "VEER_ADMIN_LISTEN", "127.0.0.1:9191"), List.of()));
        assertThat(e.errors()).extracting(ConfigError::toString).containsExactly(
                "VEER_PROXY_DRAIN_TIMEOUT: sets the same key as VEER_PROXY_DRAINTIMEOUT (expected: one of them)");
    }

    @Test
    void errorsInOverriddenValuesSayWhereTheyCameFrom() {
        assertThat(errors("", Map.of("VEER_PROXY_LISTEN", "nowhere"), List.of("proxy.ioThreads=-1")))
                .containsExactly(
                        "proxy.listen: 'nowhere' (expected: host:port) [from VEER_PROXY_LISTEN]",
                        "proxy.ioThreads: -1 (expected: 0..1024) [from --set proxy.ioThreads=-1]");
    }

    @Test
    void anErrorAnOverrideCausedElsewhereNamesTheOverride() {
        // The error sits on admin.token, which the file left empty; the override that made it one is admin.listen.
        assertThat(errors("", Map.of(), List.of("admin.listen=0.0.0.0:9090"))).singleElement().asString()
                .startsWith("admin.token: ").endsWith(" [from --set admin.listen=0.0.0.0:9090]");
        assertThat(errors("", Map.of("VEER_ADMIN_LISTEN", "0.0.0.0:9090"), List.of("proxy.ioThreads=2")))
                .singleElement().asString().endsWith(" [from VEER_ADMIN_LISTEN]");
    }

    @Test
    void aTokenGivenWithSetIsNotRepeatedInItsError() {
        List<String> errors = errors("", Map.of(), List.of("admin.token=has space"));
        assertThat(errors).singleElement().asString().contains("[from --set admin.token=(hidden)]")
                .doesNotContain("has space");
    }

    @Test
    void anUnknownKeyThatAnOverrideBroughtInIsBlamedOnTheOverride() {
        assertThat(errors("", Map.of(), List.of("bogus.key=1")))
                .containsExactly("bogus: unknown key (expected one of: proxy, admin, state, services, flags)"
                        + " [from --set bogus.key=1]");
    }

    @Test
    void aNumberAfterADotIndexesAList() {
        assertThat(errors(Configs.SHOP, Map.of(), List.of("services.0.weights.blue=90")))
                .containsExactly("services[0].weights: sum is 90 (expected: 100) [from --set services.0.weights.blue=90]");
        assertThat(errors(Configs.SHOP, Map.of(), List.of("services.4.name=x"))).containsExactly(
                "--set services.4.name=x: index 4 is out of range in services (expected: [0]..[0] or the name of an"
                        + " element; to add one, set the whole list: services=[...])");
    }

    @Test
    void badSetFlagsAreNamed() {
        List<String> errors = errors(Configs.SHOP, Map.of(), List.of("proxy.listen", "services.cart.weights.blue=1",
                "services[3].name=x", "services[0]x=1", "proxy.limits[0]=1", "services[0].name.x=1",
                "proxy.limits.maxBodyBytes=[1,"));
        assertThat(errors).hasSize(7);
        assertThat(errors.subList(0, 6)).containsExactly(
                "--set proxy.listen: missing '=' (expected: key=value, e.g. proxy.listen=127.0.0.1:8080)",
                "--set services.cart.weights.blue=1: no element named 'cart' in services (expected: [0]..[0] or the"
                        + " name of an element; to add one, set the whole list: services=[...])",
                "--set services[3].name=x: index 3 is out of range in services (expected: [0]..[0] or the name of an"
                        + " element; to add one, set the whole list: services=[...])",
                "--set services[0]x=1: 'services[0]x' (expected: a key path like proxy.listen, "
                        + "services[0].weights.blue or services.shop.weights.blue)",
                "--set proxy.limits[0]=1: proxy.limits is missing (expected: an existing list to index into)",
                "--set services[0].name.x=1: services[0].name is 'shop' (expected: a mapping or list to set a key in)");
        assertThat(errors.get(6)).startsWith("--set proxy.limits.maxBodyBytes=[1,: value is not valid YAML: ")
                .endsWith(" (expected: a scalar, [list] or {mapping})");
    }

    /**
     * A name may hold dots: {@code weights.v1.10} set a key v1 holding a key 10 ("unknown version v1"), and no
     * {@code --set} could reach the version v1.10. {@code \.} is a dot inside a key, as in Helm's --set.
     */
    @Test
    void aDotInsideANameIsWrittenWithABackslash(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("veer.yaml");
        Files.writeString(file, """
                services:
                  - name: shop
                    versions:
                      - { name: v1.9, endpoints: ["127.0.0.1:9001"] }
                      - { name: v1.10, endpoints: ["127.0.0.1:9002"] }
                    weights: { v1.9: 100, v1.10: 0 }
                """);
        VeerConfig config = ConfigLoader.load(file, Map.of(), List.of("services.shop.weights.v1\\.9=75",
                "services.shop.weights.v1\\.10=25", "services.shop.versions.v1\\.10.endpoints=[127.0.0.1:9003]"));
        assertThat(config.service("shop").weights().basisPoints())
                .containsExactly(Map.entry("v1.9", 7500), Map.entry("v1.10", 2500));
        assertThat(config.service("shop").versions().get(1).endpoints()).containsExactly(new HostPort("127.0.0.1", 9003));

        assertThat(errors(Files.readString(file), Map.of(), List.of("services.shop.weights.v1\\.10=101")))
                .containsExactly("services[0].weights.v1.10: 101 (expected: 0..100) [from --set "
                        + "services.shop.weights.v1\\.10=101]");
    }

    /** A negative or signed index is a malformed key path; [-1] stopped veer check with a NullPointerException. */
    @Test
    void aNegativeIndexIsAMalformedKeyPath() {
        assertThat(errors(Configs.SHOP, Map.of(), List.of("services[-1].name=a", "services[+0].name=a")))
                .containsExactly(
                "--set services[-1].name=a: 'services[-1].name' (expected: a key path like proxy.listen, "
                        + "services[0].weights.blue or services.shop.weights.blue)",
                "--set services[+0].name=a: 'services[+0].name' (expected: a key path like proxy.listen, "
                        + "services[0].weights.blue or services.shop.weights.blue)");
    }

    @Test
    void setValuesAreTypedLikeYamlScalarsAndFlowLists() throws Exception {
        VeerConfig config = ConfigLoader.parse(Configs.SHOP, "t", Map.of(), List.of(
                "services.shop.match.hosts=[A.local, b.local:8080]",
                "services[0].weights={blue: 12.5, green: 87.5}",
                "admin.metricsAuth=false",
                "admin.token=007"));
        assertThat(config.service("shop").match().hosts()).containsExactly("a.local", "b.local");
        assertThat(config.service("shop").weights().basisPoints())
                .containsExactly(Map.entry("blue", 1250), Map.entry("green", 8750));
        assertThat(config.admin().metricsAuth()).isFalse();
        assertThat(config.admin().token()).isEqualTo("007");
    }

    /**
     * A file value replaced by a later layer is not read, so its unset ${VAR} is no error (it was, and was blamed on
     * the override: "proxy.listen: ${PORT} is not set ... [from VEER_PROXY_LISTEN]"). One not replaced still is.
     */
    @Test
    void anUnsetVariableInAValueALaterLayerReplacesIsNoError() throws Exception {
        String yaml = Configs.SHOP + """
                proxy: { listen: "${PORT}", drainTimeout: "${DRAIN}" }
                admin: { listen: "127.0.0.1:${ADMIN_PORT}" }
                """;
        VeerConfig config = ConfigLoader.parse(yaml.replace("${DRAIN}", "5s"), "t", Map.of("VEER_PROXY_LISTEN",
                "127.0.0.1:18080"), List.of("admin.listen=127.0.0.1:19090"));
        assertThat(config.proxy().listen()).hasToString("127.0.0.1:18080");
        assertThat(config.admin().listen()).hasToString("127.0.0.1:19090");
        assertThat(errors(yaml, Map.of("VEER_PROXY_LISTEN", "127.0.0.1:18080"), List.of("services[0]={name: x}")))
                .containsExactly(
                "proxy.drainTimeout: ${DRAIN} is not set (expected: the variable set, or a default: ${DRAIN:-value})",
                "admin.listen: ${ADMIN_PORT} is not set (expected: the variable set, or a default:"
                        + " ${ADMIN_PORT:-value})",
                "services[0].versions: missing (expected: at least one version) [from --set services[0]={name: x}]");
    }

    @Test
    void envReferencesInTheFileAreExpanded() throws Exception {
        String yaml = """
                proxy: { listen: "${HOST:-127.0.0.1}:${PORT}", ioThreads: "${THREADS:-3}" }
                admin: { token: "${TOKEN:-}", listen: "127.0.0.1:$${NOT_A_VAR}" }
                """;
        assertThat(errors(yaml)).containsExactly(
                "proxy.listen: ${PORT} is not set (expected: the variable set, or a default: ${PORT:-value})",
                "admin.listen: '127.0.0.1:${NOT_A_VAR}': port is not a number (expected: host:port)");
        VeerConfig config = ConfigLoader.parse(yaml.replace("$${NOT_A_VAR}", "9999"), "t",
                Map.of("PORT", "8088", "TOKEN", "s3cret"), List.of());
        assertThat(config.proxy().listen()).isEqualTo(new HostPort("127.0.0.1", 8088));
        assertThat(config.proxy().ioThreads()).isEqualTo(3);
        assertThat(config.admin().token()).isEqualTo("s3cret");
    }

    /** As a POSIX shell: ":-" takes the default for an unset or empty variable, "-" for an unset one only. */
    @Test
    void defaultsFollowTheShellsRules() throws Exception {
        String yaml = """
                proxy: { listen: "${HOST:-127.0.0.1}:${PORT:-8081}" }
                admin: { listen: "127.0.0.1:${ADMIN_PORT-${FALLBACK_PORT:-9191}}", token: "${TOKEN-none}" }
                """;
        Map<String, String> emptyValues = Map.of("HOST", "", "PORT", "", "TOKEN", "");
        VeerConfig config = ConfigLoader.parse(yaml, "t", emptyValues, List.of());
        assertThat(config.proxy().listen()).isEqualTo(new HostPort("127.0.0.1", 8081));
        assertThat(config.admin().listen()).isEqualTo(new HostPort("127.0.0.1", 9191));
        assertThat(config.admin().token()).isEmpty();

        config = ConfigLoader.parse(yaml, "t", Map.of("FALLBACK_PORT", "9292", "TOKEN", "s3cret"), List.of());
        assertThat(config.admin().listen()).isEqualTo(new HostPort("127.0.0.1", 9292));
        assertThat(config.admin().token()).isEqualTo("s3cret");
        config = ConfigLoader.parse(yaml, "t", Map.of("ADMIN_PORT", "9393"), List.of());
        assertThat(config.admin().listen()).isEqualTo(new HostPort("127.0.0.1", 9393));
        assertThat(config.admin().token()).isEqualTo("none");
        // "$$" in a default is a literal '$', never the start of a reference.
        assertThat(ConfigLoader.parse("state: { dir: \"${NO_SUCH:-/tmp/$${x}}\" }", "t", Map.of(), List.of())
                .state().dir()).isEqualTo(Path.of("/tmp/${x}"));
    }

    @Test
    void aReferenceThatIsNoVariableNameIsAnError() {
        String expected = " is not a variable reference (expected: ${NAME}, ${NAME:-default} or ${NAME-default},"
                + " NAME of letters, digits and '_', not starting with a digit)";
        assertThat(errors("proxy: { listen: \"127.0.0.1:${PORT+1}\" }"))
                .containsExactly("proxy.listen: '127.0.0.1:${PORT+1}': '${PORT+1}'" + expected);
        assertThat(errors("admin: { token: \"${1TOKEN}\" }"))
                .containsExactly("admin.token: '${1TOKEN}': '${1TOKEN}'" + expected);
        assertThat(errors("admin: { token: \"${}\" }")).containsExactly("admin.token: '${}': '${}'" + expected);
        assertThat(errors("admin: { token: \"${A:-${B}\" }")).containsExactly(
                "admin.token: '${A:-${B}': unclosed ${ (expected: ${NAME}, ${NAME:-default} or ${NAME-default})");
    }

    /** Said as such, once: it was "unknown key" or "unknown version", as if the key were misspelt. */
    @Test
    void aReferenceInAKeyIsAnErrorSayingKeysAreNotExpanded(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("veer.yaml");
        Files.writeString(file, """
                proxy: { "${LISTEN_KEY}": "127.0.0.1:8080" }
                services:
                  - name: shop
                    versions:
                      - { name: blue, endpoints: ["127.0.0.1:9001"] }
                      - { name: green, endpoints: ["127.0.0.1:9002"] }
                    weights: { blue: 90, "${CANARY}": 10 }
                """);
        ConfigException e = org.assertj.core.api.Assertions.catchThrowableOfType(ConfigException.class,
                () -> ConfigLoader.load(file, Map.of("LISTEN_KEY", "listen", "CANARY", "green"), List.of()));
        String expected = " in a key is not expanded (expected: ${...} in values only; the key written out)";
        assertThat(e.errors()).extracting(ConfigError::toString).containsExactly(
                "proxy.${LISTEN_KEY}: ${LISTEN_KEY}" + expected,
                "services[0].weights.${CANARY}: ${CANARY}" + expected);
    }

    @Test
    void envAndSetValuesAreNotExpanded() throws Exception {
        // state.dir for both layers: the token, a text too, may not hold '$' (see adminTokenIsAnRfc6750B64Token).
        assertThat(ConfigLoader.parse("", "t", Map.of("VEER_STATE_DIR", "${HOME}/env"), List.of()).state().dir())
                .isEqualTo(Path.of("${HOME}/env"));
        assertThat(ConfigLoader.parse("", "t", Map.of(), List.of("state.dir=${HOME}/x")).state().dir())
                .isEqualTo(Path.of("${HOME}/x"));
    }

    @Test
    void jsonIsAcceptedToo(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("veer.json");
        Files.writeString(file, """
                {"proxy": {"listen": "127.0.0.1:0", "limits": {"maxBodyBytes": "64KiB"}},
                 "services": [{"name": "api", "versions": [{"name": "v1", "endpoints": ["[::1]:8080"]}]}]}
                """);
        VeerConfig config = ConfigLoader.load(file, Map.of(), List.of());
        assertThat(config.proxy().listen().port()).isZero();
        assertThat(config.proxy().limits().maxBodyBytes()).isEqualTo(64 * 1024);
        assertThat(config.service("api").versions().get(0).endpoints()).containsExactly(new HostPort("::1", 8080));
        assertThat(config.service("api").weights().basisPoints()).containsExactly(Map.entry("v1", 10_000));
    }

    @Test
    void aMissingFileIsOneErrorNamingIt(@TempDir Path dir) {
        Path file = dir.resolve("absent.yaml");
        ConfigException e = org.assertj.core.api.Assertions.catchThrowableOfType(ConfigException.class,
                () -> ConfigLoader.load(file, Map.of(), List.of()));
        assertThat(e.errors()).singleElement().asString()
                .isEqualTo(file + ": no such file (expected: a YAML or JSON config file)");
    }

    /** A file that cannot be a config says what it is instead of a reader's message ("Input length = 1"). */
    @Test
    void aFileThatHoldsNoConfigIsOneErrorSayingWhy(@TempDir Path dir) throws Exception {
        Path binary = java.nio.file.Files.write(dir.resolve("binary.yaml"), new byte[] {(byte) 0xff, (byte) 0xfe});
        Path empty = java.nio.file.Files.writeString(dir.resolve("empty.yaml"), "\uFEFF\n  # services were here\n\n");
        assertThat(loadError(binary))
                .isEqualTo(binary + ": not UTF-8 text (expected: a YAML or JSON config file in UTF-8)");
        assertThat(loadError(dir)).isEqualTo(dir + ": is a directory (expected: a YAML or JSON config file)");
        assertThat(loadError(empty))
                .isEqualTo(empty + ": the file is empty (expected: a YAML or JSON config; an empty file is more likely"
                        + " cut short than meant)");
    }

    private static String loadError(Path file) {
        ConfigException e = org.assertj.core.api.Assertions.catchThrowableOfType(ConfigException.class,
                () -> ConfigLoader.load(file, Map.of(), List.of()));
        assertThat(e).as("refused: " + file).isNotNull();
        return e.errors().get(0).toString();
    }

    @Test
    void setTakesBracketedIpv6AndQuotedStrings(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("veer.yaml");
        java.nio.file.Files.writeString(file, "proxy: { listen: \"127.0.0.1:8080\" }\n");
        VeerConfig config = ConfigLoader.load(file, Map.of(),
                List.of("admin.listen=[::1]:19099", "proxy.listen=\"[::1]:18080\"", "state.dir='/tmp/veer state'"));
        assertThat(config.admin().listen()).isEqualTo(new dev.veer.config.model.HostPort("::1", 19099));
        assertThat(config.proxy().listen()).isEqualTo(new dev.veer.config.model.HostPort("::1", 18080));
        assertThat(config.state().dir()).isEqualTo(Path.of("/tmp/veer state"));
    }
}
