package dev.veer.admin.docker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veer.admin.RepositoryRoot;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.ImageFromDockerfile;
import org.testcontainers.images.builder.Transferable;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The image from the repository's Dockerfile, as an operator runs it: config mounted at /etc/veer/veer.yaml, the
 * admin token from VEER_ADMIN_TOKEN, two backend containers on a shared network, health from the image's own
 * HEALTHCHECK. A canary started through the admin API moves traffic from blue to green and succeeds.
 *
 * <p>Needs a Docker engine; without one the whole class is skipped (decided before anything is built).
 * Run it alone: {@code mvn -B -pl admin -am verify -Dtest=DockerImageTest -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@EnabledIf(value = "dockerAvailable", disabledReason = "no Docker engine (DOCKER_HOST unset, no /var/run/docker.sock):"
        + " DockerImageTest needs one to build and run the image")
class DockerImageTest {

    private static final String TOKEN = "docker-test-token";
    private static final String BACKEND_IMAGE = "hashicorp/http-echo:0.2.3";
    private static final int BACKEND_PORT = 5678;
    /** Any request for the service, blue only at first; a quick canary plan judged on the test's own traffic. */
    private static final String CONFIG = """
            proxy: { listen: "0.0.0.0:8080" }
            admin: { listen: "0.0.0.0:9090", token: "${VEER_ADMIN_TOKEN:-}" }
            state: { dir: "/var/lib/veer" }
            services:
              - name: shop
                match: { pathPrefix: "/" }
                versions:
                  - { name: blue,  endpoints: ["blue:5678"] }
                  - { name: green, endpoints: ["green:5678"] }
                weights: { blue: 100, green: 0 }
                healthCheck: { path: /health, interval: 1s, timeout: 1s, healthyThreshold: 1, unhealthyThreshold: 2 }
                rollout:
                  steps: [ {weight: 50, pause: 3s}, {weight: 100} ]
                  analysis: { interval: 1s, minRequests: 10, maxLatency: 30s, maxLatencyIncrease: 100, failureLimit: 3 }
            """;
    private static final ObjectMapper JSON = new ObjectMapper();

    static Network network;
    static GenericContainer<?> blue;
    static GenericContainer<?> green;
    static GenericContainer<?> veer;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** Asked before anything is built; without an engine Testcontainers answers in well under a second. */
    static boolean dockerAvailable() {
        return DockerClientFactory.instance().isDockerAvailable();
    }

    @BeforeAll
    static void start() {
        network = Network.newNetwork();
        blue = backend("blue");
        green = backend("green");
        Path root = RepositoryRoot.find();
        veer = new GenericContainer<>(new ImageFromDockerfile("veer-docker-test", true)
                .withDockerfile(root.resolve("Dockerfile")))
                .withNetwork(network)
                .withEnv("VEER_ADMIN_TOKEN", TOKEN)
                .withCopyToContainer(Transferable.of(CONFIG), "/etc/veer/veer.yaml")
                .withExposedPorts(8080, 9090)
                // the image's own HEALTHCHECK (GET /healthz through bash's /dev/tcp) must turn healthy
                .waitingFor(Wait.forHealthcheck().withStartupTimeout(Duration.ofMinutes(2)));
        veer.start();
    }

    private static GenericContainer<?> backend(String name) {
        GenericContainer<?> c = new GenericContainer<>(BACKEND_IMAGE)
                .withNetwork(network).withNetworkAliases(name)
                .withCommand("-text=" + name, "-listen=:" + BACKEND_PORT)
                .withExposedPorts(BACKEND_PORT)
                .waitingFor(Wait.forHttp("/").forStatusCode(200));
        c.start();
        return c;
    }

    @AfterAll
    static void stop() {
        for (GenericContainer<?> c : new GenericContainer<?>[] {veer, green, blue}) {
            if (c != null) {
                c.stop();
            }
        }
        if (network != null) {
            network.close();
        }
    }

    @Test
    void canaryThroughTheAdminApiShiftsTrafficAndSucceeds() throws Exception {
        assertThat(admin("GET", "/api/v1/services/shop", null, null).statusCode())
                .as("admin API without the token").isEqualTo(401);
        assertThat(sample(20)).containsOnlyKeys("blue");

        HttpResponse<String> start = admin("POST", "/api/v1/services/shop/rollout",
                "{\"canary\":\"green\",\"baseline\":\"blue\"}", TOKEN);
        assertThat(start.statusCode()).as(start.body()).isEqualTo(201);
        assertThat(JSON.readTree(start.body()).path("weights").toString()).isEqualTo("{\"blue\":50,\"green\":50}");

        // traffic for the analysis, until the plan is through (50% held 3s with passing verdicts, then 100%)
        Map<String, Integer> during = new HashMap<>();
        String phase = "";
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            sample(20).forEach((version, n) -> during.merge(version, n, Integer::sum));
            phase = rollout().path("phase").asText();
            if (!phase.equals("Progressing")) {
                break;
            }
        }
        JsonNode rollout = rollout();
        assertThat(phase).as(rollout.toString()).isEqualTo("Succeeded");
        assertThat(during).as("both versions served while the canary held 50%").containsKeys("blue", "green");
        assertThat(rollout.path("verdicts").findValuesAsText("result")).contains("Pass");
        assertThat(sample(20)).containsOnlyKeys("green");

        JsonNode events = JSON.readTree(admin("GET", "/api/v1/events?limit=100", null, TOKEN).body());
        assertThat(events.path("events").findValuesAsText("action")).contains("rollout.start", "rollout.succeeded");
        String metrics = admin("GET", "/metrics", null, TOKEN).body();
        assertThat(metrics).contains("veer_weight{service=\"shop\",version=\"green\"} 100");
    }

    private JsonNode rollout() throws Exception {
        return JSON.readTree(admin("GET", "/api/v1/services/shop/rollout", null, TOKEN).body());
    }

    /** Versions (backend answers) of {@code n} requests through the proxy's published port. */
    private Map<String, Integer> sample(int n) throws Exception {
        URI uri = URI.create("http://" + veer.getHost() + ":" + veer.getMappedPort(8080) + "/");
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < n; i++) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            seen.merge(r.body().strip(), 1, Integer::sum);
        }
        return seen;
    }

    private HttpResponse<String> admin(String method, String path, String body, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(
                        URI.create("http://" + veer.getHost() + ":" + veer.getMappedPort(9090) + path))
                .timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
