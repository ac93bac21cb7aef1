package dev.veer.admin.http;

import io.netty.handler.codec.http.QueryStringDecoder;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Method + path template (request path segments percent-decoded) routing ("/api/v1/services/{svc}/weights"); knows
 * 404 from 405. HEAD is served by the GET route of a path (the server drops the body), so it is allowed wherever
 * GET is.
 */
public final class Router {

    /** Who may call a route. */
    public enum Access { OPEN, METRICS, API }

    private record Route(String method, String[] segments, Access access, ApiHandler handler) {
    }

    /** A routing outcome: a handler, or 404 (no template matches the path), or 405 (with the allowed methods). */
    public record Match(ApiHandler handler, Access access, Map<String, String> params, Set<String> allowed) {
        public boolean found() {
            return handler != null;
        }
    }

    private final List<Route> routes = new ArrayList<>();

    public Router add(String method, String template, Access access, ApiHandler handler) {
        routes.add(new Route(method, split(template), access, handler));
        return this;
    }

    public Match match(String method, String path) {
        String[] segments = split(path);
        for (int i = 0; i < segments.length; i++) {
            segments[i] = decodeSegment(segments[i]);
        }
        String routeMethod = method.equals("HEAD") ? "GET" : method;
        Set<String> allowed = new LinkedHashSet<>();
        for (Route route : routes) {
            Map<String, String> params = bind(route.segments, segments);
            if (params == null) {
                continue;
            }
            if (route.method.equals(routeMethod)) {
                return new Match(route.handler, route.access, params, Set.of());
            }
            allowed.add(route.method);
            if (route.method.equals("GET")) {
                allowed.add("HEAD");
            }
        }
        return new Match(null, null, Map.of(), allowed);
    }

    /**
     * A path segment percent-decoded. Netty's decoder is the form decoder, which reads "+" as a space: in a path it
     * is a plus sign (RFC 3986 section 3.3), so it is escaped first ("sh+op" was "service sh op not found").
     */
    static String decodeSegment(String raw) {
        return QueryStringDecoder.decodeComponent(raw.replace("+", "%2B"));
    }

    private static Map<String, String> bind(String[] template, String[] segments) {
        if (template.length != segments.length) {
            return null;
        }
        Map<String, String> params = new HashMap<>();
        for (int i = 0; i < template.length; i++) {
            String t = template[i];
            if (t.startsWith("{") && t.endsWith("}")) {
                if (segments[i].isEmpty()) {
                    return null;
                }
                params.put(t.substring(1, t.length() - 1), segments[i]);
            } else if (!t.equals(segments[i])) {
                return null;
            }
        }
        return params;
    }

    private static String[] split(String path) {
        String p = path.startsWith("/") ? path.substring(1) : path;
        if (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p.isEmpty() ? new String[0] : p.split("/", -1);
    }
}
