package dev.veer.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.veer.admin.api.FlagsApi;
import dev.veer.admin.api.RolloutApi;
import dev.veer.admin.api.ServicesApi;
import dev.veer.admin.api.StatsApi;
import dev.veer.admin.api.SystemApi;
import dev.veer.admin.audit.AuditEvent;
import dev.veer.admin.audit.AuditLog;
import dev.veer.admin.auth.BearerAuth;
import dev.veer.admin.control.ConfigSource;
import dev.veer.admin.control.ControlPlane;
import dev.veer.admin.control.Overlay;
import dev.veer.admin.control.Reload;
import dev.veer.admin.http.AdminHttpServer;
import dev.veer.admin.http.ApiResponse;
import dev.veer.admin.http.Router;
import dev.veer.admin.internal.ListenFailure;
import dev.veer.admin.metrics.VeerMetrics;
import dev.veer.admin.rollout.ProxyStatsSource;
import dev.veer.admin.rollout.RolloutBridge;
import dev.veer.admin.rollout.RolloutTicker;
import dev.veer.admin.state.FileStateStore;
import dev.veer.admin.state.StateDirLock;
import dev.veer.admin.state.StateDoc;
import dev.veer.admin.state.StateStore;
import dev.veer.admin.state.UnusableStateException;
import dev.veer.analyzer.RolloutEngine;
import dev.veer.config.IoErrors;
import dev.veer.config.ModelJson;
import dev.veer.config.model.HostPort;
import dev.veer.config.model.VeerConfig;
import dev.veer.proxy.ProxyServer;
import dev.veer.config.tls.TlsMaterial;
import dev.veer.proxy.server.EventLoopTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Everything of one running Veer: the proxy, the control plane with its state store and audit log, the rollout
 * engine and its ticker, metrics and the admin listener. Built from a validated config; closing it stops all.
 */
public final class VeerRuntime implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(VeerRuntime.class);
    /** Below this, a token guarding an admin API open to the network draws a warning at start-up. */
    private static final int MIN_NETWORK_TOKEN_LENGTH = 16;
    private static final String SYSTEM = "system";
    private static final Overlay.FlagParser FLAG_PARSER =
            (name, node) -> ModelJson.parseFlag(name, node, "flags." + name);

    private final VeerConfig config;
    private final Deque<AutoCloseable> closeables;
    private final ProxyServer proxy;
    private final ControlPlane control;
    private final Reload reload;
    private final AdminHttpServer admin;
    private final ScheduledExecutorService ticker;
    /** Config loaded and both listeners bound; false again once shutting down. */
    private final AtomicBoolean ready;
    private volatile boolean closed;

    private VeerRuntime(VeerConfig config, Deque<AutoCloseable> closeables, ProxyServer proxy, ControlPlane control,
                        Reload reload, AdminHttpServer admin, ScheduledExecutorService ticker, AtomicBoolean ready) {
        this.config = config;
        this.closeables = closeables;
        this.proxy = proxy;
        this.control = control;
        this.reload = reload;
        this.admin = admin;
        this.ticker = ticker;
        this.ready = ready;
    }

    /**
     * Starts everything. {@code source} re-reads the config for reloads (same file, environment and flags).
     *
     * @throws StartupException when the configuration is refused (non-loopback admin listener without a token),
     *                          the state dir is another instance's or holds no state it can trust, or a listener
     *                          cannot be bound
     */
    public static VeerRuntime start(VeerConfig config, ConfigSource source) throws StartupException {
        HostPort adminListen = config.admin().listen();
        if (!config.admin().hasToken() && !adminListen.isLoopback()) {
            throw new StartupException("admin.listen " + adminListen + " is not a loopback address and admin.token is"
                    + " empty: refusing to expose the admin API without a token (set admin.token, e.g. via"
                    + " VEER_ADMIN_TOKEN, or listen on 127.0.0.1)");
        }
        int tokenLength = config.admin().hasToken() ? config.admin().token().strip().length() : 0;
        if (!adminListen.isLoopback() && tokenLength < MIN_NETWORK_TOKEN_LENGTH) {
            // Warned, not refused: a short token still beats none, and refusing would break working set-ups.
            log.warn("admin.token is {} characters long while the admin API listens on {}: use {} or more random"
                    + " characters (e.g. openssl rand -hex 24)", tokenLength, adminListen, MIN_NETWORK_TOKEN_LENGTH);
        }
        Deque<AutoCloseable> closeables = new ArrayDeque<>();
        try {
            return startAll(config, source, closeables);
        } catch (StartupException e) {
            closeAll(closeables);
            throw e;
        } catch (UnusableStateException e) {
            closeAll(closeables);
            throw new StartupException(e.getMessage(), e); // names its file and what to do already
        } catch (IOException e) {
            closeAll(closeables);
            Path dir = config.state().dir().toAbsolutePath().normalize();
            throw new StartupException("state dir " + dir + ": " + stateDirProblem(dir, e)
                    + " (expected: a directory Veer can write)", e);
        } catch (InterruptedException e) {
            closeAll(closeables);
            Thread.currentThread().interrupt();
            throw new StartupException("interrupted while starting", e);
        } catch (RuntimeException e) {
            closeAll(closeables);
            throw new StartupException("cannot start: " + e.getMessage(), e);
        }
    }

    /**
     * What went wrong with the state dir, naming another file only when it is another: the JDK names the dir again
     * ("already exists: /x/state" for a file where the dir should be).
     */
    private static String stateDirProblem(Path dir, IOException e) {
        if (java.nio.file.Files.isRegularFile(dir)) {
            return "a file, not a directory";
        }
        boolean aboutDir = e instanceof java.nio.file.FileSystemException fs && fs.getFile() != null
                && Path.of(fs.getFile()).toAbsolutePath().normalize().equals(dir);
        String problem = aboutDir ? IoErrors.reason(e) : IoErrors.problem(e);
        return problem.isEmpty() ? problem : Character.toLowerCase(problem.charAt(0)) + problem.substring(1);
    }

    private static VeerRuntime startAll(VeerConfig config, ConfigSource source, Deque<AutoCloseable> closeables)
            throws IOException, InterruptedException, StartupException {
        ObjectMapper mapper = ModelJson.mapper();
        InstantSource clock = InstantSource.system();
        Path stateDir = config.state().dir();
        // First, and released last (closeables close in reverse): nothing else may touch the directory without it.
        closeables.push(StateDirLock.acquire(stateDir));
        AuditLog audit = AuditLog.open(stateDir.resolve("audit.log"), mapper);
        closeables.push(audit);

        StateStore store = new FileStateStore(stateDir, clock);
        StateStore.Loaded loaded = store.load();
        if (!loaded.problems().isEmpty()) {
            audit.append(new AuditEvent(clock.instant(), SYSTEM, "state.restored", "state", null, null,
                    String.join("; ", loaded.problems())));
        } else if (loaded.doc().isEmpty()) {
            audit.lastChange().ifPresent(last -> log.warn("state dir {} has an audit log of runtime changes (the last"
                    + " {} on {} at {}) but no state.json or state.json.prev: those changes were lost or deleted;"
                    + " starting from the config file", stateDir.toAbsolutePath().normalize(), last.action(),
                    last.target(), last.at()));
        } else {
            noteUnauditedChange(audit, loaded.doc().get().revision(), clock);
        }
        Overlay.Result applied = Overlay.apply(config, loaded.doc().orElse(StateDoc.empty()), FLAG_PARSER);
        // What was dropped changed those services: an If-Match read before the restart must not still match.
        Overlay.Result initial = applied.dropped().isEmpty() ? applied
                : Overlay.apply(config, bumpedFor(applied), FLAG_PARSER);
        for (Overlay.Dropped dropped : applied.dropped()) {
            log.warn("state: {}", dropped.message());
            audit.append(new AuditEvent(clock.instant(), SYSTEM, "state.dropped", dropped.target(), null, null,
                    dropped.message(), initial.doc().revision()));
        }
        if (!loaded.problems().isEmpty() || !applied.dropped().isEmpty()) {
            store.save(initial.doc());
        }

        ProxyServer proxy;
        try {
            proxy = ProxyServer.start(config.proxy(), initial.view().services(), initial.view().flags());
        } catch (EventLoopTransport.Unavailable e) {
            throw new StartupException(e.getMessage(), e);
        } catch (java.io.UncheckedIOException e) {
            throw new StartupException("proxy.accessLog " + config.proxy().accessLog() + ": "
                    + IoErrors.reason(e.getCause()) + " (expected: a file Veer can create or append to)", e);
        } catch (ProxyServer.ListenerUnavailable e) {
            throw new StartupException(ListenFailure.describe(e.key(), e.address(), e.getCause()), e);
        } catch (TlsMaterial.Invalid e) { // changed since the config was read a moment ago
            throw new StartupException((e.certificateFile() ? "proxy.tls.certificate: " : "proxy.tls.privateKey: ")
                    + e.getMessage(), e);
        } catch (javax.net.ssl.SSLException e) {
            throw new StartupException("proxy.tls: the JVM refused the certificate: " + e.getMessage(), e);
        } catch (RuntimeException e) { // the event loops could not start, say: said as a start-up error, not a trace
            throw new StartupException("proxy: cannot start: " + e, e);
        }
        closeables.push(proxy);
        // Ejections, returns and health flips change where traffic goes without anyone asking: audit them too.
        proxy.onEndpointEvent(event -> audit.append(new AuditEvent(clock.instant(), "proxy",
                "endpoint." + event.kind().name().toLowerCase(java.util.Locale.ROOT), event.service(),
                null, mapper.createObjectNode().put("version", event.version())
                        .put("endpoint", event.endpoint().toString()), event.reason())));

        ControlPlane control = new ControlPlane(initial, store, audit, proxy::publish, FLAG_PARSER, clock);
        closeables.push(control);
        RolloutBridge bridge = new RolloutBridge(control);
        RolloutEngine engine = new RolloutEngine(clock, new ProxyStatsSource(proxy.stats()), bridge, bridge);
        control.onWriter(() -> restoreRollouts(engine, initial.view().rollouts())).join();
        bridge.keepInStep(engine);

        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "veer-rollout-ticker");
            t.setDaemon(true);
            return t;
        });
        closeables.push(ticker::shutdownNow);
        RolloutTicker rolloutTicker = new RolloutTicker(control, engine);
        ticker.scheduleWithFixedDelay(() -> tick(control, rolloutTicker), 1, 1, TimeUnit.SECONDS);

        VeerMetrics metrics = new VeerMetrics(proxy.stats(), control::view, proxy::endpointHealthy,
                proxy::flagEvaluations, proxy.refused()::snapshot);
        closeables.push(metrics);
        if (proxy.accessLog() != null) {
            metrics.bindAccessLog(proxy.accessLog());
        }
        metrics.bindUnpersistedChanges(control.unpersisted());

        AtomicBoolean ready = new AtomicBoolean();
        Router router = new Router();
        RolloutApi rolloutApi = new RolloutApi(control, engine, bridge, mapper);
        Reload reload = new Reload(control, source, mapper, () -> {
            proxy.reopenAccessLog();
            proxy.reloadCertificates();
        }, rolloutApi::onVersionReplaced);
        new ServicesApi(control, proxy::endpointHealthy, mapper, rolloutApi::onVersionReplaced).register(router);
        new FlagsApi(control, mapper).register(router);
        rolloutApi.register(router);
        new StatsApi(control, proxy.stats(), mapper).register(router);
        new SystemApi(audit, ready::get, metrics::scrape, mapper).register(router);
        router.add("POST", "/api/v1/reload", Router.Access.API, request -> reload.reload(request.actor(),
                        request.reason(request.optionalJsonObjectOf()))
                .thenApply(diff -> ApiResponse.json(mapper, 200, diff, diff.path("revision").asLong())));

        BearerAuth auth = new BearerAuth(config.admin().token());
        AdminHttpServer admin;
        try {
            HostPort adminListen = config.admin().listen();
            admin = AdminHttpServer.start(new InetSocketAddress(adminListen.host(), adminListen.port()),
                    router, auth, config.admin().metricsAuth(), mapper);
        } catch (Exception e) { // including a BindException, which Netty throws without declaring it
            if (e instanceof InterruptedException) {
                throw (InterruptedException) e;
            }
            throw new StartupException(ListenFailure.describe("admin.listen", config.admin().listen(), e), e);
        }
        closeables.push(admin);

        VeerRuntime runtime = new VeerRuntime(config, closeables, proxy, control, reload, admin, ticker, ready);
        ready.set(true);
        log.info("veer: proxy listening on {} ({}){}, admin API on {} ({}), state in {}{}",
                address(proxy.localAddress()), proxy.transport().configName(),
                proxy.tlsAddress() == null ? "" : " and with TLS on " + address(proxy.tlsAddress()),
                address(admin.localAddress()), auth.required() ? "bearer token required" : "no token, loopback only",
                stateDir.toAbsolutePath().normalize(),
                proxy.accessLog() == null ? "" : ", access log " + proxy.accessLog().path().toAbsolutePath());
        return runtime;
    }

    /** The state with a new revision for every service something was dropped from, and a new global one. */
    /**
     * A change is saved before its audit event is written (so that a refused change leaves no event), so a crash in
     * between, or an analyzer rollback that had to take effect while the log could not be written, leaves a state
     * newer than the log's last change. The log then says so, once, rather than leave a change in force unlisted.
     */
    private static void noteUnauditedChange(AuditLog audit, long stateRevision, InstantSource clock) {
        java.util.OptionalLong logged = audit.lastStateRevision();
        if (logged.isPresent() && stateRevision > logged.getAsLong()) {
            String reason = "state.json is at revision " + stateRevision + " but the audit log's last change is at "
                    + logged.getAsLong() + ": a change was saved and took effect, and Veer stopped (or could not"
                    + " write this log) before its event was written (state.json.prev holds the"
                    + " state before it until the next change)";
            log.warn("audit: {}", reason);
            audit.append(new AuditEvent(clock.instant(), SYSTEM, "state.unaudited", "state", null, null, reason,
                    stateRevision));
        }
    }

    private static StateDoc bumpedFor(Overlay.Result result) {
        StateDoc doc = result.doc();
        Map<String, StateDoc.ServiceState> services = new java.util.LinkedHashMap<>(doc.services());
        for (Overlay.Dropped dropped : result.dropped()) {
            String service = dropped.target();
            if (result.view().service(service) != null) {
                long next = result.view().serviceRevision(service) + 1;
                StateDoc.ServiceState state = services.get(service);
                services.put(service, state == null
                        ? StateDoc.ServiceState.untouched(next, result.view().service(service).versionNames())
                        : state.withRevision(next));
            }
        }
        return new StateDoc(doc.revision() + 1, services, doc.flags(), doc.rollouts());
    }

    private static void restoreRollouts(RolloutEngine engine, Map<String, JsonNode> rollouts) {
        rollouts.forEach((service, json) -> {
            try {
                engine.restore(RolloutBridge.fromJson(json));
            } catch (RuntimeException e) {
                log.error("rollout of {}: cannot restore ({}); it is shown but no longer driven", service,
                        e.getMessage());
            }
        });
    }

    /** One rollout tick on the writer thread. */
    private static void tick(ControlPlane control, RolloutTicker rolloutTicker) {
        try {
            control.onWriter(rolloutTicker).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.error("rollout tick failed: {}", e.toString());
        }
    }

    public InetSocketAddress proxyAddress() {
        return proxy.localAddress();
    }

    /** The proxy's TLS listener, or null without proxy.tls. */
    public InetSocketAddress proxyTlsAddress() {
        return proxy.tlsAddress();
    }

    public InetSocketAddress adminAddress() {
        return admin.localAddress();
    }

    public VeerConfig config() {
        return config;
    }

    public ControlPlane controlPlane() {
        return control;
    }

    public boolean ready() {
        return ready.get();
    }

    /** Re-reads the config file (SIGHUP); completes with the diff, or fails with the errors. */
    public CompletableFuture<ObjectNode> reload(String actor, String reason) {
        return reload.reload(actor, reason);
    }

    /** SIGTERM: stop taking requests, let in-flight ones finish up to {@code drainTimeout}, then close. */
    public void shutdown(Duration drainTimeout) {
        if (closed) {
            return;
        }
        ready.set(false);
        log.info("veer: draining (up to {})", ModelJson.renderDuration(drainTimeout));
        ticker.shutdownNow();
        try {
            // Every answered change is already persisted; wait for the one in progress, if any, and try once more
            // to save the analyzer's changes if they took effect without being saved.
            control.onWriter(() -> {
                if (!control.persistIfBehind()) {
                    log.error("state: cannot persist before exit: state.json lags behind the state in force, so the"
                            + " next start resumes what it holds (see the audit log and the errors above)");
                }
            }).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("veer: control plane did not settle: {}", e.toString());
        }
        int cut = proxy.drain(drainTimeout);
        if (cut > 0) {
            log.warn("veer: drain timeout ({}) ran out with {} request(s) in flight: they were cut",
                    ModelJson.renderDuration(drainTimeout), cut);
        }
        close();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        ready.set(false);
        closeAll(closeables);
        log.info("veer: stopped");
    }

    private static void closeAll(Deque<AutoCloseable> closeables) {
        while (!closeables.isEmpty()) {
            AutoCloseable c = closeables.pop();
            try {
                c.close();
            } catch (Exception e) {
                log.warn("veer: close failed: {}", e.toString());
            }
        }
    }

    /** "127.0.0.1:8080", "[::1]:8080", or "*:8080" for a wildcard bind (which Java reports as 0:0:0:0:0:0:0:0). */
    private static String address(InetSocketAddress a) {
        java.net.InetAddress ip = a.getAddress();
        if (ip.isAnyLocalAddress()) {
            return "*:" + a.getPort();
        }
        return (ip instanceof java.net.Inet6Address ? "[" + ip.getHostAddress() + "]" : ip.getHostAddress())
                + ":" + a.getPort();
    }

}
