package dev.veer.proxy.http;

import io.netty.util.ByteProcessor;

/**
 * Finds the empty line that ends a response head (CRLF CRLF, or bare LFs), across reads: {@code forEachByte} stops
 * at its LF. Shared by the proxy's response reader and the health check, so both take the same bytes for a head.
 */
public final class HeadEndFinder implements ByteProcessor {
    /** 0: inside a line; 1: at a line start; 2: at a line start after CR. */
    private int position;
    private int scanned;

    public void reset() {
        position = 0;
        scanned = 0;
    }

    /** How many bytes of the head were scanned already (by reads before this one). */
    public int scanned() {
        return scanned;
    }

    public void scannedAll(int readable) {
        scanned = readable;
    }

    @Override
    public boolean process(byte b) {
        if (b == '\n') {
            if (position != 0) {
                return false;
            }
            position = 1;
        } else {
            position = b == '\r' && position == 1 ? 2 : 0;
        }
        return true;
    }
}
