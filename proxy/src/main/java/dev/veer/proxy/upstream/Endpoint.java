package dev.veer.proxy.upstream;

import dev.veer.config.model.HostPort;
import dev.veer.proxy.stats.FailureReason;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One backend address of one version of one service. The object outlives routing-table publishes (it is
 * keyed by service, version and address in {@link EndpointRegistry}), so health state survives weight changes.
 *
 * <p>An endpoint takes new requests ({@link #isHealthy()}) while its active health check passes and outlier
 * detection has not ejected it. Both inputs change rarely; the combination is kept in one volatile field so the
 * per-request check is a single read.
 */
public final class Endpoint {

    private final String service;
    private final String version;
    private final HostPort address;
    private final InetSocketAddress socketAddress;
    private final EndpointGroup group;
    private final EndpointEvents events;
    private final AtomicInteger consecutiveFailures = new AtomicInteger();
    private volatile boolean activeHealthy = true;
    private volatile boolean ejected;
    private volatile boolean usable = true;
    /** No health check has answered for it yet: added at run time (start-up endpoints are taken as up). */
    private volatile boolean unprobed;
    /** A health check has answered for it at least once; a probe replaced by a reload does not make it new again. */
    private volatile boolean everAnswered;
    private volatile boolean retired;

    // Ejection bookkeeping, guarded by the outlier detector.
    private long ejectedUntilNanos;
    private int timesEjected;
    private long penaltySinceNanos;

    Endpoint(String service, String version, HostPort address, EndpointGroup group, EndpointEvents events) {
        this.service = service;
        this.version = version;
        this.address = address;
        this.socketAddress = InetSocketAddress.createUnresolved(address.host(), address.port());
        this.group = group;
        this.events = events;
    }

    public String service() {
        return service;
    }

    public String version() {
        return version;
    }

    public HostPort address() {
        return address;
    }

    /** Unresolved: each connect looks the host up again, off the event loops (OffLoopResolverGroup). */
    public InetSocketAddress socketAddress() {
        return socketAddress;
    }

    /** The version's endpoint group: published siblings, retry budget, outlier settings. */
    public EndpointGroup group() {
        return group;
    }

    /** True when the endpoint takes new requests: its active health check passes and it is not ejected. */
    public boolean isHealthy() {
        return usable;
    }

    /** The active health check's verdict alone (true without a check). */
    public boolean isActiveHealthy() {
        return activeHealthy;
    }

    public boolean isEjected() {
        return ejected;
    }

    /** True while no health check has answered for an endpoint added at run time (see VersionRoute#pick). */
    public boolean isUnprobed() {
        return unprobed;
    }

    /** The reason of the UNHEALTHY event of an endpoint added at run time, before its first check. */
    static final String AWAITING_FIRST_CHECK = "new endpoint: waiting for its first health check";

    /** Out of rotation until its first health check passes: an endpoint added at run time. */
    public void awaitFirstCheck() {
        unprobed = !everAnswered;
        setHealthy(false, AWAITING_FIRST_CHECK);
    }

    /** Whether a health check has answered for it, either way (a probe replaced by a reload keeps this). */
    public boolean hasAnsweredACheck() {
        return everAnswered;
    }

    /** A health check answered (either way); call after its verdict is applied, so no reader sees neither. */
    public void probeAnswered() {
        everAnswered = true;
        unprobed = false;
    }

    /** Sets the active health check's verdict. */
    public void setHealthy(boolean healthy) {
        setHealthy(healthy, healthy ? "health check passed" : "health check failed");
    }

    /** Sets the active health check's verdict; a change is reported as a HEALTHY or UNHEALTHY event. */
    public void setHealthy(boolean healthy, String reason) {
        synchronized (this) {
            if (activeHealthy == healthy) {
                return;
            }
            activeHealthy = healthy;
            usable = healthy && !ejected;
        }
        if (!retired) {
            events.emit(this, healthy ? EndpointEvent.Kind.HEALTHY : EndpointEvent.Kind.UNHEALTHY, reason);
            if (!healthy) {
                // One fewer in rotation: an ejected sibling may now be the version's only way to serve.
                group.failures().reconsider(group);
            }
        }
    }

    /**
     * Reports an UNHEALTHY event for an endpoint already out of rotation by its health check (one added at run time
     * whose checks fail), so the reason is told though nothing flips; nothing when it passes its check meanwhile.
     */
    public void reportUnhealthy(String reason) {
        if (!activeHealthy && !retired) {
            events.emit(this, EndpointEvent.Kind.UNHEALTHY, reason);
        }
    }

    /** Records an upstream response status: a 5xx counts towards ejection, anything else clears the count. */
    public void recordResponse(int status) {
        if (status >= 500) {
            group.failures().onFailure(this, consecutiveFailures.incrementAndGet(), status, null);
        } else if (consecutiveFailures.get() != 0) {
            consecutiveFailures.set(0);
        }
    }

    /** Records an exchange that failed without a response (connect, reset, timeout, protocol error). */
    public void recordFailure(FailureReason reason) {
        group.failures().onFailure(this, consecutiveFailures.incrementAndGet(), 0, reason);
    }

    /** Takes the endpoint out of rotation until {@code untilNanos}; the caller (outlier detector) emits the event. */
    public void eject(long untilNanos) {
        synchronized (this) {
            ejectedUntilNanos = untilNanos;
            ejected = true;
            usable = false;
        }
        consecutiveFailures.set(0);
    }

    /** Puts an ejected endpoint back into rotation (if its health check passes). */
    public void unEject() {
        synchronized (this) {
            ejected = false;
            usable = activeHealthy;
        }
        consecutiveFailures.set(0);
    }

    public long ejectedUntilNanos() {
        return ejectedUntilNanos;
    }

    /** Ejections that still weigh on the next ejection's length. */
    public int timesEjected() {
        return timesEjected;
    }

    public void timesEjected(int times, long sinceNanos) {
        this.timesEjected = times;
        this.penaltySinceNanos = sinceNanos;
    }

    /** When {@link #timesEjected()} last changed (or the endpoint last returned). */
    public long penaltySinceNanos() {
        return penaltySinceNanos;
    }

    /** True once the endpoint is no longer part of any published routing table. */
    public boolean isRetired() {
        return retired;
    }

    void retire() {
        retired = true;
    }

    @Override
    public String toString() {
        return service + "/" + version + "@" + address;
    }
}
