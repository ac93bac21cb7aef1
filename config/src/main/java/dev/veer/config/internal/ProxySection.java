package dev.veer.config.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.veer.config.model.Limits;
import dev.veer.config.model.ProxySettings;
import dev.veer.config.model.Transport;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;

/** {@code proxy:} and {@code proxy.limits:}; anything omitted comes from {@link ProxySettings#DEFAULTS}. */
public final class ProxySection {

    static final String[] KEYS = {"listen", "ioThreads", "maxConnections", "maxInFlight", "poolSizePerEndpoint",
            "drainTimeout", "eventBatchMicros", "transport", "accessLog", "normalizePath", "limits", "tls"};
    static final String[] LIMIT_KEYS = {"maxHeaderBytes", "maxHeaderCount", "maxRequestLineBytes", "maxBodyBytes",
            "headerTimeout", "connectTimeout", "responseTimeout", "idleTimeout", "upstreamIdleTimeout"};

    private static final Duration ONE_MS = Duration.ofMillis(1);
    private static final int MAX_HEAD_BYTES = 16 * 1024 * 1024;

    private ProxySection() {
    }

    public static ProxySettings read(JsonNode node, String path, Problems problems) {
        ProxySettings d = ProxySettings.DEFAULTS;
        Fields f = Fields.of(node, path, problems).allow(KEYS);
        return new ProxySettings(
                f.hostPort("listen", 0, d.listen()),
                f.integer("ioThreads", 0, 1024, d.ioThreads()),
                limits(f.get("limits"), f.path("limits"), problems),
                f.integer("maxConnections", 1, Integer.MAX_VALUE, d.maxConnections()),
                f.integer("maxInFlight", 1, Integer.MAX_VALUE, d.maxInFlight()),
                f.integer("poolSizePerEndpoint", 0, 100_000, d.poolSizePerEndpoint()),
                f.duration("drainTimeout", Duration.ZERO, d.drainTimeout()),
                f.integer("eventBatchMicros", 0, 1000, d.eventBatchMicros()),
                transport(f, problems, d.transport()),
                accessLog(f, problems),
                f.bool("normalizePath", d.normalizePath()),
                TlsSection.read(f.get("tls"), f.path("tls"), problems));
    }

    private static Transport transport(Fields f, Problems problems, Transport fallback) {
        String text = f.text("transport", fallback.configName());
        Transport transport = Transport.parse(text);
        if (transport == null) {
            problems.add(f.path("transport"), "'" + text + "' (expected: " + Transport.CONFIG_NAMES + ")");
            return fallback;
        }
        return transport;
    }

    /** A file path; absent or empty: no access log. */
    private static Path accessLog(Fields f, Problems problems) {
        String file = f.text("accessLog", "");
        if (file == null || file.isEmpty()) {
            return null;
        }
        try {
            return Path.of(file);
        } catch (InvalidPathException e) {
            problems.add(f.path("accessLog"), "'" + file + "' (expected: a file path, or empty for no access log: "
                    + e.getReason() + ")");
            return null;
        }
    }

    private static Limits limits(JsonNode node, String path, Problems problems) {
        Limits d = Limits.DEFAULTS;
        Fields f = Fields.of(node, path, problems).allow(LIMIT_KEYS);
        return new Limits(
                (int) f.size("maxHeaderBytes", 256, MAX_HEAD_BYTES, d.maxHeaderBytes()),
                f.integer("maxHeaderCount", 1, 100_000, d.maxHeaderCount()),
                (int) f.size("maxRequestLineBytes", 64, MAX_HEAD_BYTES, d.maxRequestLineBytes()),
                f.size("maxBodyBytes", 0, Long.MAX_VALUE, d.maxBodyBytes()),
                f.duration("headerTimeout", ONE_MS, d.headerTimeout()),
                f.duration("connectTimeout", ONE_MS, d.connectTimeout()),
                f.duration("responseTimeout", ONE_MS, d.responseTimeout()),
                f.duration("idleTimeout", ONE_MS, d.idleTimeout()),
                f.duration("upstreamIdleTimeout", ONE_MS, d.upstreamIdleTimeout()));
    }
}
