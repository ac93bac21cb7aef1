package dev.veer.proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Chunk-size lines cut at every byte, as reads may cut them: the client gets each line as its size alone (no
 * extensions, no leading zeros) however the lines arrive, and a line over the limit lets nothing of its read, or of
 * the reads it spans, go on. The reader is fed as its connection feeds it ({@link UpstreamConnection#channelRead}).
 */
class ResponseReaderChunkLinesTest {

    private static final int MAX_LINE = 64;
    private static final String HEAD = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    private static final String CHUNKS = "0005;a=1\r\nhello\r\n10 ;b=\"x;y\"\r\n0123456789abcdef\r\na\r\n0123456789\r\n"
            + "000;last\r\n";
    private static final String RELAYED_CHUNKS = "5\r\nhello\r\n10\r\n0123456789abcdef\r\na\r\n0123456789\r\n0\r\n";

    @Test
    void linesLoseTheirExtensionsAndLeadingZerosWhereverAReadEnds() {
        for (String end : List.of("\r\n", "X-Trailer: t\r\n\r\n")) {
            String response = HEAD + CHUNKS + end;
            for (int cut = 1; cut < response.length(); cut++) {
                RecordingListener recorder = relay(response.substring(0, cut), response.substring(cut));
                assertThat(recorder.body()).as("cut at " + cut).isEqualTo(RELAYED_CHUNKS + end);
                assertThat(recorder.ended).as("cut at " + cut).isTrue();
            }
        }
    }

    @Test
    void linesLoseTheirExtensionsAndLeadingZerosWhenEachByteIsARead() {
        String response = HEAD + CHUNKS + "\r\n";
        String[] reads = new String[response.length()];
        for (int i = 0; i < reads.length; i++) {
            reads[i] = response.substring(i, i + 1);
        }
        assertThat(relay(reads).body()).isEqualTo(RELAYED_CHUNKS + "\r\n");
    }

    @Test
    void aLineAsLongAsTheLimitPasses() {
        String line = "5;" + "e".repeat(MAX_LINE - 2);
        assertThat(relay(HEAD + line + "\r\nhello\r\n0\r\n\r\n").body()).isEqualTo("5\r\nhello\r\n0\r\n\r\n");
        assertThat(relay(HEAD + "0".repeat(MAX_LINE - 1) + "5\r\nhello\r\n0\r\n\r\n").body())
                .isEqualTo("5\r\nhello\r\n0\r\n\r\n");
    }

    /** The head is still held then, so the exchange can answer 502 instead of cutting a started response. */
    @Test
    void aLongerLineLetsNothingOfTheReadsItSpansGoOn() {
        String line = "5;" + "e".repeat(MAX_LINE - 1);
        for (int cut = HEAD.length() + 1; cut < HEAD.length() + line.length(); cut += 7) {
            String response = HEAD + line + "\r\nhello\r\n0\r\n\r\n";
            ResponseReader reader = new ResponseReader(1024, 10, MAX_LINE);
            RecordingListener recorder = new RecordingListener();
            reader.expect(false, false, false);
            String refusal = null;
            for (String read : List.of(response.substring(0, cut), response.substring(cut))) {
                ByteBuf in = reader.withPending(Unpooled.copiedBuffer(read, StandardCharsets.ISO_8859_1));
                try {
                    while (in.isReadable() && refusal == null) {
                        refusal = reader.read(in, recorder, ByteBufAllocator.DEFAULT);
                    }
                } finally {
                    in.release();
                }
            }
            assertThat(refusal).as("cut at " + cut).isEqualTo("malformed chunked response body");
            assertThat(recorder.parts).as("cut at " + cut).isEmpty();
            assertThat(recorder.ended).isFalse();
        }
    }

    private static RecordingListener relay(String... reads) {
        return RecordingListener.relay(new ResponseReader(1024, 10, MAX_LINE), reads);
    }
}
