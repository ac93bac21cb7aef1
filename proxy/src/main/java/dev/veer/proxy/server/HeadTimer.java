package dev.veer.proxy.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.ByteProcessor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Slowloris defence: the first byte of a request starts a clock, and the request head must be complete before
 * it runs out, else a 408 replaces the request. Sits in front of the codec to see bytes; {@link FramingGuard}
 * tells it when a head is complete and when the next one may begin. An idle keep-alive connection (no byte of
 * a next request yet) is left to the idle timeout. For a connection's first request the clock starts when the
 * connection opens, so a client that connects and sends nothing gets its 408 too. A next head whose first bytes
 * came in the read that ended the request before it has begun then (no later read need come); while the proxy
 * does not read, as pipelined requests before it wait to be answered, its clock does not run out.
 */
final class HeadTimer extends ChannelInboundHandlerAdapter implements Runnable {

    private final long timeoutNanos;
    private ChannelHandlerContext ctx;
    private boolean awaitingHead = true;
    /** A byte of the awaited head has arrived: the clock runs from {@link #headStartNanos}. */
    private boolean headStarted;
    private long headStartNanos;
    /** Whether the channel was reading at the last deadline check of the started head (see {@link #run}). */
    private boolean readingAtLastCheck;
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
        startClock();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        anyByteRead |= msg instanceof ByteBuf && ((ByteBuf) msg).isReadable();
        if (awaitingHead && !headStarted && msg instanceof ByteBuf && startsAHead((ByteBuf) msg)) {
            startClock();
        }
        ctx.fireChannelRead(msg);
    }

    /**
     * Whether {@code bytes} hold more than empty lines: a CRLF some clients send after a request body is no start
     * of a head (RFC 9112 §2.2 has servers ignore it), so it leaves an idle connection to the idle timeout.
     */
    static boolean startsAHead(ByteBuf bytes) {
        return bytes.forEachByte(ByteProcessor.FIND_NON_CRLF) >= 0;
    }

    private void startClock() {
        headStarted = true;
        headStartNanos = System.nanoTime();
        readingAtLastCheck = true;
        if (timer == null) {
            timer = ctx.executor().schedule(this, timeoutNanos, TimeUnit.NANOSECONDS);
        }
    }

    /** A complete request head was decoded. */
    void headReceived() {
        awaitingHead = false;
        headStarted = false;
    }

    /**
     * The current request ended; the next byte starts the clock for the next head, or this call when
     * {@code begun}: bytes of that head came in the read that ended this request, and passed here before it ended.
     */
    void awaitNextHead(boolean begun) {
        awaitingHead = true;
        if (begun) {
            startClock();
        }
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
        boolean reading = ctx.channel().config().isAutoRead();
        if (!reading || !readingAtLastCheck) {
            // The proxy stopped reading (requests before this one wait to be answered), or had at the last check: the
            // rest of this head may be unread in the socket, no fault of the client's. The clock starts again, so a
            // head has a whole timeout of reading to arrive in.
            readingAtLastCheck = reading;
            headStartNanos = System.nanoTime();
            timer = ctx.executor().schedule(this, timeoutNanos, TimeUnit.NANOSECONDS);
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
