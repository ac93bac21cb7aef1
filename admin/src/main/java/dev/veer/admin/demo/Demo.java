package dev.veer.admin.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veer.admin.StartupException;
import dev.veer.admin.VeerRuntime;
import dev.veer.analyzer.RolloutPhase;
import dev.veer.config.ConfigException;
import dev.veer.config.ConfigLoader;
import dev.veer.config.ModelJson;
import dev.veer.config.model.VeerConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * {@code veer demo [--faulty]}: two built-in backends (blue stable, green canary), a load generator and a
 * short canary rollout driven through the real admin API, printed live until it succeeds or rolls back.
 */
public final class Demo {

    private static final String USAGE = "usage: veer demo [--faulty]   (--faulty: green fails 30% of requests)";
    private static final Duration TIME_LIMIT = Duration.ofMinutes(3);
    /** Where a first-time user goes from here. */
    private static final String NEXT_AFTER_HEALTHY =
            "Next: ./veer demo --faulty, where green fails and the analyzer rolls it back; then README.md's five-minute"
                    + " tour, with backends of your own.";
    private static final String NEXT_AFTER_FAULTY =
            "Next: README.md's five-minute tour puts Veer in front of backends of your own (./veer run).";
    private static final int REQUESTS_PER_SECOND = 200;

    private final PrintStream out;
    private final boolean faulty;
    private final ObjectMapper mapper = ModelJson.mapper();
    private final HttpClient admin = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final long startedNanos = System.nanoTime();

    private Demo(PrintStream out, boolean faulty) {
        this.out = out;
        this.faulty = faulty;
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        boolean faulty = false;
        for (String arg : args) {
            if (arg.equals("--faulty")) {
                faulty = true;
            } else {
                err.println("veer demo: unexpected argument '" + arg + "'");
                err.println(USAGE);
                return 2;
            }
        }
        try {
            return new Demo(out, faulty).play();
        } catch (StartupException | ConfigException | IOException e) {
            err.println("veer demo: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    private int play() throws IOException, InterruptedException, ConfigException, StartupException {
        Path stateDir = Files.createTempDirectory("veer-demo");
        // Ctrl-C ends the JVM without running the finally below: the hook removes the state dir then, and says what
        // went, since the output otherwise stops mid-rollout with nothing after the last step.
        Thread removeOnInterrupt = new Thread(() -> {
            deleteQuietly(stateDir);
            out.println();
            out.println("veer demo: interrupted; Veer and the demo backends stopped, state dir removed");
        }, "veer-demo-cleanup");
        Runtime.getRuntime().addShutdownHook(removeOnInterrupt);
        try (DemoBackend blue = new DemoBackend("blue", 0.0, 2, 8);
             DemoBackend green = faulty ? new DemoBackend("green", 0.3, 10, 40) : new DemoBackend("green", 0.0, 2, 8)) {
            InetSocketAddress blueAddress = blue.start();
            InetSocketAddress greenAddress = green.start();
            VeerConfig config = ConfigLoader.parse(demoConfig(blueAddress, greenAddress, stateDir), "demo", Map.of(),
                    List.of());
            try (VeerRuntime veer = VeerRuntime.start(config, () -> config)) {
                URI proxy = URI.create("http://127.0.0.1:" + veer.proxyAddress().getPort() + "/");
                URI adminBase = URI.create("http://127.0.0.1:" + veer.adminAddress().getPort());
                introduce(blueAddress, greenAddress, proxy, adminBase);
                try (LoadGenerator load = new LoadGenerator(proxy, REQUESTS_PER_SECOND, 8)) {
                    load.start();
                    Thread.sleep(2_000);
                    JsonNode started = call(adminBase, "POST", "/api/v1/services/shop/rollout",
                            "{\"canary\":\"green\",\"baseline\":\"blue\"}");
                    say("rollout started: " + describePlan(started.path("steps")));
                    String phase = follow(adminBase);
                    say(String.format("%s. %d requests sent, %d without an answer.", conclusion(phase), load.sent(),
                            load.failed()));
                    out.println();
                    out.println(faulty ? NEXT_AFTER_FAULTY : NEXT_AFTER_HEALTHY);
                    return phase.equals("Succeeded") || phase.equals("RolledBack") ? 0 : 1;
                }
            }
        } finally {
            Runtime.getRuntime().removeShutdownHook(removeOnInterrupt);
            deleteTree(stateDir);
        }
    }

    private static void deleteQuietly(Path dir) {
        try {
            deleteTree(dir);
        } catch (IOException | RuntimeException e) {
            System.err.println("veer demo: could not remove " + dir + ": " + e.getMessage());
        }
    }

    private void introduce(InetSocketAddress blue, InetSocketAddress green, URI proxy, URI adminBase) {
        out.println("Veer demo: canary rollout of service 'shop' from blue (stable) to green ("
                + (faulty ? "FAULTY: 30% errors, slower" : "healthy") + ")");
        out.println("  backends  blue " + hostPort(blue) + ", green " + hostPort(green));
        out.println("  proxy     " + proxy + "      (while it runs: curl -i " + proxy + ")");
        out.println("  admin     " + adminBase + "   (while it runs: ./veer ctl --url " + adminBase + " status shop)");
        out.println("  load      " + REQUESTS_PER_SECOND + " req/s from 8 clients, users bucketed by x-user-id");
        out.println();
    }

    /** Prints each change of step, weights or phase and every new verdict until the rollout ends. */
    private String follow(URI adminBase) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TIME_LIMIT.toNanos();
        int verdictsSeen = 0;
        String lastLine = "";
        while (System.nanoTime() < deadline) {
            JsonNode rollout = call(adminBase, "GET", "/api/v1/services/shop/rollout", null);
            String phase = rollout.path("phase").asText();
            int steps = rollout.path("steps").size();
            int step = rollout.path("step").asInt();
            // Verdicts first: a step or a rollback that a verdict caused is printed after it.
            JsonNode verdicts = rollout.path("verdicts");
            for (; verdictsSeen < verdicts.size(); verdictsSeen++) {
                JsonNode verdict = verdicts.get(verdictsSeen);
                say(String.format("  analysis: %-12s %s", verdict.path("result").asText(),
                        verdict.path("reason").asText()));
            }
            String line = String.format("%-16s step %d/%d   weights %s", phase, step, steps,
                    weights(rollout.path("weights")));
            if (!line.equals(lastLine)) {
                say(line);
                lastLine = line;
            }
            if (Arrays.stream(RolloutPhase.values()).anyMatch(p -> p.terminal() && p.name().equals(phase))) {
                return phase;
            }
            Thread.sleep(500);
        }
        say("the rollout did not finish within " + TIME_LIMIT.toSeconds() + "s");
        return "Timeout";
    }

    private static String conclusion(String phase) {
        return switch (phase) {
            case "Succeeded" -> "Succeeded: green now takes 100% of traffic";
            case "RolledBack" -> "RolledBack: the analyzer caught the bad canary and sent all traffic back to blue";
            default -> phase;
        };
    }

    private JsonNode call(URI base, String method, String path, String body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(5))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> response = admin.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() >= 300) {
            throw new IOException(method + " " + path + " answered " + response.statusCode() + ": " + response.body());
        }
        return mapper.readTree(response.body());
    }

    private static String describePlan(JsonNode steps) {
        StringBuilder plan = new StringBuilder();
        for (JsonNode step : steps) {
            if (plan.length() > 0) {
                plan.append(" -> ");
            }
            if (step.has("weight")) {
                plan.append(step.get("weight").asText()).append('%');
            }
            if (step.has("pause")) {
                plan.append(step.has("weight") ? " for " : "pause ").append(step.get("pause").asText());
            }
            if (step.path("approval").asBoolean()) {
                plan.append("approval");
            }
        }
        return plan.toString();
    }

    private static String weights(JsonNode weights) {
        StringBuilder text = new StringBuilder();
        for (Iterator<Map.Entry<String, JsonNode>> it = weights.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            text.append(entry.getKey()).append('=').append(entry.getValue().asText()).append(it.hasNext() ? " " : "");
        }
        return text.toString();
    }

    private void say(String message) {
        double seconds = (System.nanoTime() - startedNanos) / 1e9;
        out.printf("[%5.1fs] %s%n", seconds, message);
        out.flush();
    }

    private static String hostPort(InetSocketAddress address) {
        return address.getHostString() + ":" + address.getPort();
    }

    /** A short plan: analysis every 3 s, each step held 6 s, so the whole rollout takes about half a minute. */
    private static String demoConfig(InetSocketAddress blue, InetSocketAddress green, Path stateDir) {
        return """
                proxy:
                  listen: "127.0.0.1:0"
                admin:
                  listen: "127.0.0.1:0"
                state:
                  dir: "%s"
                services:
                  - name: shop
                    match: { pathPrefix: "/" }
                    versions:
                      - { name: blue,  endpoints: ["%s"] }
                      - { name: green, endpoints: ["%s"] }
                    weights: { blue: 100, green: 0 }
                    sticky: { cookie: veer_shop, hashOn: "header:x-user-id" }
                    rollout:
                      steps: [ {weight: 10, pause: 6s}, {weight: 30, pause: 6s}, {weight: 60, pause: 6s}, {weight: 100} ]
                      analysis: { interval: 3s, minRequests: 30, maxErrorRate: 0.02, maxLatency: 500ms,
                                  failureLimit: 2, inconclusiveLimit: 20 }
                """.formatted(stateDir.toString().replace("\\", "/"), hostPort(blue), hostPort(green));
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
