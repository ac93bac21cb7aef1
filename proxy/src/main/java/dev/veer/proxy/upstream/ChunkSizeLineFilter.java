package dev.veer.proxy.upstream;

import dev.veer.proxy.http.ChunkFraming;
import dev.veer.proxy.http.ChunkWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;

/**
 * Which bytes of a read of a chunked body go on to the client when the body is passed on as the upstream framed it:
 * all of them but, in each chunk-size line, the leading zeros of the size and the extensions (see
 * {@link ChunkFraming.SizeLineSink}). The usual line, "5\r\n", loses nothing, and a read whose lines lose nothing
 * goes on as one slice, as before.
 *
 * <p>A size line cut by the end of a read goes on with the read that ends it, rebuilt from its size (its digits in
 * lower case, which hex digits may be in either). What goes on from
 * a read is then only what that read checked, so when the first size line of a body is refused (over the line limit,
 * say) nothing of the body has gone on, and the proxy can still answer 502. One per upstream connection; event loop
 * only.
 */
final class ChunkSizeLineFilter implements ChunkFraming.SizeLineSink {

    /** The regions of the current read that stay behind, as start and end pairs in order; grows as reads need. */
    private int[] skipped = new int[8];
    private int skippedCount;
    private int readFrom;
    /** The size of a line that started in an earlier read and ended in this one, to go on first; or -1. */
    private int rebuiltSize;

    /**
     * Scans the bytes of a read from {@code from} as {@link ChunkFraming#scanChunks} does, noting what stays behind.
     * Returns the index reached, or -1 on a framing error.
     */
    int scan(ChunkFraming chunks, ByteBuf in, int from) {
        readFrom = from;
        skippedCount = 0;
        rebuiltSize = -1;
        int reached = chunks.scanChunks(in, from, this);
        if (reached >= 0 && chunks.inSizeLine()) {
            skip(Math.max(chunks.sizeLineStart(), from), reached);
        }
        return reached;
    }

    @Override
    public void sizeLine(int size, int start, int digitsFrom, int digitsEnd, int end) {
        if (start < 0) {
            rebuiltSize = size;
            skip(readFrom, end);
        } else {
            skip(start, digitsFrom);
            // Blanks and extensions, up to the CR LF that ends the line.
            skip(digitsEnd, end - 2);
        }
    }

    /**
     * Hands the bytes of the last scanned read up to {@code to} on to {@code listener}, but for what stays behind,
     * the last part flagged {@code last} (an empty one when nothing else goes on).
     */
    void pass(ByteBuf in, int to, UpstreamListener listener, boolean last, ByteBufAllocator alloc) {
        ByteBuf held = rebuiltSize >= 0 ? ChunkWriter.sizeLine(alloc, rebuiltSize) : null;
        int at = readFrom;
        for (int r = 0; r < 2 * skippedCount; r += 2) {
            held = handOn(held, in, at, skipped[r], listener);
            at = skipped[r + 1];
        }
        held = handOn(held, in, at, to, listener);
        if (held != null || last) {
            listener.onResponseBody(held != null ? held : Unpooled.EMPTY_BUFFER, last);
        }
    }

    /** Hands {@code held} on, when {@code [from, to)} has bytes, and returns them to be held in its place. */
    private static ByteBuf handOn(ByteBuf held, ByteBuf in, int from, int to, UpstreamListener listener) {
        if (to <= from) {
            return held;
        }
        if (held != null) {
            listener.onResponseBody(held, false);
        }
        return in.retainedSlice(from, to - from);
    }

    private void skip(int from, int to) {
        if (to <= from) {
            return;
        }
        if (2 * skippedCount + 2 > skipped.length) {
            skipped = java.util.Arrays.copyOf(skipped, 2 * skipped.length);
        }
        skipped[2 * skippedCount] = from;
        skipped[2 * skippedCount + 1] = to;
        skippedCount++;
    }
}
