package dev.veer.proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
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
            RecordingListener recorder = relay(response.substring(0, cut), response.substring(cut));
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
        RecordingListener recorder = relay(reads);
        assertThat(recorder.body()).isEqualTo(RELAYED);
        assertThat(recorder.ended).isTrue();
    }

    @Test
    void anEmptySectionGoesOnInTheSamePartAsTheChunksBeforeIt() {
        RecordingListener recorder = relay(HEAD + CHUNKS + "\r\n");
        assertThat(recorder.parts).containsExactly(CHUNKS + "\r\n");
        assertThat(recorder.ended).isTrue();
    }

    /** The head is still held then, so the exchange can answer 502 instead of cutting a started response. */
    @Test
    void aSectionRefusedInTheReadOfItsChunksLetsNoneOfThemGoOn() {
        ResponseReader reader = new ResponseReader(1024, 10, 64);
        RecordingListener recorder = new RecordingListener();
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

    private static RecordingListener relay(String... reads) {
        return RecordingListener.relay(new ResponseReader(1024, 10, 64), reads);
    }
}
