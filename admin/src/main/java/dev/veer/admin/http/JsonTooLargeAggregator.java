package dev.veer.admin.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.ReferenceCountUtil;

/**
 * Bodies up to {@link AdminHttpServer#MAX_BODY_BYTES}; a larger one gets a JSON 413 like every other error. On a
 * keep-alive connection the rest of the body is read and discarded (the aggregator skips it) so the client, still
 * uploading, gets the answer instead of a reset; otherwise the connection is closed after the answer.
 *
 * <p>A client that asks {@code Expect: 100-continue} first (curl does for large uploads) is refused before it
 * sends the body, and the connection is closed after: it will not send that body, and whether it sends the next
 * request instead is not something to guess.
 */
final class JsonTooLargeAggregator extends HttpObjectAggregator {

    private final ObjectMapper mapper;

    JsonTooLargeAggregator(ObjectMapper mapper) {
        super(AdminHttpServer.MAX_BODY_BYTES, true);
        this.mapper = mapper;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        boolean keepAlive = HttpUtil.isKeepAlive(oversized) && !(oversized instanceof FullHttpMessage);
        if (keepAlive) {
            ctx.writeAndFlush(HttpResponses.of(tooLarge(), false)).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        } else {
            ctx.writeAndFlush(HttpResponses.closing(tooLarge(), false)).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** Netty's refusals of an expectation (413, 417) have empty bodies: the same status with the JSON error. */
    @Override
    protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
        // Read first: Netty removes the Expect header once it has answered it (the 417 said "Expect: null").
        String expect = start.headers().get(HttpHeaderNames.EXPECT);
        Object response = super.newContinueResponse(start, maxContentLength, pipeline);
        if (!(response instanceof FullHttpResponse refusal) || refusal.status().code() < 400) {
            return response;
        }
        int status = refusal.status().code();
        ReferenceCountUtil.release(refusal);
        ApiResponse error = status == HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE.code() ? tooLarge()
                : ApiResponse.error(mapper, status, "Expect: " + expect
                        + " (expected: 100-continue or no Expect)", null);
        return HttpResponses.closing(error, false);
    }

    private ApiResponse tooLarge() {
        return ApiResponse.error(mapper, 413, "request body over " + AdminHttpServer.MAX_BODY_BYTES + " bytes", null);
    }
}
