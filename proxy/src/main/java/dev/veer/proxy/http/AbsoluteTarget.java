package dev.veer.proxy.http;

/**
 * A request target in absolute form ({@code http://host:8080/path?q}, what a client sends through a forward proxy),
 * split into the authority a server takes as the Host (RFC 9112 §3.2.2) and the origin-form target it stands for.
 *
 * @param authority  {@code host[:port]}, never empty and without userinfo
 * @param originForm the path and query, {@code /} when the target has none
 */
public record AbsoluteTarget(String authority, String originForm) {

    /** The parts of {@code uri}; null when it is no http(s) absolute form, names no host or carries credentials. */
    public static AbsoluteTarget parse(String uri) {
        int authorityStart = uri.regionMatches(true, 0, "http://", 0, 7) ? 7
                : uri.regionMatches(true, 0, "https://", 0, 8) ? 8 : -1;
        if (authorityStart < 0) {
            return null;
        }
        int authorityEnd = authorityStart;
        while (authorityEnd < uri.length() && uri.charAt(authorityEnd) != '/' && uri.charAt(authorityEnd) != '?') {
            authorityEnd++;
        }
        String authority = uri.substring(authorityStart, authorityEnd);
        if (authority.isEmpty() || authority.indexOf('@') >= 0) {
            return null;
        }
        String rest = uri.substring(authorityEnd);
        return new AbsoluteTarget(authority, rest.isEmpty() || rest.charAt(0) == '?' ? "/" + rest : rest);
    }
}
