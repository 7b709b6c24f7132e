package io.tokenservice.server.rpc;

import io.grpc.StatusRuntimeException;
import io.tokenservice.server.config.AppKeys;
import io.tokenservice.server.config.AppRegistry;

/** Looks up the certificates of a request's app. */
public final class Apps {
    private Apps() {}

    /** The app's keys, or NOT_FOUND naming the App ID (App IDs are not secret). */
    public static AppKeys require(AppRegistry apps, String appId) throws StatusRuntimeException {
        return apps.find(appId).orElseThrow(() -> RpcErrors.notFound(
                "app " + appId + " is not configured on this server (it holds " + apps.size()
                        + (apps.size() == 1 ? " app" : " apps") + ")"));
    }
}
