package dev.veer.config.model;

import java.util.Locale;

/** How the data plane's event loops wait for and move socket data; {@code proxy.transport}. */
public enum Transport {
    /** epoll on Linux, else Java NIO. */
    AUTO,
    /**
     * Linux io_uring, where the kernel and its seccomp policy allow it: a pass of the event loop submits all its
     * sends and receives in one system call (less CPU per request, more allocation per request).
     */
    IO_URING,
    /** Linux epoll: one system call per send and per receive. */
    EPOLL,
    /** Java NIO: any platform. */
    NIO;

    /** Every spelling {@link #parse} takes, for error messages. */
    public static final String CONFIG_NAMES = "auto, io_uring, epoll or nio";

    /** The spelling in config files: auto, io_uring, epoll, nio. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The transport {@code text} names, or null if it names none. */
    public static Transport parse(String text) {
        for (Transport t : values()) {
            if (t.configName().equals(text)) {
                return t;
            }
        }
        return null;
    }
}
