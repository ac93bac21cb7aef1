package dev.veer.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelOutboundInvoker;

/**
 * Chunked framing (RFC 9112 §7.1) that Veer writes itself, on either side: a request body the decoder took apart,
 * and a response body the upstream delimited by closing, both sent on as chunks; and the size line of an upstream's
 * chunk that reads cut apart.
 */
public final class ChunkWriter {

    /** The header line that announces a chunked body. */
    public static final byte[] TRANSFER_ENCODING_CHUNKED = HeadBytes.ascii("transfer-encoding: chunked\r\n");
    private static final byte[] CRLF = HeadBytes.ascii("\r\n");
    /** The last chunk's size line; trailers and an empty line follow. */
    public static final byte[] LAST_CHUNK = HeadBytes.ascii("0\r\n");
    private static final byte[] HEX_DIGITS = HeadBytes.ascii("0123456789abcdef");

    private ChunkWriter() {
    }

    /** Writes {@code data} as one chunk, or nothing when it is empty. Takes over {@code data}; not flushed. */
    public static void chunk(ChannelOutboundInvoker out, ByteBufAllocator alloc, ByteBuf data) {
        if (!data.isReadable()) {
            data.release();
            return;
        }
        out.write(sizeLine(alloc, data.readableBytes()), out.voidPromise());
        out.write(data, out.voidPromise());
        out.write(Unpooled.wrappedBuffer(CRLF), out.voidPromise());
    }

    /** The size line of a chunk of {@code size} bytes: the size in hex, without leading zeros, and CRLF. */
    public static ByteBuf sizeLine(ByteBufAllocator alloc, int size) {
        ByteBuf line = alloc.buffer(10);
        // The highest nibble that is not zero (the lowest one for a size 0), down to the lowest.
        for (int shift = (31 - Integer.numberOfLeadingZeros(size | 1)) & ~3; shift >= 0; shift -= 4) {
            line.writeByte(HEX_DIGITS[(size >>> shift) & 0xf]);
        }
        return line.writeBytes(CRLF);
    }

    /** The last chunk and the empty line that ends the body. */
    public static ByteBuf end(ByteBufAllocator alloc) {
        return HeadBytes.start().write(LAST_CHUNK).crlf().toBuffer(alloc, 0);
    }
}
