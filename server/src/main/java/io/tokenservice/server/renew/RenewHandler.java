package io.tokenservice.server.renew;

import io.grpc.stub.StreamObserver;
import io.tokenservice.core.issue.TokenIssuer;
import io.tokenservice.core.token.AccessToken2;
import io.tokenservice.core.token.AccessToken2Codec;
import io.tokenservice.core.token.AccessTokenCodec;
import io.tokenservice.core.token.MalformedTokenException;
import io.tokenservice.core.token.ParsedAccessToken2;
import io.tokenservice.proto.v1.IssuedToken;
import io.tokenservice.proto.v1.RenewTokenRequest;
import io.tokenservice.server.access.Caller;
import io.tokenservice.server.access.Rpc;
import io.tokenservice.server.config.AppKeys;
import io.tokenservice.server.config.AppRegistry;
import io.tokenservice.server.rpc.Apps;
import io.tokenservice.server.rpc.ProtoGrants;
import io.tokenservice.server.rpc.RequestRules;
import io.tokenservice.server.rpc.RpcErrors;
import io.tokenservice.server.rpc.TokenDigest;
import io.tokenservice.server.rpc.UnaryCalls;
import io.tokenservice.server.rpc.Violations;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.function.Function;

/**
 * RenewToken. In order: the request fields (INVALID_ARGUMENT), the token's format and renewability
 * (INVALID_ARGUMENT, field {@code token}), its app (NOT_FOUND), its signature against the app's primary
 * and secondary certificates (PERMISSION_DENIED), its expiry against the renewal grace
 * (FAILED_PRECONDITION, ErrorInfo TOKEN_EXPIRED), the caller's policy for the renewed grants (the access
 * gate), then a fresh token signed with the primary certificate. Nothing from the token is trusted, or
 * shown to the gate, before its signature verifies.
 */
public final class RenewHandler {
    private final AppRegistry apps;
    private final TokenIssuer issuer;
    private final UnaryCalls calls;
    private final Clock clock;
    private final Duration grace;
    private final Function<Caller, OptionalLong> maxTtlForCaller;

    public RenewHandler(AppRegistry apps, TokenIssuer issuer, UnaryCalls calls, Clock clock, Duration grace,
            Function<Caller, OptionalLong> maxTtlForCaller) {
        this.apps = Objects.requireNonNull(apps, "apps");
        this.issuer = Objects.requireNonNull(issuer, "issuer");
        this.calls = Objects.requireNonNull(calls, "calls");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.grace = Objects.requireNonNull(grace, "grace");
        this.maxTtlForCaller = Objects.requireNonNull(maxTtlForCaller, "maxTtlForCaller");
    }

    public void renew(RenewTokenRequest request, StreamObserver<IssuedToken> responses) {
        calls.run(Rpc.RENEW_TOKEN, responses, attempt -> {
            Violations violations = new Violations();
            String token = request.getToken().strip();
            if (token.isEmpty()) {
                violations.add("token", "is required: the 007 token to renew");
            }
            long requestedTtl = RequestRules.ttl(request.getTtlSeconds(), 0, violations);
            violations.throwIfAny();

            ParsedAccessToken2 parsed = decode(token);
            AccessToken2 old = parsed.content();
            if (parsed.unknownServiceType().isPresent()) {
                throw RpcErrors.invalidArgument("token", "cannot be renewed: it holds service type "
                        + parsed.unknownServiceType().getAsInt() + ", which this server does not know");
            }
            Renewal renewal = Renewal.plan(old, requestedTtl,
                    requestedTtl == 0 ? maxTtlForCaller.apply(attempt.caller()) : OptionalLong.empty());
            AppKeys app = Apps.require(apps, old.appId());
            if (parsed.verifyingCertificate(app.certificates()).isEmpty()) {
                throw RpcErrors.permissionDenied("the token's signature does not verify with any certificate this "
                        + "server holds for app " + old.appId() + ": it was altered, or signed with another "
                        + "certificate (another environment's, or one rotated out)");
            }
            Instant now = clock.instant();
            Instant renewableUntil = old.expiresAt().plus(grace);
            if (now.isAfter(renewableUntil)) {
                throw RpcErrors.failedPrecondition(RpcErrors.REASON_TOKEN_EXPIRED,
                        "the token expired at " + old.expiresAt() + ", more than the renewal grace of "
                                + grace.toSeconds() + " s ago: issue a new token instead",
                        Map.of("expired_at", old.expiresAt().toString(),
                                "renew_grace_seconds", Long.toString(grace.toSeconds())));
            }
            if (renewal.ttlSeconds() < RequestRules.MIN_TTL_SECONDS) {
                throw RpcErrors.invalidArgument("ttl_seconds", "is 0, so the new token would last "
                        + renewal.ttlSeconds() + " s (the old token's lifetime, capped by the caller's policy): "
                        + RequestRules.tooShort(renewal.ttlSeconds()) + "; set ttl_seconds");
            }
            attempt.authorize(renewal.grant());
            IssuedToken issued = ProtoGrants.issuedToken(issuer.reissue(app.primary(), renewal.ttlSeconds(),
                    renewal.services()));
            attempt.tokenSha256Prefix(issued.getTokenSha256Prefix());
            attempt.reason("renewed token " + TokenDigest.sha256Prefix(token));
            return issued;
        });
    }

    private static ParsedAccessToken2 decode(String token) {
        if (token.startsWith(AccessTokenCodec.VERSION)) {
            throw RpcErrors.invalidArgument("token", "is a 006 token, which cannot be renewed: "
                    + "issue a new 007 token instead");
        }
        try {
            return AccessToken2Codec.decode(token);
        } catch (MalformedTokenException e) {
            // The parser's reasons never quote the token.
            throw RpcErrors.invalidArgument("token", "is not a valid 007 token: " + e.getMessage());
        }
    }
}
