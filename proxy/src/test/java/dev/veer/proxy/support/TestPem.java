package dev.veer.proxy.support;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** The test certificates and keys kept with the config module's tests (config/src/test/resources/tls). */
public final class TestPem {

    private TestPem() {
    }

    /** {@code name} in the test PEM directory, found from the working directory (a module's, under Maven). */
    public static Path path(String name) {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path pem = dir.resolve("config/src/test/resources/tls").resolve(name);
            if (Files.exists(pem)) {
                return pem;
            }
        }
        throw new IllegalStateException("config/src/test/resources/tls/" + name + " not found above "
                + Path.of("").toAbsolutePath());
    }

    public static X509Certificate certificate(String name) throws Exception {
        try (InputStream in = Files.newInputStream(path(name))) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    /** A client context that trusts only the given test certificates. */
    public static SSLContext trusting(String... certificates) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        for (String name : certificates) {
            trust.setCertificateEntry(name, certificate(name));
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }

    /** Copies a test file to {@code target}, replacing it. */
    public static void copy(String name, Path target) throws IOException {
        Files.copy(path(name), target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
}
