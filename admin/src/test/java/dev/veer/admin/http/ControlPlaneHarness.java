package dev.veer.admin.http;

import dev.veer.admin.Http;
import dev.veer.admin.api.FlagsApi;
import dev.veer.admin.api.ServicesApi;
import dev.veer.admin.api.SystemApi;
import dev.veer.admin.audit.AuditLog;
import dev.veer.admin.auth.BearerAuth;
import dev.veer.admin.control.ControlPlane;
import dev.veer.admin.control.Overlay;
import dev.veer.admin.control.Reload;
import dev.veer.admin.state.FailingStateStore;
import dev.veer.admin.state.StateDoc;
import dev.veer.config.ConfigLoader;
import dev.veer.config.ModelJson;
import dev.veer.config.model.FlagSpec;
import dev.veer.config.model.ServiceSpec;
import dev.veer.config.model.VeerConfig;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/** The control plane and admin listener without a proxy: publishes are recorded instead. */
final class ControlPlaneHarness implements AutoCloseable {

    record Published(List<ServiceSpec> services, List<FlagSpec> flags) {
    }

    final List<Published> published = new CopyOnWriteArrayList<>();
    /** When set, every save fails as a full or broken disk would. */
    final AtomicBoolean failSaves;
    final Path configFile;
    final AuditLog audit;
    final ControlPlane control;
    final AdminHttpServer server;
    final Http http;

    ControlPlaneHarness(Path dir, String yaml, String token) throws Exception {
        configFile = dir.resolve("veer.yaml");
        if (!Files.exists(configFile)) {
            Files.writeString(configFile, yaml);
        }
        Map<String, String> env = Map.of("STATE_DIR", dir.resolve("state").toString());
        VeerConfig config = ConfigLoader.load(configFile, env, List.of());
        Overlay.FlagParser flags = (name, node) -> ModelJson.parseFlag(name, node, "flags." + name);
        audit = AuditLog.open(config.state().dir().resolve("audit.log"), ModelJson.mapper());
        FailingStateStore store = new FailingStateStore(config.state().dir());
        failSaves = store.failSaves;
        Overlay.Result initial = Overlay.apply(config, store.load().doc().orElse(StateDoc.empty()), flags);
        control = new ControlPlane(initial, store, audit, (s, f) -> published.add(new Published(s, f)), flags,
                InstantSource.system());
        Router router = new Router();
        new ServicesApi(control, (s, v, e) -> true, ModelJson.mapper()).register(router);
        new FlagsApi(control, ModelJson.mapper()).register(router);
        new SystemApi(audit, () -> true, () -> "# no metrics here\n", ModelJson.mapper()).register(router);
        Reload reload = new Reload(control, () -> ConfigLoader.load(configFile, env, List.of()), ModelJson.mapper(),
                () -> { });
        router.add("POST", "/api/v1/reload", Router.Access.API, r -> reload.reload(r.actor(), null)
                .thenApply(diff -> ApiResponse.json(ModelJson.mapper(), 200, diff)));
        server = AdminHttpServer.start(new InetSocketAddress("127.0.0.1", 0), router, new BearerAuth(token), true,
                ModelJson.mapper());
        http = new Http(server.localAddress(), token);
    }

    @Override
    public void close() {
        server.close();
        control.close();
        audit.close();
    }
}
