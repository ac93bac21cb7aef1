package dev.veer.proxy.route;

import dev.veer.config.model.FlagSpec;
import dev.veer.config.model.HostPort;
import dev.veer.config.model.KeySource;
import dev.veer.config.model.RouteMatch;
import dev.veer.config.model.RouteSpec;
import dev.veer.config.model.ServiceSpec;
import dev.veer.config.model.StickySpec;
import dev.veer.config.model.VersionSpec;
import dev.veer.proxy.flag.FlagCounters;
import dev.veer.proxy.flag.FlagEvaluator;
import dev.veer.proxy.flag.FlagResults;
import dev.veer.proxy.stats.StatsRegistry;
import dev.veer.proxy.upstream.Endpoint;
import dev.veer.proxy.upstream.EndpointRegistry;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;

/**
 * An immutable snapshot of the routing state, compiled once per publish and read by every request through one
 * volatile reference. A request keeps the snapshot it started with.
 */
public final class RoutingTable {

    /** A host written "*.example.com" matches every name under example.com (not example.com itself). */
    private static final String WILDCARD = "*.";

    private static final ServiceRoute[] NONE = new ServiceRoute[0];

    private final List<ServiceRoute> services;
    private final FlagEvaluator flagEvaluator;
    /** Evaluation counters indexed [flag][0 off, 1 on, 2 + variant], shared with earlier and later tables. */
    private final LongAdder[][] flagCounts;
    private final HostIndex byHost;
    /** {@code *.example.com} services under "example.com". */
    private final HostIndex byWildcard;
    private final ServiceRoute[] anyHost;
    private final Set<Endpoint> endpoints;

    private RoutingTable(List<ServiceRoute> services, FlagEvaluator flagEvaluator,
                         LongAdder[][] flagCounts, HostIndex byHost, HostIndex byWildcard, ServiceRoute[] anyHost,
                         Set<Endpoint> endpoints) {
        this.services = services;
        this.flagEvaluator = flagEvaluator;
        this.flagCounts = flagCounts;
        this.byHost = byHost;
        this.byWildcard = byWildcard;
        this.anyHost = anyHost;
        this.endpoints = endpoints;
    }

    /** A table that matches nothing. */
    public static RoutingTable empty() {
        return new RoutingTable(List.of(), FlagEvaluator.compile(List.of()), new LongAdder[0][],
                new HostIndex(Map.of()), new HostIndex(Map.of()), NONE, Set.of());
    }

    /**
     * Compiles services into a table. Endpoints come from {@code registry} so their health survives the swap;
     * each version's stats recorder comes from {@code stats}.
     */
    public static RoutingTable compile(List<ServiceSpec> specs, List<FlagSpec> flags, EndpointRegistry registry,
                                       StatsRegistry stats, FlagCounters flagCounters) {
        FlagEvaluator flagEvaluator = FlagEvaluator.compile(flags);
        List<ServiceRoute> compiled = new ArrayList<>();
        Set<Endpoint> endpoints = new LinkedHashSet<>();
        Map<String, List<ServiceRoute>> hostLists = new LinkedHashMap<>();
        Map<String, List<ServiceRoute>> wildcardLists = new LinkedHashMap<>();
        List<ServiceRoute> anyHostList = new ArrayList<>();
        for (ServiceSpec spec : specs) {
            ServiceRoute service = compileService(spec, registry, stats, flagEvaluator, endpoints);
            compiled.add(service);
            if (spec.match().hosts().isEmpty()) {
                anyHostList.add(service);
            } else {
                for (String host : spec.match().hosts()) {
                    String lower = host.toLowerCase(Locale.ROOT);
                    // "*.example.com" is kept under its suffix "example.com" in an index of its own.
                    Map<String, List<ServiceRoute>> lists = lower.startsWith(WILDCARD) ? wildcardLists : hostLists;
                    String key = lower.startsWith(WILDCARD) ? lower.substring(WILDCARD.length()) : lower;
                    lists.computeIfAbsent(key, h -> new ArrayList<>()).add(service);
                }
            }
        }
        return new RoutingTable(List.copyOf(compiled), flagEvaluator, flagCounters.bind(flagEvaluator),
                index(hostLists), index(wildcardLists), longestPrefixFirst(anyHostList), Set.copyOf(endpoints));
    }

    private static HostIndex index(Map<String, List<ServiceRoute>> lists) {
        Map<String, ServiceRoute[]> byHost = new LinkedHashMap<>();
        lists.forEach((host, list) -> byHost.put(host, longestPrefixFirst(list)));
        return new HostIndex(byHost);
    }

    private static ServiceRoute compileService(ServiceSpec spec, EndpointRegistry registry, StatsRegistry stats,
                                               FlagEvaluator flagEvaluator, Set<Endpoint> allEndpoints) {
        StickySpec sticky = spec.sticky();
        String stickyCookie = sticky == null ? null : sticky.cookie();
        List<VersionRoute> versions = new ArrayList<>();
        for (VersionSpec v : spec.versions()) {
            List<Endpoint> endpoints = new ArrayList<>();
            for (HostPort address : v.endpoints()) {
                Endpoint e = registry.obtain(spec.name(), v.name(), address);
                endpoints.add(e);
                allEndpoints.add(e);
            }
            int weight = spec.weights() == null ? 0 : spec.weights().of(v.name());
            versions.add(new VersionRoute(v.name(), stickyCookie, weight, endpoints, stats.forVersion(spec.name(), v.name())));
        }
        VersionRoute[] versionArray = versions.toArray(new VersionRoute[0]);

        List<RequestMatcher> matchers = new ArrayList<>();
        List<VersionRoute> targets = new ArrayList<>();
        for (RouteSpec route : spec.routes()) {
            VersionRoute target = find(versionArray, route.version());
            RequestMatcher matcher = matcherFor(route.match(), flagEvaluator);
            if (target != null && matcher != null) {
                matchers.add(matcher);
                targets.add(target);
            }
        }

        AsciiString hashOnHeader = null;
        String hashOnCookie = null;
        if (sticky != null && sticky.hashOn() != null) {
            KeySource key = sticky.hashOn();
            if (key.kind() == KeySource.Kind.HEADER) {
                hashOnHeader = AsciiString.cached(key.name().toLowerCase(Locale.ROOT));
            } else {
                hashOnCookie = key.name();
            }
        }
        return new ServiceRoute(spec, matchers.toArray(new RequestMatcher[0]), targets.toArray(new VersionRoute[0]),
                stickyCookie, hashOnHeader, hashOnCookie, versionArray);
    }

    /** Null for a rule that can never match (a flag or variant that is not published): it is left out. */
    private static RequestMatcher matcherFor(RouteMatch match, FlagEvaluator flagEvaluator) {
        if (match instanceof RouteMatch.Header h) {
            return new HeaderMatcher(h.name(), h.value());
        }
        if (match instanceof RouteMatch.Cookie c) {
            return new CookieMatcher(c.name(), c.value());
        }
        RouteMatch.Flag f = (RouteMatch.Flag) match;
        int flagIndex = flagEvaluator.indexOf(f.name());
        if (flagIndex < 0) {
            return null;
        }
        int variantIndex = f.variant() == null ? -1 : flagEvaluator.variantIndexOf(flagIndex, f.variant());
        return f.variant() != null && variantIndex < 0 ? null : new FlagMatcher(flagIndex, variantIndex);
    }

    private static VersionRoute find(VersionRoute[] versions, String name) {
        for (VersionRoute v : versions) {
            if (v.name().equals(name)) {
                return v;
            }
        }
        return null;
    }

    private static ServiceRoute[] longestPrefixFirst(List<ServiceRoute> list) {
        List<ServiceRoute> sorted = new ArrayList<>(list);
        // List.sort is stable: equal prefixes keep config order.
        sorted.sort(Comparator.comparingInt((ServiceRoute s) -> s.pathPrefix().length()).reversed());
        return sorted.toArray(NONE);
    }

    /**
     * The service for a request, most specific first: an exact host, then the longest matching {@code *.suffix}
     * (a.b.example.com tries b.example.com, then example.com, as Envoy's domain wildcards do), then an any-host
     * service; within each, the longest path prefix. {@code host} is the Host header (any case, optional port),
     * {@code path} the origin-form request target. Null when nothing matches (404).
     */
    public ServiceRoute match(CharSequence host, String path) {
        if (host != null) {
            ServiceRoute found = longestPrefix(byHost.lookup(host), path);
            if (found != null) {
                return found;
            }
            int end = byWildcard.isEmpty() ? 0 : HostIndex.hostEnd(host); // no wildcards: no suffix lookups
            // From the first label's end (not at a leading dot, an empty label or the end: malformed names).
            for (int i = 1; i < end - 1; i++) {
                if (host.charAt(i) == '.' && host.charAt(i + 1) != '.' && host.charAt(i - 1) != '.') {
                    ServiceRoute[] candidates = byWildcard.lookup(host, i + 1, end);
                    if (candidates != null) {
                        found = longestPrefix(candidates, path);
                        if (found != null) {
                            return found;
                        }
                    }
                }
            }
        }
        return longestPrefix(anyHost, path);
    }

    private static ServiceRoute longestPrefix(ServiceRoute[] candidates, String path) {
        if (candidates == null) {
            return null;
        }
        for (ServiceRoute s : candidates) {
            if (path.startsWith(s.pathPrefix())) {
                return s;
            }
        }
        return null;
    }

    public List<ServiceRoute> services() {
        return services;
    }

    public ServiceRoute service(String name) {
        for (ServiceRoute s : services) {
            if (s.name().equals(name)) {
                return s;
            }
        }
        return null;
    }

    /**
     * Evaluates every flag for one request into the decision (results for flag routes, the {@code x-veer-flags}
     * value) and counts the outcomes. Does nothing when no flag is published.
     */
    public void evaluateFlags(HttpHeaders headers, InetAddress clientAddress, RouteDecision decision) {
        if (flagCounts.length == 0) {
            return;
        }
        FlagResults results = decision.flagResultsFor(flagEvaluator);
        flagEvaluator.evaluate(headers, clientAddress, results);
        for (int i = 0; i < flagCounts.length; i++) {
            if (results.targeted(i)) {
                int variant = results.variant(i);
                flagCounts[i][variant >= 0 ? 2 + variant : results.on(i) ? 1 : 0].increment();
            }
        }
        decision.flagsHeader(results.headerValue());
    }

    /** Every endpoint referenced by this table. */
    public Set<Endpoint> endpoints() {
        return endpoints;
    }
}
