package dev.veer.proxy.server;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.nio.charset.StandardCharsets;

/**
 * A client that speaks plain HTTP to the TLS listener ({@code http://host:8443/}) gets a 400 it can read, in plain
 * HTTP, as nginx answers, instead of a closed connection nobody can explain. Sits right behind the TLS handler, which
 * reports bytes that are no TLS record with a failed handshake event just before it closes the connection: the answer
 * is written from in front of the TLS handler, unencrypted, and flushed at once, so it is out before that close. Gone
 * from the pipeline once a handshake succeeds.
 */
final class PlainHttpOnTlsPort extends ChannelInboundHandlerAdapter {

    private static final String BODY = "plain HTTP sent to the HTTPS port: use https://\n";
    private static final byte[] ANSWER = ("HTTP/1.1 400 Bad Request\r\ncontent-type: text/plain\r\ncontent-length: "
            + BODY.length() + "\r\nconnection: close\r\n\r\n" + BODY).getBytes(StandardCharsets.US_ASCII);

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof SslHandshakeCompletionEvent handshake) {
            if (handshake.isSuccess()) {
                ctx.pipeline().remove(this);
            } else if (handshake.cause() instanceof NotSslRecordException) {
                ChannelHandlerContext tls = ctx.pipeline().context(ProxyChannelInitializer.TLS);
                tls.writeAndFlush(Unpooled.wrappedBuffer(ANSWER));
            }
        }
        ctx.fireUserEventTriggered(evt);
    }
}
