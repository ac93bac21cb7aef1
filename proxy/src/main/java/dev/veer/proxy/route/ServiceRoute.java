package dev.veer.proxy.route;

import dev.veer.config.model.ServiceSpec;
import dev.veer.proxy.http.Chars;
import dev.veer.proxy.http.CookieScanner;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One compiled service: route rules, sticky settings and the bucket layout of its versions.
 *
 * <p>Bucket layout: versions own contiguous ranges of 0..9999 in service order, version i owning
 * [w0+..+w(i-1), w0+..+wi). The first version's range is anchored at 0 and the last one's at 10000, so in the
 * usual two-version service (baseline, canary) every weight change is monotonic for both: when the canary grows,
 * its range extends downwards and every key it had stays; when it shrinks, only the keys below its new lower
 * edge move back. With more versions the same holds whenever a version trades weight with a neighbour.
 */
public final class ServiceRoute {

    private final ServiceSpec spec;
    private final String pathPrefix;
    private final RequestMatcher[] ruleMatchers;
    private final VersionRoute[] ruleTargets;
    private final String stickyCookie;
    private final AsciiString hashOnHeader;
    private final String hashOnCookie;
    private final VersionRoute[] versions;
    /** upperEdges[i] = w0 + .. + wi: version i owns buckets [upperEdges[i-1], upperEdges[i]). */
    private final int[] upperEdges;

    ServiceRoute(ServiceSpec spec, RequestMatcher[] ruleMatchers, VersionRoute[] ruleTargets, String stickyCookie,
                 AsciiString hashOnHeader, String hashOnCookie, VersionRoute[] versions) {
        this.spec = spec;
        this.pathPrefix = spec.match().pathPrefix() == null ? "/" : spec.match().pathPrefix();
        this.ruleMatchers = ruleMatchers;
        this.ruleTargets = ruleTargets;
        this.stickyCookie = stickyCookie;
        this.hashOnHeader = hashOnHeader;
        this.hashOnCookie = hashOnCookie;
        this.versions = versions;
        this.upperEdges = new int[versions.length];
        int edge = 0;
        for (int i = 0; i < versions.length; i++) {
            edge += versions[i].weightBps();
            upperEdges[i] = edge;
        }
    }

    public String name() {
        return spec.name();
    }

    public ServiceSpec spec() {
        return spec;
    }

    public String pathPrefix() {
        return pathPrefix;
    }

    /** The versions in service order. */
    public java.util.List<VersionRoute> versions() {
        return java.util.List.of(versions);
    }

    /** The version named {@code name}, or null. */
    public VersionRoute version(String name) {
        for (VersionRoute v : versions) {
            if (v.name().equals(name)) {
                return v;
            }
        }
        return null;
    }

    /**
     * Chooses the version for a request, in contract order: a route rule, a sticky cookie naming a version whose
     * weight is above 0, the hashOn key's bucket, a random bucket. Fills {@code decision}; allocates nothing.
     */
    public void choose(HttpHeaders headers, RouteDecision decision) {
        decision.service(this);
        for (int i = 0; i < ruleMatchers.length; i++) {
            if (ruleMatchers[i].matches(headers, decision)) {
                decision.choose(ruleTargets[i], RouteDecision.Reason.ROUTE, null);
                return;
            }
        }
        String cookieHeader = null;
        if (stickyCookie != null) {
            cookieHeader = headers.get(HttpHeaderNames.COOKIE);
            VersionRoute pinned = pinnedByCookie(cookieHeader);
            if (pinned != null) {
                decision.choose(pinned, RouteDecision.Reason.COOKIE, null);
                return;
            }
        }
        int bucket = -1;
        if (hashOnHeader != null) {
            String key = headers.get(hashOnHeader);
            // An empty key is no key (as for flags): hashed, every such request would land in one fixed bucket.
            if (key != null && !key.isEmpty()) {
                bucket = KeyHash.bucket(decision.keyHasher, key, 0, key.length());
            }
        } else if (hashOnCookie != null) {
            if (cookieHeader == null) {
                cookieHeader = headers.get(HttpHeaderNames.COOKIE);
            }
            if (cookieHeader != null) {
                long region = CookieScanner.find(cookieHeader, hashOnCookie);
                if (region != CookieScanner.NOT_FOUND && CookieScanner.end(region) > CookieScanner.start(region)) {
                    bucket = KeyHash.bucket(decision.keyHasher, cookieHeader, CookieScanner.start(region),
                            CookieScanner.end(region));
                }
            }
        }
        RouteDecision.Reason reason = RouteDecision.Reason.HASH;
        if (bucket < 0) {
            bucket = ThreadLocalRandom.current().nextInt(KeyHash.BUCKETS);
            reason = RouteDecision.Reason.RANDOM;
        }
        VersionRoute chosen = versionForBucket(bucket);
        decision.choose(chosen, reason, chosen == null ? null : chosen.setCookie());
    }

    /** The version owning {@code bucket} (0..9999) under the current weights; null for a service without versions. */
    public VersionRoute versionForBucket(int bucket) {
        if (versions.length == 0) {
            return null;
        }
        for (int i = 0; i < upperEdges.length; i++) {
            if (bucket < upperEdges[i]) {
                return versions[i];
            }
        }
        // Weights always sum to 10000 in a validated config; if not, the last version with weight takes the rest.
        for (int i = versions.length - 1; i > 0; i--) {
            if (versions[i].weightBps() > 0) {
                return versions[i];
            }
        }
        return versions[0];
    }

    private VersionRoute pinnedByCookie(String cookieHeader) {
        if (cookieHeader == null) {
            return null;
        }
        long region = CookieScanner.find(cookieHeader, stickyCookie);
        if (region == CookieScanner.NOT_FOUND) {
            return null;
        }
        int start = CookieScanner.start(region);
        int end = CookieScanner.end(region);
        for (VersionRoute v : versions) {
            if (v.weightBps() > 0 && Chars.regionEquals(cookieHeader, start, end, v.name())) {
                return v;
            }
        }
        return null;
    }
}
