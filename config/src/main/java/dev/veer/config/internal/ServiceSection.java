package dev.veer.config.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.veer.config.model.HealthCheckSpec;
import dev.veer.config.model.HostHeaderSyntax;
import dev.veer.config.model.MatchSpec;
import dev.veer.config.model.OutlierDetectionSpec;
import dev.veer.config.model.RetrySpec;
import dev.veer.config.model.RolloutSpec;
import dev.veer.config.model.RouteSpec;
import dev.veer.config.model.ServiceSpec;
import dev.veer.config.model.StickySpec;
import dev.veer.config.model.VersionSpec;
import dev.veer.config.model.Weights;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** One entry of {@code services:}. Checks that need the other services (names, matches) are in {@link ConfigWalk}. */
public final class ServiceSection {

    static final String[] KEYS = {"name", "match", "versions", "weights", "sticky", "routes", "healthCheck",
            "outlierDetection", "retry", "rollout"};
    static final String[] MATCH_KEYS = {"hosts", "pathPrefix"};
    static final String[] STICKY_KEYS = {"cookie", "hashOn"};
    static final String[] HEALTH_KEYS = {"path", "interval", "timeout", "healthyThreshold", "unhealthyThreshold"};
    static final String[] OUTLIER_KEYS = {"consecutiveFailures", "baseEjection", "maxEjection", "maxEjectionPercent"};
    static final String[] RETRY_KEYS = {"attempts", "budgetRatio"};

    /** Health check settings when the block is present but leaves them out. */
    public static final HealthCheckSpec HEALTH_DEFAULTS =
            new HealthCheckSpec("/health", Duration.ofSeconds(5), Duration.ofSeconds(1), 2, 3);

    private static final Duration ONE_MS = Duration.ofMillis(1);

    private ServiceSection() {
    }

    /**
     * A service as read: its name and match, each null when it has errors of its own, and the service, null when
     * anything in it has errors. The checks across services use the name and match, so a service with a bad weight
     * is still found to share its name or match with another (they showed up only once the weight was fixed).
     */
    public record Read(String name, MatchSpec match, ServiceSpec service) {
    }

    /** The service, or null when it is too broken to build (its errors are reported). */
    public static ServiceSpec read(JsonNode node, String path, FlagCatalog flags, Problems problems) {
        return readParts(node, path, flags, problems).service();
    }

    public static Read readParts(JsonNode node, String path, FlagCatalog flags, Problems problems) {
        int before = problems.count();
        Fields f = Fields.of(node, path, problems).allow(KEYS);
        if (f.noMapping()) {
            return new Read(null, null, null);
        }
        String name = f.name("name");
        MatchSpec match = match(f.get("match"), f.path("match"), problems);
        List<VersionSpec> versions = versions(f, problems);
        List<String> versionNames = versionNames(f.list("versions"), versions);
        Weights weights = null;
        if (f.has("weights")) {
            weights = WeightsSection.read(f.get("weights"), f.path("weights"), versionNames, problems);
        } else if (!versionNames.isEmpty()) {
            weights = Weights.allTo(versionNames.get(0), versionNames);
        }
        StickySpec sticky = f.has("sticky") ? sticky(f.get("sticky"), f.path("sticky"), problems) : null;
        List<RouteSpec> routes = RouteSection.read(f.list("routes"), f.path("routes"), versionNames, flags, problems);
        HealthCheckSpec healthCheck = f.has("healthCheck")
                ? healthCheck(f.get("healthCheck"), f.path("healthCheck"), problems) : null;
        OutlierDetectionSpec outliers = outlierDetection(f.get("outlierDetection"), f.path("outlierDetection"),
                problems);
        RetrySpec retry = retry(f.get("retry"), f.path("retry"), problems);
        RolloutSpec rollout = f.has("rollout")
                ? RolloutSection.read(f.get("rollout"), RolloutSpec.DEFAULTS, f.path("rollout"), false, problems)
                : null;
        MatchSpec checkedMatch = comparable(match, f.path("match"), problems);
        if (problems.count() > before || name == null || weights == null) {
            return new Read(name, checkedMatch, null);
        }
        return new Read(name, checkedMatch,
                new ServiceSpec(name, match, versions, weights, sticky, routes, healthCheck, outliers, retry, rollout));
    }

    /**
     * The match to compare with other services' matches, or null when it was read as something else than written:
     * a bad pathPrefix reads as /, hosts that are no list or a misspelt key as any host, and either would clash
     * where the written match does not. A bad entry in hosts is only left out, the others still count; unless none
     * is left, which would read as any host too.
     */
    private static MatchSpec comparable(MatchSpec match, String path, Problems problems) {
        String badHost = Paths.key(path, "hosts") + "[";
        List<String> wrong = problems.pathsAt(path);
        boolean asWritten = !problems.reportedAbove(path) && wrong.stream().allMatch(p -> p.startsWith(badHost))
                && (wrong.isEmpty() || !match.hosts().isEmpty());
        return asWritten ? match : null;
    }

    /**
     * The names weights and routes may refer to: every version written with a name, even one whose own entry has
     * errors, so a mistake in a version is reported once rather than again on each weight and route naming it.
     */
    private static List<String> versionNames(List<JsonNode> written, List<VersionSpec> valid) {
        Set<String> names = new LinkedHashSet<>();
        valid.forEach(v -> names.add(v.name()));
        for (JsonNode version : written) {
            JsonNode name = version.get("name");
            if (name != null && name.isValueNode() && !name.isNull()) {
                names.add(WrittenScalar.text(name));
            }
        }
        return List.copyOf(names);
    }

    private static MatchSpec match(JsonNode node, String path, Problems problems) {
        Fields f = Fields.of(node, path, problems).allow(MATCH_KEYS);
        Set<String> hosts = new LinkedHashSet<>();
        List<JsonNode> written = f.list("hosts");
        for (int i = 0; i < written.size(); i++) {
            String itemPath = Paths.index(f.path("hosts"), i);
            String text = Scalars.text(written.get(i), itemPath, problems, null);
            if (!problems.pathsAt(itemPath).isEmpty()) {
                continue; // not a string, or an unset ${VAR} left as written: reported, and no host to compare
            }
            String host = normalizeHost(text);
            if (host == null) {
                problems.add(itemPath, "'" + text + "' (expected: a host name, or *.domain for every name under it;"
                        + " leave hosts out to match any host)");
            } else {
                hosts.add(host);
            }
        }
        String prefix = f.text("pathPrefix", "/");
        if (prefix != null && !prefix.startsWith("/")) {
            problems.add(f.path("pathPrefix"), "'" + prefix + "' (expected: a path starting with /)");
            prefix = "/";
        }
        return new MatchSpec(List.copyOf(hosts), prefix == null ? "/" : prefix);
    }

    /**
     * Lower-case, without port or a trailing dot: {@code Shop.Local.:8080} → {@code shop.local} (the proxy takes a
     * request's {@code shop.local.} as {@code shop.local} too); {@code [::1]:80} → {@code ::1}. Null for what no
     * request's Host can name: the proxy refuses a comma, a quote, a backslash or a bad %-escape with 400.
     */
    static String normalizeHost(String written) {
        String host = written.trim().toLowerCase(Locale.ROOT);
        if (host.startsWith("[")) {
            int close = host.indexOf(']');
            host = close > 1 ? host.substring(1, close) : "";
        } else if (host.indexOf(':') == host.lastIndexOf(':') && host.indexOf(':') >= 0) {
            host = host.substring(0, host.indexOf(':'));
        }
        // A wildcard is a whole first label only: "*.example.com" (subdomains of example.com, not itself).
        int namedFrom = host.startsWith("*.") ? 2 : 0;
        if (host.length() > namedFrom + 1 && host.endsWith(".") && !written.trim().startsWith("[")) {
            host = host.substring(0, host.length() - 1);
        }
        if (host.length() == namedFrom) {
            return null;
        }
        // What the proxy accepts in a request's Host (HostHeaderSyntax), less the * a wildcard's first label took.
        String name = host.substring(namedFrom);
        boolean nameable = name.indexOf(':') >= 0 ? HostHeaderSyntax.isIpv6(name, 0, name.length())
                : name.indexOf('*') < 0 && HostHeaderSyntax.valid(name);
        return nameable ? host : null;
    }

    private static List<VersionSpec> versions(Fields f, Problems problems) {
        if (!f.has("versions")) {
            problems.add(f.path("versions"), "missing (expected: at least one version)");
            return List.of();
        }
        List<JsonNode> items = f.list("versions");
        if (items.isEmpty() && f.get("versions").isArray()) {
            problems.add(f.path("versions"), "empty (expected: at least one version)");
        }
        List<VersionSpec> out = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (int i = 0; i < items.size(); i++) {
            String itemPath = Paths.index(f.path("versions"), i);
            VersionSpec version = VersionSection.read(null, items.get(i), itemPath, problems);
            if (version == null) {
                continue;
            }
            if (!seen.add(version.name())) {
                problems.add(Paths.key(itemPath, "name"), "'" + version.name()
                        + "' duplicate (expected: unique version names)");
                continue;
            }
            out.add(version);
        }
        return out;
    }

    private static StickySpec sticky(JsonNode node, String path, Problems problems) {
        Fields f = Fields.of(node, path, problems).allow(STICKY_KEYS);
        String cookie = f.text("cookie", null);
        if (cookie != null && !Names.isToken(cookie)) {
            problems.add(f.path("cookie"), "'" + cookie + "' (expected: a cookie name, letters, digits and !#$%&'*+-.^_`|~)");
            cookie = null;
        }
        return new StickySpec(cookie, f.keySource("hashOn"));
    }

    private static HealthCheckSpec healthCheck(JsonNode node, String path, Problems problems) {
        HealthCheckSpec d = HEALTH_DEFAULTS;
        Fields f = Fields.of(node, path, problems).allow(HEALTH_KEYS);
        String checkPath = f.text("path", d.path());
        if (checkPath != null && !checkPath.startsWith("/")) {
            problems.add(f.path("path"), "'" + checkPath + "' (expected: a path starting with /)");
        } else if (checkPath != null && !RawPathBytes.encoded(checkPath).equals(checkPath)) {
            // Sent as written, a space or line break broke the check's request line and a non-ASCII character went
            // out as one Latin-1 byte or '?': every endpoint failed its checks (no answer, or a 400) and left rotation.
            problems.add(f.path("path"), "'" + checkPath + "': a request path holds such characters only"
                    + " percent-encoded (expected: '" + RawPathBytes.encoded(checkPath) + "')");
        }
        Duration interval = f.duration("interval", ONE_MS, d.interval());
        Duration timeout = f.duration("timeout", ONE_MS, d.timeout());
        if (timeout.compareTo(interval) > 0) {
            problems.add(f.path("timeout"), Durations.format(timeout) + " (expected: at most the interval, "
                    + Durations.format(interval) + ")");
        }
        return new HealthCheckSpec(checkPath, interval, timeout,
                f.integer("healthyThreshold", 1, 1000, d.healthyThreshold()),
                f.integer("unhealthyThreshold", 1, 1000, d.unhealthyThreshold()));
    }

    private static OutlierDetectionSpec outlierDetection(JsonNode node, String path, Problems problems) {
        OutlierDetectionSpec d = OutlierDetectionSpec.DEFAULTS;
        Fields f = Fields.of(node, path, problems).allow(OUTLIER_KEYS);
        Duration base = f.duration("baseEjection", ONE_MS, d.baseEjection());
        Duration max = f.duration("maxEjection", ONE_MS, d.maxEjection());
        if (max.compareTo(base) < 0) {
            problems.add(f.path("maxEjection"), Durations.format(max) + " (expected: at least baseEjection, "
                    + Durations.format(base) + ")");
        }
        return new OutlierDetectionSpec(f.integer("consecutiveFailures", 1, 1000, d.consecutiveFailures()), base, max,
                f.integer("maxEjectionPercent", 0, 100, d.maxEjectionPercent()));
    }

    private static RetrySpec retry(JsonNode node, String path, Problems problems) {
        RetrySpec d = RetrySpec.DEFAULTS;
        Fields f = Fields.of(node, path, problems).allow(RETRY_KEYS);
        return new RetrySpec(f.integer("attempts", 0, 5, d.attempts()),
                f.decimal("budgetRatio", 0, false, 1, false, d.budgetRatio()));
    }
}
