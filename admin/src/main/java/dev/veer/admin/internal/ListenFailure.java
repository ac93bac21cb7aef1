package dev.veer.admin.internal;

import dev.veer.config.model.HostPort;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Why a listener could not bind, as a config error reads: the key path, the address, the reason and what would do
 * ({@code proxy.listen: cannot listen on 127.0.0.1:8080: address already in use (expected: ...)}), since the fix is
 * in that setting. Netty's native transports word it {@code bind(..) failed with error(-98): Address already in use}.
 */
public final class ListenFailure {

    private static final Pattern NATIVE_PREFIX = Pattern.compile("^\\w+\\(\\.\\.\\) failed with error\\(-?\\d+\\): ");

    private ListenFailure() {
    }

    public static String describe(String key, HostPort address, Throwable e) {
        String reason = NATIVE_PREFIX.matcher(Text.firstLine(e.getMessage())).replaceFirst("");
        String lower = reason.toLowerCase(Locale.ROOT);
        String expected;
        if (lower.contains("address already in use")) {
            expected = "an address no other process listens on";
        } else if (lower.contains("permission denied") && address.port() < 1024) {
            expected = "a port from 1024 up, or a user allowed to bind low ports: root, or CAP_NET_BIND_SERVICE";
        } else if (lower.contains("cannot assign requested address")) {
            expected = "an address of this host, or 0.0.0.0 for every one";
        } else {
            expected = "an address this host can listen on";
        }
        // The JDK's and the kernel's reasons start with a capital ("Address already in use"); mid-line, they do not.
        String text = reason.isEmpty() ? e.getClass().getSimpleName()
                : Character.toLowerCase(reason.charAt(0)) + reason.substring(1);
        return key + ": cannot listen on " + address + ": " + text + " (expected: " + expected + ")";
    }
}
