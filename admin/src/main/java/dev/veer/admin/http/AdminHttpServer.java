package dev.veer.admin.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veer.admin.auth.BearerAuth;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The control-plane HTTP listener: its own single event loop, read deadlines, admission (bearer auth, CSRF and
 * DNS-rebinding defences) on the request head, bodies up to 1 MiB, routing, and JSON errors. One request at a time
 * per connection ({@link OneExchangeAtATime}: the next one waits for the answer), so pipelined requests are answered
 * in order even when one completes on the control-plane thread.
 */
public final class AdminHttpServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AdminHttpServer.class);
    public static final int MAX_BODY_BYTES = 1024 * 1024;
    /** The challenge of a 401 (RFC 6750 section 3). */
    static final String BEARER_CHALLENGE = "Bearer realm=\"veer\"";
    /** Why a change is made, for the audit log, on calls whose body cannot say it (see ApiRequest#reason). */
    public static final String REASON_HEADER = "X-Veer-Reason";
    /** The Server field of every admin answer: veer ctl checks it to know it reached Veer. */
    public static final String SERVER = "veer";

    private final EventLoopGroup group;
    private final Channel channel;

    private AdminHttpServer(EventLoopGroup group, Channel channel) {
        this.group = group;
        this.channel = channel;
    }

    /**
     * @param metricsAuth whether /metrics needs the token
     */
    public static AdminHttpServer start(InetSocketAddress listen, Router router, BearerAuth auth, boolean metricsAuth,
                                        ObjectMapper mapper) throws InterruptedException {
        return start(listen, router, auth, metricsAuth, mapper, ReadTimeouts.DEFAULTS);
    }

    static AdminHttpServer start(InetSocketAddress listen, Router router, BearerAuth auth, boolean metricsAuth,
                                 ObjectMapper mapper, ReadTimeouts timeouts) throws InterruptedException {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("veer-admin"),
                NioIoHandler.newFactory());
        try {
            Admission admission = new Admission(router, auth, metricsAuth, mapper);
            Dispatcher dispatcher = new Dispatcher(router, auth, mapper);
            Channel channel = new ServerBootstrap()
                    .group(group)
                    .channel(NioServerSocketChannel.class)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ReadDeadlines deadlines = new ReadDeadlines(timeouts, mapper);
                            ch.pipeline()
                                    .addLast("deadlines", deadlines)
                                    .addLast("codec", new HttpServerCodec())
                                    .addLast("inOrder", new OneExchangeAtATime())
                                    .addLast("gate", new RequestGate(admission, deadlines))
                                    .addLast("aggregator", new JsonTooLargeAggregator(mapper))
                                    .addLast("dispatcher", new RequestHandler(dispatcher));
                        }
                    })
                    .bind(listen).sync().channel();
            return new AdminHttpServer(group, channel);
        } catch (Throwable e) {
            // Also a BindException, which Netty's sync() throws without declaring it.
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
    }

    public InetSocketAddress localAddress() {
        return (InetSocketAddress) channel.localAddress();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Routing and error shaping of an admitted request (see {@link Admission}), independent of the channel. */
    private record Dispatcher(Router router, BearerAuth auth, ObjectMapper mapper) {

        CompletableFuture<ApiResponse> dispatch(FullHttpRequest request) {
            QueryStringDecoder uri = new QueryStringDecoder(request.uri());
            String method = request.method().name();
            String path = uri.rawPath();
            Router.Match match = router.match(method, path);
            if (!match.found()) {
                if (!match.allowed().isEmpty()) {
                    String allow = String.join(", ", match.allowed());
                    return CompletableFuture.completedFuture(ApiResponse.error(mapper, 405,
                            method + " not allowed on " + path + " (allowed: " + allow + ")", null)
                            .withHeader(HttpHeaderNames.ALLOW.toString(), allow));
                }
                return CompletableFuture.completedFuture(ApiResponse.error(mapper, 404, "no such path: " + path, null));
            }
            byte[] body = ByteBufUtil.getBytes(request.content());
            // Several If-Match lines are one comma-separated list (RFC 9110 section 5.3).
            String ifMatch = request.headers().contains(HttpHeaderNames.IF_MATCH)
                    ? String.join(", ", request.headers().getAll(HttpHeaderNames.IF_MATCH)) : null;
            String ifNoneMatch = request.headers().contains(HttpHeaderNames.IF_NONE_MATCH)
                    ? String.join(", ", request.headers().getAll(HttpHeaderNames.IF_NONE_MATCH)) : null;
            String reason = request.headers().get(REASON_HEADER);
            ApiRequest apiRequest = new ApiRequest(method, path, match.params(), uri.parameters(), ifMatch,
                    ifNoneMatch, reason == null ? null : fieldText(reason), body, auth.actor(), mapper);
            try {
                return match.handler().handle(apiRequest);
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }

        /**
         * A header value as the text its client meant. Netty hands a field's bytes over one char per byte
         * (Latin-1); curl and shells send UTF-8, so bytes that are valid UTF-8 are read as UTF-8, others stay
         * Latin-1 (RFC 9110 section 5.5: non-ASCII field bytes are opaque to HTTP, their meaning the recipient's).
         */
        private static String fieldText(String latin1) {
            byte[] bytes = latin1.getBytes(StandardCharsets.ISO_8859_1);
            try {
                return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
            } catch (CharacterCodingException e) {
                return latin1;
            }
        }

        ApiResponse toResponse(ApiResponse response, Throwable failure) {
            if (failure == null) {
                return response;
            }
            Throwable cause = failure;
            while ((cause instanceof CompletionException || cause instanceof ExecutionException)
                    && cause.getCause() != null) {
                cause = cause.getCause();
            }
            if (cause instanceof ApiException api) {
                return ApiResponse.error(mapper, api.status(), api.getMessage(), api.path(), api.errors(), api.file());
            }
            log.error("admin: request failed", cause);
            return ApiResponse.error(mapper, 500, "internal error: " + cause, null);
        }
    }

    private static final class RequestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

        private final Dispatcher dispatcher;

        RequestHandler(Dispatcher dispatcher) {
            this.dispatcher = dispatcher;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            if (!request.decoderResult().isSuccess()) {
                // The head decoded (Admission answers one that did not): the body's framing is malformed.
                write(ctx, ApiResponse.error(dispatcher.mapper(), 400, "malformed HTTP request", null), false, false);
                return;
            }
            // HEAD gets the GET answer's status and headers (Content-Length included) without its body.
            boolean head = request.method().equals(HttpMethod.HEAD);
            boolean gzip = MetricsGzip.accepted(request.headers().getAll(HttpHeaderNames.ACCEPT_ENCODING));
            CompletableFuture<ApiResponse> answer = dispatcher.dispatch(request);
            answer.whenComplete((response, failure) -> {
                if (ctx.executor().inEventLoop()) {
                    answer(ctx, response, failure, keepAlive, head, gzip);
                } else {
                    ctx.executor().execute(() -> answer(ctx, response, failure, keepAlive, head, gzip));
                }
            });
        }

        /**
         * Writes the answer. One that cannot be built (a handler's bug) is a 500 on a closing connection: thrown
         * out of the future's callback, it was lost, and the client waited for good on a connection no longer read.
         */
        private void answer(ChannelHandlerContext ctx, ApiResponse response, Throwable failure, boolean keepAlive,
                            boolean head, boolean gzip) {
            try {
                ApiResponse built = dispatcher.toResponse(response, failure);
                write(ctx, gzip ? MetricsGzip.encode(built) : built, keepAlive, head);
            } catch (RuntimeException e) {
                log.error("admin: could not build the answer", e);
                write(ctx, ApiResponse.error(dispatcher.mapper(), 500, "internal error: " + e, null), false, head);
            }
        }

        private static void write(ChannelHandlerContext ctx, ApiResponse response, boolean keepAlive, boolean head) {
            if (keepAlive) {
                FullHttpResponse http = HttpResponses.of(response, head);
                http.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
                ctx.writeAndFlush(http).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
            } else {
                ctx.writeAndFlush(HttpResponses.closing(response, head)).addListener(ChannelFutureListener.CLOSE);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.debug("admin: connection error: {}", cause.toString());
            ctx.close();
        }
    }
}
