package dev.veer.admin.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.veer.config.ConfigError;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the admin server writes back.
 *
 * @param revision revision of the returned resource, sent as ETag; negative for none
 * @param headers  further response headers (Allow, WWW-Authenticate), name to value
 */
public record ApiResponse(int status, byte[] body, String contentType, long revision, Map<String, String> headers) {

    public ApiResponse {
        headers = headers == null ? Map.of() : Map.copyOf(headers);
    }

    public ApiResponse(int status, byte[] body, String contentType, long revision) {
        this(status, body, contentType, revision, Map.of());
    }

    /** This response with one more header. */
    public ApiResponse withHeader(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name, value);
        return new ApiResponse(status, body, contentType, revision, more);
    }

    public static final String JSON = "application/json; charset=utf-8";
    public static final String TEXT = "text/plain; charset=utf-8";
    /** The Prometheus text exposition (0.0.4); the one type the admin listener gzips (MetricsGzip). */
    public static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    public static ApiResponse json(ObjectMapper mapper, int status, JsonNode body, long revision) {
        try {
            return new ApiResponse(status, mapper.writeValueAsBytes(body), JSON, revision);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render JSON", e);
        }
    }

    public static ApiResponse json(ObjectMapper mapper, int status, JsonNode body) {
        return json(mapper, status, body, -1);
    }

    public static ApiResponse text(int status, String body, String contentType) {
        return new ApiResponse(status, body.getBytes(StandardCharsets.UTF_8), contentType, -1);
    }

    public static ApiResponse noContent(long revision) {
        return new ApiResponse(204, new byte[0], null, revision);
    }

    public static ApiResponse error(ObjectMapper mapper, int status, String message, String path) {
        return error(mapper, status, message, path, List.of(), null);
    }

    /**
     * {@code {"error": "...", "path": "weights.green", "errors": [{"path","error"}...]}}: every error of the API is
     * rendered here. {@code path} is always present: the offending field of the request, or "" when the error is
     * not about one field (auth, not found, conflict, a stale If-Match, an unparseable body). {@code errors} only
     * when given; {@code file} when the errors are in a config file (a refused reload), as the command line names it.
     */
    public static ApiResponse error(ObjectMapper mapper, int status, String message, String path,
                                    List<ConfigError> errors, String file) {
        var node = mapper.createObjectNode();
        node.put("error", message);
        node.put("path", path == null ? "" : path);
        if (file != null) {
            node.put("file", file);
        }
        if (!errors.isEmpty()) {
            var list = node.putArray("errors");
            for (ConfigError e : errors) {
                list.addObject().put("path", e.path()).put("error", e.message());
            }
        }
        return json(mapper, status, node);
    }
}
