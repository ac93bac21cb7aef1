package dev.veer.proxy.server;

import dev.veer.config.model.Limits;
import dev.veer.proxy.accesslog.AccessLog;
import dev.veer.proxy.route.RoutingTable;
import dev.veer.proxy.stats.RefusedRequests;
import dev.veer.proxy.upstream.UpstreamPools;
import java.util.concurrent.atomic.AtomicInteger;

/** What every downstream connection of one listener shares: the routing snapshot, pools, limits and counters. */
public final class ServerContext {

    private volatile RoutingTable table;
    private volatile boolean draining;
    private final UpstreamPools pools;
    private final Limits limits;
    private final int maxInFlight;
    private final int maxConnections;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger connections = new AtomicInteger();
    private final AccessLog accessLog;
    private final boolean normalizePath;
    private final RefusedRequests refused = new RefusedRequests();

    /** {@code accessLog}: null for none. */
    public ServerContext(RoutingTable table, UpstreamPools pools, Limits limits, int maxInFlight, int maxConnections,
                         AccessLog accessLog, boolean normalizePath) {
        this.table = table;
        this.accessLog = accessLog;
        this.normalizePath = normalizePath;
        this.pools = pools;
        this.limits = limits;
        this.maxInFlight = maxInFlight <= 0 ? Integer.MAX_VALUE : maxInFlight;
        this.maxConnections = maxConnections <= 0 ? Integer.MAX_VALUE : maxConnections;
    }

    public RoutingTable table() {
        return table;
    }

    public void table(RoutingTable newTable) {
        this.table = newTable;
    }

    public boolean draining() {
        return draining;
    }

    public void startDraining() {
        draining = true;
    }

    public int inFlight() {
        return inFlight.get();
    }

    UpstreamPools pools() {
        return pools;
    }

    Limits limits() {
        return limits;
    }

    /** Requests answered without charging a version (see {@link RefusedRequests}). */
    public RefusedRequests refused() {
        return refused;
    }

    /** Where requests are logged; null when they are not. */
    AccessLog accessLog() {
        return accessLog;
    }

    /** Whether request paths are routed and forwarded in normal form (proxy.normalizePath). */
    boolean normalizePath() {
        return normalizePath;
    }

    /** Counts a new request in; false (and not counted) when maxInFlight is reached. */
    boolean enterRequest() {
        if (inFlight.incrementAndGet() > maxInFlight) {
            inFlight.decrementAndGet();
            return false;
        }
        return true;
    }

    void exitRequest() {
        inFlight.decrementAndGet();
    }

    boolean openConnection() {
        if (connections.incrementAndGet() > maxConnections) {
            connections.decrementAndGet();
            return false;
        }
        return true;
    }

    void closeConnection() {
        connections.decrementAndGet();
    }
}
