package dev.veer.config.model;

import java.nio.file.Path;

/**
 * TLS termination on a listener of its own, beside the plain-HTTP {@code proxy.listen}.
 *
 * @param listen      where clients connect with TLS
 * @param certificate PEM file: the server certificate first, then the intermediates a client needs to reach its
 *                    trust anchor (what certbot's fullchain.pem and a Kubernetes TLS secret's tls.crt hold)
 * @param privateKey  PEM file: the certificate's private key, unencrypted (PKCS#8, or PKCS#1 RSA / SEC1 EC as
 *                    {@code openssl} and cert-manager write them). Both files are read again on every reload, so a
 *                    renewed certificate takes effect without a restart.
 */
public record TlsSettings(HostPort listen, Path certificate, Path privateKey) {
}
