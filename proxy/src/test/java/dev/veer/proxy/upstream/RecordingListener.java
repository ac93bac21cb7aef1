package dev.veer.proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.veer.proxy.http.ResponseHead;
import dev.veer.proxy.stats.FailureReason;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Keeps the body parts an exchange would relay, as text, and releases them. */
final class RecordingListener implements UpstreamListener {

    final List<String> parts = new ArrayList<>();
    boolean ended;

    /**
     * Feeds {@code reads} to a reader that expects a response, as its connection would
     * ({@link UpstreamConnection#channelRead}), each read read to its end; the response must be well-formed, end
     * with the last read, and leave the connection fit for another exchange.
     */
    static RecordingListener relay(ResponseReader reader, String... reads) {
        RecordingListener recorder = new RecordingListener();
        reader.expect(false, false, false);
        for (String read : reads) {
            ByteBuf in = reader.withPending(Unpooled.copiedBuffer(read, StandardCharsets.ISO_8859_1));
            try {
                while (in.isReadable()) {
                    assertThat(reader.expecting()).as("bytes beyond the response").isTrue();
                    assertThat(reader.read(in, recorder, ByteBufAllocator.DEFAULT)).isNull();
                }
            } finally {
                in.release();
            }
        }
        assertThat(reader.clean()).as("fit for another exchange").isTrue();
        return recorder;
    }

    String body() {
        return String.join("", parts);
    }

    @Override
    public void onResponseHead(ResponseHead head) {
    }

    @Override
    public void onResponseBody(ByteBuf part, boolean last) {
        assertThat(ended).as("a part after the last").isFalse();
        if (part.isReadable()) {
            parts.add(part.toString(StandardCharsets.ISO_8859_1));
        }
        part.release();
        ended = last;
    }

    @Override
    public void onUpstreamReadComplete() {
    }

    @Override
    public void onUpstreamWritable() {
    }

    @Override
    public void onUpstreamFailure(FailureReason reason) {
    }
}
