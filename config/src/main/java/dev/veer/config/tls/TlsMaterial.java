package dev.veer.config.tls;

import dev.veer.config.IoErrors;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A certificate chain and its private key, read from PEM files and checked to belong together, so that a wrong
 * file is refused by {@code veer check} and at reload instead of failing every client's handshake later.
 *
 * @param chain the server certificate first
 */
public record TlsMaterial(PrivateKey privateKey, List<X509Certificate> chain) {

    /** Which file is wrong and how; {@link #certificateFile()} tells the two apart. */
    public static final class Invalid extends Exception {
        private final boolean certificateFile;

        Invalid(boolean certificateFile, String message) {
            super(message);
            this.certificateFile = certificateFile;
        }

        /** True when the certificate file is the wrong one, false for the private key's. */
        public boolean certificateFile() {
            return certificateFile;
        }
    }

    /**
     * Type, RFC 1421 headers (a key encrypted the traditional way has Proc-Type and DEK-Info) and base64: without
     * room for the headers, such a key was no block at all, and refused as a file without a key.
     */
    private static final Pattern PEM_BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----\\s*((?:[A-Za-z-]+:[^\\r\\n]*\\r?\\n)*)([A-Za-z0-9+/=\\s]*?)"
                    + "-----END \\1-----");
    private static final String ENCRYPTED = "the private key is encrypted (expected: an unencrypted key; decrypt it"
            + " with openssl pkey -in KEY -out PLAIN, and keep PLAIN readable by Veer's user only)";
    private static final String[] KEY_ALGORITHMS = {"RSA", "EC", "EdDSA"};

    /** From this close to its end a certificate is said to be ending: time enough to renew it. */
    private static final Duration ENDING = Duration.ofDays(14);

    /**
     * What a client would hold against the server certificate's dates at {@code now}, or null: expired, not yet
     * valid, or ending within 14 days. Said, not refused: an expired certificate still serves what it can.
     */
    public String validityWarning(Instant now) {
        X509Certificate leaf = chain.get(0);
        Instant end = leaf.getNotAfter().toInstant();
        Instant start = leaf.getNotBefore().toInstant();
        String subject = "the certificate (" + leaf.getSubjectX500Principal().getName() + ")";
        if (end.isBefore(now)) {
            return subject + " expired at " + end + ": clients refuse it";
        }
        if (start.isAfter(now)) {
            return subject + " is valid only from " + start + ": clients refuse it until then";
        }
        return end.isBefore(now.plus(ENDING)) ? subject + " expires at " + end : null;
    }

    /** Names the certificates only: a key's own toString may print its private parts (the JDK's RSA key does). */
    @Override
    public String toString() {
        return "TlsMaterial" + chain.stream().map(c -> c.getSubjectX500Principal().getName()).toList();
    }

    /** Reads and checks both files. */
    public static TlsMaterial load(Path certificate, Path privateKey) throws Invalid {
        List<X509Certificate> chain = certificates(read(certificate, true));
        PrivateKey key = privateKey(read(privateKey, false));
        if (!belongTogether(key, chain.get(0))) {
            misordered(key, chain, certificate);
            throw new Invalid(false, "the private key does not belong to the first certificate of " + certificate
                    + " (" + chain.get(0).getSubjectX500Principal().getName() + ") (expected: the key the certificate"
                    + " was issued for)");
        }
        return new TlsMaterial(key, List.copyOf(chain));
    }

    /**
     * The key's certificate further down the file (an intermediate pasted first) is the certificate file's fault,
     * not the key's: said so, lest the key be replaced by one that is just as wrong for the first certificate.
     */
    private static void misordered(PrivateKey key, List<X509Certificate> chain, Path certificate) throws Invalid {
        for (int i = 1; i < chain.size(); i++) {
            if (belongTogether(key, chain.get(i))) {
                throw new Invalid(true, "the server certificate (" + chain.get(i).getSubjectX500Principal().getName()
                        + ") is certificate " + (i + 1) + " of " + certificate + ", after "
                        + chain.get(0).getSubjectX500Principal().getName() + " (expected: the server certificate"
                        + " first, then its intermediates)");
            }
        }
    }

    private static String read(Path file, boolean certificateFile) throws Invalid {
        try {
            return Files.readString(file, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new Invalid(certificateFile, "cannot read " + file + ": " + IoErrors.reason(e)
                    + " (expected: a readable PEM file)");
        }
    }

    private static List<X509Certificate> certificates(String pem) throws Invalid {
        List<X509Certificate> chain = new ArrayList<>();
        Matcher m = PEM_BLOCK.matcher(pem);
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            while (m.find()) {
                if (!m.group(1).equals("CERTIFICATE")) {
                    continue; // a private key kept in the same file is read from the privateKey file, not here
                }
                Certificate c = factory.generateCertificate(new ByteArrayInputStream(decode(m.group(3), true)));
                chain.add((X509Certificate) c);
            }
        } catch (CertificateException e) {
            throw new Invalid(true, "a CERTIFICATE block that is not an X.509 certificate: " + e.getMessage()
                    + " (expected: PEM certificates)");
        }
        if (chain.isEmpty()) {
            throw new Invalid(true, "no -----BEGIN CERTIFICATE----- block (expected: the server certificate in PEM,"
                    + " then its intermediates)");
        }
        return chain;
    }

    private static PrivateKey privateKey(String pem) throws Invalid {
        Matcher m = PEM_BLOCK.matcher(pem);
        while (m.find()) {
            String type = m.group(1);
            if (m.group(2).contains("ENCRYPTED")) {
                throw new Invalid(false, ENCRYPTED); // Proc-Type: 4,ENCRYPTED
            }
            switch (type) {
                case "PRIVATE KEY":
                    return pkcs8(decode(m.group(3), false));
                case "RSA PRIVATE KEY":
                    return pkcs8(Pkcs8.fromPkcs1Rsa(decode(m.group(3), false)));
                case "EC PRIVATE KEY":
                    return pkcs8(Pkcs8.fromSec1Ec(decode(m.group(3), false)));
                case "ENCRYPTED PRIVATE KEY":
                    throw new Invalid(false, ENCRYPTED);
                default:
                    // EC PARAMETERS ahead of an EC key (openssl ecparam -genkey writes both), certificates: skipped
            }
        }
        throw new Invalid(false, "no private key block (expected: -----BEGIN PRIVATE KEY-----, or RSA / EC PRIVATE"
                + " KEY)");
    }

    private static byte[] decode(String base64, boolean certificateFile) throws Invalid {
        try {
            return Base64.getMimeDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new Invalid(certificateFile, "a PEM block that is not base64: " + e.getMessage()
                    + " (expected: a PEM file)");
        }
    }

    /** The key, whatever its algorithm: PKCS#8 names it, but KeyFactory has to be asked by name. */
    private static PrivateKey pkcs8(byte[] der) throws Invalid {
        if (der == null) {
            throw new Invalid(false, "a private key block that is not a key (expected: a PEM private key)");
        }
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String algorithm : KEY_ALGORITHMS) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                // not this algorithm: try the next
            }
        }
        throw new Invalid(false, "a private key this JVM cannot read (expected: an RSA, EC or EdDSA key)");
    }

    /** Signs random bytes with the key and verifies them with the certificate's public key. */
    private static boolean belongTogether(PrivateKey key, X509Certificate certificate) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            default -> key.getAlgorithm(); // EdDSA, Ed25519, Ed448: the key names its own signature
        };
        byte[] probe = new byte[32];
        new SecureRandom().nextBytes(probe);
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false; // a key of another algorithm than the certificate's
        }
    }
}
