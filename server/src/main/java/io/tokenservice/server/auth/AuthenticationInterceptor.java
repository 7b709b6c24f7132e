package io.tokenservice.server.auth;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.tokenservice.server.access.AuditEvent;
import io.tokenservice.server.access.AuditSink;
import io.tokenservice.server.access.Caller;
import io.tokenservice.server.access.CallerContext;
import io.tokenservice.server.access.Rpc;
import java.time.Clock;
import java.util.Iterator;
import java.util.Objects;
import java.util.Optional;

/**
 * Authenticates every call except the gRPC health and reflection services: puts the {@link Caller}
 * into {@link CallerContext#CALLER} for the handlers, or closes the call with UNAUTHENTICATED and
 * always the same description, {@value #FAILURE_DESCRIPTION}, whatever was missing or wrong. A call
 * carrying more than one {@code authorization} field is refused, whichever of them would be valid.
 *
 * <p>Refusals of TokenService RPCs are recorded in the audit sink (with the precise reason, which only
 * the operator sees). Register it as the outermost interceptor of the TokenService (or server-wide).
 */
public final class AuthenticationInterceptor implements ServerInterceptor {
    /** The description of every UNAUTHENTICATED status this interceptor produces. */
    public static final String FAILURE_DESCRIPTION = "missing or invalid credentials";

    /** The {@code authorization} metadata key. */
    public static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private static final String HEALTH_SERVICE = "grpc.health.v1.Health";
    private static final String REFLECTION_PREFIX = "grpc.reflection.";

    private static final ServerCall.Listener<Object> NOOP_LISTENER = new ServerCall.Listener<>() {};

    private final Authenticator authenticator;
    private final AuditSink audit;
    private final Clock clock;

    /** Without auditing refusals. */
    public AuthenticationInterceptor(Authenticator authenticator) {
        this(authenticator, event -> {}, Clock.systemUTC());
    }

    public AuthenticationInterceptor(Authenticator authenticator, AuditSink audit, Clock clock) {
        this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
        this.audit = Objects.requireNonNull(audit, "audit");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** True for the methods reachable without credentials: gRPC health checking and reflection. */
    public static boolean isExempt(String fullMethodName) {
        // The service is what precedes the last '/'; compared in place, as this runs for every call.
        int slash = fullMethodName.lastIndexOf('/');
        return slash == HEALTH_SERVICE.length() && fullMethodName.startsWith(HEALTH_SERVICE)
                || slash >= REFLECTION_PREFIX.length() && fullMethodName.startsWith(REFLECTION_PREFIX);
    }

    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
            ServerCallHandler<ReqT, RespT> next) {
        String method = call.getMethodDescriptor().getFullMethodName();
        if (isExempt(method)) {
            return next.startCall(call, headers);
        }
        Authenticator.Result result;
        Iterable<String> authorization = headers.getAll(AUTHORIZATION);
        Iterator<String> values = authorization == null ? null : authorization.iterator();
        String first = values == null ? null : values.next();
        if (values != null && values.hasNext()) {
            // Which one would count is a matter of parsing order; none does.
            result = Authenticator.Result.failed(Authenticator.Failure.DUPLICATE_AUTHORIZATION);
        } else {
            result = authenticator.authenticate(first, call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION));
        }
        if (result.authenticated()) {
            Context context = Context.current().withValue(CallerContext.CALLER, result.caller().orElseThrow());
            return Contexts.interceptCall(context, call, headers, next);
        }
        Rpc rpc = Rpc.ofFullMethodName(method);
        if (rpc != null) {
            try {
                audit.record(new AuditEvent(clock.instant(), Optional.empty(), rpc, Optional.empty(),
                        Status.Code.UNAUTHENTICATED, result.failure().orElseThrow().reason(), Optional.empty()));
            } catch (RuntimeException e) {
                // auditing must not turn a refusal into an acceptance or an INTERNAL error
            }
        }
        call.close(Status.UNAUTHENTICATED.withDescription(FAILURE_DESCRIPTION), new Metadata());
        @SuppressWarnings("unchecked")
        ServerCall.Listener<ReqT> noop = (ServerCall.Listener<ReqT>) NOOP_LISTENER;
        return noop;
    }
}
