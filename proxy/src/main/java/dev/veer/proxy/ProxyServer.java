package dev.veer.proxy;

import dev.veer.config.model.FlagSpec;
import dev.veer.config.model.HostPort;
import dev.veer.config.model.ProxySettings;
import dev.veer.config.model.ServiceSpec;
import dev.veer.config.model.Transport;
import dev.veer.proxy.accesslog.AccessLog;
import dev.veer.proxy.health.HealthChecker;
import dev.veer.proxy.flag.FlagCounters;
import dev.veer.proxy.outlier.OutlierDetector;
import dev.veer.proxy.route.RoutingTable;
import dev.veer.proxy.route.ServiceRoute;
import dev.veer.proxy.route.VersionRoute;
import dev.veer.proxy.server.DescriptorBudget;
import dev.veer.proxy.server.EventLoopTransport;
import dev.veer.proxy.server.ProxyChannelInitializer;
import dev.veer.proxy.server.ServerContext;
import dev.veer.proxy.server.TlsTermination;
import dev.veer.config.tls.TlsMaterial;
import dev.veer.proxy.stats.RefusedRequests;
import dev.veer.proxy.stats.StatsKey;
import dev.veer.proxy.stats.StatsRegistry;
import dev.veer.proxy.upstream.Endpoint;
import dev.veer.proxy.upstream.EndpointEvent;
import dev.veer.proxy.upstream.EndpointEvents;
import dev.veer.proxy.upstream.EndpointRegistry;
import dev.veer.proxy.upstream.Ticker;
import dev.veer.proxy.upstream.UpstreamPools;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannelRecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import javax.net.ssl.SSLException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The data plane: an HTTP/1.1 reverse proxy listening on {@code settings.listen}, routing by the published
 * {@link RoutingTable}. io_uring, epoll or NIO ({@link EventLoopTransport}); {@code ioThreads} event loops (0 = one
 * per core) that accept, serve downstream connections, own their upstream pools and run the health probes.
 */
public final class ProxyServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ProxyServer.class);

    /**
     * How often ejected endpoints are checked for return and retry budget windows move on: a tenth of a second is
     * plenty against 30 s ejections and one-second budget slices.
     */
    private static final long HOUSEKEEPING_MILLIS = 100;
    /** Handshaken connections the kernel queues for accept (capped by net.core.somaxconn), as HAProxy's default. */
    private static final int LISTEN_BACKLOG = 4096;
    /**
     * Connections accepted per pass of the event loop. Netty's server channel, left to its defaults, accepts one:
     * its "maybe more data" test compares the accepted descriptor with a byte count and fails, and the listening
     * socket is reported again only at the next pass. A pass that serves hundreds of busy connections takes
     * milliseconds, so 1,000 new connections opened against a loaded Veer sat seconds in the accept queue, their
     * first requests already sent (queue 360 deep, drained at ~60/s; max latency 5.3 s, 240 ms with this). That
     * is how epoll and NIO accept; io_uring queues its accepts its own way (AcceptBurstTest holds each to a burst).
     */
    private static final int ACCEPTS_PER_READ = 512;

    private final EventLoopGroup group;
    private final Channel serverChannel;
    /** The TLS listener (proxy.tls), or null. */
    private final Channel tlsChannel;
    private final TlsTermination tls;
    private final ChannelGroup channels;
    private final ServerContext context;
    private final EndpointRegistry endpoints;
    private final StatsRegistry stats;
    private final FlagCounters flagCounters;
    private final UpstreamPools pools;
    private final HealthChecker health;
    private final EndpointEvents endpointEvents;
    private final AccessLog accessLog;
    private final Transport transport;
    private volatile boolean closed;

    private ProxyServer(EventLoopGroup group, Channel serverChannel, Channel tlsChannel, TlsTermination tls,
                        ChannelGroup channels, ServerContext context, EndpointRegistry endpoints, StatsRegistry stats,
                        FlagCounters flagCounters, UpstreamPools pools, HealthChecker health,
                        EndpointEvents endpointEvents, AccessLog accessLog, Transport transport) {
        this.tlsChannel = tlsChannel;
        this.tls = tls;
        this.accessLog = accessLog;
        this.transport = transport;
        this.group = group;
        this.serverChannel = serverChannel;
        this.channels = channels;
        this.context = context;
        this.endpoints = endpoints;
        this.stats = stats;
        this.flagCounters = flagCounters;
        this.pools = pools;
        this.health = health;
        this.endpointEvents = endpointEvents;
    }

    /** A listener that could not be bound; {@link #key()} names its setting. */
    public static final class ListenerUnavailable extends RuntimeException {
        private final String key;
        private final HostPort address;

        ListenerUnavailable(String key, HostPort address, Throwable cause) {
            super(key + " " + address + ": " + cause.getMessage(), cause);
            this.key = key;
            this.address = address;
        }

        public String key() {
            return key;
        }

        public HostPort address() {
            return address;
        }
    }

    /**
     * Binds the listeners (settings.listen, and settings.tls's when set; port 0 allowed) and serves the given routing
     * state.
     *
     * @throws ListenerUnavailable when a listener cannot be bound
     * @throws TlsMaterial.Invalid when the TLS files are wrong (they were right when the config was checked)
     */
    public static ProxyServer start(ProxySettings settings, List<ServiceSpec> services, List<FlagSpec> flags)
            throws InterruptedException, TlsMaterial.Invalid, SSLException {
        return start(settings, services, flags, Ticker.SYSTEM);
    }

    /**
     * As {@link #start(ProxySettings, List, List)}, with time-based decisions (ejections, retry budgets) on {@code ticker}.
     *
     * @throws UncheckedIOException when the access log cannot be opened
     */
    public static ProxyServer start(ProxySettings settings, List<ServiceSpec> services, List<FlagSpec> flags,
                                    Ticker ticker) throws InterruptedException, TlsMaterial.Invalid, SSLException {
        // Picked first: a transport that cannot run must not leave an empty access log behind.
        EventLoopTransport transport = EventLoopTransport.select(settings.transport(), settings.eventBatchMicros());
        TlsTermination tls = settings.tls() == null ? null
                : TlsTermination.start(settings.tls(), settings.limits().headerTimeout());
        AccessLog accessLog;
        try {
            accessLog = settings.accessLog() == null ? null : AccessLog.open(settings.accessLog());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            return start(settings, services, flags, ticker, transport, tls, accessLog);
        } catch (Throwable e) { // Throwable: Netty's bind throws a BindException it does not declare
            if (accessLog != null) {
                accessLog.close();
            }
            throw e;
        }
    }

    private static ProxyServer start(ProxySettings settings, List<ServiceSpec> services, List<FlagSpec> flags,
                                     Ticker ticker, EventLoopTransport transport, TlsTermination tls,
                                     AccessLog accessLog) throws InterruptedException {
        Class<? extends Channel> clientType = transport.clientType();
        int threads = settings.ioThreads() > 0 ? settings.ioThreads() : Runtime.getRuntime().availableProcessors();
        EventLoopGroup group = transport.newGroup(threads, new DefaultThreadFactory("veer-io", true));

        StatsRegistry stats = StatsRegistry.started();
        FlagCounters flagCounters = new FlagCounters();
        EndpointEvents endpointEvents = new EndpointEvents();
        OutlierDetector outliers = new OutlierDetector(ticker, endpointEvents);
        EndpointRegistry endpoints = new EndpointRegistry(ticker, endpointEvents, outliers);
        RoutingTable table = RoutingTable.compile(services, flags, endpoints, stats, flagCounters);
        configureGroups(endpoints, table);
        UpstreamPools pools = new UpstreamPools(clientType, settings.poolSizePerEndpoint(), settings.limits());
        long descriptors = DescriptorBudget.processLimit();
        int maxConnections = DescriptorBudget.cap(settings.maxConnections(), descriptors);
        if (maxConnections < DescriptorBudget.cap(settings.maxConnections(), -1)) {
            // INFO, not WARN: the default maxConnections is over what a common limit (20 000) allows, so every start
            // would warn about a setting the operator never made.
            log.info("proxy.maxConnections {} is more than the open-file limit of {} leaves room for (three quarters"
                    + " of it less {} kept for the admin API, files and health checks; the last quarter for upstream"
                    + " connections): at most {} client connections are accepted; raise the limit (ulimit -n, systemd"
                    + " LimitNOFILE, docker --ulimit nofile) to accept more",
                    settings.maxConnections() <= 0 ? "(unlimited)" : settings.maxConnections(), descriptors,
                    DescriptorBudget.RESERVED, maxConnections);
        }
        ServerContext context = new ServerContext(table, pools, settings.limits(), settings.maxInFlight(),
                maxConnections, accessLog, settings.normalizePath());
        ChannelGroup channels = new DefaultChannelGroup("veer-downstream", GlobalEventExecutor.INSTANCE);
        HealthChecker health = new HealthChecker(group, clientType, settings.limits());
        Channel serverChannel = null;
        try {
            ServerBootstrap bootstrap = new ServerBootstrap()
                    .group(group)
                    .channel(transport.serverType())
                    .option(ChannelOption.SO_BACKLOG, LISTEN_BACKLOG)
                    .option(ChannelOption.RCVBUF_ALLOCATOR, new ServerChannelRecvByteBufAllocator()
                            .respectMaybeMoreData(false).maxMessagesPerRead(ACCEPTS_PER_READ))
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.AUTO_READ, false)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    // A client's FIN after a whole request still gets the answer (see ProxyHandler). Not on epoll:
                    // Netty 4.2.18 takes a socket whose input shut out of epoll for good, so a response that does not
                    // fit the socket buffer at once fails its write (ENOENT) and is cut short; there the FIN closes.
                    .childOption(ChannelOption.ALLOW_HALF_CLOSURE, transport.kind() != Transport.EPOLL)
                    .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 * 1024, 64 * 1024));
            serverChannel = bind(bootstrap.clone().childHandler(new ProxyChannelInitializer(context, channels, null)),
                    "proxy.listen", settings.listen());
            Channel tlsChannel = tls == null ? null : bind(bootstrap.childHandler(
                    new ProxyChannelInitializer(context, channels, tls)), "proxy.tls.listen", settings.tls().listen());
            health.update(table);
            group.next().scheduleAtFixedRate(() -> {
                outliers.sweep();
                endpoints.tickRetryBudgets();
            }, HOUSEKEEPING_MILLIS, HOUSEKEEPING_MILLIS, TimeUnit.MILLISECONDS);
            return new ProxyServer(group, serverChannel, tlsChannel, tls, channels, context, endpoints, stats,
                    flagCounters, pools, health, endpointEvents, accessLog, transport.kind());
        } catch (Throwable e) { // Throwable: Netty's bind throws a BindException it does not declare
            if (serverChannel != null) {
                serverChannel.close().syncUninterruptibly();
            }
            health.close();
            endpointEvents.close();
            stats.close();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
    }

    private static Channel bind(ServerBootstrap bootstrap, String key, HostPort address) throws InterruptedException {
        try {
            return bootstrap.bind(new InetSocketAddress(address.host(), address.port())).sync().channel();
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) { // Netty's bind throws a BindException it does not declare
            throw new ListenerUnavailable(key, address, e);
        }
    }

    /** The transport the event loops run on: what {@code proxy.transport} asked for, or AUTO's choice. */
    public Transport transport() {
        return transport;
    }

    public InetSocketAddress localAddress() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    /** Where the TLS listener is bound, or null without proxy.tls. */
    public InetSocketAddress tlsAddress() {
        return tlsChannel == null ? null : (InetSocketAddress) tlsChannel.localAddress();
    }

    /**
     * Reads proxy.tls's certificate and key files again (after a renewal); the certificate in force stays when they
     * are wrong. Nothing without proxy.tls.
     */
    public void reloadCertificates() {
        if (tls != null) {
            tls.reload();
        }
    }

    /** The event loop that accepts connections. */
    EventLoop acceptLoop() {
        return serverChannel.eventLoop();
    }

    /** Client connections accepted and not yet closed. */
    int openConnections() {
        return channels.size();
    }

    /** Compiles a new immutable RoutingTable and swaps it in; open connections are untouched. Thread-safe. */
    public synchronized void publish(List<ServiceSpec> services, List<FlagSpec> flags) {
        stats.retainOnly(statsKeys(services));
        RoutingTable table = RoutingTable.compile(services, flags, endpoints, stats, flagCounters);
        configureGroups(endpoints, table);
        // Before the table is in force: an endpoint that must wait for its first health check is out of rotation
        // from its first request on.
        health.update(table);
        context.table(table);
        // Retired endpoints get no new requests from here on; their in-flight exchanges finish, and each of their
        // connections closes when released (UpstreamPools never pools a retired endpoint's connection).
        List<Endpoint> retired = endpoints.retainOnly(table.endpoints());
        pools.closeIdle(group, retired);
    }

    private static Set<StatsKey> statsKeys(List<ServiceSpec> services) {
        Set<StatsKey> keys = new HashSet<>();
        for (ServiceSpec service : services) {
            for (String version : service.versionNames()) {
                keys.add(new StatsKey(service.name(), version));
            }
        }
        return keys;
    }

    /** Gives each version's endpoint group its published members and outlier and retry settings. */
    private static void configureGroups(EndpointRegistry endpoints, RoutingTable table) {
        for (ServiceRoute service : table.services()) {
            for (VersionRoute version : service.versions()) {
                endpoints.configure(service.name(), version.name(), version.endpoints(),
                        service.spec().outlierDetection(), service.spec().retry());
            }
        }
    }

    /**
     * Registers a listener for endpoint ejections, returns and health changes. Listeners run in order on one
     * dedicated thread, never on an I/O thread.
     */
    public void onEndpointEvent(Consumer<EndpointEvent> listener) {
        endpointEvents.listen(listener);
    }

    /**
     * Whether an endpoint of the published state takes traffic: its active health check passes and outlier detection
     * has not ejected it. False for an endpoint that is not part of the published state.
     */
    public boolean endpointHealthy(String service, String version, HostPort endpoint) {
        Endpoint e = endpoints.find(service, version, endpoint);
        return e != null && e.isHealthy();
    }

    /** Flag evaluations so far: flag → result ("on", "off", variant) → count. */
    public java.util.Map<String, java.util.Map<String, Long>> flagEvaluations() {
        return flagCounters.snapshot();
    }

    public StatsRegistry stats() {
        return stats;
    }

    /** Requests answered without charging a version: refused before routing, or ended by the client's fault. */
    public RefusedRequests refused() {
        return context.refused();
    }

    /** The access log, or null when requests are not logged. */
    public AccessLog accessLog() {
        return accessLog;
    }

    /** Starts the access log afresh under its name (after logrotate moved it away); nothing without one. */
    public void reopenAccessLog() {
        if (accessLog != null) {
            accessLog.reopen();
        }
    }

    /** Requests being served right now. */
    public int inFlight() {
        return context.inFlight();
    }

    /**
     * Stop accepting, let in-flight requests finish up to timeout, then close everything. Returns how many were
     * still in flight when the timeout ran out (cut by the close); 0 when all finished.
     */
    public int drain(Duration timeout) {
        context.startDraining();
        closeListeners();
        for (Channel ch : channels) {
            ch.eventLoop().execute(() -> ProxyChannelInitializer.drain(ch));
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (context.inFlight() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        int cut = context.inFlight();
        // Each connection cut on its own event loop, where its exchange cannot end between the look and the close.
        List<Future<?>> cuts = new ArrayList<>();
        for (Channel ch : channels) {
            cuts.add(ch.eventLoop().submit(() -> ProxyChannelInitializer.cut(ch)));
        }
        for (Future<?> f : cuts) {
            f.awaitUninterruptibly(1, TimeUnit.SECONDS);
        }
        close();
        return cut;
    }

    private void closeListeners() {
        serverChannel.close().syncUninterruptibly();
        if (tlsChannel != null) {
            tlsChannel.close().syncUninterruptibly();
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        health.close();
        closeListeners();
        channels.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        stats.close();
        endpointEvents.close();
        if (accessLog != null) {
            accessLog.close(); // after the event loops: every exchange that ended is in it
        }
    }
}
