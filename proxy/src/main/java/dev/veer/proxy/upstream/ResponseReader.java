package dev.veer.proxy.upstream;

import dev.veer.proxy.http.ChunkFraming;
import dev.veer.proxy.http.HeadEndFinder;
import dev.veer.proxy.http.ResponseHead;
import dev.veer.proxy.http.ResponseTrailers;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;

/**
 * Reads the responses of one upstream connection straight from its receive buffers: each head is parsed in place
 * ({@link ResponseHead}) and each body goes on as retained slices of the bytes that came in, framed as the upstream
 * framed them, so nothing is decoded and encoded again; only chunk-size lines lose their extensions and leading
 * zeros on the way ({@link ChunkSizeLineFilter}). Only an HTTP/1.0 client's chunked body is taken apart (into its
 * chunk data), as such a client cannot read chunks, and only a trailer section that has fields is held back until
 * it is whole, to be passed on without its hop-by-hop ones ({@link ResponseTrailers}).
 *
 * <p>A head split over several reads is gathered in a buffer of its own, as is a trailer section with fields;
 * everything else is sliced. Bytes after
 * the end of a response are never taken for the next one: the connection is then not {@link #clean()}, and its
 * owner closes it instead of pooling it. Event loop only.
 */
final class ResponseReader {

    private static final String MALFORMED_CHUNKS = "malformed chunked response body";

    private enum State { IDLE, HEAD, LENGTH, CHUNKED, TRAILERS, UNTIL_CLOSE, TUNNEL }

    /** Larger heads, or heads with more fields, are refused (as Envoy applies its header limits to responses). */
    private final int maxHeadBytes;
    private final ResponseHead head;
    private final ChunkFraming chunks;
    private final ChunkSizeLineFilter chunkSizeLines = new ChunkSizeLineFilter();
    private final ResponseTrailers trailers;
    private final HeadEndFinder headEnd = new HeadEndFinder();
    private State state = State.IDLE;
    private boolean requestWasHead;
    private boolean decodeChunks;
    private boolean upgradeAsked;
    private long remaining;
    private int interimHeads;
    private boolean clean = true;
    /** The start of a head that has not fully arrived yet, or null. */
    private ByteBuf partialHead;
    private UpstreamListener sinkListener;
    private final ChunkFraming.DataSink chunkData = this::onChunkData;

    /**
     * {@code maxSizeLineBytes}: the longest chunk-size line, extensions included, as for a request's (the request
     * line limit), so an upstream cannot make one endless.
     */
    ResponseReader(int maxHeadBytes, int maxHeaderCount, int maxSizeLineBytes) {
        this.maxHeadBytes = maxHeadBytes;
        this.head = new ResponseHead(maxHeaderCount);
        this.chunks = new ChunkFraming(maxSizeLineBytes);
        this.trailers = new ResponseTrailers(maxHeadBytes, maxHeaderCount);
    }

    /**
     * Expects the response to a request that was just sent. {@code upgrade}: the request asked to switch protocols,
     * so a 101 turns the connection into a tunnel whose bytes all go on as body parts until it closes.
     */
    void expect(boolean headRequest, boolean chunkDataOnly, boolean upgrade) {
        state = State.HEAD;
        requestWasHead = headRequest;
        decodeChunks = chunkDataOnly;
        upgradeAsked = upgrade;
        interimHeads = 0;
        headEnd.reset();
    }

    /** True while a response (or the rest of one) is awaited. */
    boolean expecting() {
        return state != State.IDLE;
    }

    /** True when part of a response head has arrived and the rest is awaited. */
    boolean headStarted() {
        return partialHead != null;
    }

    /** False once the connection carried something that rules out another exchange on it. */
    boolean clean() {
        return clean;
    }

    /**
     * Reads what {@code in} holds of the expected response, telling {@code listener}, and stops at the response's
     * end. Does not release {@code in}. Returns null, or why the response is malformed.
     */
    String read(ByteBuf in, UpstreamListener listener, ByteBufAllocator alloc) {
        if (state == State.HEAD) {
            return readHead(in, listener, alloc);
        }
        switch (state) {
            case LENGTH: {
                int n = (int) Math.min(remaining, in.readableBytes());
                ByteBuf part = in.readRetainedSlice(n);
                remaining -= n;
                boolean last = remaining == 0;
                if (last) {
                    finish(in);
                }
                listener.onResponseBody(part, last);
                return null;
            }
            case CHUNKED:
                return readChunks(in, listener, alloc);
            case TRAILERS:
                return readTrailers(in, in.readerIndex(), listener, alloc);
            case UNTIL_CLOSE:
            case TUNNEL:
                listener.onResponseBody(in.readRetainedSlice(in.readableBytes()), false);
                return null;
            default:
                return null;
        }
    }

    /** The upstream closed the connection: ends a body delimited by the close; true when that completed one. */
    boolean endOfInput(UpstreamListener listener) {
        releasePartialHead();
        clean = false;
        if ((state == State.UNTIL_CLOSE || state == State.TUNNEL) && listener != null) {
            state = State.IDLE;
            listener.onResponseBody(Unpooled.EMPTY_BUFFER, true);
            return true;
        }
        return false;
    }

    private void releasePartialHead() {
        if (partialHead != null) {
            partialHead.release();
            partialHead = null;
        }
    }

    /**
     * The buffer to read from next: {@code received} itself, or, when a head is still incomplete, the bytes gathered
     * so far with {@code received} added (which is then released). The caller releases what this returns.
     */
    ByteBuf withPending(ByteBuf received) {
        if (partialHead == null) {
            return received;
        }
        ByteBuf gathered = partialHead;
        partialHead = null;
        gathered.writeBytes(received);
        received.release();
        return gathered;
    }

    private String readHead(ByteBuf in, UpstreamListener listener, ByteBufAllocator alloc) {
        int scanned = headEnd.scanned();
        int end = in.forEachByte(in.readerIndex() + scanned, in.readableBytes() - scanned, headEnd);
        if (end < 0) {
            if (in.readableBytes() > maxHeadBytes) {
                return "response head larger than " + maxHeadBytes + " bytes";
            }
            // Rare (heads are small): keep what came so far and scan only the new bytes next time.
            headEnd.scannedAll(in.readableBytes());
            partialHead = alloc.buffer(Math.max(1024, 2 * in.readableBytes())).writeBytes(in);
            return null;
        }
        if (end + 1 - in.readerIndex() > maxHeadBytes) {
            return "response head larger than " + maxHeadBytes + " bytes";
        }
        if (!head.parse(in, in.readerIndex(), end + 1, requestWasHead)) {
            return head.error();
        }
        headEnd.reset();
        in.readerIndex(end + 1);
        if (head.interim()) {
            if (head.status() == 101 && upgradeAsked) {
                // The protocol switched: what follows, in this buffer too, is the tunnel's, and the connection is
                // never pooled again.
                state = State.TUNNEL;
                clean = false;
            }
            // Otherwise another head follows, perhaps in this same buffer.
            // Each read re-arms the response timer, so 1xx heads sent for ever would hold the request for ever.
            if (state == State.HEAD && ++interimHeads > ResponseHead.MAX_INTERIM_HEADS) {
                return ResponseHead.TOO_MANY_INTERIM_HEADS;
            }
            listener.onResponseHead(head);
            return null;
        }
        switch (head.framing()) {
            case LENGTH:
                remaining = head.contentLength();
                state = remaining == 0 ? State.IDLE : State.LENGTH;
                break;
            case CHUNKED:
                chunks.start();
                state = State.CHUNKED;
                break;
            case UNTIL_CLOSE:
                state = State.UNTIL_CLOSE;
                break;
            default:
                state = State.IDLE;
                break;
        }
        if (state == State.IDLE) {
            finish(in);
            listener.onResponseHead(head);
            listener.onResponseBody(Unpooled.EMPTY_BUFFER, true);
            return null;
        }
        if (!head.reusable()) {
            clean = false;
        }
        // Body bytes that came with the head are read by the caller's next call.
        listener.onResponseHead(head);
        return null;
    }

    private String readChunks(ByteBuf in, UpstreamListener listener, ByteBufAllocator alloc) {
        int from = in.readerIndex();
        int reached;
        if (decodeChunks) {
            sinkListener = listener;
            reached = chunks.scan(in, from, chunkData);
            sinkListener = null;
        } else {
            reached = chunkSizeLines.scan(chunks, in, from);
            if (reached >= 0 && chunks.atTrailerLineStart() && reached < in.writerIndex()) {
                if (in.getByte(reached) != '\r') {
                    state = State.TRAILERS;
                    trailers.start();
                    return readTrailers(in, reached, listener, alloc);
                }
                // No trailer fields, only the empty line that ends the body (the usual end): it goes on as it came.
                reached = chunks.scan(in, reached);
            }
        }
        if (reached < 0) {
            return MALFORMED_CHUNKS;
        }
        boolean last = chunks.finished();
        in.readerIndex(reached);
        if (last) {
            chunks.stop();
            finish(in);
        }
        if (!decodeChunks) {
            chunkSizeLines.pass(in, reached, listener, last, alloc);
        } else if (last) {
            listener.onResponseBody(Unpooled.EMPTY_BUFFER, true);
        }
        return null;
    }

    /**
     * Reads the trailer section from {@code sectionFrom} on; the chunk bytes before it in {@code in} go on first. The
     * section goes on once it is whole; nothing goes on when it is refused in the read that holds its start, so a
     * response whose head has not left yet can still be answered by the proxy.
     */
    private String readTrailers(ByteBuf in, int sectionFrom, UpstreamListener listener, ByteBufAllocator alloc) {
        int reached = chunks.scan(in, sectionFrom);
        if (reached < 0) {
            return MALFORMED_CHUNKS;
        }
        if (!trailers.add(in, sectionFrom, reached)) {
            return trailers.error();
        }
        boolean last = chunks.finished();
        ByteBuf section = last ? trailers.filtered(head, alloc) : null;
        if (last && section == null) {
            return trailers.error();
        }
        // Chunks before the section in this read, which readChunks scanned just before.
        boolean chunksFirst = sectionFrom > in.readerIndex();
        in.readerIndex(reached);
        if (last) {
            chunks.stop();
            finish(in);
        }
        if (chunksFirst) {
            chunkSizeLines.pass(in, sectionFrom, listener, false, alloc);
        }
        if (last) {
            listener.onResponseBody(section, true);
        }
        return null;
    }

    private void onChunkData(ByteBuf buffer, int index, int length) {
        if (length > 0) {
            sinkListener.onResponseBody(buffer.retainedSlice(index, length), false);
        }
    }

    /** The response ended; bytes after it in the same read mean the upstream sent more than it framed. */
    private void finish(ByteBuf in) {
        state = State.IDLE;
        if (in.isReadable() || !head.reusable()) {
            clean = false;
        }
    }
}
