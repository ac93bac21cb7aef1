package dev.veer.proxy.accesslog;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** Writes an {@link AccessLogEntry} as one line of JSON, fields in a fixed order, absent values left out. */
final class AccessLogLine {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private AccessLogLine() {
    }

    static void append(StringBuilder out, AccessLogEntry e) {
        out.append("{\"at\":\"");
        TIME.formatTo(Instant.ofEpochMilli(e.endedAtMillis()), out);
        out.append('"');
        text(out, "client", e.client());
        text(out, "method", e.method());
        text(out, "target", asSent(e.target()));
        text(out, "host", asSent(e.host()));
        text(out, "protocol", e.protocol());
        out.append(",\"status\":").append(e.status());
        out.append(",\"durationMs\":");
        millis(out, e.durationMicros());
        text(out, "service", e.service());
        text(out, "version", e.version());
        text(out, "endpoint", e.endpoint() == null ? null : e.endpoint().toString());
        text(out, "choice", e.choice() == null ? null : e.choice().name().toLowerCase(Locale.ROOT));
        text(out, "flags", e.flags());
        out.append(",\"bodyBytes\":").append(e.bodyBytes());
        text(out, "upstreamFailure", e.failure() == null ? null : e.failure().label());
        if (e.retries() > 0) {
            out.append(",\"retries\":").append(e.retries());
        }
        if (e.replayed()) {
            out.append(",\"replayed\":true");
        }
        if (!e.completed()) {
            out.append(",\"completed\":false");
        }
        text(out, "userAgent", asSent(e.userAgent()));
        out.append("}\n");
    }

    /**
     * A request's text as the client's bytes meant it: the decoder reads each byte as one char (ISO-8859-1), so a
     * UTF-8 User-Agent would be written as mojibake. Bytes that are no UTF-8 become U+FFFD.
     */
    private static String asSent(String latin1) {
        if (latin1 == null) {
            return null;
        }
        for (int i = 0; i < latin1.length(); i++) {
            if (latin1.charAt(i) >= 0x80) {
                return latin1.chars().allMatch(c -> c <= 0xff)
                        ? new String(latin1.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8) : latin1;
            }
        }
        return latin1;
    }

    /** Milliseconds with microsecond precision: 12.345. */
    private static void millis(StringBuilder out, long micros) {
        out.append(micros / 1000).append('.');
        long fraction = micros % 1000;
        if (fraction < 100) {
            out.append('0');
        }
        if (fraction < 10) {
            out.append('0');
        }
        out.append(fraction);
    }

    private static void text(StringBuilder out, String name, String value) {
        if (value == null) {
            return;
        }
        out.append(",\"").append(name).append("\":\"");
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7f) {
                // Header values are checked for CR, LF and NUL on the way in, but a tab or other control may pass:
                // escaped, so a log line is always one line of valid JSON.
                out.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xf]);
            } else {
                out.append(c);
            }
        }
        out.append('"');
    }
}
