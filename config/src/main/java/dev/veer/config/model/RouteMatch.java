package dev.veer.config.model;

/** The condition of a route rule. Routes are tried in order, before weights. */
public sealed interface RouteMatch {

    /**
     * A request header equals {@code value} (case-sensitive; in any of its fields, each compared whole), or is
     * present at all when value is null.
     */
    record Header(String name, String value) implements RouteMatch {
        public Header {
            name = name.toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** A cookie equals {@code value}, or is present when value is null. */
    record Cookie(String name, String value) implements RouteMatch {
    }

    /** A feature flag evaluated on for this request; with a variant, that variant was chosen. */
    record Flag(String name, String variant) implements RouteMatch {
    }
}
