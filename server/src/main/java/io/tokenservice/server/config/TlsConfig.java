package io.tokenservice.server.config;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Server TLS from PEM files: the certificate chain and its private key (PKCS#8), and optionally the
 * CA certificates that client certificates are checked against. With a client CA, client certificates
 * are requested but optional (so API-key callers still connect); an authentication interceptor reads
 * the verified chain from the call's {@code Grpc.TRANSPORT_ATTR_SSL_SESSION}.
 */
public record TlsConfig(Path certificateChain, Path privateKey, Optional<Path> clientCa) {
    public TlsConfig {
        Objects.requireNonNull(certificateChain, "certificateChain");
        Objects.requireNonNull(privateKey, "privateKey");
        Objects.requireNonNull(clientCa, "clientCa");
    }

    /** "on", or "on (client certificates accepted)" with a client CA. */
    public String describe() {
        return clientCa.isPresent() ? "on (client certificates accepted)" : "on";
    }
}
