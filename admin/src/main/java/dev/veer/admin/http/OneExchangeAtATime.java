package dev.veer.admin.http;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

import java.util.ArrayDeque;

/**
 * Right after the codec: lets the next request of a connection on only once the current one has its final answer,
 * so pipelined requests are answered in the order they came (RFC 9112 section 9.3.2). The codec decodes every
 * request one read brought; a change waits for the control-plane thread while a read or a refusal is answered at
 * once, so without this a later request's answer overtook the change's, and a later {@code Connection: close}
 * closed the connection before the change's answer was written, though the change was made.
 *
 * <p>Reading stops while a whole request waits for its answer, so what is held is at most what one read brought;
 * it is dropped with the connection (requests after one that closes it are not served, RFC 9112 section 9.6).
 */
final class OneExchangeAtATime extends ChannelDuplexHandler {

    /** Decoded parts of the requests after the current one, in order. */
    private final ArrayDeque<Object> held = new ArrayDeque<>();
    /** A request head went on and its final answer has not been written yet. */
    private boolean open;
    /** ... and its last part went on too: the request waits only for its answer. */
    private boolean whole;
    /** A final answer closes the connection: nothing after its request is served. */
    private boolean closing;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (closing) {
            // The codec goes on decoding the read the closing request came in; the channel is still active until
            // the close's write completes, so the check cannot be left to channelInactive.
            ReferenceCountUtil.release(msg);
            return;
        }
        held.add(msg);
        pass(ctx);
    }

    /** Passes on the held parts up to the head of a request that must wait; reads on unless a whole one waits. */
    private void pass(ChannelHandlerContext ctx) {
        while (!held.isEmpty() && !(open && held.peek() instanceof HttpRequest)) {
            Object next = held.poll();
            if (next instanceof HttpRequest) {
                open = true;
                whole = false;
            }
            if (next instanceof LastHttpContent && open) {
                whole = true;
            }
            // Before passing it on: the answer may be written (and reading resumed) while it is being passed.
            if (open && whole) {
                ctx.channel().config().setAutoRead(false);
            }
            ctx.fireChannelRead(next);
        }
        if (held.isEmpty() && !(open && whole)) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        boolean finalAnswer = msg instanceof HttpResponse response
                && response.status().codeClass() != HttpStatusClass.INFORMATIONAL;
        ctx.write(msg, promise);
        if (finalAnswer && !HttpUtil.isKeepAlive((HttpResponse) msg)) {
            closing = true;
            drop();
            return;
        }
        if (finalAnswer) {
            open = false;
            whole = false;
            // In a task of its own: passed on from here, a run of pipelined reads answered at once would nest
            // one call deeper each.
            ctx.executor().execute(() -> {
                if (ctx.channel().isActive() && !closing) {
                    pass(ctx);
                }
            });
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        drop();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        drop();
    }

    private void drop() {
        while (!held.isEmpty()) {
            ReferenceCountUtil.release(held.poll());
        }
    }
}
