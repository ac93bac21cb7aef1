package dev.veer.proxy.server;

import dev.veer.config.model.Limits;
import dev.veer.proxy.http.FlatHttpHeaders;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.codec.http.HttpDecoderConfig;

/**
 * The downstream pipeline, in one place:
 * [tls →] head-timer (bytes) → decoder (Veer's strict request decoder) → guard (framing and limits) → proxy.
 * Responses are written as bytes: heads rewritten from the upstream's, bodies as they came.
 */
public final class ProxyChannelInitializer extends ChannelInitializer<Channel> {

    /** The TLS handler's name, on the TLS listener's connections. */
    static final String TLS = "tls";

    private final ServerContext server;
    private final ChannelGroup channels;
    private final HttpDecoderConfig decoderConfig;
    private final long headerTimeoutNanos;
    private final Limits limits;
    /** The TLS listener's, or null on the plain one. */
    private final TlsTermination tls;

    public ProxyChannelInitializer(ServerContext server, ChannelGroup channels, TlsTermination tls) {
        this.server = server;
        this.tls = tls;
        this.channels = channels;
        this.limits = server.limits();
        this.headerTimeoutNanos = limits.headerTimeout().toNanos();
        this.decoderConfig = new HttpDecoderConfig()
                .setMaxInitialLineLength(limits.maxRequestLineBytes())
                .setMaxHeaderSize(limits.maxHeaderBytes())
                .setMaxChunkSize(64 * 1024)
                .setAllowDuplicateContentLengths(false)
                // Netty then refuses Transfer-Encoding in HTTP/1.0 itself (as RFC 9112 §6.1 says), whatever the
                // JVM-wide default; FramingGuard judges such refusals again to say why.
                .setUseRfc9112TransferEncoding(true)
                .setHeadersFactory(FlatHttpHeaders.FACTORY);
    }

    @Override
    protected void initChannel(Channel ch) {
        channels.add(ch);
        HeadTimer headTimer = new HeadTimer(headerTimeoutNanos);
        RequestDecoder decoder = new RequestDecoder(decoderConfig);
        if (tls != null) {
            ch.pipeline().addLast(TLS, tls.newHandler(ch)).addLast("plain-http-on-tls", new PlainHttpOnTlsPort());
        }
        ch.pipeline()
                .addLast("head-timer", headTimer)
                .addLast("decoder", decoder)
                .addLast("guard", new FramingGuard(limits, headTimer, decoder))
                .addLast("proxy", new ProxyHandler(server, tls != null));
    }

    /**
     * After a protocol switch (101) the connection carries no more HTTP: the byte-level handlers go, and bytes the
     * decoder held reach the proxy handler as they are. Call on the channel's event loop.
     */
    static void toTunnel(ChannelPipeline pipeline) {
        pipeline.remove("guard");
        pipeline.remove("decoder");
        pipeline.remove("head-timer");
    }

    /** Closes the connection at the end of a drain, resetting an exchange still running. Call on its event loop. */
    public static void cut(Channel ch) {
        ProxyHandler handler = ch.pipeline().get(ProxyHandler.class);
        if (handler != null) {
            handler.cut();
        } else {
            ch.close();
        }
    }

    /** Asks the connection to finish its current exchange and close. Call on the channel's event loop. */
    public static void drain(Channel ch) {
        ProxyHandler handler = ch.pipeline().get(ProxyHandler.class);
        if (handler != null) {
            handler.drain();
        }
    }
}
