package dev.veer.proxy.route;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;

/**
 * A request header equals a value (case-sensitive), or is present at all when the value is null. A header sent in
 * several fields matches when any of them does: each field's value is compared whole, none is read as a list.
 */
final class HeaderMatcher implements RequestMatcher {

    private final AsciiString name;
    private final String value;

    HeaderMatcher(String name, String value) {
        this.name = AsciiString.cached(name);
        this.value = value;
    }

    @Override
    public boolean matches(HttpHeaders headers, RouteDecision decision) {
        return value == null ? headers.contains(name) : headers.contains(name, value, false);
    }
}
