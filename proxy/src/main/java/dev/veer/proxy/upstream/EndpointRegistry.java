package dev.veer.proxy.upstream;

import dev.veer.config.model.HostPort;
import dev.veer.config.model.OutlierDetectionSpec;
import dev.veer.config.model.RetrySpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every endpoint of the published routing state, keyed by (service, version, address), and the endpoint group of
 * every published (service, version).
 */
public final class EndpointRegistry {

    private record Key(String service, String version, HostPort address) {
    }

    private record GroupKey(String service, String version) {
    }

    private final Map<Key, Endpoint> endpoints = new ConcurrentHashMap<>();
    private final Map<GroupKey, EndpointGroup> groups = new ConcurrentHashMap<>();
    private final Ticker ticker;
    private final EndpointEvents events;
    private final FailureListener failures;

    /** A registry without outlier detection or event listeners, on the system clock. */
    public EndpointRegistry() {
        this(Ticker.SYSTEM, new EndpointEvents(), FailureListener.NONE);
    }

    public EndpointRegistry(Ticker ticker, EndpointEvents events, FailureListener failures) {
        this.ticker = ticker;
        this.events = events;
        this.failures = failures;
    }

    /** The existing endpoint for this key, or a new healthy one. */
    public Endpoint obtain(String service, String version, HostPort address) {
        return endpoints.computeIfAbsent(new Key(service, version, address),
                k -> new Endpoint(service, version, address, group(service, version), events));
    }

    private EndpointGroup group(String service, String version) {
        return groups.computeIfAbsent(new GroupKey(service, version),
                k -> new EndpointGroup(service, version, ticker, failures));
    }

    /** The endpoint for this key if it is part of the routing state, else null. */
    public Endpoint find(String service, String version, HostPort address) {
        return endpoints.get(new Key(service, version, address));
    }

    /** Sets a version's published endpoints and its outlier and retry settings. */
    public void configure(String service, String version, List<Endpoint> members, OutlierDetectionSpec outliers,
                          RetrySpec retry) {
        EndpointGroup group = group(service, version);
        group.configure(members, outliers, retry);
        failures.reconsider(group);
    }

    /** Moves every version's retry budget window along; called periodically. */
    public void tickRetryBudgets() {
        for (EndpointGroup g : groups.values()) {
            g.retryBudget().tick();
        }
    }

    /** Retires and forgets every endpoint not in {@code live}, and every group left empty; returns the retired ones. */
    public List<Endpoint> retainOnly(Set<Endpoint> live) {
        List<Endpoint> removed = new ArrayList<>();
        endpoints.values().removeIf(e -> {
            if (live.contains(e)) {
                return false;
            }
            e.retire();
            removed.add(e);
            return true;
        });
        Set<EndpointGroup> liveGroups = new java.util.HashSet<>();
        for (Endpoint e : live) {
            liveGroups.add(e.group());
        }
        groups.values().removeIf(g -> {
            if (liveGroups.contains(g)) {
                return false;
            }
            g.retire();
            return true;
        });
        return removed;
    }
}
