package dev.veer.admin.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veer.admin.auth.BearerAuth;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Decides from a request head alone whether the admin API serves it, so a refused request is answered before
 * its body is read. In order: a head that could not be decoded (431, 414 or 400); an HTTP version other than 1.x
 * (505); a request target whose percent-escapes do not decode (400); one Authorization and one Host header, none
 * only in HTTP/1.0 (400); no other site's page (403, CSRF); a loopback Host when no token is configured (403, DNS
 * rebinding); the bearer token where the route needs it (401).
 *
 * <p>Liveness and readiness probes skip the Host check: they change and reveal nothing, and a probe may name the
 * listener however it likes. They are still refused to another site's page, which no probe is.
 */
final class Admission {

    static final String SEC_FETCH_SITE = "Sec-Fetch-Site";

    private final Router router;
    private final BearerAuth auth;
    private final boolean metricsAuth;
    private final ObjectMapper mapper;

    Admission(Router router, BearerAuth auth, boolean metricsAuth, ObjectMapper mapper) {
        this.router = router;
        this.auth = auth;
        this.metricsAuth = metricsAuth;
        this.mapper = mapper;
    }

    /** Why {@code head} is refused, as the answer to send; empty when it may be served. */
    Optional<ApiResponse> refusal(HttpRequest head) {
        if (!head.decoderResult().isSuccess()) {
            return Optional.of(undecodable(head.decoderResult().cause()));
        }
        if (head.protocolVersion().majorVersion() != 1) {
            // Netty reads any HTTP/x.y; the API speaks HTTP/1.x only, as the proxy listener does (RFC 9110 §15.6.6).
            return refuse(505, "HTTP version " + head.protocolVersion().text() + " not supported (expected: HTTP/1.1"
                    + " or HTTP/1.0)");
        }
        Optional<ApiResponse> badTarget = undecodableTarget(head.uri());
        if (badTarget.isPresent()) {
            return badTarget;
        }
        HttpHeaders headers = head.headers();
        if (headers.getAll(HttpHeaderNames.AUTHORIZATION).size() > 1) {
            return refuse(400, "more than one Authorization header (expected: one)");
        }
        List<String> hosts = headers.getAll(HttpHeaderNames.HOST);
        if (hosts.size() > 1) {
            return refuse(400, "more than one Host header (expected: one)");
        }
        if (hosts.isEmpty() && head.protocolVersion().minorVersion() > 0) {
            // RFC 9112 §3.2: an HTTP/1.1 request without Host is refused. HTTP/1.0 has none to give.
            return refuse(400, "no Host header (expected: one, as HTTP/1.1 requires)");
        }
        String host = hosts.isEmpty() ? null : hosts.get(0);
        Optional<ApiResponse> crossSite = crossSite(headers, host);
        if (crossSite.isPresent()) {
            return crossSite;
        }
        String path = new QueryStringDecoder(head.uri()).rawPath();
        Router.Match match = router.match(head.method().name(), path);
        boolean probe = match.found() ? match.access() == Router.Access.OPEN
                : path.equals("/healthz") || path.equals("/readyz");
        // Without a Host (HTTP/1.0) the request is no browser's, so no rebinding page's: by hand stays possible.
        if (!auth.required() && !probe && host != null && !isLoopback(host)) {
            return refuse(403, "Host " + host + " is not a loopback name (expected: localhost, 127.x.x.x or [::1], "
                    + "with any port). Without admin.token the API answers only those, so a web page that rebinds "
                    + "its own name to this machine cannot use it; set admin.token to call it by another name");
        }
        boolean open = probe || (match.found() && match.access() == Router.Access.METRICS && !metricsAuth);
        if (!open && !auth.accepts(headers.get(HttpHeaderNames.AUTHORIZATION))) {
            return Optional.of(ApiResponse.error(mapper, 401, "missing or wrong bearer token", null)
                    .withHeader(HttpHeaderNames.WWW_AUTHENTICATE.toString(), AdminHttpServer.BEARER_CHALLENGE));
        }
        return Optional.empty();
    }

    /**
     * A target with a {@code %} not followed by two hex digits, in its path or its query, is malformed (RFC 3986
     * section 2.1), as the proxy listener holds it. Routing and the query parameters decode it, and the decoder's
     * exception closed the connection without an answer.
     */
    private Optional<ApiResponse> undecodableTarget(String uri) {
        QueryStringDecoder target = new QueryStringDecoder(uri);
        try {
            QueryStringDecoder.decodeComponent(target.rawPath());
            target.parameters();
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            return refuse(400, "request target " + uri + ": malformed percent-encoding (expected: % followed by two "
                    + "hex digits)");
        }
    }

    /**
     * A request a page of another site made (CSRF): an Origin other than the Host, or the browser's own
     * Sec-Fetch-Site verdict. curl and {@code veer ctl} send neither header, browsers send them on every
     * cross-origin POST, PUT and DELETE.
     */
    private Optional<ApiResponse> crossSite(HttpHeaders headers, String host) {
        for (String site : headers.getAll(SEC_FETCH_SITE)) {
            String verdict = site.trim().toLowerCase(Locale.ROOT);
            if (verdict.equals("cross-site") || verdict.equals("same-site")) {
                return refuse(403, SEC_FETCH_SITE + ": " + verdict + ": the admin API answers no other site's "
                        + "pages (expected: same-origin or none)");
            }
        }
        Authority own = host == null ? null : Authority.parse(host);
        for (String origin : headers.getAll(HttpHeaderNames.ORIGIN)) {
            if (own == null || !sameAuthority(origin, own)) {
                return refuse(403, "Origin " + origin + " is not this server (Host " + host + "): the admin API "
                        + "answers no other site's pages");
            }
        }
        return Optional.empty();
    }

    /**
     * Whether {@code origin} ({@code scheme://host[:port]}) names {@code own}. A Host without a port matches the
     * Origin scheme's default port: behind a TLS terminator the listener cannot know which scheme the page used.
     * {@code null} (an opaque origin: a sandboxed frame, a file) names nothing.
     */
    private static boolean sameAuthority(String origin, Authority own) {
        String o = origin.trim().toLowerCase(Locale.ROOT);
        int defaultPort;
        if (o.startsWith("http://")) {
            defaultPort = 80;
        } else if (o.startsWith("https://")) {
            defaultPort = 443;
        } else {
            return false;
        }
        Authority page = Authority.parse(o.substring(o.indexOf("://") + 3));
        if (page == null) {
            return false;
        }
        int pagePort = page.port() < 0 ? defaultPort : page.port();
        int ownPort = own.port() < 0 ? defaultPort : own.port();
        return page.host().equals(own.host()) && pagePort == ownPort;
    }

    private static boolean isLoopback(String host) {
        Authority authority = Authority.parse(host);
        return authority != null && authority.isLoopback();
    }

    /** As the proxy listener answers a head it cannot decode (CONTRACT §3): 431 and 414 say which limit was hit. */
    private ApiResponse undecodable(Throwable cause) {
        if (cause instanceof TooLongHttpHeaderException) {
            return ApiResponse.error(mapper, 431, "request headers too large", null);
        }
        if (cause instanceof TooLongHttpLineException) {
            return ApiResponse.error(mapper, 414, "request line too long", null);
        }
        return ApiResponse.error(mapper, 400, "malformed HTTP request", null);
    }

    private Optional<ApiResponse> refuse(int status, String message) {
        return Optional.of(ApiResponse.error(mapper, status, message, null));
    }
}
