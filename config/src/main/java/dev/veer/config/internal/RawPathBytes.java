package dev.veer.config.internal;

import java.nio.charset.StandardCharsets;

/**
 * The bytes a request's path holds only percent-encoded: space, controls, non-ASCII, '"', '<', '>', '\\' and '#'.
 * The proxy refuses a request with one raw, and in a request Veer sends one breaks the request line (a space, CR or
 * LF) or is sent as another character.
 */
final class RawPathBytes {

    private RawPathBytes() {
    }

    /** {@code path} with each such byte of its UTF-8 form percent-encoded; {@code path} itself when it has none. */
    static String encoded(String path) {
        StringBuilder encoded = new StringBuilder(path.length());
        for (byte b : path.getBytes(StandardCharsets.UTF_8)) {
            if (b <= ' ' || b >= 0x7f || "\"<>\\#".indexOf(b) >= 0) {
                encoded.append(String.format("%%%02X", b & 0xff));
            } else {
                encoded.append((char) b);
            }
        }
        return encoded.toString();
    }
}
