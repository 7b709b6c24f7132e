package io.tokenservice.server.renew;

import io.grpc.stub.StreamObserver;
import io.tokenservice.core.issue.LegacyRole;
import io.tokenservice.core.issue.RtcRole;
import io.tokenservice.core.issue.TokenIssuer;
import io.tokenservice.core.token.AccessToken2;
import io.tokenservice.core.token.AccessToken2Codec;
import io.tokenservice.core.token.AccessTokenCodec;
import io.tokenservice.core.token.MalformedTokenException;
import io.tokenservice.core.token.ParsedAccessToken;
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
 * RenewToken, judged as if its grants were requested anew. In order (after authentication, rate limit and
 * {@code may_renew}, which the call's admission checked before the request was read): the token's format
 * (INVALID_ARGUMENT, field {@code token}), its app against the caller's policy (PERMISSION_DENIED, before
 * anything says whether this server holds that app), the request's fields (INVALID_ARGUMENT), the app
 * (NOT_FOUND), the signature against the app's primary and secondary certificates (PERMISSION_DENIED), the
 * expiry against the renewal grace (FAILED_PRECONDITION, ErrorInfo TOKEN_EXPIRED), the grants: only those
 * this server issues, and only with a channel and identities that pass the input rules of issuing
 * (INVALID_ARGUMENT, field {@code token}), then the caller's policy and the deny-list for the renewed
 * grants (the access gate), then a fresh token signed with the primary certificate. Nothing from the
 * token but its App ID is looked at, or shown to the gate, before its signature verifies. A 006 token takes
 * the same steps with the channel and identity its request names ({@link LegacyRenewal}) and is renewed as
 * 006.
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
                violations.add("token", "is required: the 007 or 006 token to renew");
            }
            long requestedTtl = RequestRules.ttl(request.getTtlSeconds(), 0, violations);
            if (token.isEmpty()) {
                violations.throwIfAny();
            }
            if (token.startsWith(AccessTokenCodec.VERSION)) {
                return renewLegacy(attempt, token, request, requestedTtl, violations);
            }
            ParsedAccessToken2 parsed = decode(token);
            AccessToken2 old = parsed.content();
            attempt.admitApp(old.appId());
            violations.throwIfAny();

            AppKeys app = Apps.require(apps, old.appId());
            if (parsed.verifyingCertificate(app.certificates()).isEmpty()) {
                throw RpcErrors.permissionDenied("the token's signature does not verify with any certificate this "
                        + "server holds for app " + old.appId() + ": it was altered, or signed with another "
                        + "certificate (another environment's, or one rotated out)");
            }
            requireWithinGrace(old.expiresAt());
            if (parsed.unknownServiceType().isPresent()) {
                throw RpcErrors.invalidArgument("token", "cannot be renewed: it holds service type "
                        + parsed.unknownServiceType().getAsInt() + ", which this server does not know");
            }
            Renewal renewal = Renewal.plan(old, requestedTtl,
                    requestedTtl == 0 ? maxTtlForCaller.apply(attempt.caller()) : OptionalLong.empty());
            requireMinimumTtl(renewal.ttlSeconds());
            attempt.authorize(renewal.grant());
            IssuedToken issued = ProtoGrants.issuedToken(issuer.reissue(app.primary(), renewal.ttlSeconds(),
                    renewal.services()));
            attempt.tokenSha256Prefix(issued.getTokenSha256Prefix());
            attempt.reason("renewed token " + TokenDigest.sha256Prefix(token));
            return issued;
        });
    }

    /**
     * A 006 token: the same steps as 007 (app, signature, grace, lifetime, policy), with the channel and
     * identity the request names ({@link LegacyRenewal}), re-signed as 006 with the same privileges.
     */
    private IssuedToken renewLegacy(UnaryCalls.Attempt attempt, String token, RenewTokenRequest request,
            long requestedTtl, Violations violations) {
        ParsedAccessToken parsed = LegacyRenewal.decode(token);
        attempt.admitApp(parsed.content().appId());
        violations.throwIfAny();
        LegacyRenewal old = LegacyRenewal.read(parsed, request);
        AppKeys app = Apps.require(apps, old.appId());
        boolean signed = false;
        for (String certificate : app.certificates()) {
            signed |= old.token().verify(certificate, old.channel(), old.uid());
        }
        if (!signed) {
            throw RpcErrors.permissionDenied("the token's signature does not verify with any certificate this "
                    + "server holds for app " + old.appId() + " and the channel and identity given: it was altered, "
                    + "or signed with another certificate (another environment's, or one rotated out)");
        }
        requireWithinGrace(old.expiresAt());
        long ttl = old.ttlSeconds(requestedTtl,
                requestedTtl == 0 ? maxTtlForCaller.apply(attempt.caller()) : OptionalLong.empty());
        requireMinimumTtl(ttl);
        attempt.authorize(old.grant(app.appId(), ttl));
        long now = clock.instant().getEpochSecond();
        String renewed = old.identity() == null
                ? issuer.issueLegacyRtm(app.primary(), old.channel(), now + ttl)
                : issuer.issueLegacyRtc(app.primary(), old.channel(), old.identity(),
                        old.role() == RtcRole.PUBLISHER ? LegacyRole.PUBLISHER : LegacyRole.SUBSCRIBER, now + ttl);
        IssuedToken issued = ProtoGrants.legacyIssuedToken(renewed, now, ttl,
                old.identity() == null ? "" : old.channel(), old.uid());
        attempt.tokenSha256Prefix(issued.getTokenSha256Prefix());
        attempt.reason("renewed token " + TokenDigest.sha256Prefix(token));
        return issued;
    }

    /** FAILED_PRECONDITION TOKEN_EXPIRED for a token that ended longer ago than the renewal grace. */
    private void requireWithinGrace(Instant expiresAt) {
        if (clock.instant().isAfter(expiresAt.plus(grace))) {
            throw RpcErrors.failedPrecondition(RpcErrors.REASON_TOKEN_EXPIRED,
                    "the token expired at " + expiresAt + ", more than the renewal grace of "
                            + grace.toSeconds() + " s ago: issue a new token instead",
                    Map.of("expired_at", expiresAt.toString(), "renew_grace_seconds", Long.toString(grace.toSeconds())));
        }
    }

    /** INVALID_ARGUMENT when ttl_seconds 0 keeps a lifetime under {@link RequestRules#MIN_TTL_SECONDS}. */
    private static void requireMinimumTtl(long ttl) {
        if (ttl < RequestRules.MIN_TTL_SECONDS) {
            throw RpcErrors.invalidArgument("ttl_seconds", "is 0, so the new token would last " + ttl
                    + " s (the old token's lifetime, capped by the caller's policy): " + RequestRules.tooShort(ttl)
                    + "; set ttl_seconds");
        }
    }

    private static ParsedAccessToken2 decode(String token) {
        try {
            return AccessToken2Codec.decode(token);
        } catch (MalformedTokenException e) {
            // The parser's reasons never quote the token.
            throw RpcErrors.invalidArgument("token", "is not a valid 007 token: " + e.getMessage());
        }
    }
}
