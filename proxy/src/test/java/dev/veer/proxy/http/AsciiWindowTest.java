package dev.veer.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** A window reads what its owner wrote last; a head written from it carries exactly those bytes. */
class AsciiWindowTest {

    @Test
    void readsTheFirstBytesOfItsArrayAsTheyAreNow() {
        byte[] scratch = "a=on,b=offXYZ".getBytes(StandardCharsets.US_ASCII);
        AsciiWindow window = new AsciiWindow();
        window.show(scratch, 10);
        assertThat(window.toString()).isEqualTo("a=on,b=off");
        assertThat(window.charAt(9)).isEqualTo('f');
        assertThat(window.subSequence(5, 10).toString()).isEqualTo("b=off");
        assertThatThrownBy(() -> window.charAt(10)).isInstanceOf(IndexOutOfBoundsException.class);

        scratch[2] = 'X';
        assertThat(window.toString()).isEqualTo("a=Xn,b=off");
    }

    @Test
    void aHeadTakesTheWindowsBytesOnly() {
        byte[] scratch = "a=on,b=offXYZ".getBytes(StandardCharsets.US_ASCII);
        AsciiWindow window = new AsciiWindow();
        window.show(scratch, 10);
        ByteBuf head = HeadBytes.start().writeField("x-veer-flags", window).toBuffer(UnpooledByteBufAllocator.DEFAULT, 0);
        try {
            assertThat(head.toString(StandardCharsets.US_ASCII)).isEqualTo("x-veer-flags: a=on,b=off\r\n");
        } finally {
            head.release();
        }
    }
}
