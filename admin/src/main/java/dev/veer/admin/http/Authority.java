package dev.veer.admin.http;

import io.netty.util.NetUtil;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * The host and port of a Host header or an Origin, as the client wrote them: {@code localhost:9090},
 * {@code [::1]}, {@code 127.0.0.1}. Never resolved: what matters is the name the client used.
 *
 * @param host lower case; an IPv6 literal keeps its brackets
 * @param port -1 when not written
 */
record Authority(String host, int port) {

    /** The authority of {@code text} ({@code host}, {@code host:port}, {@code [v6]:port}), or null when malformed. */
    static Authority parse(String text) {
        String s = text.trim().toLowerCase(Locale.ROOT);
        int portColon;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0 || (close + 1 < s.length() && s.charAt(close + 1) != ':')) {
                return null;
            }
            portColon = close + 1 < s.length() ? close + 1 : -1;
        } else {
            portColon = s.indexOf(':');
            if (portColon >= 0 && s.indexOf(':', portColon + 1) >= 0) {
                return null; // an IPv6 literal without brackets
            }
        }
        String host = portColon < 0 ? s : s.substring(0, portColon);
        if (host.isEmpty() || host.chars().anyMatch(c -> c <= ' ' || c == '/' || c == '@' || c >= 0x7f)) {
            return null;
        }
        if (portColon < 0) {
            return new Authority(host, -1);
        }
        String digits = s.substring(portColon + 1);
        if (digits.isEmpty() || digits.length() > 5 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return null;
        }
        int port = Integer.parseInt(digits);
        return port > 65535 ? null : new Authority(host, port);
    }

    /**
     * True for {@code localhost} and loopback address literals (127.0.0.0/8, [::1]): names no one else's DNS can
     * point at this machine, which a DNS-rebinding page needs to do.
     */
    boolean isLoopback() {
        if (host.equals("localhost")) {
            return true;
        }
        String literal = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        byte[] address = NetUtil.createByteArrayFromIpAddressString(literal);
        if (address == null || (address.length == 16) != host.startsWith("[")) {
            return false; // a name, or an IPv6 literal the Host syntax requires in brackets
        }
        try {
            return InetAddress.getByAddress(address).isLoopbackAddress();
        } catch (UnknownHostException e) {
            throw new IllegalStateException("an address of " + address.length + " bytes", e);
        }
    }
}
