package dev.veer.proxy.health;

import dev.veer.config.model.HealthCheckSpec;
import dev.veer.config.model.Limits;
import dev.veer.proxy.route.RoutingTable;
import dev.veer.proxy.route.ServiceRoute;
import dev.veer.proxy.route.VersionRoute;
import dev.veer.proxy.upstream.Endpoint;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.Objects;

/**
 * Keeps one {@link HealthProbe} per endpoint of every service that has a health check, in step with the
 * published routing table. Probes run on the proxy's event loops. Endpoints without a check are always healthy.
 */
public final class HealthChecker implements AutoCloseable {

    private final EventLoopGroup group;
    private final Class<? extends Channel> channelType;
    /** The proxy's limits: a check reads a response head as traffic's are read, to the same size and field count. */
    private final Limits limits;
    private final Map<Endpoint, HealthProbe> probes = new HashMap<>();
    /** The first table (at start-up) was applied: endpoints that appear after it wait for their first check. */
    private boolean started;

    public HealthChecker(EventLoopGroup group, Class<? extends Channel> channelType, Limits limits) {
        this.group = group;
        this.channelType = channelType;
        this.limits = limits;
    }

    /** Starts, restarts (spec changed) and stops probes to match {@code table}. Health state is kept. */
    public synchronized void update(RoutingTable table) {
        Map<Endpoint, HealthCheckSpec> wanted = new HashMap<>();
        for (ServiceRoute service : table.services()) {
            HealthCheckSpec spec = service.spec().healthCheck();
            for (VersionRoute version : service.versions()) {
                for (Endpoint e : version.endpoints()) {
                    if (spec != null) {
                        wanted.put(e, spec);
                    } else {
                        e.setHealthy(true, "health check removed");
                    }
                }
            }
        }
        Set<Endpoint> checkedBefore = new HashSet<>(probes.keySet());
        // A probe replaced (its spec changed) before its endpoint's first pass: the new one waits for that pass.
        Set<Endpoint> stillAwaiting = new HashSet<>();
        probes.entrySet().removeIf(entry -> {
            HealthCheckSpec spec = wanted.get(entry.getKey());
            if (spec != null && Objects.equals(spec, entry.getValue().spec())) {
                return false;
            }
            entry.getValue().stop();
            if (entry.getValue().awaitingFirstPass()) {
                stillAwaiting.add(entry.getKey());
            }
            return true;
        });
        wanted.forEach((endpoint, spec) -> probes.computeIfAbsent(endpoint, e -> {
            // At start-up endpoints are taken as up (Veer serves at once, and the checks follow within an interval);
            // one added later gets no traffic before its first check passes, as Envoy does with a new host.
            boolean awaitFirstCheck = (started && !checkedBefore.contains(e)) || stillAwaiting.contains(e);
            HealthProbe probe = new HealthProbe(e, spec, group.next(), channelType, limits, awaitFirstCheck);
            probe.start();
            return probe;
        }));
        started = true;
    }

    @Override
    public synchronized void close() {
        probes.values().forEach(HealthProbe::stop);
        probes.clear();
    }
}
