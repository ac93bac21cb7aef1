package dev.veer.admin.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veer.admin.internal.Text;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * One admin API call after routing and authentication.
 *
 * @param pathParams values of the {name} segments of the matched route
 * @param ifMatch    the raw If-Match header, or null
 * @param actor      who is calling, for the audit log
 */
public record ApiRequest(String method, String path, Map<String, String> pathParams,
                         Map<String, List<String>> query, String ifMatch, byte[] body, String actor,
                         ObjectMapper mapper) {

    public String param(String name) {
        return pathParams.get(name);
    }

    public String queryParam(String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /** The body as JSON; 400 when it is empty or does not parse. */
    public JsonNode json() {
        if (body.length == 0) {
            throw ApiException.badRequest("request body: empty (expected: a JSON document)", null);
        }
        try {
            JsonNode node = mapper.readTree(body);
            if (node == null || node.isMissingNode()) {
                throw ApiException.badRequest("request body: empty (expected: a JSON document)", null);
            }
            return node;
        } catch (IOException e) {
            throw ApiException.badRequest("request body: not JSON (" + Text.firstLine(e.getMessage()) + ")", null);
        }
    }

    /** The body as a JSON object; 400 otherwise. */
    public JsonNode jsonObject() {
        JsonNode node = json();
        if (!node.isObject()) {
            throw ApiException.badRequest("request body: " + node.getNodeType().name().toLowerCase()
                    + " (expected: a JSON object)", null);
        }
        return node;
    }

    /**
     * The revision named by If-Match ({@code 7}, {@code "7"} or {@code W/"7"}); empty when absent or {@code *}.
     * 400 when it names no revision.
     */
    public OptionalLong ifMatchRevision() {
        if (ifMatch == null || ifMatch.isBlank() || ifMatch.trim().equals("*")) {
            return OptionalLong.empty();
        }
        String s = ifMatch.trim();
        if (s.startsWith("W/")) {
            s = s.substring(2);
        }
        if (s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"")) {
            s = s.substring(1, s.length() - 1);
        }
        try {
            return OptionalLong.of(Long.parseLong(s));
        } catch (NumberFormatException e) {
            throw new ApiException(400, "If-Match: '" + ifMatch + "' (expected: a revision number)", null);
        }
    }

    /** 412 when If-Match names a revision other than {@code current}. */
    public void checkIfMatch(long current) {
        OptionalLong expected = ifMatchRevision();
        if (expected.isPresent() && expected.getAsLong() != current) {
            throw new ApiException(412, "revision is " + current + ", If-Match expected " + expected.getAsLong());
        }
    }
}
