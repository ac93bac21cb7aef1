package dev.veer.proxy.http;

import io.netty.buffer.ByteBuf;

/**
 * A strict reading of a chunked body (RFC 9112 §7.1): of a request, over the bytes before Netty's decoder sees them,
 * and of an upstream's response, which is forwarded as it came (but for its trailer fields) or, for an HTTP/1.0
 * client, as its chunk data only. Netty is lenient where a front proxy must not be, because a peer that reads the
 * same bytes differently can hide a request inside another (request smuggling): it stops a chunk size at any control
 * or space character ("3\rabc" is size 3), lets a size overflow silently ("100000003" is 3), and accepts anything in
 * a chunk extension, including a bare CR. Here a chunk-size line is 1 to 8 hex digits (at most 2^31 - 1), optional
 * blanks before extensions, extensions without control characters, then CRLF; chunk data is followed by CRLF;
 * trailer lines end in CRLF and do not fold. Anything else is a framing error. One instance per connection; event
 * loop only.
 */
public final class ChunkFraming {

    /** Receives the chunk data of a body, a region of the scanned buffer at a time. */
    public interface DataSink {
        void data(ByteBuf buffer, int index, int length);
    }

    private enum State { IDLE, SIZE_START, SIZE, SIZE_BLANK, EXTENSION, SIZE_LF, DATA, DATA_CR, DATA_LF,
        TRAILER_START, TRAILER, TRAILER_LF, END_LF, DONE, INVALID }

    private State state = State.IDLE;
    private long size;
    private int digits;
    private long remaining;

    /** Starts checking the body that follows a chunked head. */
    public void start() {
        state = State.SIZE_START;
    }

    /** Stops checking (the request ended or was rejected). */
    public void stop() {
        state = State.IDLE;
    }

    public boolean active() {
        return state != State.IDLE && state != State.DONE;
    }

    /** True once the whole body, last chunk and trailers included, has been read. */
    public boolean finished() {
        return state == State.DONE;
    }

    /**
     * Reads {@code buffer} from {@code from} to its writer index; returns the index reached (the body's end when it
     * ends in this range), or -1 on a framing error.
     */
    public int scan(ByteBuf buffer, int from) {
        return scan(buffer, from, null);
    }

    /** As {@link #scan(ByteBuf, int)}, handing each region of chunk data to {@code sink} (when not null). */
    public int scan(ByteBuf buffer, int from, DataSink sink) {
        return scan(buffer, from, sink, false);
    }

    /**
     * As {@link #scan(ByteBuf, int)}, but stops where the trailer section starts (just after the last chunk's size
     * line), so the caller can look at it first: {@link #atTrailerLineStart()} then says so, this returns
     * {@code from} at once, and {@link #scan(ByteBuf, int)} reads the section.
     */
    public int scanChunks(ByteBuf buffer, int from) {
        return scan(buffer, from, null, true);
    }

    /** True at the start of a line of the trailer section: after the last chunk, or after a trailer field. */
    public boolean atTrailerLineStart() {
        return state == State.TRAILER_START;
    }

    private int scan(ByteBuf buffer, int from, DataSink sink, boolean stopAtTrailers) {
        int end = buffer.writerIndex();
        int i = from;
        while (i < end && active() && !(stopAtTrailers && state == State.TRAILER_START)) {
            if (state == State.DATA) {
                int skip = (int) Math.min(remaining, end - i);
                if (sink != null) {
                    sink.data(buffer, i, skip);
                }
                i += skip;
                remaining -= skip;
                if (remaining == 0) {
                    state = State.DATA_CR;
                }
                continue;
            }
            state = next(buffer.getByte(i++));
            if (state == State.INVALID) {
                return -1;
            }
        }
        return i;
    }

    private State next(byte b) {
        switch (state) {
            case SIZE_START:
                if (hex(b) < 0) {
                    return State.INVALID;
                }
                size = hex(b);
                digits = 1;
                return State.SIZE;
            case SIZE:
                if (hex(b) >= 0) {
                    size = size * 16 + hex(b);
                    return ++digits > 8 || size > Integer.MAX_VALUE ? State.INVALID : State.SIZE;
                }
                return afterSize(b);
            case SIZE_BLANK:
                return b == ' ' || b == '\t' ? State.SIZE_BLANK : b == ';' ? State.EXTENSION : State.INVALID;
            case EXTENSION:
                if (b == '\r') {
                    return State.SIZE_LF;
                }
                return b == '\t' || (b >= 0x20 && b != 0x7f) || b < 0 ? State.EXTENSION : State.INVALID;
            case SIZE_LF:
                if (b != '\n') {
                    return State.INVALID;
                }
                if (size == 0) {
                    return State.TRAILER_START;
                }
                remaining = size;
                return State.DATA;
            case DATA_CR:
                return b == '\r' ? State.DATA_LF : State.INVALID;
            case DATA_LF:
                return b == '\n' ? State.SIZE_START : State.INVALID;
            case TRAILER_START:
                if (b == '\r') {
                    return State.END_LF;
                }
                // A trailer line starting with a blank would be a fold; control characters are never allowed.
                return b == ' ' || b == '\t' || (b >= 0 && b < 0x20) || b == 0x7f ? State.INVALID : State.TRAILER;
            case TRAILER:
                return b == '\r' ? State.TRAILER_LF : b == '\n' ? State.INVALID : State.TRAILER;
            case TRAILER_LF:
                return b == '\n' ? State.TRAILER_START : State.INVALID;
            case END_LF:
                return b == '\n' ? State.DONE : State.INVALID;
            default:
                return State.INVALID;
        }
    }

    private static State afterSize(byte b) {
        switch (b) {
            case '\r':
                return State.SIZE_LF;
            case ';':
                return State.EXTENSION;
            case ' ':
            case '\t':
                return State.SIZE_BLANK;
            default:
                return State.INVALID;
        }
    }

    private static int hex(byte b) {
        if (b >= '0' && b <= '9') {
            return b - '0';
        }
        if (b >= 'a' && b <= 'f') {
            return b - 'a' + 10;
        }
        if (b >= 'A' && b <= 'F') {
            return b - 'A' + 10;
        }
        return -1;
    }
}
