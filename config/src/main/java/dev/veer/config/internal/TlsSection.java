package dev.veer.config.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.veer.config.model.HostPort;
import dev.veer.config.model.TlsSettings;
import dev.veer.config.tls.TlsMaterial;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * {@code proxy.tls:}, absent for plain HTTP only. The files are read and checked here, so {@code veer check} and a
 * reload refuse a missing file, a key that is not the certificate's or an encrypted key, naming the key path, as
 * they refuse any other bad value.
 */
final class TlsSection {

    static final String[] KEYS = {"listen", "certificate", "privateKey"};

    private TlsSection() {
    }

    static TlsSettings read(JsonNode node, String path, Problems problems) {
        if (node == null || node.isNull()) {
            return null;
        }
        Fields f = Fields.of(node, path, problems).allow(KEYS);
        if (f.noMapping()) {
            return null; // reported as such: its keys would only repeat that as three missing ones
        }
        JsonNode listenNode = f.required("listen", "host:port, e.g. 0.0.0.0:8443");
        HostPort listen = listenNode == null ? null
                : Scalars.hostPort(listenNode, f.path("listen"), problems, 0, null);
        Path certificate = file(f, "certificate", "the PEM certificate chain, e.g. /etc/veer/tls.crt");
        Path privateKey = file(f, "privateKey", "the PEM private key, e.g. /etc/veer/tls.key");
        if (certificate == null || privateKey == null) {
            return null;
        }
        try {
            TlsMaterial.load(certificate, privateKey);
        } catch (TlsMaterial.Invalid e) {
            problems.add(f.path(e.certificateFile() ? "certificate" : "privateKey"), e.getMessage());
            return null;
        }
        return listen == null ? null : new TlsSettings(listen, certificate, privateKey);
    }

    private static Path file(Fields f, String key, String expected) {
        String name = f.requiredText(key, expected);
        if (name == null) {
            return null;
        }
        if (name.isBlank()) {
            f.problems().add(f.path(key), "'' (expected: " + expected + ")");
            return null;
        }
        try {
            return Path.of(name);
        } catch (InvalidPathException e) {
            f.problems().add(f.path(key), "'" + name + "' (expected: " + expected + ": " + e.getReason() + ")");
            return null;
        }
    }
}
