package dev.veer.proxy.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Slowloris defence: the first byte of a request starts a clock, and the request head must be complete before
 * it runs out, else a 408 replaces the request. Sits in front of the codec to see bytes; {@link FramingGuard}
 * tells it when a head is complete and when the next one may begin. An idle keep-alive connection (no byte of
 * a next request yet) is left to the idle timeout. For a connection's first request the clock starts when the
 * connection opens, so a client that connects and sends nothing gets its 408 too.
 */
final class HeadTimer extends ChannelInboundHandlerAdapter implements Runnable {

    private final long timeoutNanos;
    private ChannelHandlerContext ctx;
    private boolean awaitingHead = true;
    /** A byte of the awaited head has arrived: the clock runs from {@link #headStartNanos}. */
    private boolean headStarted;
    private long headStartNanos;
    /** The connection has sent a byte: a 408 before that answers a connection that never asked for anything. */
    private boolean anyByteRead;
    /**
     * At most one pending check, left pending when a head completes rather than cancelled: on a keep-alive
     * connection the next head usually starts before it runs, and then it just moves itself to that head's
     * deadline. That saves a task allocation and two timer-queue operations per request.
     */
    private ScheduledFuture<?> timer;

    HeadTimer(long timeoutNanos) {
        this.timeoutNanos = timeoutNanos;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        headStarted = true;
        headStartNanos = System.nanoTime();
        timer = ctx.executor().schedule(this, timeoutNanos, TimeUnit.NANOSECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        anyByteRead |= msg instanceof ByteBuf && ((ByteBuf) msg).isReadable();
        if (awaitingHead && !headStarted && msg instanceof ByteBuf && ((ByteBuf) msg).isReadable()) {
            headStarted = true;
            headStartNanos = System.nanoTime();
            if (timer == null) {
                timer = ctx.executor().schedule(this, timeoutNanos, TimeUnit.NANOSECONDS);
            }
        }
        ctx.fireChannelRead(msg);
    }

    /** A complete request head was decoded. */
    void headReceived() {
        awaitingHead = false;
        headStarted = false;
    }

    /** The current request ended; the next byte starts the clock for the next head. */
    void awaitNextHead() {
        awaitingHead = true;
    }

    @Override
    public void run() {
        timer = null;
        if (!awaitingHead || !headStarted || !ctx.channel().isActive()) {
            return;
        }
        long elapsed = System.nanoTime() - headStartNanos;
        if (elapsed < timeoutNanos) {
            // Scheduled for an earlier head: move on to this head's deadline.
            timer = ctx.executor().schedule(this, timeoutNanos - elapsed, TimeUnit.NANOSECONDS);
            return;
        }
        awaitingHead = false;
        headStarted = false;
        ctx.fireChannelRead(new RejectedRequest(HttpResponseStatus.REQUEST_TIMEOUT,
                "request headers not received in time", null, headStartNanos, !anyByteRead));
        ctx.fireChannelReadComplete();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        // The connection switched protocols (a tunnel): no more heads to time.
        cancel();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancel();
        ctx.fireChannelInactive();
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
