package dev.veer.admin.http;

import dev.veer.proxy.http.AbsoluteTarget;
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
        AbsoluteTarget target = AbsoluteTarget.parse(head.uri());
        if (target == null) {
            return; // origin form, or no host or credentials in the target: left as it is, it matches no path
        }
        head.setUri(target.originForm());
        if (head.headers().contains(HttpHeaderNames.HOST) || head.protocolVersion().minorVersion() == 0) {
            head.headers().set(HttpHeaderNames.HOST, target.authority());
        } // an HTTP/1.1 request without Host stays without one: Admission refuses it (RFC 9112 §3.2)
    }
}
