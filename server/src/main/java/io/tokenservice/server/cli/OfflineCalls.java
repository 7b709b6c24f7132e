package io.tokenservice.server.cli;

import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.tokenservice.core.issue.FpaTokenRequest;
import io.tokenservice.core.issue.TokenIssuer;
import io.tokenservice.core.issue.TokenLimits;
import io.tokenservice.core.issue.SaltSource;
import io.tokenservice.proto.v1.IssuedToken;
import io.tokenservice.server.access.Caller;
import io.tokenservice.server.access.CallerContext;
import io.tokenservice.server.config.AppRegistry;
import io.tokenservice.server.config.ServerConfig;
import io.tokenservice.server.inspect.InspectHandler;
import io.tokenservice.server.issue.IssueHandler;
import io.tokenservice.server.rpc.Apps;
import io.tokenservice.server.rpc.ProtoGrants;
import io.tokenservice.server.rpc.RequestRules;
import io.tokenservice.server.rpc.UnaryCalls;
import io.tokenservice.server.rpc.Violations;
import java.time.Clock;
import java.util.function.BiConsumer;

/**
 * The server's own handlers, called in this process without a network, a caller check or an audit log: the
 * offline commands validate, sign and explain exactly as the RPCs do.
 */
final class OfflineCalls {
    private static final Caller OPERATOR = new Caller("command-line", Caller.AuthMethod.NONE);

    private final UnaryCalls calls;
    private final AppRegistry apps;
    private final Clock clock;
    private final TokenIssuer tokens;

    OfflineCalls(AppRegistry apps, Clock clock) {
        this.apps = apps;
        this.clock = clock;
        this.calls = new UnaryCalls((caller, request) -> { }, event -> { }, clock);
        this.tokens = new TokenIssuer(clock, SaltSource.secure(), TokenLimits.agoraDefault());
    }

    IssueHandler issuer() {
        return new IssueHandler(apps, tokens, calls, clock);
    }

    /**
     * An FPA token, which no RPC mints: the app and the lifetime under the rules of the Issue RPCs' {@code app_id}
     * and {@code ttl_seconds}, then core's FPA builder.
     *
     * @throws StatusRuntimeException INVALID_ARGUMENT or NOT_FOUND, as an Issue RPC would answer
     */
    IssuedToken fpa(String appId, int ttlSeconds) {
        Violations violations = new Violations();
        String app = RequestRules.appId(appId, apps, violations);
        long ttl = RequestRules.ttl(ttlSeconds, ServerConfig.DEFAULT_TTL_SECONDS, violations);
        violations.throwIfAny();
        return ProtoGrants.issuedToken(tokens.issueFpa(Apps.require(apps, app).primary(), new FpaTokenRequest(ttl)));
    }

    InspectHandler inspector() {
        return new InspectHandler(apps, calls, clock);
    }

    /** Runs one handler method and returns its response, or throws its error status. */
    static <Q, R> R call(BiConsumer<Q, StreamObserver<R>> method, Q request) {
        Object[] result = new Object[1];
        Throwable[] error = new Throwable[1];
        Context.current().withValue(CallerContext.CALLER, OPERATOR).run(() -> method.accept(request,
                new StreamObserver<R>() {
                    @Override
                    public void onNext(R value) {
                        result[0] = value;
                    }

                    @Override
                    public void onError(Throwable t) {
                        error[0] = t;
                    }

                    @Override
                    public void onCompleted() {
                    }
                }));
        if (error[0] != null) {
            throw error[0] instanceof StatusRuntimeException e ? e : Status.fromThrowable(error[0]).asRuntimeException();
        }
        @SuppressWarnings("unchecked")
        R response = (R) result[0];
        return response;
    }
}
