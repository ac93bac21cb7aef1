package dev.veer.config.model;

/**
 * RFC 3986 §6.2.2 syntax-based normalisation of an origin-form target's path, so that a route is chosen by the path
 * a backend that normalises will serve: {@code /./admin/x}, {@code /%61dmin/x} and {@code /public/../admin/x} are
 * all {@code /admin/x}. Percent-encoded unreserved characters are decoded, every other percent-encoding keeps its
 * octet with its hex digits upper-cased (an encoded {@code /} stays encoded: it separates no segments), and dot
 * segments are removed (§5.2.4; {@code ..} above the root stays at the root). An empty segment ({@code //}) is
 * kept: RFC 3986 does not make it equivalent to one slash. The query, after the first {@code ?}, is left as it is.
 *
 * <p>Most paths are normal already: one scan without allocation finds that out and returns the target itself.
 */
public final class PathNormalizer {

    private static final char[] HEX_DIGITS = "0123456789ABCDEF".toCharArray();

    private PathNormalizer() {
    }

    /**
     * {@code target} (starting with {@code /}) with its path normalised: the same instance when nothing changes;
     * null when the path holds a {@code %} not followed by two hex digits.
     */
    public static String normalize(String target) {
        return isNormal(target) ? target : rewrite(target);
    }

    /** True when {@code target}'s path is normal and well-formed; false when it changes or is malformed. */
    private static boolean isNormal(String target) {
        int segmentStart = 0;
        int i = 0;
        for (; i < target.length(); i++) {
            char c = target.charAt(i);
            if (c == '?') {
                break;
            }
            if (c == '%') {
                if (i + 2 >= target.length()) {
                    return false;
                }
                char high = target.charAt(i + 1);
                char low = target.charAt(i + 2);
                int octet = octet(high, low);
                if (octet < 0 || isUnreserved(octet) || isLowerHex(high) || isLowerHex(low)) {
                    return false;
                }
                i += 2;
            } else if (c == '/') {
                if (isDotSegment(target, segmentStart, i)) {
                    return false;
                }
                segmentStart = i + 1;
            }
        }
        return !isDotSegment(target, segmentStart, i);
    }

    private static String rewrite(String target) {
        int pathEnd = target.indexOf('?');
        if (pathEnd < 0) {
            pathEnd = target.length();
        }
        StringBuilder path = new StringBuilder(pathEnd);
        for (int i = 0; i < pathEnd; i++) {
            char c = target.charAt(i);
            if (c != '%') {
                path.append(c);
                continue;
            }
            int octet = i + 2 < pathEnd ? octet(target.charAt(i + 1), target.charAt(i + 2)) : -1;
            if (octet < 0) {
                return null;
            }
            if (isUnreserved(octet)) {
                path.append((char) octet);
            } else {
                path.append('%').append(HEX_DIGITS[octet >> 4]).append(HEX_DIGITS[octet & 0xf]);
            }
            i += 2;
        }
        StringBuilder normal = new StringBuilder(target.length());
        removeDotSegments(path, normal);
        return normal.append(target, pathEnd, target.length()).toString();
    }

    /**
     * RFC 3986 §5.2.4 for a path that starts with {@code /}: the input is taken a {@code /segment} at a time, so
     * its rules for a leading {@code .} or {@code ..} without a slash never apply.
     */
    private static void removeDotSegments(CharSequence path, StringBuilder out) {
        int length = path.length();
        int slash = 0;
        while (slash < length) {
            int next = slash + 1;
            while (next < length && path.charAt(next) != '/') {
                next++;
            }
            int segmentLength = next - slash - 1;
            boolean dot = segmentLength == 1 && path.charAt(slash + 1) == '.';
            boolean dotDot = segmentLength == 2 && path.charAt(slash + 1) == '.' && path.charAt(slash + 2) == '.';
            if (dot || dotDot) {
                if (dotDot) {
                    out.setLength(Math.max(out.lastIndexOf("/"), 0));
                }
                if (next == length) {
                    out.append('/'); // "/a/." and "/a/b/.." both name the directory "/a/"
                }
            } else {
                out.append(path, slash, next);
            }
            slash = next;
        }
    }

    private static boolean isDotSegment(String target, int from, int to) {
        int length = to - from;
        return (length == 1 || length == 2) && target.charAt(from) == '.' && target.charAt(to - 1) == '.';
    }

    /** The octet two hex digits spell, or -1 when either is no hex digit. */
    private static int octet(char high, char low) {
        int h = hexValue(high);
        int l = hexValue(low);
        return h < 0 || l < 0 ? -1 : (h << 4) | l;
    }

    private static int hexValue(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    }

    private static boolean isLowerHex(char c) {
        return c >= 'a' && c <= 'f';
    }

    /** RFC 3986 §2.3: the characters that mean the same percent-encoded or not. */
    private static boolean isUnreserved(int octet) {
        return octet >= 'a' && octet <= 'z' || octet >= 'A' && octet <= 'Z' || octet >= '0' && octet <= '9'
                || octet == '-' || octet == '.' || octet == '_' || octet == '~';
    }
}
