package dev.veer.config.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.veer.config.model.AdminSettings;
import dev.veer.config.model.FlagSpec;
import dev.veer.config.model.HostPort;
import dev.veer.config.model.MatchSpec;
import dev.veer.config.model.PathNormalizer;
import dev.veer.config.model.ProxySettings;
import dev.veer.config.model.ServiceSpec;
import dev.veer.config.model.StateSettings;
import dev.veer.config.model.VariantSpec;
import dev.veer.config.model.VeerConfig;
import dev.veer.config.model.VersionSpec;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The single validating walk from the layered tree to {@link VeerConfig}: each section reads its part, then
 * the checks that span sections (unique names, overlapping matches, routes naming flags).
 */
public final class ConfigWalk {

    static final String[] ROOT_KEYS = {"proxy", "admin", "state", "services", "flags"};

    private ConfigWalk() {
    }

    /** The config, or null when any error was reported. */
    public static VeerConfig read(JsonNode root, Problems problems) {
        Fields f = Fields.of(root, "", problems).allow(ROOT_KEYS);
        ProxySettings proxy = ProxySection.read(f.get("proxy"), "proxy", problems);
        AdminSettings admin = AdminSection.read(f.get("admin"), "admin", problems);
        listenersApart(proxy, admin, problems);
        StateSettings state = StateSection.read(f.get("state"), "state", problems);
        List<FlagSpec> flags = flags(f.list("flags"), problems);
        FlagCatalog catalog = catalog(f.list("flags"), flags);
        // Compared only with a proxy.listen as written, not a default standing in for a bad value.
        HostPort listen = problems.asWritten("proxy.listen") ? proxy.listen() : null;
        List<ServiceSpec> services = services(f.list("services"), catalog, listen, proxy.normalizePath(), problems);
        return problems.isEmpty() ? new VeerConfig(proxy, admin, state, services, flags) : null;
    }

    /**
     * proxy.listen and admin.listen on one socket passed the check, then the admin API failed to start with "Address
     * already in use", as if another process held the port. Compared only when both are as written, not defaults
     * standing in for a bad value; proxy.tls.listen likewise with both.
     */
    private static void listenersApart(ProxySettings proxy, AdminSettings admin, Problems problems) {
        boolean proxyWritten = problems.asWritten("proxy.listen");
        if (proxyWritten && problems.asWritten("admin.listen") && admin.listen().overlaps(proxy.listen())) {
            problems.add("admin.listen", portTaken(admin.listen(), "proxy.listen", proxy.listen()));
        }
        if (proxy.tls() == null) {
            return;
        }
        HostPort tls = proxy.tls().listen();
        if (proxyWritten && tls.overlaps(proxy.listen())) {
            problems.add("proxy.tls.listen", portTaken(tls, "proxy.listen", proxy.listen()));
        }
        if (problems.asWritten("admin.listen") && tls.overlaps(admin.listen())) {
            problems.add("proxy.tls.listen", portTaken(tls, "admin.listen", admin.listen()));
        }
    }

    private static String portTaken(HostPort listen, String otherKey, HostPort other) {
        return "'" + listen + "' needs port " + listen.port() + ", which " + otherKey + " '" + other
                + "' already takes (expected: a port " + otherKey + " does not use)";
    }

    /**
     * An endpoint that is Veer's own listener sends each request back to Veer, again and again until the head,
     * grown by an X-Forwarded-For value per pass, is too large (some 5,000 passes at the default limit).
     */
    private static void endpointsAreNotVeer(ServiceSpec service, String path, HostPort listen, Problems problems) {
        List<VersionSpec> versions = service.versions();
        for (int v = 0; v < versions.size(); v++) {
            List<HostPort> endpoints = versions.get(v).endpoints();
            for (int e = 0; e < endpoints.size(); e++) {
                if (endpoints.get(e).reaches(listen)) {
                    problems.add(Paths.index(Paths.key(Paths.index(Paths.key(path, "versions"), v), "endpoints"), e),
                            endpoints.get(e).loopError(listen));
                }
            }
        }
    }

    /**
     * A request's path holds no {@link RawPathBytes} but percent-encoded (the proxy refuses the rest), so a prefix
     * with one raw never matches. With proxy.normalizePath on, requests are matched in their normal form, so neither
     * does a prefix not in it ({@code /%61pi/}, {@code /a/../b/}).
     */
    private static void prefixCanMatch(String prefix, String path, boolean normalizePath, Problems problems) {
        String encoded = RawPathBytes.encoded(prefix);
        if (!encoded.equals(prefix)) {
            problems.add(path, "'" + prefix + "' never matches: a request's path holds such characters only"
                    + " percent-encoded (expected: '" + encoded + "')");
            return;
        }
        if (!normalizePath) {
            return;
        }
        String normal = PathNormalizer.normalize(prefix);
        if (normal == null) {
            problems.add(path, "'" + prefix + "': a '%' without two hex digits (expected: a path, percent-encoded"
                    + " as %XX)");
        } else if (!normal.equals(prefix)) {
            problems.add(path, "'" + prefix + "' never matches: request paths are matched in normal form (expected: '"
                    + normal + "', or proxy.normalizePath: false)");
        }
    }

    /** The valid flags; a name given twice is reported whatever else is wrong with either flag. */
    private static List<FlagSpec> flags(List<JsonNode> items, Problems problems) {
        List<FlagSpec> out = new ArrayList<>();
        Map<String, Integer> firstIndex = new HashMap<>();
        for (int i = 0; i < items.size(); i++) {
            String path = Paths.index("flags", i);
            FlagSection.Read flag = FlagSection.readParts(null, items.get(i), path, problems);
            Integer earlier = flag.name() == null ? null : firstIndex.putIfAbsent(flag.name(), i);
            if (earlier != null) {
                problems.add(Paths.key(path, "name"), "'" + flag.name() + "' duplicate of flags[" + earlier
                        + "] (expected: unique flag names)");
            } else if (flag.flag() != null) {
                out.add(flag.flag());
            }
        }
        return out;
    }

    /**
     * Flags routes may name. A flag that failed validation still counts by its written name (variants unchecked),
     * so its own errors are not echoed as "unknown flag" on every route that uses it.
     */
    private static FlagCatalog catalog(List<JsonNode> items, List<FlagSpec> flags) {
        Map<String, Set<String>> variants = new LinkedHashMap<>();
        for (JsonNode item : items) {
            JsonNode name = item.get("name");
            if (name != null && name.isValueNode() && !name.isNull()) {
                variants.put(WrittenScalar.text(name), null);
            }
        }
        for (FlagSpec flag : flags) {
            variants.put(flag.name(), flag.variants().stream().map(VariantSpec::name).collect(Collectors.toSet()));
        }
        return new FlagCatalog(variants);
    }

    /**
     * The valid services. A name given twice and a host and pathPrefix two services claim are reported whatever else
     * is wrong with either service, so one run of {@code veer check} shows them all.
     */
    private static List<ServiceSpec> services(List<JsonNode> items, FlagCatalog flags, HostPort listen,
                                              boolean normalizePath, Problems problems) {
        List<ServiceSpec> out = new ArrayList<>();
        Map<String, Integer> firstIndex = new HashMap<>();
        List<String> names = new ArrayList<>();
        // host ("" = any host) + " " + pathPrefix -> the index of the service that already claims it
        Map<String, Integer> claimed = new HashMap<>();
        for (int i = 0; i < items.size(); i++) {
            String path = Paths.index("services", i);
            ServiceSection.Read service = ServiceSection.readParts(items.get(i), path, flags, problems);
            names.add(service.name());
            Integer earlier = service.name() == null ? null : firstIndex.putIfAbsent(service.name(), i);
            if (earlier != null) {
                problems.add(Paths.key(path, "name"), "'" + service.name() + "' duplicate of services[" + earlier
                        + "] (expected: unique service names)");
            }
            if (service.match() != null) {
                prefixCanMatch(service.match().pathPrefix(), Paths.key(Paths.key(path, "match"), "pathPrefix"),
                        normalizePath, problems);
            }
            if (service.match() != null) {
                MatchSpec match = service.match();
                for (String host : match.hosts().isEmpty() ? List.of("") : match.hosts()) {
                    Integer owner = claimed.putIfAbsent(host + " " + match.pathPrefix(), i);
                    if (owner != null) {
                        problems.add(Paths.key(path, "match"), (host.isEmpty() ? "any host" : "host '" + host + "'")
                                + " with pathPrefix '" + match.pathPrefix() + "' is already matched by services["
                                + owner + "]" + (names.get(owner) == null ? "" : " ('" + names.get(owner) + "')")
                                + " (expected: a distinct host or pathPrefix)");
                    }
                }
            }
            if (listen != null && service.service() != null) {
                endpointsAreNotVeer(service.service(), path, listen, problems);
            }
            if (earlier == null && service.service() != null) {
                out.add(service.service());
            }
        }
        return out;
    }
}
