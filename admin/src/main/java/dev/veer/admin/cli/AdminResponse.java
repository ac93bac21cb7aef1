package dev.veer.admin.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;

/** A successful admin API answer: the raw body (printed as-is by {@code --json}) and its parsed form. */
record AdminResponse(int status, String body) {

    /**
     * The body, which must hold {@code field}: another HTTP service that answers 200 to anything must not pass for
     * a Veer with nothing in it ("no services", exit 0).
     */
    JsonNode jsonWith(String field) throws RefusedException {
        JsonNode json = json();
        if (!json.has(field)) {
            throw new RefusedException("the answer holds no \"" + field + "\" (" + Json.excerpt(body)
                    + "): is the admin URL Veer's admin API?");
        }
        return json;
    }

    /** The body as JSON; a missing node for an empty body (204) so renderers can read it uniformly. */
    JsonNode json() throws RefusedException {
        if (body.isBlank()) {
            return MissingNode.getInstance();
        }
        try {
            return Json.MAPPER.readTree(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new RefusedException("the admin API answered HTTP " + status + " with a body that is not JSON: "
                    + Json.excerpt(body));
        }
    }
}
