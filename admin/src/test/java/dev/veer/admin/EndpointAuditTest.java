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
            VeerConfig config = config(blue.port(), "127.0.0.1:" + closedPort, "/");
            try (VeerRuntime veer = VeerRuntime.start(config, () -> config)) {
                JsonNode unhealthy = awaitUnhealthy(new Http(veer.adminAddress(), null), "green");
                assertThat(unhealthy).as("an endpoint.unhealthy event").isNotNull();
                assertThat(unhealthy.get("actor").asText()).isEqualTo("proxy");
                assertThat(unhealthy.get("target").asText()).isEqualTo("shop");
                assertThat(unhealthy.get("after").get("endpoint").asText()).isEqualTo("127.0.0.1:" + closedPort);
                assertThat(reason(unhealthy)).isEqualTo("first health check failed (connection refused)");
            }
        }
    }

    /**
     * A backend that is up but has no health path (python -m http.server, say) went DOWN with "3 health checks
     * failed" and nothing to tell it from one that is down: the reason names the status it answered. Endpoints Veer
     * starts with, failing their first check, are out at once and say so.
     */
    @Test
    void theUnhealthyReasonNamesWhatTheLastCheckGot() throws Exception {
        try (Backend blue = new Backend("blue", 404)) {
            VeerConfig config = config(blue.port(), "nosuch.invalid:80", "/health");
            try (VeerRuntime veer = VeerRuntime.start(config, () -> config)) {
                Http admin = new Http(veer.adminAddress(), null);
                assertThat(reason(awaitUnhealthy(admin, "blue")))
                        .isEqualTo("first health check failed (GET /health answered 404)");
                assertThat(reason(awaitUnhealthy(admin, "green")))
                        .isEqualTo("first health check failed (host name does not resolve)");
            }
        }
    }

    /**
     * An endpoint added at run time is out of rotation until its first check passes. One that never passes (a wrong
     * port in {@code ctl versions shop set green ...}) was logged only as "new endpoint: waiting for its first health
     * check", for good: the operator waiting for it to show up was never told why it did not. The checks that fail
     * are reported as for an endpoint Veer started with, once, with the last one's cause.
     */
    @Test
    void anEndpointAddedAtRunTimeThatNeverPassesItsCheckSaysWhy() throws Exception {
        int closedPort;
        try (ServerSocket probe = new ServerSocket(0)) {
            closedPort = probe.getLocalPort();
        }
        try (Backend blue = new Backend("blue"); Backend green = new Backend("green")) {
            VeerConfig config = config(blue.port(), "127.0.0.1:" + green.port(), "/");
            try (VeerRuntime veer = VeerRuntime.start(config, () -> config)) {
                Http admin = new Http(veer.adminAddress(), null);
                assertThat(admin.put("/api/v1/services/shop/versions/green",
                        "{\"endpoints\":[\"127.0.0.1:" + closedPort + "\"]}").status()).isEqualTo(200);
                JsonNode failed = awaitUnhealthy(admin, "green", "127.0.0.1:" + closedPort, "failed");
                assertThat(reason(failed)).as("why the new endpoint is still down")
                        .isEqualTo("2 health checks failed (last: connection refused)");
            }
        }
    }

    /**
     * Service shop: blue on {@code bluePort}, green at {@code greenEndpoint}, both checked on {@code healthPath} every
     * second. Not every 100 ms with a 100 ms timeout: a DNS server a little slow to say that nosuch.invalid does not
     * exist ended the check first, as "no answer within 100 ms".
     */
    private VeerConfig config(int bluePort, String greenEndpoint, String healthPath) throws Exception {
        String yaml = """
                proxy: { listen: "127.0.0.1:0" }
                admin: { listen: "127.0.0.1:0" }
                state: { dir: "%s" }
                services:
                  - name: shop
                    versions:
                      - { name: blue,  endpoints: ["127.0.0.1:%d"] }
                      - { name: green, endpoints: ["%s"] }
                    healthCheck: { path: %s, interval: 1s, timeout: 1s, unhealthyThreshold: 2 }
                """.formatted(dir.resolve("state"), bluePort, greenEndpoint, healthPath);
        return ConfigLoader.parse(yaml, "test", Map.of(), List.of());
    }

    private static String reason(JsonNode event) {
        return event == null ? null : event.get("reason").asText();
    }

    /** The version's endpoint.unhealthy event, null when none came within 10 s. */
    private static JsonNode awaitUnhealthy(Http admin, String version) throws Exception {
        return awaitUnhealthy(admin, version, null, "");
    }

    /**
     * The first endpoint.unhealthy event of the version (of that endpoint, unless null) whose reason contains
     * {@code reasonPart}, null when none came within 10 s.
     */
    private static JsonNode awaitUnhealthy(Http admin, String version, String endpoint, String reasonPart)
            throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            for (JsonNode event : admin.get("/api/v1/events?limit=100").json().get("events")) {
                if (event.get("action").asText().equals("endpoint.unhealthy")
                        && event.get("after").get("version").asText().equals(version)
                        && (endpoint == null || event.get("after").get("endpoint").asText().equals(endpoint))
                        && reason(event).contains(reasonPart)) {
                    return event;
                }
            }
            Thread.sleep(100);
        }
        return null;
    }
}
