package dev.veer.config;

import dev.veer.config.model.HostPort;
import dev.veer.config.model.TlsSettings;
import dev.veer.config.model.VeerConfig;
import dev.veer.config.tls.TlsMaterial;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code proxy.tls}: the files are read and checked when the config is, with errors at their key paths. */
class TlsConfigTest {

    private static Path pem(String name) {
        try {
            return Path.of(TlsConfigTest.class.getResource("/tls/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String tls(String listen, Path certificate, Path privateKey) {
        return """
                proxy:
                  listen: "127.0.0.1:8080"
                  tls: { listen: "%s", certificate: "%s", privateKey: "%s" }
                """.formatted(listen, certificate, privateKey) + Configs.SHOP;
    }

    @Test
    void absentMeansPlainHttpOnly() throws Exception {
        assertThat(Configs.parse(Configs.SHOP).proxy().tls()).isNull();
    }

    @Test
    void pkcs8Pkcs1AndSec1KeysAreRead() throws Exception {
        VeerConfig config = Configs.parse(tls("0.0.0.0:8443", pem("rsa-a.crt"), pem("rsa-a.key")));
        assertThat(config.proxy().tls()).isEqualTo(new TlsSettings(new HostPort("0.0.0.0", 8443), pem("rsa-a.crt"),
                pem("rsa-a.key")));
        TlsMaterial pkcs1 = TlsMaterial.load(pem("rsa-a.crt"), pem("rsa-a.pkcs1.key"));
        assertThat(pkcs1.privateKey().getEncoded())
                .isEqualTo(TlsMaterial.load(pem("rsa-a.crt"), pem("rsa-a.key")).privateKey().getEncoded());
        TlsMaterial ec = TlsMaterial.load(pem("ec.crt"), pem("ec.sec1.key"));
        assertThat(ec.privateKey().getAlgorithm()).isEqualTo("EC");
        assertThat(ec.chain()).hasSize(1);
    }

    @Test
    void certificateDatesAreWarnedOfNotRefused() throws Exception {
        TlsMaterial material = TlsMaterial.load(pem("rsa-a.crt"), pem("rsa-a.key"));
        Instant start = material.chain().get(0).getNotBefore().toInstant();
        Instant end = material.chain().get(0).getNotAfter().toInstant();
        assertThat(material.validityWarning(start.plus(Duration.ofDays(1)))).isNull();
        assertThat(material.validityWarning(end.minus(Duration.ofDays(13))))
                .isEqualTo("the certificate (CN=localhost) expires at " + end);
        assertThat(material.validityWarning(end.plusSeconds(1)))
                .isEqualTo("the certificate (CN=localhost) expired at " + end + ": clients refuse it");
        assertThat(material.validityWarning(start.minusSeconds(1))).isEqualTo("the certificate (CN=localhost) is valid"
                + " only from " + start + ": clients refuse it until then");
        assertThat(material.toString()).isEqualTo("TlsMaterial[CN=localhost]");
    }

    @Test
    void wrongFilesAreErrorsAtTheirKeyPath(@TempDir Path dir) throws Exception {
        Path empty = Files.writeString(dir.resolve("empty.pem"), "");
        assertThat(Configs.errors(tls("0.0.0.0:8443", pem("rsa-b.crt"), pem("rsa-a.key"))))
                .singleElement().asString().startsWith("proxy.tls.privateKey: the private key does not belong to"
                        + " the first certificate of");
        assertThat(Configs.errors(tls("0.0.0.0:8443", pem("rsa-a.crt"), pem("rsa-a.encrypted.key"))))
                .singleElement().asString().startsWith("proxy.tls.privateKey: the private key is encrypted");
        assertThat(Configs.errors(tls("0.0.0.0:8443", dir.resolve("missing.crt"), pem("rsa-a.key"))))
                .singleElement().asString().contains("proxy.tls.certificate: cannot read")
                .contains("no such file");
        assertThat(Configs.errors(tls("0.0.0.0:8443", empty, pem("rsa-a.key"))))
                .singleElement().asString().startsWith("proxy.tls.certificate: no -----BEGIN CERTIFICATE-----");
        assertThat(Configs.errors(tls("0.0.0.0:8443", pem("rsa-a.crt"), pem("rsa-a.crt"))))
                .singleElement().asString().startsWith("proxy.tls.privateKey: no private key block");
        assertThat(Configs.errors(tls("0.0.0.0:8443", pem("ec.crt"), pem("rsa-a.key"))))
                .singleElement().asString().startsWith("proxy.tls.privateKey: the private key does not belong");
    }

    @Test
    void aKeyEncryptedTheTraditionalWayIsCalledEncryptedToo() throws Exception {
        // openssl genrsa -aes256 (OpenSSL 1.x) or openssl rsa -aes256 -traditional: BEGIN RSA PRIVATE KEY, then
        // Proc-Type and DEK-Info headers before the base64
        assertThat(Configs.errors(tls("0.0.0.0:8443", pem("rsa-a.crt"), pem("rsa-a.legacy-encrypted.key"))))
                .singleElement().asString().startsWith("proxy.tls.privateKey: the private key is encrypted");
    }

    @Test
    void aChainWithTheServerCertificateAfterAnotherIsAnErrorOfTheCertificateFile(@TempDir Path dir)
            throws Exception {
        Path intermediateFirst = Files.writeString(dir.resolve("chain.pem"),
                Files.readString(pem("rsa-b.crt")) + Files.readString(pem("rsa-a.crt")));
        assertThat(Configs.errors(tls("0.0.0.0:8443", intermediateFirst, pem("rsa-a.key"))))
                .singleElement().asString().startsWith("proxy.tls.certificate: the server certificate (CN=localhost)"
                        + " is certificate 2 of " + intermediateFirst);
    }

    @Test
    void everyKeyIsRequiredAndTheListenerNeedsAPortOfItsOwn() {
        assertThat(Configs.errors("proxy: { tls: { listen: \"0.0.0.0:8443\" } }\n" + Configs.SHOP)).containsExactly(
                "proxy.tls.certificate: missing (expected: the PEM certificate chain, e.g. /etc/veer/tls.crt)",
                "proxy.tls.privateKey: missing (expected: the PEM private key, e.g. /etc/veer/tls.key)");
        assertThat(Configs.errors("proxy: { tls: on }\n" + Configs.SHOP))
                .containsExactly("proxy.tls: true (expected: a mapping)");
        assertThat(Configs.errors(tls("127.0.0.1:8080", pem("rsa-a.crt"), pem("rsa-a.key")))).containsExactly(
                "proxy.tls.listen: '127.0.0.1:8080' needs port 8080, which proxy.listen '127.0.0.1:8080' already"
                        + " takes (expected: a port proxy.listen does not use)");
        assertThat(Configs.errors(tls("0.0.0.0:9090", pem("rsa-a.crt"), pem("rsa-a.key")))).containsExactly(
                "proxy.tls.listen: '0.0.0.0:9090' needs port 9090, which admin.listen '127.0.0.1:9090' already"
                        + " takes (expected: a port admin.listen does not use)");
    }

    @Test
    void theEnvironmentAndSetReachEveryKey() throws Exception {
        Map<String, String> env = Map.of("VEER_PROXY_TLS_LISTEN", "0.0.0.0:9443",
                "VEER_PROXY_TLS_CERTIFICATE", pem("rsa-a.crt").toString());
        VeerConfig config = ConfigLoader.parse(Configs.SHOP, "test.yaml", env,
                List.of("proxy.tls.privateKey=" + pem("rsa-a.key")));
        assertThat(config.proxy().tls()).isEqualTo(new TlsSettings(new HostPort("0.0.0.0", 9443), pem("rsa-a.crt"),
                pem("rsa-a.key")));
    }
}
