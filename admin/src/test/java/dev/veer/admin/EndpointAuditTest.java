package dev.veer.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.veer.config.ConfigLoader;
import dev.veer.config.model.VeerConfig;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Health flips change where traffic goes without an operator: they are in the audit log, actor "proxy". */
class EndpointAuditTest {

    @TempDir
    Path dir;

    @Test
    void anEndpointFailingItsHealthCheckIsAudited() throws Exception {
        int closedPort;
        try (ServerSocket probe = new ServerSocket(0)) {
            closedPort = probe.getLocalPort();
        }
        try (Backend blue = new Backend("blue")) {
            String yaml = """
                    proxy: { listen: "127.0.0.1:0" }
                    admin: { listen: "127.0.0.1:0" }
                    state: { dir: "%s" }
                    services:
                      - name: shop
                        versions:
                          - { name: blue,  endpoints: ["127.0.0.1:%d"] }
                          - { name: green, endpoints: ["127.0.0.1:%d"] }
                        healthCheck: { path: /, interval: 100ms, timeout: 100ms, unhealthyThreshold: 2 }
                    """.formatted(dir.resolve("state"), blue.port(), closedPort);
            VeerConfig config = ConfigLoader.parse(yaml, "test", Map.of(), List.of());
            try (VeerRuntime veer = VeerRuntime.start(config, () -> config)) {
                // Green's event, not the first one: under load blue's own checks can miss the 100 ms and flag it too.
                JsonNode unhealthy = awaitUnhealthy(new Http(veer.adminAddress(), null), "green");
                assertThat(unhealthy.get("actor").asText()).isEqualTo("proxy");
                assertThat(unhealthy.get("target").asText()).isEqualTo("shop");
                assertThat(unhealthy.get("after").get("endpoint").asText()).isEqualTo("127.0.0.1:" + closedPort);
                assertThat(unhealthy.get("after").get("version").asText()).isEqualTo("green");
                assertThat(unhealthy.get("reason").asText())
                        .isEqualTo("2 health checks failed (last: connection refused)");
            }
        }
    }

    /**
     * A backend that is up but has no health path (python -m http.server, say) went DOWN with "3 health checks
     * failed" and nothing to tell it from one that is down: the reason names the status it answered.
     */
    @Test
    void theUnhealthyReasonNamesWhatTheLastCheckGot() throws Exception {
        try (Backend blue = new Backend("blue", 404)) {
            String yaml = """
                    proxy: { listen: "127.0.0.1:0" }
                    admin: { listen: "127.0.0.1:0" }
                    state: { dir: "%s" }
                    services:
                      - name: shop
                        versions:
                          - { name: blue,  endpoints: ["127.0.0.1:%d"] }
                          - { name: green, endpoints: ["nosuch.invalid:80"] }
                        healthCheck: { path: /health, interval: 1s, timeout: 1s, unhealthyThreshold: 2 }
                    """.formatted(dir.resolve("state"), blue.port());
            // Checks of a second, not 100 ms: the reason is the last check's, and on a loaded machine a JVM's first
            // checks can take longer than 100 ms (blue's 404, green's first lookup); the reason is then the timeout.
            VeerConfig config = ConfigLoader.parse(yaml, "test", Map.of(), List.of());
            try (VeerRuntime veer = VeerRuntime.start(config, () -> config)) {
                Http admin = new Http(veer.adminAddress(), null);
                assertThat(awaitUnhealthy(admin, "blue").get("reason").asText())
                        .isEqualTo("2 health checks failed (last: GET /health answered 404)");
                assertThat(awaitUnhealthy(admin, "green").get("reason").asText())
                        .isEqualTo("2 health checks failed (last: host name does not resolve)");
            }
        }
    }

    /** The version's first endpoint.unhealthy event; fails when none came within 10 s. */
    private static JsonNode awaitUnhealthy(Http admin, String version) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            for (JsonNode event : admin.get("/api/v1/events?limit=100").json().get("events")) {
                if (event.get("action").asText().equals("endpoint.unhealthy")
                        && event.get("after").get("version").asText().equals(version)) {
                    return event;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no endpoint.unhealthy event for " + version + " within 10 s");
    }
}
