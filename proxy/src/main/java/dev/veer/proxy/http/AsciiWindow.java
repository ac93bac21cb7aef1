package dev.veer.proxy.http;

import java.nio.charset.StandardCharsets;

/**
 * ASCII text at the start of a byte array that its owner rewrites in place, read as a CharSequence: a value built
 * for every request (the {@code x-veer-flags} field) without a new object per request. What it reads is valid only
 * until the owner's next rewrite; {@link #toString()} takes a copy that outlives it.
 */
public final class AsciiWindow implements CharSequence {

    private byte[] bytes = new byte[0];
    private int length;

    /** Reads the first {@code count} bytes of {@code text}, which the caller keeps and may rewrite. */
    public void show(byte[] text, int count) {
        bytes = text;
        length = count;
    }

    /** The bytes read; the text is the first {@link #length()}. For copying, not for changing. */
    byte[] array() {
        return bytes;
    }

    @Override
    public int length() {
        return length;
    }

    @Override
    public char charAt(int index) {
        if (index < 0 || index >= length) {
            throw new IndexOutOfBoundsException(index);
        }
        return (char) (bytes[index] & 0xFF);
    }

    @Override
    public CharSequence subSequence(int start, int end) {
        return toString().substring(start, end);
    }

    @Override
    public String toString() {
        return new String(bytes, 0, length, StandardCharsets.ISO_8859_1);
    }
}
