package dev.veer.admin.http;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.veer.admin.internal.JsonProblem;
import dev.veer.admin.internal.Text;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One admin API call after routing and authentication.
 *
 * @param pathParams values of the {name} segments of the matched route
 * @param ifMatch    the If-Match header (its lines joined by commas), or null
 * @param ifNoneMatch the If-None-Match header (its lines joined by commas), or null
 * @param reasonHeader the X-Veer-Reason header (UTF-8 decoded), or null: why the change is made, for the audit log
 * @param actor      who is calling, for the audit log
 */
public record ApiRequest(String method, String path, Map<String, String> pathParams,
                         Map<String, List<String>> query, String ifMatch, String ifNoneMatch, String reasonHeader,
                         byte[] body,
                         String actor, ObjectMapper mapper) {

    /** The body field that says why a change is made; every mutating call's body may carry it. */
    public static final String REASON = "reason";
    /** A reason is a sentence for the audit log, not a document. */
    static final int MAX_REASON_LENGTH = 1000;

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
        } catch (JsonProcessingException e) {
            // The parser's own words and where, without Jackson's note on how to configure it.
            JsonLocation at = e.getLocation();
            throw ApiException.badRequest("request body: not JSON (" + JsonProblem.of(e)
                    + (at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr()) + ")", null);
        } catch (IOException e) {
            throw ApiException.badRequest("request body: not JSON (" + Text.firstLine(e.getMessage()) + ")", null);
        }
    }

    /** The body as a JSON object; 400 otherwise. Its fields are for the caller's parser to check. */
    public JsonNode jsonObject() {
        JsonNode node = json();
        if (!node.isObject()) {
            throw ApiException.badRequest("request body: " + node.getNodeType().name().toLowerCase()
                    + " (expected: a JSON object)", null);
        }
        return node;
    }

    /**
     * The body as a JSON object with no fields but {@code fields} and {@link #REASON}; 400 naming the first other
     * one, so a misspelt field is an error rather than silently ignored.
     */
    public JsonNode jsonObjectOf(String... fields) {
        JsonNode node = jsonObject();
        List<String> allowed = new ArrayList<>(List.of(fields));
        allowed.add(REASON);
        node.fieldNames().forEachRemaining(name -> {
            if (!allowed.contains(name)) {
                throw ApiException.badRequest("unknown key (expected one of: " + String.join(", ", allowed) + ")",
                        name);
            }
        });
        return node;
    }

    /** {@link #jsonObjectOf} for a body that may be left out entirely: null then. */
    public JsonNode optionalJsonObjectOf(String... fields) {
        return body.length == 0 ? null : jsonObjectOf(fields);
    }

    /**
     * Why the change is made, for the audit log: the body's {@code "reason"} ({@code body} may be null), else the
     * X-Veer-Reason header (for calls without a body, such as DELETE), else null. 400 when the field is no string.
     */
    public String reason(JsonNode body) {
        JsonNode field = body == null ? null : body.get(REASON);
        if (field != null && !field.isNull()) {
            if (!field.isTextual()) {
                throw ApiException.badRequest(field + " (expected: a string)", REASON);
            }
            return field.asText().isBlank() ? null : checkedReason(field.asText());
        }
        return reasonHeader == null || reasonHeader.isBlank() ? null : checkedReason(reasonHeader.trim());
    }

    private static String checkedReason(String reason) {
        if (reason.length() > MAX_REASON_LENGTH) {
            throw ApiException.badRequest(reason.length() + " characters (expected: at most " + MAX_REASON_LENGTH
                    + ")", REASON);
        }
        return reason;
    }

    /** {@code body} without its {@code "reason"}, for parsers that know only the resource's own fields. */
    public static JsonNode withoutReason(JsonNode body) {
        if (!body.has(REASON)) {
            return body;
        }
        ObjectNode copy = body.deepCopy();
        copy.remove(REASON);
        return copy;
    }


    /** True when the request states an If-Match condition, "*" included. */
    public boolean hasIfMatch() {
        return IfMatch.parse(ifMatch) != null;
    }

    /**
     * For a call that creates or replaces a resource: 412 when If-None-Match is {@code *} and the resource exists
     * (create only), or names its current revision (RFC 9110 section 13.1.2); 400 when it is malformed.
     *
     * @param current the resource's revision, ignored when it does not exist
     */
    public void checkIfNoneMatch(boolean exists, long current, String what) {
        IfMatch condition = IfMatch.parse(ifNoneMatch, "If-None-Match");
        if (condition != null && exists && condition.matchesWeakly(current)) {
            throw new ApiException(412, what + " exists (revision " + current + "), If-None-Match: "
                    + ifNoneMatch.trim() + " allows only " + (condition.any() ? "creating it" : "another revision"));
        }
    }

    /** 412 when If-Match does not strongly match {@code current}: another revision, or only weak tags. */
    public void checkIfMatch(long current) {
        IfMatch condition = IfMatch.parse(ifMatch);
        if (condition != null && !condition.matches(current)) {
            throw new ApiException(412, condition.mismatch(current));
        }
    }
}
