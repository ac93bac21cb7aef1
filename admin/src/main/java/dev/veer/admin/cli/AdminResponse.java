package dev.veer.admin.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;

/** A successful admin API answer: the raw body (printed as-is by {@code --json}) and its parsed form. */
record AdminResponse(int status, String body) {

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
