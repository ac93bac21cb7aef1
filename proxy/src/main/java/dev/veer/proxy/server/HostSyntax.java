package dev.veer.proxy.server;

/**
 * Whether a Host field value is what RFC 9110 §7.2 allows: {@code uri-host [ ":" port ]}, the host a registered
 * name, an IPv4 address or a bracketed IPv6 literal. A Host that is none of these (a space, userinfo, a path, a
 * list, an unclosed bracket, a port that is no number) is refused with 400 (RFC 9112 §3.2), so Veer and the
 * backend, which gets the field as it came, cannot read two different virtual hosts into it.
 */
final class HostSyntax {

    private static final int MAX_PORT = 65535;

    private HostSyntax() {
    }

    static boolean valid(CharSequence host) {
        int length = host.length();
        int i = 0;
        if (length > 0 && host.charAt(0) == '[') {
            i = 1;
            while (i < length && host.charAt(i) != ']') {
                if (!isLiteralChar(host.charAt(i))) {
                    return false;
                }
                i++;
            }
            if (i == length || i == 1) {
                return false; // unclosed, or empty brackets
            }
            i++;
        } else {
            while (i < length && host.charAt(i) != ':') {
                char c = host.charAt(i);
                if (c == '%') {
                    if (i + 2 >= length || !isHex(host.charAt(i + 1)) || !isHex(host.charAt(i + 2))) {
                        return false;
                    }
                    i += 3;
                    continue;
                }
                if (!isNameChar(c)) {
                    return false;
                }
                i++;
            }
        }
        if (i == length) {
            return true;
        }
        if (host.charAt(i) != ':') {
            return false;
        }
        int port = 0;
        for (i++; i < length; i++) {
            char c = host.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
            port = port * 10 + (c - '0');
            if (port > MAX_PORT) {
                return false;
            }
        }
        return true; // an empty port is allowed (RFC 3986 §3.2.3)
    }

    /** RFC 3986 reg-name: unreserved and sub-delims, less the comma, which only a list of hosts would hold. */
    private static boolean isNameChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
                || c == '_' || c == '~' || c == '!' || c == '$' || c == '&' || c == '\'' || c == '(' || c == ')'
                || c == '*' || c == '+' || c == ';' || c == '=';
    }

    /** Inside brackets: an IPv6 address (hex, colons, an embedded IPv4, a %25 zone id) or an IPvFuture literal. */
    private static boolean isLiteralChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ':' || c == '.'
                || c == '%' || c == '-' || c == '_' || c == '~';
    }

    private static boolean isHex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }
}
