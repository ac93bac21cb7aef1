package dev.veer.proxy.upstream;

import dev.veer.proxy.http.ResponseHead;
import dev.veer.proxy.stats.FailureReason;
import io.netty.buffer.ByteBuf;

/** Receives the events of an upstream connection while one exchange uses it. Called on the connection's loop. */
public interface UpstreamListener {

    /**
     * A response head, valid only during the call; interim (1xx) heads arrive here too. A final head is followed by
     * {@link #onResponseBody} calls, the last with {@code last} set (at once when there is no body).
     */
    void onResponseHead(ResponseHead head);

    /**
     * Body bytes as the upstream framed them (chunk framing included, each chunk-size line as the size alone), or
     * only chunk data when that was asked for at attach. One read may give several parts. The listener owns (and
     * must release) {@code part}, which may be empty when {@code last}.
     */
    void onResponseBody(ByteBuf part, boolean last);

    /** The upstream read batch ended: flush what was written downstream. */
    void onUpstreamReadComplete();

    /** The upstream became writable again (request body backpressure). */
    void onUpstreamWritable();

    /** The exchange on this connection failed; the connection is closed or closing. */
    void onUpstreamFailure(FailureReason reason);
}
