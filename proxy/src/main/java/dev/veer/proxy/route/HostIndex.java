package dev.veer.proxy.route;

import java.util.Map;

/**
 * Host name to candidate services, looked up straight from a Host header value: case-insensitive, port
 * stripped, no String created. Open addressing over a power-of-two table.
 */
final class HostIndex {

    private final String[] hosts;
    private final ServiceRoute[][] services;
    private final int mask;
    private final boolean empty;

    /** {@code byHost} keys must be lower-case host names without port. */
    HostIndex(Map<String, ServiceRoute[]> byHost) {
        int capacity = Integer.highestOneBit(Math.max(4, byHost.size() * 4) - 1) << 1;
        hosts = new String[capacity];
        services = new ServiceRoute[capacity][];
        mask = capacity - 1;
        empty = byHost.isEmpty();
        for (Map.Entry<String, ServiceRoute[]> e : byHost.entrySet()) {
            String host = e.getKey();
            int slot = hash(host, 0, host.length()) & mask;
            while (hosts[slot] != null) {
                slot = (slot + 1) & mask;
            }
            hosts[slot] = host;
            services[slot] = e.getValue();
        }
    }

    boolean isEmpty() {
        return empty;
    }

    /** Services for the host part of a Host header ({@code Shop.Local:8080} finds {@code shop.local}), or null. */
    ServiceRoute[] lookup(CharSequence hostHeader) {
        int end = hostEnd(hostHeader);
        if (end >= 2 && hostHeader.charAt(0) == '[' && hostHeader.charAt(end - 1) == ']') {
            return lookup(hostHeader, 1, end - 1); // [::1] is configured as ::1
        }
        return lookup(hostHeader, 0, end);
    }

    /** Services for the host name {@code text[start, end)} (any case), or null. */
    ServiceRoute[] lookup(CharSequence text, int start, int end) {
        int slot = hash(text, start, end) & mask;
        while (hosts[slot] != null) {
            if (equalsIgnoreCase(hosts[slot], text, start, end)) {
                return services[slot];
            }
            slot = (slot + 1) & mask;
        }
        return null;
    }

    /**
     * Length of the host part: an IPv6 literal up to its closing bracket, otherwise up to the port colon, less a
     * trailing dot ({@code shop.local.} is the fully qualified {@code shop.local}, as nginx takes it).
     */
    static int hostEnd(CharSequence hostHeader) {
        int length = hostHeader.length();
        if (length > 0 && hostHeader.charAt(0) == '[') {
            for (int i = 1; i < length; i++) {
                if (hostHeader.charAt(i) == ']') {
                    return i + 1;
                }
            }
            return length;
        }
        int end = length;
        for (int i = length - 1; i >= 0; i--) {
            if (hostHeader.charAt(i) == ':') {
                end = i;
                break;
            }
        }
        return end > 1 && hostHeader.charAt(end - 1) == '.' ? end - 1 : end;
    }

    private static int hash(CharSequence s, int start, int end) {
        int h = 0;
        for (int i = start; i < end; i++) {
            h = 31 * h + toLower(s.charAt(i));
        }
        return h ^ (h >>> 16);
    }

    private static boolean equalsIgnoreCase(String lowerHost, CharSequence s, int start, int end) {
        if (lowerHost.length() != end - start) {
            return false;
        }
        for (int i = start; i < end; i++) {
            if (lowerHost.charAt(i - start) != toLower(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static char toLower(char c) {
        return c >= 'A' && c <= 'Z' ? (char) (c + 32) : c;
    }
}
