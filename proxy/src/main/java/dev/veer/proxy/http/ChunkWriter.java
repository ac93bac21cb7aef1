package dev.veer.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelOutboundInvoker;

/**
 * Chunked framing (RFC 9112 §7.1) that Veer writes itself, on either side: a request body the decoder took apart,
 * and a response body the upstream delimited by closing, both sent on as chunks.
 */
public final class ChunkWriter {

    /** The header line that announces a chunked body. */
    public static final byte[] TRANSFER_ENCODING_CHUNKED = HeadBytes.ascii("transfer-encoding: chunked\r\n");
    private static final byte[] CRLF = HeadBytes.ascii("\r\n");
    /** The last chunk's size line; trailers and an empty line follow. */
    public static final byte[] LAST_CHUNK = HeadBytes.ascii("0\r\n");

    private ChunkWriter() {
    }

    /** Writes {@code data} as one chunk, or nothing when it is empty. Takes over {@code data}; not flushed. */
    public static void chunk(ChannelOutboundInvoker out, ByteBufAllocator alloc, ByteBuf data) {
        if (!data.isReadable()) {
            data.release();
            return;
        }
        out.write(HeadBytes.start().writeText(Integer.toHexString(data.readableBytes())).crlf().toBuffer(alloc, 0),
                out.voidPromise());
        out.write(data, out.voidPromise());
        out.write(Unpooled.wrappedBuffer(CRLF), out.voidPromise());
    }

    /** The last chunk and the empty line that ends the body. */
    public static ByteBuf end(ByteBufAllocator alloc) {
        return HeadBytes.start().write(LAST_CHUNK).crlf().toBuffer(alloc, 0);
    }
}
