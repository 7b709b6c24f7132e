package io.tokenservice.server.auth;

import io.grpc.CallCredentials;
import io.grpc.Metadata;
import java.util.concurrent.Executor;

/** Test call credentials sending {@code authorization: <value>} as is, also over plaintext. */
public final class BearerHeader extends CallCredentials {
    private final String value;

    private BearerHeader(String value) {
        this.value = value;
    }

    /** {@code authorization: Bearer <key>}. */
    public static CallCredentials bearer(String key) {
        return new BearerHeader("Bearer " + key);
    }

    /** {@code authorization: <value>}, verbatim. */
    public static CallCredentials raw(String value) {
        return new BearerHeader(value);
    }

    @Override
    public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
        Metadata m = new Metadata();
        m.put(AuthenticationInterceptor.AUTHORIZATION, value);
        applier.apply(m);
    }
}
