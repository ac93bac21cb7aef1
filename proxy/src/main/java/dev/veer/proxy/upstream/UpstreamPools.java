package dev.veer.proxy.upstream;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.FastThreadLocal;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Keep-alive upstream connections, pooled per event loop and per endpoint. Each loop owns its own map (a
 * FastThreadLocal), so acquiring and releasing never lock: a connection is only ever touched by the loop it was
 * opened on, which is the loop of the downstream connection that uses it.
 */
public final class UpstreamPools {

    private final Class<? extends Channel> channelType;
    private final int maxIdlePerEndpoint;
    private final long idleTimeoutNanos;
    private final int connectTimeoutMillis;
    private final FastThreadLocal<Map<Endpoint, ArrayDeque<UpstreamConnection>>> loopPools = new FastThreadLocal<>() {
        @Override
        protected Map<Endpoint, ArrayDeque<UpstreamConnection>> initialValue() {
            return new IdentityHashMap<>();
        }
    };

    public UpstreamPools(Class<? extends Channel> channelType, int maxIdlePerEndpoint, Duration idleTimeout,
                         Duration connectTimeout) {
        this.channelType = channelType;
        this.maxIdlePerEndpoint = maxIdlePerEndpoint;
        this.idleTimeoutNanos = idleTimeout.toNanos();
        this.connectTimeoutMillis = (int) Math.min(Integer.MAX_VALUE, Math.max(1, connectTimeout.toMillis()));
    }

    /** An idle pooled connection to {@code endpoint} on the calling loop, or null. Call on {@code loop}. */
    public UpstreamConnection acquire(Endpoint endpoint) {
        ArrayDeque<UpstreamConnection> idle = loopPools.get().get(endpoint);
        if (idle == null) {
            return null;
        }
        UpstreamConnection c;
        while ((c = idle.pollLast()) != null) {
            // The pending idle check, if any, stays armed: it finds the connection busy (not pooled) and lapses,
            // or finds it released again and re-arms for the rest of the timeout. Cancelling here and scheduling
            // again on release would cost a timer task per request.
            c.pooled(false);
            if (c.channel().isActive()) {
                return c;
            }
            c.channel().close();
        }
        return null;
    }

    /** Opens a new connection to {@code endpoint} on {@code loop}; the future's channel holds the connection. */
    public ChannelFuture connect(EventLoop loop, Endpoint endpoint, UpstreamConnection[] out) {
        UpstreamConnection connection = new UpstreamConnection(endpoint, this);
        out[0] = connection;
        Bootstrap bootstrap = new Bootstrap()
                .group(loop)
                .channel(channelType)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 * 1024, 64 * 1024))
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        // No HTTP codec: requests are written as bytes (server.UpstreamRequest) and responses read
                        // from the receive buffers (ResponseReader).
                        ch.pipeline().addLast("exchange", connection);
                    }
                });
        return bootstrap.connect(endpoint.socketAddress());
    }

    void release(UpstreamConnection c) {
        Endpoint endpoint = c.endpoint();
        if (endpoint.isRetired() || !c.channel().isActive()) {
            c.channel().close();
            return;
        }
        ArrayDeque<UpstreamConnection> idle = loopPools.get().computeIfAbsent(endpoint, e -> new ArrayDeque<>());
        if (idle.size() >= maxIdlePerEndpoint) {
            c.channel().close();
            return;
        }
        c.markIdle(System.nanoTime());
        c.pooled(true);
        idle.addLast(c);
        if (c.idleCheck() == null) {
            c.idleCheck(c.channel().eventLoop().schedule(c.idleCheckTask(), idleTimeoutNanos,
                    TimeUnit.NANOSECONDS));
        }
    }

    void remove(UpstreamConnection c) {
        if (!c.channel().eventLoop().inEventLoop()) {
            return;
        }
        ArrayDeque<UpstreamConnection> idle = loopPools.get().get(c.endpoint());
        if (idle != null) {
            idle.remove(c);
        }
        c.pooled(false);
        if (c.idleCheck() != null) {
            c.idleCheck().cancel(false);
            c.idleCheck(null);
        }
    }

    /**
     * The one pending idle check of {@code c} fired. At most one is armed per connection: it closes a connection
     * that has sat in its pool for the whole timeout, re-arms itself for the rest of the timeout when the
     * connection was used and released since, and lapses while the connection is busy (the next release arms
     * a new one).
     */
    void idleCheck(UpstreamConnection c) {
        c.idleCheck(null);
        if (!c.isPooled() || !c.channel().isActive()) {
            return;
        }
        long idleFor = System.nanoTime() - c.idleSinceNanos();
        if (idleFor >= idleTimeoutNanos) {
            c.channel().close();
        } else {
            c.idleCheck(c.channel().eventLoop().schedule(c.idleCheckTask(), idleTimeoutNanos - idleFor,
                    TimeUnit.NANOSECONDS));
        }
    }

    /** Closes the idle connections of retired endpoints on every loop of {@code group}. */
    public void closeIdle(EventLoopGroup group, List<Endpoint> retired) {
        if (retired.isEmpty()) {
            return;
        }
        for (EventExecutor loop : group) {
            loop.execute(() -> {
                Map<Endpoint, ArrayDeque<UpstreamConnection>> pools = loopPools.get();
                for (Endpoint e : retired) {
                    ArrayDeque<UpstreamConnection> idle = pools.remove(e);
                    if (idle != null) {
                        for (UpstreamConnection c : new ArrayList<>(idle)) {
                            c.channel().close();
                        }
                    }
                }
            });
        }
    }
}
