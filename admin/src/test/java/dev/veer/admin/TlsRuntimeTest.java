package dev.veer.admin;

import dev.veer.admin.http.ApiException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * proxy.tls through the whole runtime: HTTPS served from the config file's certificate, a renewal taken by a reload
 * (SIGHUP's path), and a renewal gone wrong refused by that reload with the key path while the old one serves on.
 */
class TlsRuntimeTest {

    private static final Path PEM = RepositoryRoot.find().resolve("config/src/test/resources/tls");

    @TempDir
    Path dir;
    Backend blue;
    Backend green;
    VeerRuntime runtime;

    @AfterEach
    void stop() {
        if (runtime != null) {
            runtime.close();
        }
        blue.close();
        green.close();
    }

    @Test
    void servesHttpsAndAReloadTakesARenewedCertificate() throws Exception {
        Path certificate = dir.resolve("tls.crt");
        Path privateKey = dir.resolve("tls.key");
        install("rsa-a", certificate, privateKey);
        blue = new Backend("blue");
        green = new Backend("green");
        Map<String, String> env = new HashMap<>(RuntimeFixture.env(dir, blue.port(), green.port()));
        env.put("TLS_CRT", certificate.toString());
        env.put("TLS_KEY", privateKey.toString());
        Path configFile = Files.writeString(dir.resolve("veer.yaml"), RuntimeFixture.YAML.replace(
                "drainTimeout: 2s }", "drainTimeout: 2s,\n  tls: { listen: \"127.0.0.1:0\", certificate: \"${TLS_CRT}\","
                        + " privateKey: \"${TLS_KEY}\" } }"));
        runtime = RuntimeFixture.start(configFile, env);
        SSLContext trust = trusting("rsa-a", "rsa-b");

        assertThat(get(trust)).isEqualTo(serial("rsa-a"));

        install("rsa-b", certificate, privateKey);
        runtime.reload("test", null).join();
        assertThat(get(trust)).isEqualTo(serial("rsa-b"));

        Files.writeString(privateKey, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
        Throwable refused = catchThrowable(() -> runtime.reload("test", null).join());
        assertThat(refused).isInstanceOf(CompletionException.class).cause().isInstanceOf(ApiException.class);
        assertThat(((ApiException) refused.getCause()).path()).isEqualTo("proxy.tls.privateKey");
        assertThat(get(trust)).isEqualTo(serial("rsa-b"));
    }

    private static void install(String name, Path certificate, Path privateKey) throws Exception {
        Files.copy(PEM.resolve(name + ".crt"), certificate, StandardCopyOption.REPLACE_EXISTING);
        Files.copy(PEM.resolve(name + ".key"), privateKey, StandardCopyOption.REPLACE_EXISTING);
    }

    private static X509Certificate certificate(String name) throws Exception {
        try (InputStream in = Files.newInputStream(PEM.resolve(name + ".crt"))) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    private static BigInteger serial(String name) throws Exception {
        return certificate(name).getSerialNumber();
    }

    private static SSLContext trusting(String... names) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        for (String name : names) {
            trust.setCertificateEntry(name, certificate(name));
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }

    /** One GET over a new TLS connection: asserts blue answered, returns the presented certificate's serial. */
    private BigInteger get(SSLContext trust) throws Exception {
        try (SSLSocket socket = (SSLSocket) trust.getSocketFactory().createSocket("127.0.0.1",
                runtime.proxyTlsAddress().getPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: shop\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(response).startsWith("HTTP/1.1 200 ").endsWith("blue");
            return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
        }
    }
}
