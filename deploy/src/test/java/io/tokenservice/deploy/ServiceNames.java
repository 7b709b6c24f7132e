package io.tokenservice.deploy;

/** The names compose and Kubernetes share, so that clients and the variables read the same everywhere. */
public final class ServiceNames {
    public static final String SERVER = "token-server";
    public static final String GATEWAY = "token-gateway";
    public static final String REDIS = "redis";
    /** What the server gets as {@code TOKEN_SERVICE_REDIS_URL} in both deployments (the issue fixes the name). */
    public static final String REDIS_URL = "redis://redis:6379";

    private ServiceNames() {}
}
