package dev.veer.admin.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;

/**
 * Requests in absolute form ({@code GET http://host:9090/api/v1/services}, what a client sends through a forward
 * proxy): a server must accept them and take the authority as the Host (RFC 9112 §3.2.2), so they are turned into
 * origin form before anything reads the path or the Host.
 */
final class AbsoluteForm {

    private AbsoluteForm() {
    }

    static void toOriginForm(HttpRequest head) {
        String uri = head.uri();
        int schemeEnd;
        if (uri.regionMatches(true, 0, "http://", 0, 7)) {
            schemeEnd = 7;
        } else if (uri.regionMatches(true, 0, "https://", 0, 8)) {
            schemeEnd = 8;
        } else {
            return;
        }
        int authorityEnd = schemeEnd;
        while (authorityEnd < uri.length() && uri.charAt(authorityEnd) != '/' && uri.charAt(authorityEnd) != '?') {
            authorityEnd++;
        }
        String authority = uri.substring(schemeEnd, authorityEnd);
        if (authority.isEmpty() || authority.indexOf('@') >= 0) {
            return; // no host, or credentials in the target: left as it is, it matches no path
        }
        String rest = uri.substring(authorityEnd);
        head.setUri(rest.isEmpty() || rest.charAt(0) == '?' ? "/" + rest : rest);
        if (head.headers().contains(HttpHeaderNames.HOST) || head.protocolVersion().minorVersion() == 0) {
            head.headers().set(HttpHeaderNames.HOST, authority);
        } // an HTTP/1.1 request without Host stays without one: Admission refuses it (RFC 9112 §3.2)
    }
}
