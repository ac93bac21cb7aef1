package dev.veer.proxy.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** Reading request heads on the plain-socket test backends, byte by byte, so nothing past the head is consumed. */
public final class RequestHeads {

    private RequestHeads() {
    }

    /** The next head, up to and including its empty line; null when the stream ends first. */
    public static String readOrNull(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int b;
        int matched = 0; // of CR LF CR LF
        while ((b = in.read()) != -1) {
            buf.write(b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
                    ? matched + 1 : (b == '\r' ? 1 : 0);
            if (matched == 4) {
                return buf.toString(StandardCharsets.ISO_8859_1);
            }
        }
        return null;
    }

    /** The next head; an IOException when the stream ends first. */
    public static String read(InputStream in) throws IOException {
        String head = readOrNull(in);
        if (head == null) {
            throw new IOException("closed before head");
        }
        return head;
    }
}
