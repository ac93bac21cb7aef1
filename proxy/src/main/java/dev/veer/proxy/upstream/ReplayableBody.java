package dev.veer.proxy.upstream;

import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * What an exchange has written of its request body, kept so that the request can be sent again on another
 * connection. Parts are kept as retained duplicates (shared memory, no copy) and only while the body stays small;
 * past {@link #MAX_BYTES} the parts are let go and the request can no longer be replayed. One instance per
 * downstream connection, reused by each exchange; touched only by that connection's event loop.
 */
public final class ReplayableBody {

    /** Bodies up to this size are kept for a retry. */
    public static final int MAX_BYTES = 16 * 1024;

    private final ArrayDeque<HttpContent> parts = new ArrayDeque<>(2);
    private boolean keeping;
    private boolean complete;
    private int bytes;

    private static final AsciiString IDEMPOTENCY_KEY = AsciiString.cached("idempotency-key");
    private static final AsciiString X_IDEMPOTENCY_KEY = AsciiString.cached("x-idempotency-key");

    /**
     * Whether {@code request} may be sent again after a failure that may have reached the upstream: an idempotent
     * method (RFC 9110 §9.2.2: a proxy must not retry the others), or any method with an idempotency key, which
     * tells the server to apply it once (as Go's http.Transport decides).
     */
    public static boolean replayable(HttpRequest request) {
        HttpMethod method = request.method();
        if (method == HttpMethod.GET) {
            return true;
        }
        switch (method.name()) {
            case "GET", "HEAD", "OPTIONS", "PUT", "DELETE":
                return true;
            default:
                return hasValue(request, IDEMPOTENCY_KEY) || hasValue(request, X_IDEMPOTENCY_KEY);
        }
    }

    /** An empty key gives the server nothing to apply a request once by. */
    private static boolean hasValue(HttpRequest request, AsciiString name) {
        String value = request.headers().get(name);
        return value != null && !value.isBlank();
    }

    /** Starts an exchange; {@code keep} says whether its body is worth keeping (a {@link #replayable} request). */
    public void reset(boolean keep) {
        release();
        keeping = keep;
        complete = keep;
        bytes = 0;
    }

    /** Called with every part just before it is written upstream. */
    public void written(HttpContent part) {
        if (!complete || part == LastHttpContent.EMPTY_LAST_CONTENT) {
            return;
        }
        int size = part.content().readableBytes();
        if (bytes + size > MAX_BYTES) {
            complete = false;
            release();
            return;
        }
        bytes += size;
        parts.add(part.retainedDuplicate());
    }

    /** True for a {@link #replayable} request whose every part written so far is kept: it can be sent again. */
    public boolean isComplete() {
        return keeping && complete;
    }

    /**
     * Hands the kept parts to {@code writer} again (each a new retained duplicate it takes over), ending the message
     * if the original had ended ({@code ended}) and its end was not a kept part.
     */
    public void replay(boolean ended, Consumer<HttpContent> writer) {
        boolean lastWritten = false;
        for (HttpContent part : parts) {
            writer.accept(part.retainedDuplicate());
            lastWritten = part instanceof LastHttpContent;
        }
        if (ended && !lastWritten) {
            writer.accept(LastHttpContent.EMPTY_LAST_CONTENT);
        }
    }

    /** Lets go of the kept parts. */
    public void release() {
        HttpContent part;
        while ((part = parts.poll()) != null) {
            part.release();
        }
    }
}
