package dev.veer.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.veer.config.model.HostPort;
import dev.veer.config.model.ProxySettings;
import dev.veer.config.model.ServiceSpec;
import dev.veer.config.model.TlsSettings;
import dev.veer.proxy.support.Backend;
import dev.veer.proxy.support.RawBackend;
import dev.veer.proxy.support.Specs;
import dev.veer.proxy.support.TestPem;
import java.io.IOException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** proxy.tls: HTTPS on a second listener, beside the plain one, with certificates read again on reload. */
class TlsTerminationTest {

    private Backend backend;
    private ProxyServer proxy;

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (backend != null) {
            backend.close();
        }
    }

    private void start(Path certificate, Path privateKey) throws Exception {
        backend = new Backend("app");
        start(certificate, privateKey, backend.address());
    }

    private void start(Path certificate, Path privateKey, String upstream) throws Exception {
        ProxySettings s = Specs.settings();
        ProxySettings withTls = new ProxySettings(s.listen(), s.ioThreads(), s.limits(), s.maxConnections(),
                s.maxInFlight(), s.poolSizePerEndpoint(), s.drainTimeout(), s.eventBatchMicros(), s.transport(),
                s.accessLog(), s.normalizePath(), new TlsSettings(new HostPort("127.0.0.1", 0), certificate,
                privateKey));
        List<ServiceSpec> services = List.of(Specs.service("app", List.of(Specs.version("v1", upstream)),
                Specs.weights("v1", 10000), null));
        proxy = ProxyServer.start(withTls, services, List.of());
    }

    @Test
    void servesHttpsBesideHttpAndTellsTheUpstreamWhichSchemeTheClientUsed() throws Exception {
        start(TestPem.path("rsa-a.crt"), TestPem.path("rsa-a.key"));
        HttpClient https = HttpClient.newBuilder().sslContext(TestPem.trusting("rsa-a.crt"))
                .version(HttpClient.Version.HTTP_1_1).build();

        HttpResponse<String> secure = https.send(HttpRequest.newBuilder(
                URI.create("https://127.0.0.1:" + proxy.tlsAddress().getPort() + "/cart")).build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> plain = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + proxy.localAddress().getPort() + "/cart")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(secure.statusCode()).isEqualTo(200);
        assertThat(plain.statusCode()).isEqualTo(200);
        assertThat(backend.requests()).hasSize(2);
        assertThat(backend.requests().get(0).headers().get("x-forwarded-proto")).isEqualTo("https");
        assertThat(backend.requests().get(0).uri()).isEqualTo("/cart");
        assertThat(backend.requests().get(1).headers().get("x-forwarded-proto")).isEqualTo("http");
    }

    @Test
    void plainHttpSentToTheTlsPortGetsAPlain400AndTheListenerServesOn() throws Exception {
        start(TestPem.path("rsa-a.crt"), TestPem.path("rsa-a.key"));
        try (Socket raw = new Socket()) {
            raw.connect(new InetSocketAddress("127.0.0.1", proxy.tlsAddress().getPort()), 2000);
            raw.setSoTimeout(10_000);
            raw.getOutputStream().write("GET / HTTP/1.1\r\nHost: app\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = raw.getInputStream();
            // A plain answer saying what went wrong, as nginx gives, then the end of the stream.
            String got = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(got).startsWith("HTTP/1.1 400 Bad Request\r\n")
                    .contains("\r\n\r\nplain HTTP sent to the HTTPS port: use https://\n");
        }
        assertThat(backend.requests()).isEmpty();
        assertThat(handshake(TestPem.trusting("rsa-a.crt")).getSerialNumber())
                .isEqualTo(TestPem.certificate("rsa-a.crt").getSerialNumber());
    }

    @Test
    void reloadServesARenewedCertificateToNewConnectionsAndKeepsItWhenTheFilesAreWrong(@TempDir Path dir)
            throws Exception {
        Path certificate = dir.resolve("tls.crt");
        Path privateKey = dir.resolve("tls.key");
        TestPem.copy("rsa-a.crt", certificate);
        TestPem.copy("rsa-a.key", privateKey);
        start(certificate, privateKey);
        SSLContext trustsBoth = TestPem.trusting("rsa-a.crt", "rsa-b.crt");
        assertThat(handshake(trustsBoth).getSerialNumber())
                .isEqualTo(TestPem.certificate("rsa-a.crt").getSerialNumber());

        TestPem.copy("rsa-b.crt", certificate);
        TestPem.copy("rsa-b.key", privateKey);
        proxy.reloadCertificates();
        assertThat(handshake(trustsBoth).getSerialNumber())
                .isEqualTo(TestPem.certificate("rsa-b.crt").getSerialNumber());

        Files.writeString(privateKey, "half a renewal\n");
        proxy.reloadCertificates();
        assertThat(handshake(trustsBoth).getSerialNumber())
                .isEqualTo(TestPem.certificate("rsa-b.crt").getSerialNumber());
    }

    @Test
    void aClientThatAsksForASecondHandshakeIsRefused() throws Exception {
        start(TestPem.path("rsa-a.crt"), TestPem.path("rsa-a.key"));
        try (SSLSocket socket = (SSLSocket) TestPem.trusting("rsa-a.crt").getSocketFactory().createSocket("127.0.0.1",
                proxy.tlsAddress().getPort())) {
            socket.setSoTimeout((int) Duration.ofSeconds(10).toMillis());
            socket.setEnabledProtocols(new String[] {"TLSv1.2"}); // TLS 1.3 has no renegotiation
            socket.startHandshake();
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            out.write("GET /a HTTP/1.1\r\nHost: app\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThat(new String(in.readNBytes(15), StandardCharsets.ISO_8859_1)).isEqualTo("HTTP/1.1 200 OK");
            in.readNBytes(in.available());

            socket.startHandshake(); // on an established TLS 1.2 session: a client-initiated renegotiation
            out.write("GET /b HTTP/1.1\r\nHost: app\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String after;
            try {
                after = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            } catch (IOException refused) { // the handshake_failure alert
                after = "";
            }
            assertThat(after).doesNotContain("HTTP/1.1 200");
        }
        assertThat(backend.requests()).hasSize(1);
    }

    @Test
    void tls12OffersOnlyForwardSecretAeadSuites() throws Exception {
        start(TestPem.path("rsa-a.crt"), TestPem.path("rsa-a.key"));
        assertThat(handshakes("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256")).isTrue();
        assertThat(handshakes("TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256")).isTrue(); // for phones without AES
        assertThat(handshakes("TLS_RSA_WITH_AES_128_GCM_SHA256")).isFalse(); // RSA key exchange: no forward secrecy
        assertThat(handshakes("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA")).isFalse(); // CBC with SHA-1
    }

    /** Whether a TLS 1.2 client offering only {@code suite} completes a handshake. */
    private boolean handshakes(String suite) throws Exception {
        try (SSLSocket socket = (SSLSocket) TestPem.trusting("rsa-a.crt").getSocketFactory().createSocket("127.0.0.1",
                proxy.tlsAddress().getPort())) {
            socket.setSoTimeout((int) Duration.ofSeconds(10).toMillis());
            socket.setEnabledProtocols(new String[] {"TLSv1.2"});
            socket.setEnabledCipherSuites(new String[] {suite});
            socket.startHandshake();
            return true;
        } catch (SSLHandshakeException refused) {
            return false;
        }
    }

    /**
     * A response the upstream cut mid-body is cut with a reset over TLS too: a close_notify in front of it would end
     * the stream cleanly, and the client would take 9 of 100 bytes for the end of the response.
     */
    @Test
    void aResponseCutMidBodyIsResetNotEndedWithACloseNotify() throws Exception {
        try (RawBackend cutting = new RawBackend(RawBackend.Behaviour.PARTIAL_BODY_THEN_CLOSE)) {
            start(TestPem.path("rsa-a.crt"), TestPem.path("rsa-a.key"), cutting.address());
            try (SSLSocket socket = (SSLSocket) TestPem.trusting("rsa-a.crt").getSocketFactory()
                    .createSocket("127.0.0.1", proxy.tlsAddress().getPort())) {
                socket.setSoTimeout(10_000);
                socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: app\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                InputStream in = socket.getInputStream();
                byte[] head = new byte[64];
                assertThat(new String(head, 0, in.read(head), StandardCharsets.ISO_8859_1))
                        .startsWith("HTTP/1.1 200 ");
                assertThatThrownBy(in::readAllBytes).isInstanceOf(IOException.class)
                        .hasMessageContaining("reset");
            }
        }
    }

    /** Handshakes, sends one request and returns the certificate the listener presented. */
    private X509Certificate handshake(SSLContext trust) throws Exception {
        try (SSLSocket socket = (SSLSocket) trust.getSocketFactory().createSocket("127.0.0.1",
                proxy.tlsAddress().getPort())) {
            socket.setSoTimeout((int) Duration.ofSeconds(10).toMillis());
            socket.startHandshake();
            assertThat(socket.getApplicationProtocol()).isIn("", "http/1.1");
            OutputStream out = socket.getOutputStream();
            out.write("GET / HTTP/1.1\r\nHost: app\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(response).startsWith("HTTP/1.1 200 ");
            return (X509Certificate) socket.getSession().getPeerCertificates()[0];
        }
    }
}
