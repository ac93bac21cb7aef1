package dev.veer.config.model;

import java.util.regex.Pattern;

/**
 * What a host in {@code host:port} may be, checked by its text alone (nothing is resolved): a DNS name of RFC 1123
 * labels, an IPv4 address, or an IPv6 address (written in brackets; the brackets are not part of it here).
 */
final class HostSyntax {

    static final String NAME_EXPECTED = "a host name of letters, digits, hyphens and underscores in dot-separated"
            + " labels, not starting or ending with a hyphen, or an IP address";

    /**
     * RFC 1123, plus the underscore: Docker Compose names containers project_web_1, and resolvers answer for them.
     */
    private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?");
    private static final Pattern HEX_GROUP = Pattern.compile("[0-9A-Fa-f]{1,4}");
    private static final Pattern ZONE = Pattern.compile("[A-Za-z0-9_.-]+");

    private HostSyntax() {
    }

    /** Digits and dots only: meant as an IPv4 address, never a name (no top-level domain is numeric). */
    static boolean looksLikeIpv4(String host) {
        return !host.isEmpty() && host.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'));
    }

    /** RFC 1123 labels of 1 to 63 letters, digits, hyphens (none first or last) and underscores; one trailing dot. */
    static boolean isName(String host) {
        String name = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
        if (name.isEmpty() || name.length() > 253) {
            return false;
        }
        for (String label : name.split("\\.", -1)) {
            if (!LABEL.matcher(label).matches()) {
                return false;
            }
        }
        return true;
    }

    /** Four decimal numbers 0..255. */
    static boolean isIpv4(String host) {
        String[] parts = host.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(c -> c >= '0' && c <= '9')
                    || Integer.parseInt(part) > 255) {
                return false;
            }
        }
        return true;
    }

    /** RFC 4291 text form: eight groups, one {@code ::} for a run of zeros, an IPv4 tail, a {@code %zone}. */
    static boolean isIpv6(String host) {
        String address = host;
        int percent = address.indexOf('%');
        if (percent >= 0) {
            if (!ZONE.matcher(address.substring(percent + 1)).matches()) {
                return false;
            }
            address = address.substring(0, percent);
        }
        int lastColon = address.lastIndexOf(':');
        if (lastColon < 0) {
            return false;
        }
        if (address.indexOf('.', lastColon) > 0) {
            // ::ffff:192.0.2.1: the IPv4 tail stands for the last two groups.
            if (!isIpv4(address.substring(lastColon + 1))) {
                return false;
            }
            address = address.substring(0, lastColon + 1) + "0:0";
        }
        int gap = address.indexOf("::");
        if (gap < 0) {
            return groups(address) == 8;
        }
        if (address.indexOf("::", gap + 1) >= 0) {
            return false;
        }
        int head = groups(address.substring(0, gap));
        int tail = groups(address.substring(gap + 2));
        return head >= 0 && tail >= 0 && head + tail <= 7;
    }

    /** The number of colon-separated hex groups, 0 for none, -1 when any is not 1 to 4 hex digits. */
    private static int groups(String text) {
        if (text.isEmpty()) {
            return 0;
        }
        String[] groups = text.split(":", -1);
        for (String group : groups) {
            if (!HEX_GROUP.matcher(group).matches()) {
                return -1;
            }
        }
        return groups.length;
    }
}
