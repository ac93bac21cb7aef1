package dev.veer.proxy.http;

import io.netty.util.AsciiString;

/**
 * The syntax of a field line (RFC 9110 §5, RFC 9112 §5), read in place in a byte array: shared by a response's head
 * and its trailer section, which are held to the same rules. A name is a token directly followed by ':', a value has
 * no control characters but HTAB, and a line starting with a blank is an obsolete fold, refused.
 */
final class FieldSyntax {

    /** {@link #colon} found a line starting with a blank (obs-fold). */
    static final int FOLDED = -1;
    /** {@link #colon} found a character that is no token character before the ':'. */
    static final int BAD_NAME = -2;
    /** {@link #colon} found a control character in the value. */
    static final int CONTROL_IN_VALUE = -3;
    /** {@link #colon} found no ':', or nothing before it. */
    static final int NO_NAME = -4;

    private FieldSyntax() {
    }

    /**
     * Checks the field line {@code src[start, end)} (its line end excluded); returns the index of the ':' that ends
     * its name, or one of the negative codes above.
     */
    static int colon(byte[] src, int start, int end) {
        if (isBlank(src[start])) {
            return FOLDED;
        }
        int colon = -1;
        for (int i = start; i < end; i++) {
            byte b = src[i];
            if (colon < 0) {
                if (b == ':') {
                    colon = i;
                } else if (!ByteClasses.isTokenChar(b)) {
                    return BAD_NAME;
                }
            } else if (isControl(b)) {
                return CONTROL_IN_VALUE;
            }
        }
        return colon <= start ? NO_NAME : colon;
    }

    /** True when {@code src[start, end)} is {@code lowerCase}, ignoring ASCII case. */
    static boolean regionIs(byte[] src, int start, int end, AsciiString lowerCase) {
        int n = end - start;
        if (n != lowerCase.length()) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            if (toLower(src[start + i]) != lowerCase.byteAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** True when the {@code n} bytes at {@code a[aStart]} and at {@code b[bStart]} are equal, ignoring ASCII case. */
    static boolean equalsIgnoreCase(byte[] a, int aStart, byte[] b, int bStart, int n) {
        for (int i = 0; i < n; i++) {
            if (toLower(a[aStart + i]) != toLower(b[bStart + i])) {
                return false;
            }
        }
        return true;
    }

    static boolean isBlank(byte b) {
        return b == ' ' || b == '\t';
    }

    static boolean isControl(byte b) {
        return (b >= 0 && b < 0x20 && b != '\t') || b == 0x7f;
    }

    private static byte toLower(byte b) {
        return b >= 'A' && b <= 'Z' ? (byte) (b + 32) : b;
    }
}
