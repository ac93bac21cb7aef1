package dev.veer.admin;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/** SIGTERM/SIGINT (drain and exit 0) and SIGHUP (reload), where the platform has them. */
final class Signals {

    private static final Logger log = LoggerFactory.getLogger(Signals.class);

    private Signals() {
    }

    static void onTerminate(Runnable action) {
        handle("TERM", action);
        handle("INT", action);
    }

    static void onHangup(Runnable action) {
        handle("HUP", action);
    }

    private static void handle(String name, Runnable action) {
        try {
            SignalHandler previous = Signal.handle(new Signal(name), signal -> action.run());
            // INT is ignored for every job a non-interactive shell puts in the background: not worth a warning.
            if (previous == SignalHandler.SIG_IGN && !name.equals("INT")) {
                // Started ignoring it (nohup does that to HUP): the JVM leaves an ignored signal ignored.
                log.warn("SIG{} is ignored by whatever started Veer (nohup?), so it will not reach Veer{}", name,
                        name.equals("HUP") ? "; reload with ./veer ctl reload or POST /api/v1/reload" : "");
            }
        } catch (IllegalArgumentException e) {
            log.debug("signal {} not available here: {}", name, e.getMessage());
        }
    }
}
