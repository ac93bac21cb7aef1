package dev.veer.admin.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import dev.veer.admin.Http;
import dev.veer.admin.api.RolloutApi;
import dev.veer.admin.api.ServicesApi;
import dev.veer.admin.api.SystemApi;
import dev.veer.admin.audit.AuditLog;
import dev.veer.admin.auth.BearerAuth;
import dev.veer.admin.control.ControlPlane;
import dev.veer.admin.control.Overlay;
import dev.veer.admin.control.Reload;
import dev.veer.admin.http.ApiResponse;
import dev.veer.admin.http.AdminHttpServer;
import dev.veer.admin.http.Router;
import dev.veer.admin.state.FailingStateStore;
import dev.veer.admin.state.StateDoc;
import dev.veer.analyzer.RolloutEngine;
import dev.veer.analyzer.WindowStats;
import dev.veer.config.ConfigLoader;
import dev.veer.config.ModelJson;
import dev.veer.config.model.ServiceSpec;
import dev.veer.config.model.VeerConfig;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The control plane, the rollout engine and the admin listener with a hand-driven clock and hand-set traffic
 * figures (no proxy; publishes are recorded): {@link #tick(Duration)} advances time and runs one rollout tick on
 * the writer thread. {@code POST /api/v1/reload} re-reads {@link #configFile}.
 */
final class RolloutHarness implements AutoCloseable {

    static final String TOKEN = "rollout-harness-token";
    static final String YAML = """
            state: { dir: "${STATE_DIR}" }
            services:
              - name: shop
                match: { pathPrefix: "/" }
                versions:
                  - { name: blue,  endpoints: ["127.0.0.1:9001"] }
                  - { name: green, endpoints: ["127.0.0.1:9002"] }
                weights: { blue: 100, green: 0 }
            """;

    /** What the stats source answers for every version until changed. */
    volatile WindowStats canary = new WindowStats(0, 0, null);
    volatile WindowStats baseline = new WindowStats(0, 0, null);
    private volatile Instant now = Instant.parse("2026-01-01T00:00:00Z");

    /** When set, every save fails as a full or broken disk would. */
    final AtomicBoolean failSaves;
    /** Every set of services published to the (absent) proxy, oldest first. */
    final List<List<ServiceSpec>> published = new CopyOnWriteArrayList<>();
    final AuditLog audit;
    final ControlPlane control;
    final RolloutEngine engine;
    private final RolloutTicker ticker;
    final AdminHttpServer server;
    final Http http;

    final Path configFile;

    RolloutHarness(Path dir) throws Exception {
        configFile = dir.resolve("veer.yaml");
        Files.writeString(configFile, YAML);
        Map<String, String> env = Map.of("STATE_DIR", dir.resolve("state").toString());
        VeerConfig config = ConfigLoader.load(configFile, env, List.of());
        Overlay.FlagParser flags = (name, node) -> ModelJson.parseFlag(name, node, "flags." + name);
        audit = AuditLog.open(config.state().dir().resolve("audit.log"), ModelJson.mapper());
        FailingStateStore store = new FailingStateStore(config.state().dir());
        failSaves = store.failSaves;
        Overlay.Result initial = Overlay.apply(config, store.load().doc().orElse(StateDoc.empty()), flags);
        InstantSource clock = () -> now;
        control = new ControlPlane(initial, store, audit, (s, f) -> published.add(s), flags, clock);
        RolloutBridge bridge = new RolloutBridge(control);
        engine = new RolloutEngine(clock, (service, version, from, to) -> version.equals("green") ? canary : baseline,
                bridge, bridge);
        bridge.keepInStep(engine);
        ticker = new RolloutTicker(control, engine);
        Router router = new Router();
        RolloutApi rollouts = new RolloutApi(control, engine, bridge, ModelJson.mapper());
        new ServicesApi(control, (s, v, e) -> true, ModelJson.mapper(), rollouts::onVersionReplaced).register(router);
        rollouts.register(router);
        Reload reload = new Reload(control, () -> ConfigLoader.load(configFile, env, List.of()), ModelJson.mapper(),
                () -> { }, rollouts::onVersionReplaced);
        router.add("POST", "/api/v1/reload", Router.Access.API, request -> reload.reload(request.actor(), null)
                .thenApply(diff -> ApiResponse.json(ModelJson.mapper(), 200, diff, diff.path("revision").asLong())));
        new SystemApi(audit, () -> true, () -> "# none\n", ModelJson.mapper()).register(router);
        server = AdminHttpServer.start(new InetSocketAddress("127.0.0.1", 0), router, new BearerAuth(TOKEN), true,
                ModelJson.mapper());
        http = new Http(server.localAddress(), TOKEN);
    }

    /** The service's rollout, as GET .../rollout answers it. */
    JsonNode rollout() {
        return http.get("/api/v1/services/shop/rollout").json();
    }

    /** The audit events with {@code action}, oldest first. */
    List<JsonNode> events(String action) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode e : http.get("/api/v1/events?limit=1000").json().get("events")) {
            if (e.get("action").asText().equals(action)) {
                out.add(e);
            }
        }
        return out;
    }

    /** Advances the clock and runs one rollout tick as the runtime's ticker does. */
    void tick(Duration step) {
        now = now.plus(step);
        control.onWriter(ticker).join();
    }

    @Override
    public void close() {
        server.close();
        control.close();
        audit.close();
    }
}
