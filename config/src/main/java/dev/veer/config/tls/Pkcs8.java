package dev.veer.config.tls;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/**
 * Wraps the two older private key encodings in PKCS#8, the one the JDK reads: PKCS#1 RSA ({@code BEGIN RSA PRIVATE
 * KEY}, from {@code openssl genrsa -traditional} and cert-manager's default) and SEC1 EC ({@code BEGIN EC PRIVATE
 * KEY}, from {@code openssl ecparam -genkey}). Both are DER; PKCS#8 adds the algorithm (and for EC the curve) in
 * front (RFC 5208 §5, RFC 5915 §3).
 */
final class Pkcs8 {

    private static final int SEQUENCE = 0x30;
    private static final int INTEGER = 0x02;
    private static final int OCTET_STRING = 0x04;
    private static final int OID = 0x06;
    private static final int EC_PARAMETERS = 0xa0;
    /** AlgorithmIdentifier { rsaEncryption, NULL }. */
    private static final byte[] RSA_ALGORITHM = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86,
            (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};
    /** The OID id-ecPublicKey, 1.2.840.10045.2.1, with its tag and length. */
    private static final byte[] EC_PUBLIC_KEY = {0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01};
    private static final byte[] VERSION_0 = {0x02, 0x01, 0x00};

    private Pkcs8() {
    }

    static byte[] fromPkcs1Rsa(byte[] pkcs1) {
        return privateKeyInfo(RSA_ALGORITHM, pkcs1);
    }

    /** Null when the SEC1 key does not name its curve, which PKCS#8 needs. */
    static byte[] fromSec1Ec(byte[] sec1) {
        byte[] curve = namedCurve(sec1);
        if (curve == null) {
            return null;
        }
        return privateKeyInfo(tlv(SEQUENCE, concat(EC_PUBLIC_KEY, curve)), sec1);
    }

    private static byte[] privateKeyInfo(byte[] algorithm, byte[] key) {
        return tlv(SEQUENCE, concat(VERSION_0, algorithm, tlv(OCTET_STRING, key)));
    }

    /**
     * The curve OID (tag, length and value) of ECPrivateKey {version, privateKey, [0] parameters, [1] publicKey}, or
     * null.
     */
    private static byte[] namedCurve(byte[] der) {
        try {
            return namedCurveOf(new Der(der));
        } catch (IndexOutOfBoundsException | IllegalArgumentException | NegativeArraySizeException e) {
            return null; // a length past the end, or one over 2 GiB read as negative: a truncated or garbled key
        }
    }

    private static byte[] namedCurveOf(Der in) {
        if (in.tag() != SEQUENCE) {
            return null;
        }
        in.enter();
        if (in.tag() != INTEGER) {
            return null;
        }
        in.skip();
        if (in.tag() != OCTET_STRING) {
            return null;
        }
        in.skip();
        if (in.tag() != EC_PARAMETERS) {
            return null;
        }
        in.enter();
        return in.tag() == OID ? in.element() : null;
    }

    private static byte[] tlv(int tag, byte[] value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(value.length + 6);
        out.write(tag);
        int length = value.length;
        if (length < 0x80) {
            out.write(length);
        } else {
            int bytes = length < 0x100 ? 1 : length < 0x10000 ? 2 : 3;
            out.write(0x80 | bytes);
            for (int shift = (bytes - 1) * 8; shift >= 0; shift -= 8) {
                out.write(length >>> shift);
            }
        }
        out.writeBytes(value);
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    /** A cursor over DER elements, enough to walk SEC1's few; past the end, tag() is -1 and the rest throw. */
    private static final class Der {
        private final byte[] der;
        private int at;

        Der(byte[] der) {
            this.der = der;
        }

        int tag() {
            return at >= 0 && at < der.length ? der[at] & 0xff : -1;
        }

        /** Moves into the current element's value. */
        void enter() {
            at = valueStart();
        }

        /** Moves past the current element. */
        void skip() {
            at = valueStart() + length();
        }

        /** The current element, tag to end. */
        byte[] element() {
            return Arrays.copyOfRange(der, at, valueStart() + length());
        }

        /** The current element's value length; throws IndexOutOfBoundsException past the end. */
        private int length() {
            int first = der[at + 1] & 0xff;
            if (first < 0x80) {
                return first;
            }
            int length = 0;
            for (int i = 0; i < (first & 0x7f); i++) {
                length = (length << 8) | (der[at + 2 + i] & 0xff);
            }
            return length;
        }

        private int valueStart() {
            int first = der[at + 1] & 0xff;
            return at + 2 + (first < 0x80 ? 0 : first & 0x7f);
        }
    }
}
