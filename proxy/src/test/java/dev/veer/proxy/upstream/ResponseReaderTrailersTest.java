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
import org.junit.jupiter.api.Test;

/**
 * A response's trailer section cut at every byte, as reads may cut it: the client gets the same filtered bytes
 * however the section arrives, the usual empty section goes on with the chunks before it, and the connection stays
 * fit for the next exchange. The reader is fed as its connection feeds it ({@link UpstreamConnection#channelRead}).
 */
class ResponseReaderTrailersTest {

    private static final String HEAD = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: X-Hop\r\n\r\n";
    private static final String CHUNKS = "5\r\nhello\r\n0\r\n";
    private static final String SECTION = "X-Checksum: abc\r\nConnection: close\r\nx-hop: 1\r\nX-Count: 2\r\n\r\n";
    private static final String RELAYED = CHUNKS + "X-Checksum: abc\r\nX-Count: 2\r\n\r\n";

    @Test
    void theSectionIsFilteredWhereverAReadEnds() {
        String response = HEAD + CHUNKS + SECTION;
        for (int cut = 1; cut < response.length(); cut++) {
            Recorder recorder = relay(response.substring(0, cut), response.substring(cut));
            assertThat(recorder.body()).as("cut at " + cut).isEqualTo(RELAYED);
            assertThat(recorder.ended).as("cut at " + cut).isTrue();
        }
    }

    @Test
    void theSectionIsFilteredWhenEachByteIsARead() {
        String response = HEAD + CHUNKS + SECTION;
        String[] reads = new String[response.length()];
        for (int i = 0; i < reads.length; i++) {
            reads[i] = response.substring(i, i + 1);
        }
        Recorder recorder = relay(reads);
        assertThat(recorder.body()).isEqualTo(RELAYED);
        assertThat(recorder.ended).isTrue();
    }

    @Test
    void anEmptySectionGoesOnInTheSamePartAsTheChunksBeforeIt() {
        Recorder recorder = relay(HEAD + CHUNKS + "\r\n");
        assertThat(recorder.parts).containsExactly(CHUNKS + "\r\n");
        assertThat(recorder.ended).isTrue();
    }

    /** The head is still held then, so the exchange can answer 502 instead of cutting a started response. */
    @Test
    void aSectionRefusedInTheReadOfItsChunksLetsNoneOfThemGoOn() {
        ResponseReader reader = new ResponseReader(1024, 10);
        Recorder recorder = new Recorder();
        reader.expect(false, false, false);
        ByteBuf in = Unpooled.copiedBuffer(HEAD + CHUNKS + "Connection close\r\n\r\n", StandardCharsets.ISO_8859_1);
        try {
            assertThat(reader.read(in, recorder, ByteBufAllocator.DEFAULT)).as("the head").isNull();
            assertThat(reader.read(in, recorder, ByteBufAllocator.DEFAULT)).isEqualTo("malformed response trailer field");
        } finally {
            in.release();
        }
        assertThat(recorder.parts).isEmpty();
        assertThat(recorder.ended).isFalse();
    }

    private static Recorder relay(String... reads) {
        ResponseReader reader = new ResponseReader(1024, 10);
        Recorder recorder = new Recorder();
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

    /** Keeps the body parts an exchange would relay, as text, and releases them. */
    private static final class Recorder implements UpstreamListener {
        final List<String> parts = new ArrayList<>();
        boolean ended;

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
}
