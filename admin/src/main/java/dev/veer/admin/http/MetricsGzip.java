package dev.veer.admin.http;

import io.netty.handler.codec.http.HttpHeaderNames;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * Gzips the Prometheus exposition for a scraper that asks for it, as Prometheus always does
 * ({@code Accept-Encoding: gzip}) and as its client libraries and node_exporter answer: the text is mostly repeated
 * label sets, ~25 KB for two services that gzip to ~3 KB, and it grows by ~3 KB with every version. Nothing else is
 * compressed: the JSON answers are small and carry the revision as a strong ETag, which names one representation
 * (RFC 9110 §8.8.3). Done on the answer, not by a pipeline handler: Netty's encoder pairs answers with request heads,
 * and the 408 of a head that never completed has none.
 */
final class MetricsGzip {

    private MetricsGzip() {
    }

    /** Whether the Accept-Encoding fields allow gzip (RFC 9110 §12.5.3): named, or {@code *}, with a q above 0. */
    static boolean accepted(List<String> acceptEncoding) {
        Boolean gzip = null;
        boolean any = false;
        for (String field : acceptEncoding) {
            for (String member : field.split(",")) {
                String[] parts = member.split(";");
                String coding = parts[0].trim().toLowerCase(Locale.ROOT);
                boolean allowed = qAboveZero(parts);
                if (coding.equals("gzip") || coding.equals("x-gzip")) {
                    gzip = allowed;
                } else if (coding.equals("*")) {
                    any = allowed;
                }
            }
        }
        return gzip != null ? gzip : any;
    }

    private static boolean qAboveZero(String[] parts) {
        for (int i = 1; i < parts.length; i++) {
            String param = parts[i].trim().toLowerCase(Locale.ROOT);
            if (param.startsWith("q=")) {
                try {
                    return Double.parseDouble(param.substring(2).trim()) > 0;
                } catch (NumberFormatException e) {
                    return false;
                }
            }
        }
        return true;
    }

    /** The exposition gzipped, with {@code Content-Encoding: gzip}; any other answer as it is. */
    static ApiResponse encode(ApiResponse response) {
        if (response.status() != 200 || !ApiResponse.PROMETHEUS_TEXT.equals(response.contentType())) {
            return response;
        }
        ByteArrayOutputStream packed = new ByteArrayOutputStream(response.body().length / 4 + 64);
        try (GZIPOutputStream gzip = new GZIPOutputStream(packed)) {
            gzip.write(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e); // in memory: not expected
        }
        Map<String, String> headers = new LinkedHashMap<>(response.headers());
        headers.put(HttpHeaderNames.CONTENT_ENCODING.toString(), "gzip");
        return new ApiResponse(200, packed.toByteArray(), response.contentType(), response.revision(), headers);
    }
}
