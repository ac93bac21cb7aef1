package dev.veer.proxy.http;

/**
 * The request line's syntax (RFC 9112 §3), checked a byte at a time as a head arrives: a token for the method, one
 * SP, a target of the bytes a URI may hold, one SP, the version, CRLF. Netty's decoder splits the line at any run of
 * blanks and skips any whitespace or control bytes before it; a server behind Veer that reads such a line another
 * way (HAProxy refuses it) must not see Veer relay it. Empty lines before the request line are skipped (RFC 9112
 * §2.2). The version is only held to the bytes a target may hold here: the decoder reads what it says.
 *
 * <p>One per connection, {@link #reset} for each head: it holds where in the line it is, nothing per request.
 */
public final class RequestLineSyntax {

    private static final String MALFORMED_LINE = "malformed request line";
    private static final String MALFORMED_TARGET = "malformed request target";

    private static final int LINE_START = 0;
    /** A CR before the request line, which only a LF may follow (an empty line). */
    private static final int EMPTY_LINE_CR = 1;
    private static final int METHOD = 2;
    private static final int TARGET_START = 3;
    private static final int TARGET = 4;
    private static final int VERSION_START = 5;
    private static final int VERSION = 6;
    private static final int LINE_END_CR = 7;
    private static final int ENDED = 8;
    /** In the target's query, after its first '?'. */
    private static final int QUERY = 9;
    private static final int BAD_LINE = -1;
    /** A byte no target may hold, other than a blank (an extra separator is the line's fault). */
    private static final int BAD_TARGET = -2;

    private int state = LINE_START;

    /** Starts on the next head. */
    public void reset() {
        state = LINE_START;
    }

    /** True once the line's LF was accepted: the bytes after it are header lines. */
    public boolean ended() {
        return state == ENDED;
    }

    /** Takes the next byte of the line; false when the line is malformed, {@link #error()} then says which part. */
    public boolean accept(byte b) {
        state = next(b);
        return state >= 0;
    }

    /** Why the line was refused, once {@link #accept} returned false. */
    public String error() {
        return state == BAD_TARGET ? MALFORMED_TARGET : MALFORMED_LINE;
    }

    private int next(byte b) {
        switch (state) {
            case LINE_START:
                return b == '\r' ? EMPTY_LINE_CR : b == '\n' ? LINE_START : method(b);
            case EMPTY_LINE_CR:
                return b == '\n' ? LINE_START : BAD_LINE;
            case METHOD:
                return b == ' ' ? TARGET_START : method(b);
            case TARGET_START:
                return target(b);
            case TARGET:
                return b == ' ' ? VERSION_START : b == '?' ? QUERY : target(b);
            case QUERY:
                return b == ' ' ? VERSION_START : ByteClasses.isQueryChar(b) ? QUERY
                        : FieldSyntax.isBlank(b) ? BAD_LINE : BAD_TARGET;
            case VERSION_START:
                return ByteClasses.isTargetChar(b) ? VERSION : BAD_LINE;
            case VERSION:
                return b == '\r' ? LINE_END_CR : ByteClasses.isTargetChar(b) ? VERSION : BAD_LINE;
            case LINE_END_CR:
                return b == '\n' ? ENDED : BAD_LINE;
            default:
                throw new IllegalStateException("no byte is read after the request line, nor after a refusal");
        }
    }

    private static int method(byte b) {
        return ByteClasses.isTokenChar(b) ? METHOD : BAD_LINE;
    }

    private static int target(byte b) {
        return ByteClasses.isTargetChar(b) ? TARGET : FieldSyntax.isBlank(b) ? BAD_LINE : BAD_TARGET;
    }
}
