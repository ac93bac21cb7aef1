package dev.veer.config.model;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;

/** A host and port as written in config ("127.0.0.1:9001", "[::1]:8080", "localhost:80"). */
public record HostPort(String host, int port) {

    public HostPort {
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("host: empty (expected: a name or address)");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 0..65535)");
        }
    }

    /** Parses "host:port" with any port 0..65535, as a listener may have (0: any free port). */
    public static HostPort parse(String text) {
        return parse(text, 0);
    }

    /**
     * Parses "host:port" with a port {@code minPort}..65535 (1 for an endpoint, which a connection goes to). The host
     * is a DNS name, an IPv4 address or a bracketed IPv6 address ({@code [::1]:8080}), checked by its text, never
     * resolved. Throws IllegalArgumentException with a readable message.
     */
    public static HostPort parse(String text, int minPort) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty (expected: host:port)");
        }
        String s = text.trim();
        String quoted = "'" + text + "'";
        if (s.contains("://")) {
            throw new IllegalArgumentException(quoted + ": a URL (expected: host:port, without a scheme such as"
                    + " http://)");
        }
        if (s.indexOf('/') >= 0) {
            throw new IllegalArgumentException(quoted + ": a path (expected: host:port, without a path)");
        }
        String host;
        String portText;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0 || close + 1 >= s.length() || s.charAt(close + 1) != ':') {
                throw new IllegalArgumentException(quoted + " (expected: [IPv6]:port, e.g. [::1]:8080)");
            }
            host = s.substring(1, close);
            portText = s.substring(close + 2);
            if (!HostSyntax.isIpv6(host)) {
                throw new IllegalArgumentException(quoted + ": '" + host + "' is not an IPv6 address (expected:"
                        + " [IPv6]:port, e.g. [::1]:8080)");
            }
        } else {
            int colon = s.lastIndexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException(quoted + " (expected: host:port)");
            }
            host = s.substring(0, colon);
            portText = s.substring(colon + 1);
            if (host.indexOf(':') >= 0) {
                throw new IllegalArgumentException(quoted + " (expected: IPv6 in brackets, e.g. [::1]:8080)");
            }
            if (HostSyntax.looksLikeIpv4(host) && !HostSyntax.isIpv4(host)) {
                throw new IllegalArgumentException(quoted + ": '" + host + "' is not an IPv4 address (expected: four"
                        + " numbers 0..255, e.g. 10.0.0.1)");
            }
            if (!HostSyntax.looksLikeIpv4(host) && !HostSyntax.isName(host)) {
                throw new IllegalArgumentException(quoted + ": '" + host + "' is not a host name (expected: "
                        + HostSyntax.NAME_EXPECTED + ")");
            }
        }
        return new HostPort(host, port(portText, quoted, minPort));
    }

    private static int port(String text, String quoted, int minPort) {
        if (text.isEmpty()) {
            throw new IllegalArgumentException(quoted + " (expected: host:port)");
        }
        if (!text.matches("-?[0-9]+")) { // ASCII digits: Integer.parseInt also takes "+80" and other scripts' digits
            throw new IllegalArgumentException(quoted + ": port is not a number (expected: host:port)");
        }
        int digits = text.startsWith("-") ? text.length() - 1 : text.length();
        long port = digits > 6 ? Long.MAX_VALUE : Long.parseLong(text);
        if (port < minPort || port > 65535) {
            throw new IllegalArgumentException(quoted + ": port " + (digits > 6 ? "of " + digits + " digits" : text)
                    + " (expected: " + minPort + "..65535)");
        }
        return (int) port;
    }

    /**
     * Whether listening on both would need the same socket: the same port (not 0, which picks a free one) on the same
     * address, or with a wildcard on either side ({@code ::} takes every address, {@code 0.0.0.0} every IPv4 address
     * and any name), or localhost and a loopback address. Names are not resolved: two different names never overlap.
     */
    public boolean overlaps(HostPort other) {
        if (port == 0 || port != other.port) {
            return false;
        }
        String a = address(host);
        String b = address(other.host);
        if (a.equals(b) || a.equals("::") || b.equals("::")) {
            return true;
        }
        if (a.equals("0.0.0.0") || b.equals("0.0.0.0")) {
            return !HostSyntax.isIpv6(a.equals("0.0.0.0") ? b : a);
        }
        return (a.equals("localhost") && isLoopbackLiteral(b)) || (b.equals("localhost") && isLoopbackLiteral(a));
    }

    /**
     * Whether connecting to this endpoint would reach a socket listening on {@code listen}, as far as the literals
     * tell: the same port and address, or a loopback or wildcard address (connecting to 0.0.0.0 reaches this host)
     * that {@code listen} takes. Names other than localhost are not resolved, so never reach: a backend called
     * {@code api.internal:8080} beside a proxy on {@code 0.0.0.0:8080} is the common case, not a loop.
     */
    public boolean reaches(HostPort listen) {
        if (port == 0 || port != listen.port) {
            return false;
        }
        String target = address(host);
        String bound = address(listen.host);
        if (target.equals(bound)) {
            return true;
        }
        if (bound.equals("::") || bound.equals("0.0.0.0")) {
            // The JVM binds 0.0.0.0 as :: (both stacks): any address of this host reaches it, loopback (127/8,
            // ::1), wildcard (connecting to one reaches the loopback one) or an interface's.
            return target.equals("localhost") || target.equals("::") || target.equals("0.0.0.0")
                    || isThisHostsAddress(target);
        }
        return bound.equals("127.0.0.1") ? target.equals("localhost") || target.equals("0.0.0.0")
                : bound.equals("0:0:0:0:0:0:0:1") && target.equals("::");
    }

    /** The error for an endpoint that {@link #reaches} Veer's own proxy listener {@code listen}. */
    public String loopError(HostPort listen) {
        return "'" + this + "' is Veer's own proxy.listen '" + listen + "': every request would come back to Veer"
                + " (expected: the address of your service)";
    }

    /** True for an IP literal that is a loopback address or one of this host's interfaces'; names are not looked up. */
    private static boolean isThisHostsAddress(String address) {
        if (!HostSyntax.isIpv4(address) && !HostSyntax.isIpv6(address)) {
            return false;
        }
        try {
            InetAddress literal = InetAddress.getByName(address);
            return literal.isLoopbackAddress() || java.net.NetworkInterface.getByInetAddress(literal) != null;
        } catch (IOException e) {
            return false;
        }
    }

    /** An IP literal in one spelling ({@code 0:0::0} is {@code ::}); a name in lower case. Nothing is resolved. */
    private static String address(String host) {
        String lower = host.toLowerCase(Locale.ROOT);
        if (!HostSyntax.isIpv4(lower) && !(HostSyntax.isIpv6(lower) && lower.indexOf('%') < 0)) {
            return lower;
        }
        try {
            // A literal: InetAddress parses it without a lookup.
            InetAddress address = InetAddress.getByName(lower);
            return address instanceof Inet6Address && address.isAnyLocalAddress() ? "::" : address.getHostAddress();
        } catch (UnknownHostException e) {
            return lower;
        }
    }

    /** What localhost binds to. */
    private static boolean isLoopbackLiteral(String address) {
        return address.equals("127.0.0.1") || address.equals("0:0:0:0:0:0:0:1");
    }

    /** True when the host names or resolves to a loopback address only. */
    public boolean isLoopback() {
        if (host.equals("localhost")) {
            return true;
        }
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    @Override
    public String toString() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
