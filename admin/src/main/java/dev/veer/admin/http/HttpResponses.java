package dev.veer.admin.http;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.util.Date;

/** An {@link ApiResponse} as the HTTP message written back, whichever handler writes it. */
final class HttpResponses {

    private HttpResponses() {
    }

    /**
     * Status, body (none for HEAD, with the GET answer's Content-Length), Content-Type, the revision as ETag,
     * Cache-Control: no-store, Date and the response's own headers. The caller sets Connection.
     */
    static FullHttpResponse of(ApiResponse response, boolean head) {
        FullHttpResponse http = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(response.status()),
                head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(response.body()));
        if (response.contentType() != null) {
            http.headers().set(HttpHeaderNames.CONTENT_TYPE, response.contentType());
        }
        if (response.revision() >= 0) {
            http.headers().set(HttpHeaderNames.ETAG, "\"" + response.revision() + "\"");
        }
        // Live state: a 200, 404 or 405 may otherwise be kept by a cache on the way (RFC 9111 §4.2.2) and served
        // after the weights, the rollout or readiness moved on.
        http.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        response.headers().forEach((name, value) -> http.headers().set(name, value));
        // Tells veer ctl it reached Veer: another HTTP service at the admin URL answering 200 must not pass for it.
        http.headers().set(HttpHeaderNames.SERVER, AdminHttpServer.SERVER);
        http.headers().set(HttpHeaderNames.DATE, DateFormatter.format(new Date())); // RFC 9110 §6.6.1
        HttpUtil.setContentLength(http, response.body().length);
        return http;
    }

    /** {@link #of} saying {@code Connection: close}: the connection ends after it. */
    static FullHttpResponse closing(ApiResponse response, boolean head) {
        FullHttpResponse http = of(response, head);
        http.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        return http;
    }
}
