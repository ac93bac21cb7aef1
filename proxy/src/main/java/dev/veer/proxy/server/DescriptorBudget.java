package dev.veer.proxy.server;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;

/**
 * How many downstream connections the process's open-file limit leaves room for. Past that limit accept() fails
 * (EMFILE) on every listener, the admin API's too: a client that opens idle connections faster than the header
 * timeout closes them (2 000 a second against the common limit of 20 000) locked operators and health checks out,
 * while the default {@code proxy.maxConnections} (100 000) never took effect. As HAProxy derives maxconn from
 * ulimit -n, the proxy accepts at most three quarters of what is left after a reserve, the last quarter kept for
 * upstream connections: those are pooled and held by requests in progress only, so a client connection is one
 * descriptor while idle (a flood of them holds no upstream one) and two while its request is proxied. HAProxy's
 * half (two each, always) would refuse 10 000 idle keep-alive clients at the common limit of 20 000.
 */
public final class DescriptorBudget {

    /** Kept for what is not a client's connection pair: the JVM's own files, listeners, the admin API's clients,
     * state and log files, health checks. */
    public static final long RESERVED = 256;

    private DescriptorBudget() {
    }

    /** {@code configured} (0 or less: unlimited), lowered to what {@code maxDescriptors} allows; -1: unknown. */
    public static int cap(int configured, long maxDescriptors) {
        long wanted = configured <= 0 ? Integer.MAX_VALUE : configured;
        if (maxDescriptors <= 0) {
            return (int) wanted;
        }
        long room = Math.max(1, (maxDescriptors - RESERVED) / 4 * 3);
        return (int) Math.min(wanted, room);
    }

    /** This process's open-file limit, or -1 where the JVM cannot tell (not a Unix). */
    public static long processLimit() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.UnixOperatingSystemMXBean unix ? unix.getMaxFileDescriptorCount() : -1;
    }
}
