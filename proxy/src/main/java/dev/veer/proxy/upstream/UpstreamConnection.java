package dev.veer.proxy.upstream;

import dev.veer.proxy.stats.FailureReason;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.buffer.ByteBuf;
import io.netty.channel.socket.DuplexChannel;
import java.io.IOException;
import java.util.concurrent.ScheduledFuture;

/**
 * One keep-alive connection to an endpoint, and the last handler of its pipeline. While an exchange uses it,
 * events go to that exchange's {@link UpstreamListener}; while it idles in its pool, any data or close removes
 * it. Touched only by its own event loop.
 */
public final class UpstreamConnection extends ChannelInboundHandlerAdapter {

    private final Endpoint endpoint;
    private final UpstreamPools pools;
    private final ResponseReader reader;
    private Channel channel;
    private UpstreamListener listener;
    private boolean reused;
    private long idleSinceNanos;
    private boolean pooled;
    private ScheduledFuture<?> idleCheck;
    /** Created once per connection: releasing a connection must not allocate a timer task per request. */
    private final Runnable idleCheckTask;

    UpstreamConnection(Endpoint endpoint, UpstreamPools pools, ResponseReader reader) {
        this.endpoint = endpoint;
        this.pools = pools;
        this.reader = reader;
        this.idleCheckTask = () -> pools.idleCheck(this);
    }

    public Endpoint endpoint() {
        return endpoint;
    }

    public Channel channel() {
        return channel;
    }

    /** True when this connection already served an earlier exchange (a stale keep-alive race is possible). */
    public boolean isReused() {
        return reused;
    }

    /**
     * Hands the connection to an exchange, whose request is about to be written. {@code headRequest}: the request is
     * a HEAD, so the response has no body. {@code chunkDataOnly}: a chunked response body is wanted as its chunk
     * data (for an HTTP/1.0 client), not as it came. {@code upgrade}: the request asks to switch protocols; after
     * a 101 every byte the upstream sends reaches the listener as a body part, and its close as the last one.
     */
    public void attach(UpstreamListener newListener, boolean headRequest, boolean chunkDataOnly, boolean upgrade) {
        this.listener = newListener;
        reader.expect(headRequest, chunkDataOnly, upgrade);
    }

    /**
     * The exchange is done with the connection, its response read to the end: back to the pool, unless the upstream
     * ruled reuse out (Connection: close, a body delimited by the close, bytes beyond the response), a write to it
     * failed, or the pool is full; then it is closed.
     */
    public void release() {
        listener = null;
        if (!reader.clean() || outputShutButOpen(channel)) {
            channel.close();
            return;
        }
        reused = true;
        channel.config().setAutoRead(true);
        pools.release(this);
    }

    /** Closes the connection; its current exchange, if any, is not told. */
    public void closeQuietly() {
        listener = null;
        channel.close();
    }

    long idleSinceNanos() {
        return idleSinceNanos;
    }

    void markIdle(long nowNanos) {
        idleSinceNanos = nowNanos;
    }

    ScheduledFuture<?> idleCheck() {
        return idleCheck;
    }

    void idleCheck(ScheduledFuture<?> future) {
        idleCheck = future;
    }

    Runnable idleCheckTask() {
        return idleCheckTask;
    }

    /** True while the connection sits in its pool's idle queue (released and not yet acquired again). */
    boolean isPooled() {
        return pooled;
    }

    void pooled(boolean inPool) {
        pooled = inPool;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf in = reader.withPending((ByteBuf) msg);
        try {
            while (in.isReadable()) {
                UpstreamListener l = listener;
                if (l == null || !reader.expecting()) {
                    // Nothing was asked: an idle keep-alive connection must stay silent, and a response must not
                    // carry more than it frames.
                    listener = null;
                    ctx.close();
                    return;
                }
                String malformed = reader.read(in, l, ctx.alloc());
                if (malformed != null) {
                    listener = null;
                    ctx.close();
                    l.onUpstreamFailure(FailureReason.PROTOCOL);
                    return;
                }
            }
        } finally {
            in.release();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        UpstreamListener l = listener;
        if (l != null) {
            l.onUpstreamReadComplete();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        UpstreamListener l = listener;
        if (l != null && ctx.channel().isWritable()) {
            l.onUpstreamWritable();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        UpstreamListener l = listener;
        pools.remove(this);
        // Part of a head and then the close: the upstream answered, badly (not a lost keep-alive race to replay).
        boolean headCut = reader.headStarted();
        if (reader.endOfInput(l)) {
            // The close ended a body delimited by it: the exchange completed (and let go of the connection).
            return;
        }
        listener = null;
        if (l != null) {
            l.onUpstreamFailure(headCut ? FailureReason.PROTOCOL : FailureReason.RESET);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException && outputShutButOpen(ctx.channel())) {
            // A write failed (AUTO_CLOSE is off, so only the output was shut): the upstream reset the connection,
            // typically after answering a request before its whole body (a 401, a 413) and closing on the rest. The
            // answer may already wait in the receive buffer: the read side goes on, and reads it or ends the
            // exchange at the close (channelInactive) as any close would.
            return;
        }
        UpstreamListener l = listener;
        listener = null;
        // As at a close (channelInactive): a reset after part of a head is an answer gone bad, not a stale
        // keep-alive connection whose request may be sent again.
        boolean headCut = reader.headStarted();
        ctx.close();
        if (l != null) {
            boolean reset = cause instanceof IOException && !headCut;
            l.onUpstreamFailure(reset ? FailureReason.RESET : FailureReason.PROTOCOL);
        }
    }

    private static boolean outputShutButOpen(Channel channel) {
        return channel instanceof DuplexChannel && ((DuplexChannel) channel).isOutputShutdown() && channel.isActive();
    }
}
