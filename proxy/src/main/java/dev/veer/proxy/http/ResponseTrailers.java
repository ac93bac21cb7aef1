package dev.veer.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.Arrays;

/**
 * The trailer section of an upstream's chunked response (RFC 9112 §7.1.2), passed on without the fields a proxy
 * must not relay: those its head would not pass either ({@link ResponseHead#passesInTrailers}). The other lines are
 * copied byte for byte, in order. The section is gathered whole before it is read, since a field's name may arrive
 * in one read and the rest of its line in another, and it is held to a head's limits: more bytes or more fields
 * than a head may have make the response malformed, as does a line that is no field (the head's syntax).
 *
 * <p>Only a section that has trailer lines comes here; the usual end of a body, an empty section, goes on as it
 * came. The array that gathers sections is made for the first one and reused for the connection's later ones.
 * {@link ChunkFraming} has checked the line framing (each line ends in CR LF, no fold). One instance per upstream
 * connection; event loop only.
 */
public final class ResponseTrailers {

    private static final int INITIAL_BYTES = 256;
    /** The gathering array is kept for the connection's next section up to this size. */
    private static final int RETAINED_BYTES = 4096;

    private final int maxBytes;
    private final int maxFields;
    /** The section gathered so far, from index 0; null until a response has trailers. */
    private byte[] bytes;
    private int length;
    private String error;

    /** {@code maxBytes} and {@code maxFields}: the limits a response head is held to. */
    public ResponseTrailers(int maxBytes, int maxFields) {
        this.maxBytes = maxBytes;
        this.maxFields = maxFields;
    }

    /** Starts gathering a new section. */
    public void start() {
        length = 0;
    }

    /** Adds {@code buffer[from, to)} to the section; false when it grows past the limit ({@link #error()} says so). */
    public boolean add(ByteBuf buffer, int from, int to) {
        int n = to - from;
        if (length + n > maxBytes) {
            return fail("response trailer section larger than " + maxBytes + " bytes");
        }
        if (bytes == null || bytes.length < length + n) {
            int size = Math.min(maxBytes, Math.max(INITIAL_BYTES, 2 * (length + n)));
            bytes = bytes == null ? new byte[size] : Arrays.copyOf(bytes, size);
        }
        buffer.getBytes(from, bytes, length, n);
        length += n;
        return true;
    }

    /**
     * The section, added whole (up to and including its empty line), with the fields {@code head} does not let pass
     * left out; or null when it is malformed ({@link #error()} says why).
     */
    public ByteBuf filtered(ResponseHead head, ByteBufAllocator alloc) {
        int kept = 0;
        int fields = 0;
        int start = 0;
        while (true) {
            int lf = lineFeed(start);
            int contentEnd = lf - 1; // each line ends in CR LF
            if (contentEnd == start) {
                break;
            }
            if (++fields > maxFields) {
                return failed("more than " + maxFields + " response trailer fields");
            }
            int colon = FieldSyntax.colon(bytes, start, contentEnd);
            if (colon < 0) {
                return failed("malformed response trailer field");
            }
            if (head.passesInTrailers(bytes, start, colon)) {
                // Kept lines move down over dropped ones, in place: the array is read ahead of where it is written.
                System.arraycopy(bytes, start, bytes, kept, lf + 1 - start);
                kept += lf + 1 - start;
            }
            start = lf + 1;
        }
        bytes[kept++] = '\r';
        bytes[kept++] = '\n';
        ByteBuf section = alloc.buffer(kept).writeBytes(bytes, 0, kept);
        if (bytes.length > RETAINED_BYTES) {
            // A pooled upstream connection lives long; one large section must not hold up to the limit for good.
            bytes = null;
        }
        return section;
    }

    /** Why the section was refused. */
    public String error() {
        return error;
    }

    private int lineFeed(int from) {
        int i = from;
        while (bytes[i] != '\n') {
            i++;
        }
        return i;
    }

    private boolean fail(String why) {
        error = why;
        return false;
    }

    private ByteBuf failed(String why) {
        error = why;
        return null;
    }
}
