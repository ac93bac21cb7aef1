package dev.veer.proxy.support;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/** A small HTTP backend on loopback (port 0) that records every request and every byte it receives. */
public final class Backend implements AutoCloseable {

    /** One request as the backend saw it. */
    public record Recorded(String method, String uri, HttpHeaders headers, byte[] body, HttpHeaders trailers) {
        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private final String name;
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel server;
    private final List<Recorded> requests = new CopyOnWriteArrayList<>();
    private final AtomicLong bytesReceived = new AtomicLong();
    private final AtomicInteger connections = new AtomicInteger();
    private volatile Function<Recorded, FullHttpResponse> responder;

    public Backend(String name) throws InterruptedException {
        this.name = name;
        this.responder = this::defaultResponse;
        server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        connections.incrementAndGet();
                        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                bytesReceived.addAndGet(((ByteBuf) msg).readableBytes());
                                ctx.fireChannelRead(msg);
                            }
                        });
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(64 * 1024 * 1024),
                                new Handler());
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
    }

    public String name() {
        return name;
    }

    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    public String address() {
        return "127.0.0.1:" + port();
    }

    public List<Recorded> requests() {
        return requests;
    }

    public long bytesReceived() {
        return bytesReceived.get();
    }

    public int connections() {
        return connections.get();
    }

    public void respondWith(Function<Recorded, FullHttpResponse> newResponder) {
        this.responder = newResponder;
    }

    /** 200, body = backend name, header x-backend. */
    public FullHttpResponse defaultResponse(Recorded request) {
        return text(HttpResponseStatus.OK, name);
    }

    /** 200 with the request's body: chunked for a path starting /chunked, else with its Content-Length. */
    public static FullHttpResponse echo(Recorded request) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                Unpooled.wrappedBuffer(request.body()));
        if (request.uri().startsWith("/chunked")) {
            r.headers().set(HttpHeaderNames.TRANSFER_ENCODING, "chunked");
        } else {
            r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, request.body().length);
        }
        return r;
    }

    public static FullHttpResponse text(HttpResponseStatus status, String body) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes());
        return r;
    }

    private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            Recorded recorded = new Recorded(req.method().name(), req.uri(),
                    new DefaultHttpHeaders().set(req.headers()), ByteBufUtil.getBytes(req.content()),
                    new DefaultHttpHeaders().set(req.trailingHeaders()));
            requests.add(recorded);
            FullHttpResponse response = responder.apply(recorded);
            response.headers().set("x-backend", name);
            boolean keepAlive = HttpUtil.isKeepAlive(req);
            if (!keepAlive) {
                ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            } else {
                ctx.writeAndFlush(response);
            }
        }
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }
}
