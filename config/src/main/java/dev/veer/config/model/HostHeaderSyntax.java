package dev.veer.config.model;

/**
 * Whether a Host field value is what RFC 9110 §7.2 allows: {@code uri-host [ ":" port ]}, the host a registered
 * name, an IPv4 address or a bracketed IPv6 literal. A Host that is none of these (a space, userinfo, a path, a
 * list, an unclosed bracket, a port that is no number) is refused with 400 (RFC 9112 §3.2), so Veer and the
 * backend, which gets the field as it came, cannot read two different virtual hosts into it. The config's
 * {@code match.hosts} are held to the same rules, so no service names a host that no request could reach.
 * Allocation-free: the proxy checks every request's Host with it.
 */
public final class HostHeaderSyntax {

    private static final int MAX_PORT = 65535;

    private HostHeaderSyntax() {
    }

    public static boolean valid(CharSequence host) {
        int length = host.length();
        int i = 0;
        if (length > 0 && host.charAt(0) == '[') {
            i = 1;
            while (i < length && host.charAt(i) != ']') {
                i++;
            }
            if (i == length || !isIpv6(host, 1, i)) {
                return false; // unclosed, or no IPv6 address inside
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

    /**
     * An IPv6 address in {@code s[from, to)}: eight hex groups of up to 4 digits, or fewer around one {@code ::},
     * the last two possibly an IPv4 address, then an optional {@code %25} zone id (RFC 6874).
     */
    public static boolean isIpv6(CharSequence s, int from, int to) {
        int end = from;
        while (end < to && s.charAt(end) != '%') {
            end++;
        }
        for (int z = end + 1; z < to; z++) {
            char c = s.charAt(z);
            if (!(isHex(c) || (c >= 'g' && c <= 'z') || (c >= 'G' && c <= 'Z') || c == '-' || c == '.' || c == '_'
                    || c == '~' || c == '%')) {
                return false;
            }
        }
        if (end < to && end + 1 == to) {
            return false; // a % with no zone after it
        }
        int groups = 0;
        boolean compressed = false;
        int i = from;
        if (end - from >= 2 && s.charAt(from) == ':' && s.charAt(from + 1) == ':') {
            compressed = true;
            i = from + 2;
        } else if (i < end && s.charAt(i) == ':') {
            return false;
        }
        while (i < end) {
            int start = i;
            while (i < end && isHex(s.charAt(i))) {
                i++;
            }
            if (i < end && s.charAt(i) == '.') {
                if (!isIpv4(s, start, end)) {
                    return false;
                }
                groups += 2;
                break;
            }
            if (i == start || i - start > 4) {
                return false;
            }
            groups++;
            if (i == end) {
                break;
            }
            if (s.charAt(i) != ':' || ++i == end) {
                return false; // not a separator, or a single colon at the end
            }
            if (s.charAt(i) == ':') {
                if (compressed) {
                    return false; // a second ::
                }
                compressed = true;
                i++;
            }
        }
        return compressed ? groups <= 7 : groups == 8;
    }

    /** Four decimal numbers 0..255 in {@code s[from, to)}. */
    private static boolean isIpv4(CharSequence s, int from, int to) {
        int parts = 0;
        int i = from;
        while (i <= to) {
            int start = i;
            int value = 0;
            while (i < to && s.charAt(i) >= '0' && s.charAt(i) <= '9' && i - start < 3) {
                value = value * 10 + (s.charAt(i) - '0');
                i++;
            }
            if (i == start || value > 255) {
                return false;
            }
            parts++;
            if (i == to) {
                return parts == 4;
            }
            if (s.charAt(i) != '.') {
                return false;
            }
            i++;
        }
        return false;
    }

    private static boolean isHex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }
}
