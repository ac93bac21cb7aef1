package dev.veer.proxy.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Closes a connection after an error response without destroying that response, like nginx's lingering close.
 * Closing a socket with unread input makes the kernel answer with an RST, and a client still sending its rejected
 * request (a 70 KB target, a body over the limit, or a body its upstream answered early, with a 401 or 413) may
 * then lose the response. So once the response is flushed,
 * output is shut down (the client sees the response end), and what the client still sends is read and discarded,
 * at the head of the pipeline, until it closes, {@link #MAX_BYTES} were discarded or {@link #MAX_NANOS} passed.
 */
final class LingeringClose extends ChannelInboundHandlerAdapter implements ChannelFutureListener, Runnable {

    static final long MAX_NANOS = TimeUnit.SECONDS.toNanos(1);
    static final long MAX_BYTES = 1024 * 1024;

    private ChannelHandlerContext ctx;
    private long discarded;
    private ScheduledFuture<?> timer;

    private LingeringClose() {
    }

    /** Lingers once {@code flushed} (the write of the last response) completes; closes at once if it failed. */
    static void afterFlush(ChannelFuture flushed) {
        flushed.addListener(new LingeringClose());
    }

    @Override
    public void operationComplete(ChannelFuture flushed) {
        Channel ch = flushed.channel();
        // Input already shut (the client's FIN came while the response was flushing): nothing more will come to
        // discard, and no further event would end the linger before its timer.
        if (!flushed.isSuccess() || !ch.isActive() || !(ch instanceof DuplexChannel)
                || ((DuplexChannel) ch).isInputShutdown()) {
            ch.close();
            return;
        }
        ch.pipeline().addFirst("linger", this);
        ((DuplexChannel) ch).shutdownOutput();
        timer = ch.eventLoop().schedule(this, MAX_NANOS, TimeUnit.NANOSECONDS);
        ch.config().setAutoRead(true);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf) {
            discarded += ((ByteBuf) msg).readableBytes();
        }
        ReferenceCountUtil.release(msg);
        if (discarded > MAX_BYTES) {
            ctx.close();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // Nothing was passed on, so there is nothing to complete further down.
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            // The client is done sending (only seen with half-closure allowed; otherwise the channel closes itself).
            ctx.close();
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (timer != null) {
            timer.cancel(false);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }

    /** Lingered long enough. */
    @Override
    public void run() {
        ctx.close();
    }
}
