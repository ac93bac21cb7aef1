package dev.veer.proxy.server;

import dev.veer.config.model.TlsSettings;
import dev.veer.config.tls.TlsMaterial;
import io.netty.channel.Channel;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * TLS on the proxy's second listener ({@code proxy.tls}): a server context made from the certificate and key files,
 * replaced whole when they are read again, so a renewed certificate serves every connection made after a reload
 * while the open ones keep theirs. TLS 1.2 and 1.3, forward-secret AEAD suites only, no client-initiated renegotiation;
 * ALPN offers only http/1.1, so a browser does not try HTTP/2, which Veer does not speak.
 */
public final class TlsTermination {

    private static final Logger log = LoggerFactory.getLogger(TlsTermination.class);
    /**
     * Mozilla's "intermediate" suites (as nginx and HAProxy are configured from its generator), not Netty's default
     * list, which adds RSA key exchange (no forward secrecy) and CBC with SHA-1 and lacks ChaCha20, the suite of
     * phones without AES instructions. Any TLS 1.2 client of the last decade has one of these.
     */
    private static final List<String> CIPHER_SUITES = List.of(
            "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    static {
        // A TLS 1.2 client may otherwise ask for handshake after handshake on one connection, each costing Veer a
        // private key operation: a CPU sink no connection limit sees (CVE-2011-1473; nginx and HAProxy refuse them
        // too). The JDK reads this once, at its first server handshake, and only Veer's listener does those. An
        // operator's own -D setting stands.
        if (System.getProperty("jdk.tls.rejectClientInitiatedRenegotiation") == null) {
            System.setProperty("jdk.tls.rejectClientInitiatedRenegotiation", "true");
        }
    }

    private final TlsSettings settings;
    private final long handshakeTimeoutMillis;
    private volatile SslContext context;

    private TlsTermination(TlsSettings settings, long handshakeTimeoutMillis, SslContext context) {
        this.settings = settings;
        this.handshakeTimeoutMillis = handshakeTimeoutMillis;
        this.context = context;
    }

    /**
     * Reads the files. {@code handshakeTimeout}: how long a client may take over its handshake, the header timeout,
     * so a connection that never completes one is dropped like one that never sends its head.
     */
    public static TlsTermination start(TlsSettings settings, Duration handshakeTimeout)
            throws TlsMaterial.Invalid, SSLException {
        return new TlsTermination(settings, handshakeTimeout.toMillis(), load(settings));
    }

    /**
     * Reads the files again: a certificate renewed in place (certbot, cert-manager) serves new connections from
     * here on. Files that are wrong now leave the context in force, with an error in the log.
     */
    public void reload() {
        try {
            context = load(settings);
        } catch (TlsMaterial.Invalid e) {
            log.error("proxy.tls: kept the certificate in force, {} is wrong: {}",
                    e.certificateFile() ? settings.certificate() : settings.privateKey(), e.getMessage());
        } catch (SSLException e) {
            log.error("proxy.tls: kept the certificate in force, the JVM refused the new one: {}", e.getMessage());
        }
    }

    SslHandler newHandler(Channel ch) {
        SslHandler handler = context.newHandler(ch.alloc());
        handler.setHandshakeTimeoutMillis(handshakeTimeoutMillis);
        return handler;
    }

    private static SslContext load(TlsSettings settings) throws TlsMaterial.Invalid, SSLException {
        TlsMaterial material = TlsMaterial.load(settings.certificate(), settings.privateKey());
        String warning = material.validityWarning(Instant.now());
        if (warning != null) {
            log.warn("proxy.tls: {} in {}", warning, settings.certificate());
        }
        return SslContextBuilder.forServer(material.privateKey(), material.chain().toArray(new X509Certificate[0]))
                .sslProvider(SslProvider.JDK)
                .protocols("TLSv1.3", "TLSv1.2")
                .ciphers(CIPHER_SUITES, SupportedCipherSuiteFilter.INSTANCE)
                .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                        ApplicationProtocolNames.HTTP_1_1))
                .build();
    }

}
