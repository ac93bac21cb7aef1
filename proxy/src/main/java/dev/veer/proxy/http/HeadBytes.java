package dev.veer.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.AsciiString;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.Arrays;

/**
 * A message head assembled in a plain array, then copied into a buffer in one piece. Writing a head straight into
 * a pooled direct buffer, piece by piece, costs a bounds check and a liveness check (a volatile read) per piece,
 * and a head has fifty pieces: that was most of the time the head rewrite took. One per event loop thread
 * ({@link #forThisThread}); reset by {@link #start} for each head.
 */
public final class HeadBytes {

    private static final FastThreadLocal<HeadBytes> PER_THREAD = new FastThreadLocal<>() {
        @Override
        protected HeadBytes initialValue() {
            return new HeadBytes();
        }
    };

    private byte[] bytes = new byte[2048];
    private int length;

    private static final byte[] COLON = ascii(": ");

    private HeadBytes() {
    }

    /** The bytes of a constant piece of a head. */
    public static byte[] ascii(String text) {
        return text.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    /** This thread's instance, emptied. */
    public static HeadBytes start() {
        HeadBytes head = PER_THREAD.get();
        head.length = 0;
        return head;
    }

    public HeadBytes write(byte[] source) {
        return write(source, 0, source.length);
    }

    public HeadBytes write(byte[] source, int offset, int count) {
        ensure(count);
        System.arraycopy(source, offset, bytes, length, count);
        length += count;
        return this;
    }

    public HeadBytes writeByte(int b) {
        ensure(1);
        bytes[length++] = (byte) b;
        return this;
    }

    /** Writes {@code text} one byte a char: the low byte, which for decoded header text is the byte received. */
    @SuppressWarnings("deprecation") // String.getBytes(int, int, byte[], int) is exactly "the low byte of each char"
    public HeadBytes writeText(CharSequence text) {
        int count = text.length();
        ensure(count);
        if (text instanceof String) {
            ((String) text).getBytes(0, count, bytes, length);
        } else if (text instanceof AsciiString) {
            AsciiString ascii = (AsciiString) text;
            System.arraycopy(ascii.array(), ascii.arrayOffset(), bytes, length, count);
        } else if (text instanceof AsciiWindow) {
            System.arraycopy(((AsciiWindow) text).array(), 0, bytes, length, count);
        } else {
            for (int i = 0; i < count; i++) {
                bytes[length + i] = (byte) text.charAt(i);
            }
        }
        length += count;
        return this;
    }

    /** A header line: {@code name: value} and CRLF. */
    public HeadBytes writeField(CharSequence name, CharSequence value) {
        return writeFieldName(name).writeText(value).crlf();
    }

    /** The start of a header line, {@code name: }, for a value written piece by piece. */
    public HeadBytes writeFieldName(CharSequence name) {
        return writeText(name).write(COLON);
    }

    public HeadBytes crlf() {
        ensure(2);
        bytes[length++] = '\r';
        bytes[length++] = '\n';
        return this;
    }

    /** A new buffer holding the head, with {@code extraCapacity} bytes of room after it. */
    public ByteBuf toBuffer(ByteBufAllocator alloc, int extraCapacity) {
        return alloc.buffer(length + extraCapacity).writeBytes(bytes, 0, length);
    }

    private void ensure(int more) {
        if (length + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(length + more, 2 * bytes.length));
        }
    }
}
