package dev.veer.proxy.route;

import dev.veer.proxy.stats.VersionStats;
import dev.veer.proxy.upstream.Endpoint;
import dev.veer.proxy.upstream.UsableRoundRobin;
import io.netty.util.AsciiString;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** One version of a compiled service: its endpoints, weight, precomputed header values and stats recorder. */
public final class VersionRoute {

    private final String name;
    private final AsciiString headerValue;
    private final String setCookie;
    private final int weightBps;
    private final Endpoint[] endpoints;
    private final VersionStats stats;
    private final AtomicInteger roundRobin;

    VersionRoute(String name, String stickyCookie, int weightBps, List<Endpoint> endpoints, VersionStats stats) {
        this.name = name;
        this.headerValue = AsciiString.cached(name);
        this.setCookie = stickyCookie == null ? null : stickyCookie + "=" + name + "; Path=/; HttpOnly; SameSite=Lax";
        this.weightBps = weightBps;
        this.endpoints = endpoints.toArray(new Endpoint[0]);
        // Every endpoint of a version belongs to the version's group, which outlives publishes.
        this.roundRobin = endpoints.isEmpty() ? new AtomicInteger() : endpoints.get(0).group().turns();
        this.stats = stats;
    }

    public String name() {
        return name;
    }

    /** The value of {@code x-veer-version}. */
    public AsciiString headerValue() {
        return headerValue;
    }

    /** Set-Cookie value pinning a new sticky session to this version, or null without a sticky cookie. */
    public String setCookie() {
        return setCookie;
    }

    public int weightBps() {
        return weightBps;
    }

    public VersionStats stats() {
        return stats;
    }

    public List<Endpoint> endpoints() {
        return List.of(endpoints);
    }

    /**
     * Round-robin over the healthy endpoints, each taking an equal share. When none is healthy, an endpoint no health
     * check has answered yet, as when all of a serving version's endpoints were just replaced: sending to it beats a
     * certain 503, as Envoy's panic mode would; one a check or outlier detection found bad is never chosen. Null when
     * there is neither.
     */
    public Endpoint pick() {
        int n = endpoints.length;
        if (n == 0) {
            return null;
        }
        Endpoint healthy = UsableRoundRobin.next(endpoints, roundRobin, null);
        if (healthy != null) {
            return healthy;
        }
        int start = Math.floorMod(roundRobin.getAndIncrement(), n);
        for (int i = 0; i < n; i++) {
            Endpoint e = endpoints[(start + i) % n];
            if (e.isUnprobed() && !e.isEjected()) {
                return e;
            }
        }
        return null;
    }
}
