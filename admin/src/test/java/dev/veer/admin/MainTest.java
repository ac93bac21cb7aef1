package dev.veer.admin;

import dev.veer.config.model.AdminSettings;
import dev.veer.config.model.HostPort;
import dev.veer.config.model.ProxySettings;
import dev.veer.config.model.StateSettings;
import dev.veer.config.model.VeerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.concurrent.CompletableFuture;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MainTest {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int main(Map<String, String> env, String... args) {
        return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), env);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void checkOfAMissingFileNamesItOnce() {
        Path file = dir.resolve("absent.yaml");
        assertThat(main(Map.of(), "check", "--config", file.toString())).isEqualTo(1);
        assertThat(err()).isEqualTo(file + ": no such file (expected: a YAML or JSON config file)\n");
        assertThat(out()).isEmpty();
    }

    @Test
    void checkPrintsOkForAGoodFile() throws Exception {
        Path file = RuntimeFixture.configFile(dir);
        assertThat(main(RuntimeFixture.env(dir, 9001, 9002), "check", "--config", file.toString())).isZero();
        assertThat(out()).isEqualTo(file + ": ok\n");
    }

    @Test
    void checkPrintsEveryErrorWithFileAndPathAndExits1() throws Exception {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, RuntimeFixture.YAML.replace("weights: { blue: 100, green: 0 }", "weights: { blue: 70 }")
                .replace("percentage: 5", "percentage: 500").replace("drainTimeout: 2s", "drainTimeout: soon"));
        assertThat(main(RuntimeFixture.env(dir, 9001, 9002), "check", "--config", file.toString())).isEqualTo(1);
        List<String> lines = err().lines().toList();
        assertThat(lines).hasSizeGreaterThanOrEqualTo(3).allSatisfy(l -> assertThat(l).startsWith(file + ": "));
        assertThat(err()).contains("weights").contains("percentage").contains("drainTimeout");
        assertThat(out()).isEmpty();
    }

    /** A syntax error names the file once, with line and column, and what the parser found there. */
    @Test
    void checkNamesTheFileOnceInASyntaxError() throws Exception {
        Path file = dir.resolve("q.yaml");
        Files.writeString(file, "proxy:\n  listen: \"127.0.0.1:8080\n");
        assertThat(main(Map.of(), "check", "--config", file.toString())).isEqualTo(1);
        assertThat(err()).isEqualTo(file + ":3:1: found unexpected end of stream, while scanning a quoted scalar"
                + " started at 2:11 (expected: valid YAML or JSON)\n");

        Files.writeString(file, "- a list\n");
        assertThat(main(Map.of(), "check", "--config", file.toString())).isEqualTo(1);
        assertThat(err()).endsWith("\n" + file + ": the document is not a mapping (expected: proxy, admin, state,"
                + " services, flags)\n");
    }

    /**
     * check and run report a bad file alike: each error on one line of stderr, naming the file and the key path,
     * and nothing on stdout (check printed its errors on stdout, run on stderr, and check's warnings on stderr).
     */
    @Test
    void checkAndRunPrintTheSameErrorsOnStderr() throws Exception {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, RuntimeFixture.YAML.replace("drainTimeout: 2s", "drainTimeout: 5x"));
        Map<String, String> env = RuntimeFixture.env(dir, 9001, 9002);
        assertThat(main(env, "check", "--config", file.toString())).isEqualTo(1);
        String checked = err();
        assertThat(checked).isEqualTo(file + ": proxy.drainTimeout: '5x' (expected: a duration with a unit, e.g."
                + " 500ms, 30s, 5m, 2h, 1h30m)\n");
        assertThat(out()).isEmpty();

        err.reset();
        assertThat(main(env, "run", "--config", file.toString())).isEqualTo(1);
        assertThat(err()).isEqualTo(checked);
        assertThat(out()).isEmpty();
    }

    /** Valid, every setting has a default, but nothing would be served: a warning, and still exit 0. */
    @Test
    void checkWarnsAboutAConfigWithoutServices() throws Exception {
        Path file = dir.resolve("no-services.yaml");
        Files.writeString(file, "services: []\n");
        assertThat(main(Map.of(), "check", "--config", file.toString())).isZero();
        assertThat(out()).isEqualTo(file + ": ok\n");
        assertThat(err()).isEqualTo("veer: warning: " + file + " defines no services, so the proxy answers every"
                + " request with 404 (expected: at least one entry under services)\n");
    }

    /** An empty file is more likely one cut short than meant: refused, though no key in it would be wrong. */
    @Test
    void checkRefusesAnEmptyFile() throws Exception {
        Path file = dir.resolve("empty.yaml");
        Files.writeString(file, "");
        assertThat(main(Map.of(), "check", "--config", file.toString())).isEqualTo(1);
        assertThat(err()).endsWith(file + ": the file is empty (expected: a YAML or JSON config; an empty file is more"
                + " likely cut short than meant)\n");
    }

    @Test
    void aVeerVariableThatSetsNothingIsNamedButNotAnError() throws Exception {
        Path file = RuntimeFixture.configFile(dir);
        Map<String, String> env = new java.util.HashMap<>(RuntimeFixture.env(dir, 9001, 9002));
        env.put("VEER_ADMIN_TOKN", "typo");
        env.put("VEER_JAVA_OPTS", "-Xmx1g");
        assertThat(main(env, "check", "--config", file.toString())).isZero();
        assertThat(err()).isEqualTo("veer: warning: VEER_ADMIN_TOKN is not a config variable and is ignored (expected:"
                + " a key path with _ for dots, e.g. VEER_PROXY_LISTEN, VEER_ADMIN_TOKEN, VEER_STATE_DIR)\n");
    }

    /** An empty variable overrides the file's token as a set one would: allowed, but said. */
    @Test
    void anEmptyTokenVariableThatRemovesTheFilesTokenIsSaid() throws Exception {
        Path file = RuntimeFixture.configFile(dir); // its token is set
        Map<String, String> env = new java.util.HashMap<>(RuntimeFixture.env(dir, 9001, 9002));
        assertThat(main(env, "check", "--config", file.toString())).isZero();
        assertThat(err()).isEmpty();
        env.put("VEER_ADMIN_TOKEN", "");
        assertThat(main(env, "check", "--config", file.toString())).isZero();
        assertThat(err()).isEqualTo("veer: warning: VEER_ADMIN_TOKEN is set but empty, so the admin API takes no"
                + " token and is open to local users (expected: a token, or the variable unset to keep the config"
                + " file's)\n");
    }

    @Test
    void helpExits0() {
        assertThat(main(Map.of(), "check", "--help")).isZero();
        assertThat(out()).contains("usage:");
    }

    /** check takes --set as run does (docs/put-veer-in-front.md uses it); the usage said only --config FILE. */
    @Test
    void checkUsageShowsSetAndCheckHonoursIt() throws Exception {
        assertThat(main(Map.of(), "check", "--help")).isZero();
        assertThat(out()).contains("veer check --config FILE [--set key=value ...]");

        Path file = RuntimeFixture.configFile(dir);
        assertThat(main(RuntimeFixture.env(dir, 9001, 9002), "check", "--config", file.toString(),
                "--set", "services.shop.weights.blue=90")).isEqualTo(1);
        assertThat(err()).contains(file + ": services[0].weights: sum is 90 (expected: 100)");
    }

    @Test
    void usageErrorsExit2() {
        assertThat(main(Map.of())).isEqualTo(2);
        assertThat(err()).contains("usage:");
        assertThat(main(Map.of(), "frobnicate")).isEqualTo(2);
        assertThat(main(Map.of(), "check")).isEqualTo(2);
        assertThat(main(Map.of(), "run", "--bogus")).isEqualTo(2);
        assertThat(main(Map.of(), "run", "--set", "novalue")).isEqualTo(2);
    }

    /**
     * Without --config, run reads config/veer.yaml of the working directory: run from elsewhere, the error says
     * where it looked and how to name the file ("config/veer.yaml: no such file" did not say which directory).
     * The test JVM runs in the admin module, which has no config/veer.yaml.
     */
    @Test
    void runWithoutConfigFromAnotherDirectorySaysWhereItLooked() {
        Path cwd = Path.of("").toAbsolutePath();
        assertThat(cwd.resolve(Main.DEFAULT_CONFIG)).doesNotExist();
        assertThat(main(Map.of(), "run")).isEqualTo(1);
        assertThat(err()).isEqualTo("config/veer.yaml: no such file in " + cwd + " (expected: a YAML or JSON config"
                + " file; without --config, veer run reads config/veer.yaml in the working directory: run it from"
                + " Veer's directory, or give --config FILE)\n");
    }

    /** An empty --config (an unset variable in a script: --config "$CONF") is a usage error, not ": is a directory". */
    @Test
    void anEmptyConfigPathIsAUsageError() {
        assertThat(main(Map.of(), "check", "--config", "")).isEqualTo(2);
        assertThat(err()).startsWith("veer: --config: empty (expected: a config file path)\nusage:");
        err.reset();
        assertThat(main(Map.of(), "run", "--config=")).isEqualTo(2);
        assertThat(err()).startsWith("veer: --config: empty (expected: a config file path)\nusage:");
    }

    @Test
    void runRefusesAnExposedAdminListenerWithoutAToken() throws Exception {
        Path file = RuntimeFixture.configFile(dir);
        Map<String, String> env = new java.util.HashMap<>(RuntimeFixture.env(dir, 9001, 9002));
        env.put("ADMIN_TOKEN", "");
        assertThat(main(env, "run", "--config", file.toString(), "--set", "admin.listen=0.0.0.0:0")).isEqualTo(1);
        assertThat(err()).contains("token").contains("0.0.0.0");

        // The runtime refuses it too, whoever built the config.
        VeerConfig exposed = new VeerConfig(ProxySettings.DEFAULTS, new AdminSettings(new HostPort("0.0.0.0", 0), "",
                true), new StateSettings(dir.resolve("state")), List.of(), List.of());
        assertThatThrownBy(() -> VeerRuntime.start(exposed, () -> exposed))
                .isInstanceOf(StartupException.class).hasMessageContaining("without a token");
    }

    /**
     * A taken port is named by its key path and what to do, as a config error is, on one line (it said "proxy cannot
     * listen on ...: bind(..) failed with error(-98): Address already in use").
     */
    @Test
    void runExits1NamingTheListenKeyWhenItsPortIsTaken() throws Exception {
        Path file = RuntimeFixture.configFile(dir);
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1,
                java.net.InetAddress.getByName("127.0.0.1"))) {
            String address = "127.0.0.1:" + taken.getLocalPort();
            for (String key : List.of("admin.listen", "proxy.listen")) {
                err.reset();
                int code = main(RuntimeFixture.env(dir, 9001, 9002), "run", "--config", file.toString(),
                        "--set", key + "=" + address);
                assertThat(code).isEqualTo(1);
                assertThat(err()).isEqualTo("veer: " + key + ": cannot listen on " + address + ": address already in"
                        + " use (expected: an address no other process listens on)\n");
            }
        }
    }

    @Test
    void runExits1NamingTheAccessLogWhenItCannotBeOpened() throws Exception {
        Path file = RuntimeFixture.configFile(dir);
        Path accessLog = dir.resolve("no-such-dir").resolve("access.log");
        int code = main(RuntimeFixture.env(dir, 9001, 9002), "run", "--config", file.toString(),
                "--set", "proxy.accessLog=" + accessLog);
        assertThat(code).isEqualTo(1);
        assertThat(err()).contains("proxy.accessLog " + accessLog + ": ").contains("no such file or directory")
                .contains("expected: a file Veer can create or append to");
    }

    @Test
    void sigtermFinishesInFlightRequestsRefusesNewConnectionsAndExitsZero() throws Exception {
        try (Backend blue = new Backend("blue"); Backend green = new Backend("green")) {
            Path file = RuntimeFixture.configFile(dir);
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            // The product's logback.xml (start-up lines at INFO), not the tests' quiet one.
            String logback = Path.of(Main.class.getResource("/logback.xml").toURI()).toString();
            ProcessBuilder pb = new ProcessBuilder(java, "-Xmx256m", "-Dlogback.configurationFile=" + logback,
                    "-cp", System.getProperty("java.class.path"), Main.class.getName(), "run", "--config",
                    file.toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("run.log").toFile());
            pb.environment().putAll(RuntimeFixture.env(dir, blue.port(), green.port()));
            Process child = pb.start();
            try {
                Pattern admin = Pattern.compile("admin API on 127\\.0\\.0\\.1:(\\d+)");
                Matcher m = null;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (System.nanoTime() < deadline && child.isAlive()) {
                    m = admin.matcher(Files.readString(dir.resolve("run.log")));
                    if (m.find()) {
                        break;
                    }
                    Thread.sleep(50);
                }
                assertThat(m).isNotNull();
                assertThat(m.find(0)).as(Files.readString(dir.resolve("run.log"))).isTrue();
                Http http = new Http(new java.net.InetSocketAddress("127.0.0.1", Integer.parseInt(m.group(1))),
                        RuntimeFixture.TOKEN);
                assertThat(http.get("/readyz").status()).isEqualTo(200);
                assertThat(http.post("/api/v1/services/shop/switch", "{\"to\":\"green\"}").status()).isEqualTo(200);
                Matcher proxyPort = Pattern.compile("proxy listening on 127\\.0\\.0\\.1:(\\d+)")
                        .matcher(Files.readString(dir.resolve("run.log")));
                assertThat(proxyPort.find()).isTrue();
                URI slow = URI.create("http://127.0.0.1:" + proxyPort.group(1) + "/slow");
                HttpClient client = HttpClient.newBuilder()
                        .version(HttpClient.Version.HTTP_1_1).build();
                List<CompletableFuture<HttpResponse<String>>> inFlight =
                        new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    inFlight.add(client.sendAsync(HttpRequest.newBuilder(slow).build(),
                            HttpResponse.BodyHandlers.ofString()));
                }
                // In flight means at the backend (each for 1.5 s): one the proxy had not read yet is no in-flight
                // request.
                long arrivalDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (green.slowArrived() < 8 && System.nanoTime() < arrivalDeadline) {
                    Thread.sleep(10);
                }
                assertThat(green.slowArrived()).as("requests at the backend before SIGTERM").isEqualTo(8);

                child.destroy(); // SIGTERM
                int port = Integer.parseInt(proxyPort.group(1));
                long closeDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
                while (acceptsConnections(port) && System.nanoTime() < closeDeadline) {
                    Thread.sleep(10);
                }
                assertThatThrownBy(() -> new Socket("127.0.0.1", port).close())
                        .as("a new connection after SIGTERM").isInstanceOf(ConnectException.class);
                for (var response : inFlight) {
                    assertThat(response.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
                    assertThat(response.get().body()).isEqualTo("green");
                }
                assertThat(child.waitFor(20, TimeUnit.SECONDS)).isTrue();
                assertThat(child.exitValue()).as(Files.readString(dir.resolve("run.log"))).isZero();
                assertThat(Files.readString(dir.resolve("run.log"))).contains("draining").contains("stopped");
                assertThat(Files.readString(dir.resolve("state/state.json"))).contains("\"green\":10000");
            } finally {
                child.destroyForcibly(); // a failed check leaves no Veer running (a no-op once it exited)
            }
        }
    }

    private static boolean acceptsConnections(int port) {
        try (Socket ignored = new Socket("127.0.0.1", port)) {
            return true;
        } catch (java.io.IOException refused) {
            return false;
        }
    }

    /**
     * A jar overwritten in place under a running Veer (an upgrade copied over it) fails the first class loaded
     * after that, here while draining. Veer must still exit on SIGTERM: the error escaped main, and the admin API's
     * non-daemon threads kept the process alive.
     */
    @Test
    void sigtermExitsEvenWhenDrainingFailsOnAJarReplacedInPlace() throws Exception {
        try (Backend blue = new Backend("blue"); Backend green = new Backend("green")) {
            Path file = RuntimeFixture.configFile(dir);
            // Netty's transport jar, copied so that the test can overwrite it: the channel group's iterator, used
            // by the drain, is loaded from it only then.
            List<String> classpath = new ArrayList<>(List.of(System.getProperty("java.class.path")
                    .split(File.pathSeparator)));
            int netty = -1;
            for (int i = 0; i < classpath.size(); i++) {
                if (Path.of(classpath.get(i)).getFileName().toString().matches("netty-transport-4[.0-9]+Final\\.jar")) {
                    netty = i;
                }
            }
            assertThat(netty).as("netty-transport on the test classpath").isNotNegative();
            Path copy = dir.resolve("netty-transport.jar");
            Files.copy(Path.of(classpath.get(netty)), copy);
            classpath.set(netty, copy.toString());
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            String logback = Path.of(Main.class.getResource("/logback.xml").toURI()).toString();
            ProcessBuilder pb = new ProcessBuilder(java, "-Xmx256m", "-Dlogback.configurationFile=" + logback, "-cp",
                    String.join(File.pathSeparator, classpath), Main.class.getName(), "run", "--config",
                    file.toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("run.log").toFile());
            pb.environment().putAll(RuntimeFixture.env(dir, blue.port(), green.port()));
            Process child = pb.start();
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (System.nanoTime() < deadline && child.isAlive()
                        && !Files.readString(dir.resolve("run.log")).contains("admin API on")) {
                    Thread.sleep(50);
                }
                assertThat(Files.readString(dir.resolve("run.log"))).contains("admin API on");
                Files.write(copy, new byte[] {'P', 'K'}); // in place: the same file, other bytes

                child.destroy(); // SIGTERM
                assertThat(child.waitFor(30, TimeUnit.SECONDS)).as(Files.readString(dir.resolve("run.log"))).isTrue();
                assertThat(child.exitValue()).isEqualTo(1);
                assertThat(Files.readString(dir.resolve("run.log")))
                        .contains("veer: stopped on an unexpected error: java.lang.NoClassDefFoundError");
            } finally {
                child.destroyForcibly();
            }
        }
    }
}
