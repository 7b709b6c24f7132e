package io.tokenservice.client;

import io.grpc.CallCredentials;
import io.grpc.Metadata;
import io.grpc.SecurityLevel;
import io.grpc.Status;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * Sends {@code authorization: Bearer <api key>} with every call. Refuses (UNAUTHENTICATED, without
 * contacting the server) to send the key over a connection without transport security unless the client
 * was explicitly built for plaintext.
 */
final class ApiKeyCredentials extends CallCredentials {
    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization",
            Metadata.ASCII_STRING_MARSHALLER);

    private final String headerValue;
    private final boolean allowInsecure;

    ApiKeyCredentials(String apiKey, boolean allowInsecure) {
        Objects.requireNonNull(apiKey, "apiKey");
        if (apiKey.isBlank()) {
            throw new IllegalArgumentException("API key is blank");
        }
        for (int i = 0; i < apiKey.length(); i++) {
            char c = apiKey.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                throw new IllegalArgumentException("API key must be printable ASCII without spaces");
            }
        }
        this.headerValue = "Bearer " + apiKey;
        this.allowInsecure = allowInsecure;
    }

    @Override
    public void applyRequestMetadata(RequestInfo requestInfo, Executor appExecutor, MetadataApplier applier) {
        if (!allowInsecure && requestInfo.getSecurityLevel() != SecurityLevel.PRIVACY_AND_INTEGRITY) {
            applier.fail(Status.UNAUTHENTICATED.withDescription(
                    "not sending the API key over a connection without transport security ("
                            + requestInfo.getSecurityLevel()
                            + "); use TLS, or TokenClient.Builder.plaintext() for a local server"));
            return;
        }
        Metadata headers = new Metadata();
        headers.put(AUTHORIZATION, headerValue);
        applier.apply(headers);
    }

    @Override
    public String toString() {
        return "ApiKeyCredentials[redacted]";
    }
}
