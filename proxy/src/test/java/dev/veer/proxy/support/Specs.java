package dev.veer.proxy.support;

import dev.veer.config.model.HealthCheckSpec;
import dev.veer.config.model.HostPort;
import dev.veer.config.model.Limits;
import dev.veer.config.model.MatchSpec;
import dev.veer.config.model.OutlierDetectionSpec;
import dev.veer.config.model.ProxySettings;
import dev.veer.config.model.RetrySpec;
import dev.veer.config.model.RouteSpec;
import dev.veer.config.model.ServiceSpec;
import dev.veer.config.model.StickySpec;
import dev.veer.config.model.Transport;
import dev.veer.config.model.VersionSpec;
import dev.veer.config.model.Weights;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builders for the config records the tests need. */
public final class Specs {

    private Specs() {
    }

    public static ProxySettings settings() {
        return settings(Limits.DEFAULTS);
    }

    public static ProxySettings settings(Limits limits) {
        return settings(limits, ProxySettings.DEFAULTS.transport());
    }

    public static ProxySettings settings(Transport transport) {
        return settings(Limits.DEFAULTS, transport);
    }

    private static ProxySettings settings(Limits limits, Transport transport) {
        return new ProxySettings(new HostPort("127.0.0.1", 0), 2, limits, 10_000, 10_000, 16, Duration.ofSeconds(5),
                ProxySettings.DEFAULTS.eventBatchMicros(), transport, null, ProxySettings.DEFAULTS.normalizePath(), null);
    }

    public static Limits limits(Duration headerTimeout, Duration responseTimeout) {
        Limits d = Limits.DEFAULTS;
        return new Limits(d.maxHeaderBytes(), d.maxHeaderCount(), d.maxRequestLineBytes(), d.maxBodyBytes(),
                headerTimeout, Duration.ofSeconds(2), responseTimeout, d.idleTimeout(), d.upstreamIdleTimeout());
    }

    public static VersionSpec version(String name, String... endpoints) {
        return new VersionSpec(name, java.util.Arrays.stream(endpoints).map(HostPort::parse).toList());
    }

    /** Weights as name, bps, name, bps... */
    public static Weights weights(Object... nameBps) {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (int i = 0; i < nameBps.length; i += 2) {
            m.put((String) nameBps[i], (Integer) nameBps[i + 1]);
        }
        return new Weights(m);
    }

    public static ServiceSpec service(String name, List<String> hosts, String prefix, List<VersionSpec> versions,
                                      Weights weights, StickySpec sticky, List<RouteSpec> routes,
                                      HealthCheckSpec healthCheck) {
        return new ServiceSpec(name, new MatchSpec(hosts, prefix), versions, weights, sticky, routes, healthCheck,
                OutlierDetectionSpec.DEFAULTS, RetrySpec.DEFAULTS, null);
    }

    /** A service matched by the host {@code name}, with one version, v1, at {@code address} taking all traffic. */
    public static ServiceSpec hostService(String name, String address) {
        return service(name, List.of(name), "/", List.of(version("v1", address)), weights("v1", 10000), null,
                List.of(), null);
    }

    public static ServiceSpec service(String name, List<VersionSpec> versions, Weights weights, StickySpec sticky) {
        return service(name, List.of(), "/", versions, weights, sticky, List.of(), null);
    }
}
