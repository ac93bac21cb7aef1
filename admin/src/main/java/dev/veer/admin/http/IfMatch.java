package dev.veer.admin.http;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * An If-Match field (RFC 9110 section 13.1.1): {@code *}, or a list of entity tags naming revisions
 * ({@code "7"}, {@code W/"7"}; Veer also takes a bare {@code 7}, which {@code veer ctl} sends). It is compared
 * strongly: a weak tag never matches, since a weak validator does not promise the exact state a change replaces.
 *
 * @param any  {@code *}: any current revision matches
 * @param tags the tags listed, in order; empty for {@code *}
 */
record IfMatch(boolean any, List<Tag> tags) {

    /** One listed tag. */
    record Tag(long revision, boolean weak) {
        @Override
        public String toString() {
            return (weak ? "W/" : "") + "\"" + revision + "\"";
        }
    }

    IfMatch {
        tags = List.copyOf(tags);
    }

    /**
     * The condition {@code field} states; null when there is none; 400 when it names no revisions, an empty field
     * too: a script whose revision variable came out empty must not lose its precondition without a word.
     */
    static IfMatch parse(String field) {
        return parse(field, "If-Match");
    }

    /** {@link #parse(String)} for a field of the same syntax, If-None-Match, named {@code header} in the 400. */
    static IfMatch parse(String field, String header) {
        if (field == null) {
            return null;
        }
        if (field.trim().equals("*")) {
            return new IfMatch(true, List.of());
        }
        List<Tag> tags = new ArrayList<>();
        // Splitting on commas is safe: a tag that holds one is no revision number, and is refused below anyway.
        for (String element : field.split(",", -1)) {
            String tag = element.trim();
            if (tag.isEmpty()) {
                continue; // RFC 9110 section 5.6.1: empty list elements are ignored
            }
            boolean weak = tag.startsWith("W/");
            String opaque = weak ? tag.substring(2) : tag;
            boolean quoted = opaque.length() >= 2 && opaque.startsWith("\"") && opaque.endsWith("\"");
            if (quoted) {
                opaque = opaque.substring(1, opaque.length() - 1);
            }
            if ((weak && !quoted) || !isRevision(opaque)) {
                throw invalid(field, header);
            }
            tags.add(new Tag(Long.parseLong(opaque), weak));
        }
        if (tags.isEmpty()) {
            throw invalid(field, header);
        }
        return new IfMatch(false, tags);
    }

    /** The weak comparison If-None-Match makes (RFC 9110 section 13.1.2): {@code *}, or a tag naming the revision. */
    boolean matchesWeakly(long revision) {
        return any || tags.stream().anyMatch(t -> t.revision() == revision);
    }

    boolean matches(long revision) {
        return any || tags.stream().anyMatch(t -> !t.weak() && t.revision() == revision);
    }

    /** Why {@code current} fails this condition, for the 412. */
    String mismatch(long current) {
        if (tags.stream().allMatch(Tag::weak)) {
            return "revision is " + current + ", If-Match " + listed() + " is weak and never matches (If-Match "
                    + "compares strongly, RFC 9110 section 13.1.1; expected: \"" + current + "\")";
        }
        if (tags.size() == 1) {
            return "revision is " + current + ", If-Match expected " + tags.get(0).revision();
        }
        return "revision is " + current + ", If-Match expected one of " + listed();
    }

    private String listed() {
        return tags.stream().map(Tag::toString).collect(Collectors.joining(", "));
    }

    private static boolean isRevision(String text) {
        // Up to 18 digits: always a long, and far beyond any revision.
        return !text.isEmpty() && text.length() <= 18 && text.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    private static ApiException invalid(String field, String header) {
        return new ApiException(400, header + ": '" + field + "' (expected: * or revisions as in the ETag, e.g. "
                + "\"7\" or \"7\", \"8\")", null);
    }
}
