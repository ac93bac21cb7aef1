package dev.veer.admin.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Closes a connection whose client stops sending (slowloris, a body shorter than its Content-Length, a forgotten
 * keep-alive connection) after the {@link ReadTimeouts}. Sits in front of the codec to see the first byte of a
 * request; {@link RequestGate} reports the end of a head, of a request and of its answer. A request being served
 * has no deadline: the wait is then the control plane's, not the client's.
 */
final class ReadDeadlines extends ChannelInboundHandlerAdapter {

    private enum Phase {
        /** Awaiting (the rest of) a request head. */
        HEAD,
        /** Awaiting (the rest of) a request body. */
        BODY,
        /** The request is complete and not answered yet. */
        SERVING,
        /** Answered; awaiting the first byte of the next request. */
        IDLE
    }

    private final ReadTimeouts timeouts;
    private final ObjectMapper mapper;
    private ChannelHandlerContext ctx;
    private Phase phase = Phase.HEAD;
    /** The current request has its final answer (possibly before its body arrived: a 401, a 413). */
    private boolean answered;
    private ScheduledFuture<?> timer;

    ReadDeadlines(ReadTimeouts timeouts, ObjectMapper mapper) {
        this.timeouts = timeouts;
        this.mapper = mapper;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        // A client that connects and sends nothing holds a socket as surely as a slow one.
        enter(Phase.HEAD, timeouts.head());
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (phase == Phase.IDLE && msg instanceof ByteBuf bytes && bytes.isReadable()) {
            enter(Phase.HEAD, timeouts.head());
        }
        ctx.fireChannelRead(msg);
    }

    /** A request head was decoded. */
    void headReceived() {
        answered = false;
        enter(Phase.BODY, timeouts.body());
    }

    /** The current request's last byte was decoded. */
    void requestReceived() {
        if (answered) {
            enter(Phase.IDLE, timeouts.idle());
        } else {
            enter(Phase.SERVING, null);
        }
    }

    /** The current request's final answer was written. */
    void answered() {
        answered = true;
        if (phase == Phase.SERVING) {
            enter(Phase.IDLE, timeouts.idle());
        }
    }

    private void enter(Phase next, Duration timeout) {
        phase = next;
        cancel();
        if (timeout != null) {
            timer = ctx.executor().schedule(this::expire, timeout.toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    private void expire() {
        timer = null;
        if (!ctx.channel().isActive()) {
            return;
        }
        String what = switch (phase) {
            case HEAD -> "request headers";
            case BODY -> answered ? null : "request body";
            default -> null;
        };
        if (what == null) {
            // Nothing owed to the client: an idle connection, or the rest of a body already answered.
            ctx.close();
            return;
        }
        Duration limit = phase == Phase.HEAD ? timeouts.head() : timeouts.body();
        ApiResponse timedOut = ApiResponse.error(mapper, 408, what + " not received within " + seconds(limit),
                null);
        // Through the whole pipeline, so the codec encodes it.
        ctx.channel().writeAndFlush(HttpResponses.closing(timedOut, false)).addListener(ChannelFutureListener.CLOSE);
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
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
