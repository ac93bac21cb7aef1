package dev.veer.admin.http;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

import java.util.Optional;

/**
 * Between the codec and the aggregator: answers a request that {@link Admission} refuses as soon as its head
 * arrives, so an unauthenticated client cannot make the listener buffer (or wait for) a body. The refused body
 * is read and dropped until it ends, then the connection is closed: closing with unread bytes would reset it and
 * could destroy the answer before the client reads it. Also tells {@link ReadDeadlines} where each exchange is.
 */
final class RequestGate extends ChannelDuplexHandler {

    private final Admission admission;
    private final ReadDeadlines deadlines;
    /** The refusal of the current request, written; its body is being dropped. */
    private ChannelFuture refused;

    RequestGate(Admission admission, ReadDeadlines deadlines) {
        this.admission = admission;
        this.deadlines = deadlines;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest head) {
            deadlines.headReceived();
            if (head.decoderResult().isSuccess()) {
                AbsoluteForm.toOriginForm(head);
            }
            Optional<ApiResponse> refusal = admission.refusal(head);
            if (refusal.isPresent()) {
                boolean headOnly = head.method().equals(HttpMethod.HEAD);
                refused = ctx.writeAndFlush(HttpResponses.closing(refusal.get(), headOnly));
                deadlines.answered();
                if (!head.decoderResult().isSuccess() || HttpUtil.is100ContinueExpected(head)) {
                    // Nothing more will be decoded after a head that failed (the codec discards the rest), and a
                    // client waiting for a 100 gets none, so no body will come: either way no end to wait for.
                    refused.addListener(ChannelFutureListener.CLOSE);
                }
            }
        }
        boolean last = msg instanceof LastHttpContent;
        if (refused != null) {
            ReferenceCountUtil.release(msg);
            if (last) {
                deadlines.requestReceived();
                refused.addListener(ChannelFutureListener.CLOSE);
            }
            return;
        }
        if (last) {
            deadlines.requestReceived();
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof HttpResponse response && response.status().codeClass() != HttpStatusClass.INFORMATIONAL) {
            deadlines.answered();
        }
        ctx.write(msg, promise);
    }
}
