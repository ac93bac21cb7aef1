package dev.veer.proxy.http;

import io.netty.buffer.ByteBuf;

/**
 * A strict reading of a chunked body (RFC 9112 §7.1): of a request, over the bytes before Netty's decoder sees them,
 * and of an upstream's response, which is forwarded as it came (but for its chunk-size lines, see
 * {@link SizeLineSink}, and its trailer fields) or, for an HTTP/1.0 client, as its chunk data only. Netty is lenient
 * where a front proxy must not be, because a peer that reads the same bytes differently can hide a request inside
 * another (request smuggling): it stops a chunk size at any control or space character ("3\rabc" is size 3), lets a
 * size overflow silently ("100000003" is 3), and accepts anything in a chunk extension, including a bare CR. Here a
 * chunk-size line is hex digits worth at most 2^31 - 1 (as many leading zeros as the line has room for), optional
 * blanks before extensions, extensions without control characters, then CRLF, and it holds at most
 * {@code maxSizeLineBytes} before its CRLF (Netty's limit on a request's, so the same on both sides); chunk data is
 * followed by CRLF; trailer lines end in CRLF and do not fold. Anything else is a framing error. One instance per
 * connection; event loop only.
 */
public final class ChunkFraming {

    /** Receives the chunk data of a body, a region of the scanned buffer at a time. */
    public interface DataSink {
        void data(ByteBuf buffer, int index, int length);
    }

    /**
     * Told where each chunk-size line ends, so that a body can be passed on with each of its size lines reduced to
     * the size's significant digits and CRLF: what RFC 9112 §7.1.1 lets a recipient ignore (the extensions) stays
     * behind, and so do the leading zeros, which a client may count as digits (Go's refuses more than 16).
     */
    public interface SizeLineSink {
        /**
         * The line of a chunk of {@code size} bytes ended just before {@code end} (after its LF), in the scanned
         * buffer. When the line started in the same scan, {@code start} is where, and {@code digitsFrom} and
         * {@code digitsEnd} delimit its significant digits (the last zero of a size 0); otherwise all three are -1.
         */
        void sizeLine(int size, int start, int digitsFrom, int digitsEnd, int end);
    }

    private enum State { IDLE, SIZE_START, SIZE, SIZE_BLANK, EXTENSION, SIZE_LF, DATA, DATA_CR, DATA_LF,
        TRAILER_START, TRAILER, TRAILER_LF, END_LF, DONE, INVALID }

    private final int maxSizeLineBytes;
    private State state = State.IDLE;
    private long size;
    private long remaining;
    /** Bytes of the current size line so far, its CR and LF not counted (as Netty counts a line). */
    private int sizeLineBytes;
    /** Where the current size line and its significant digits are in the buffer being scanned, or -1. */
    private int sizeLineStart = -1;
    private int digitsFrom;
    private int digitsEnd;

    /** {@code maxSizeLineBytes}: the longest chunk-size line, extensions included. */
    public ChunkFraming(int maxSizeLineBytes) {
        this.maxSizeLineBytes = maxSizeLineBytes;
    }

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
        return scan(buffer, from, sink, false, null);
    }

    /**
     * As {@link #scan(ByteBuf, int)}, but stops where the trailer section starts (just after the last chunk's size
     * line), so the caller can look at it first: {@link #atTrailerLineStart()} then says so, this returns
     * {@code from} at once, and {@link #scan(ByteBuf, int)} reads the section. Tells {@code sizeLines} of each
     * size line that ends in the range; one that has not ended by then is not told of ({@link #inSizeLine()}).
     */
    public int scanChunks(ByteBuf buffer, int from, SizeLineSink sizeLines) {
        return scan(buffer, from, null, true, sizeLines);
    }

    /** True at the start of a line of the trailer section: after the last chunk, or after a trailer field. */
    public boolean atTrailerLineStart() {
        return state == State.TRAILER_START;
    }

    /** True when the last scan ended inside a chunk-size line. */
    public boolean inSizeLine() {
        return state == State.SIZE || state == State.SIZE_BLANK || state == State.EXTENSION || state == State.SIZE_LF;
    }

    /** Where the size line that is being read started in the last scan's buffer, or -1 if in an earlier scan. */
    public int sizeLineStart() {
        return sizeLineStart;
    }

    private int scan(ByteBuf buffer, int from, DataSink sink, boolean stopAtTrailers, SizeLineSink sizeLines) {
        int end = buffer.writerIndex();
        int i = from;
        // Indexes into an earlier scan's buffer mean nothing in this one.
        sizeLineStart = -1;
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
            boolean lineEnds = state == State.SIZE_LF;
            state = next(buffer.getByte(i), i);
            i++;
            if (state == State.INVALID) {
                return -1;
            }
            if (lineEnds && sizeLines != null) {
                if (sizeLineStart < 0) {
                    sizeLines.sizeLine((int) size, -1, -1, -1, i);
                } else {
                    sizeLines.sizeLine((int) size, sizeLineStart, digitsFrom, digitsEnd, i);
                }
            }
        }
        return i;
    }

    /** The state after byte {@code b}, at {@code index} in the scanned buffer. */
    private State next(byte b, int index) {
        switch (state) {
            case SIZE_START:
                if (hex(b) < 0) {
                    return State.INVALID;
                }
                size = hex(b);
                sizeLineBytes = 1;
                sizeLineStart = index;
                digitsFrom = index;
                return State.SIZE;
            case SIZE:
                if (b != '\r' && ++sizeLineBytes > maxSizeLineBytes) {
                    return State.INVALID;
                }
                if (hex(b) >= 0) {
                    if (size == 0) {
                        // A leading zero: it counts toward the line, not the size.
                        digitsFrom = index;
                    }
                    size = size * 16 + hex(b);
                    return size > Integer.MAX_VALUE ? State.INVALID : State.SIZE;
                }
                digitsEnd = index;
                return afterSize(b);
            case SIZE_BLANK:
                if (++sizeLineBytes > maxSizeLineBytes) {
                    return State.INVALID;
                }
                return b == ' ' || b == '\t' ? State.SIZE_BLANK : b == ';' ? State.EXTENSION : State.INVALID;
            case EXTENSION:
                if (b == '\r') {
                    return State.SIZE_LF;
                }
                if (++sizeLineBytes > maxSizeLineBytes) {
                    return State.INVALID;
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
