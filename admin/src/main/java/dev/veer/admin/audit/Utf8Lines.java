package dev.veer.admin.audit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A file's lines, split on {@code '\n'} as bytes and decoded one by one: a byte that is not UTF-8 spoils its own
 * line only, where a decoding reader would give up on the whole file.
 */
final class Utf8Lines {

    interface Handler {
        void line(int number, String text);

        void undecodable(int number);
    }

    private Utf8Lines() {
    }

    /** Every line, numbered from 1; a last line without its newline is passed too. */
    static void forEach(Path file, Handler handler) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[64 * 1024];
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int number = 0;
            int read;
            while ((read = in.read(buf)) > 0) {
                int start = 0;
                for (int i = 0; i < read; i++) {
                    if (buf[i] == '\n') {
                        line.write(buf, start, i - start);
                        pass(++number, line.toByteArray(), handler);
                        line.reset();
                        start = i + 1;
                    }
                }
                line.write(buf, start, read - start);
            }
            if (line.size() > 0) {
                pass(++number, line.toByteArray(), handler);
            }
        }
    }

    private static void pass(int number, byte[] bytes, Handler handler) {
        try {
            handler.line(number, decode(bytes));
        } catch (CharacterCodingException e) {
            handler.undecodable(number);
        }
    }

    /** Strict UTF-8: malformed or unmappable bytes throw instead of turning into U+FFFD. */
    static String decode(byte[] bytes) throws CharacterCodingException {
        return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
    }
}
