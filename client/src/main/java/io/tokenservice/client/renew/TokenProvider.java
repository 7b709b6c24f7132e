package io.tokenservice.client.renew;

import io.tokenservice.client.Token;
import io.tokenservice.client.TokenClient;
import io.tokenservice.core.issue.RtcIdentity;
import io.tokenservice.core.token.AccessTokenCodec;
import io.tokenservice.core.token.MalformedTokenException;
import io.tokenservice.proto.v1.IssueApaasTokenRequest;
import io.tokenservice.proto.v1.IssueChatTokenRequest;
import io.tokenservice.proto.v1.IssueRtcTokenRequest;
import io.tokenservice.proto.v1.IssueRtmTokenRequest;
import io.tokenservice.proto.v1.RenewTokenRequest;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Where a {@link TokenRenewer} gets tokens: RenewToken for a token that is still renewable, and the original
 * Issue request for a fresh one after expiry. Failures should be {@link io.tokenservice.client.TokenServiceException}s.
 */
public interface TokenProvider {
    /** RenewToken: same grants as {@code current}, new issue time and expiry. */
    CompletableFuture<Token> renew(Token current);

    /** A fresh token for the same session, through the Issue RPC. */
    CompletableFuture<Token> issue();

    /** Called just before a retry that follows a failure (e.g. to reconnect without waiting for transport backoff). */
    default void beforeRetry() {}

    /**
     * Called by {@link TokenRenewer#start} with the session's first token, so that a token this provider could
     * never renew fails there rather than at the first renewal. Default: every token.
     *
     * @throws IllegalArgumentException if this provider cannot renew {@code initial}
     */
    default void requireRenewable(Token initial) {}

    /**
     * RenewToken through {@code client}; fresh tokens by {@code issue}. It renews 007 tokens only: a 006 token
     * records only the CRC32 of its channel and uid, so its renewal needs them, which {@link #rtc} and
     * {@link #rtm} take from their request.
     */
    static TokenProvider of(TokenClient client, Supplier<CompletableFuture<Token>> issue) {
        return renewing(client, issue, null, null, null, null);
    }

    /**
     * {@link #of}, renewing 006 tokens too when {@code legacyIdentity} sets what RenewToken needs for them;
     * {@code legacyChannel} and {@code legacyUid} are the channel and uid slots of such a token (for RTM the
     * user id and ""), checked against its CRC32s at start; {@code legacySlots} names them for the refusal.
     */
    private static TokenProvider renewing(TokenClient client, Supplier<CompletableFuture<Token>> issue,
            Consumer<RenewTokenRequest.Builder> legacyIdentity, String legacyChannel, String legacyUid,
            String legacySlots) {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(issue, "issue");
        return new TokenProvider() {
            @Override
            public CompletableFuture<Token> renew(Token current) {
                RenewTokenRequest.Builder request = RenewTokenRequest.newBuilder().setToken(current.value());
                if (legacyIdentity != null && current.isLegacy()) {
                    legacyIdentity.accept(request);
                }
                return client.renewTokenAsync(request.build());
            }

            @Override
            public void requireRenewable(Token initial) {
                if (legacyIdentity == null && initial.isLegacy()) {
                    throw new IllegalArgumentException("cannot renew a 006 token without its channel and uid (RTC) or "
                            + "user id (RTM), of which it records only the CRC32: use TokenProvider.rtc or "
                            + "TokenProvider.rtm with the request the token was issued for");
                }
                if (legacyIdentity != null && initial.isLegacy() && !issuedFor(initial, legacyChannel, legacyUid)) {
                    // Caught here, the mistake is named; at the first renewal it would be the server's refusal.
                    throw new IllegalArgumentException("this provider's " + legacySlots + " not the one(s) the 006 "
                            + "token was issued for (a CRC32 differs): use the request the token was issued for");
                }
            }

            @Override
            public CompletableFuture<Token> issue() {
                return issue.get();
            }

            @Override
            public void beforeRetry() {
                client.resetConnectBackoff();
            }
        };
    }

    /**
     * An RTC session: fresh tokens by IssueRtcToken with {@code request}; a 006 token is renewed with the
     * request's channel and uid or account.
     */
    static TokenProvider rtc(TokenClient client, IssueRtcTokenRequest request) {
        Objects.requireNonNull(request, "request");
        return renewing(client, () -> client.issueRtcTokenAsync(request), renewal -> {
            renewal.setChannel(request.getChannel());
            switch (request.getIdentityCase()) {
                case UID -> renewal.setUid(request.getUid());
                case ACCOUNT -> renewal.setAccount(request.getAccount());
                default -> { } // a request without identity issues no token, so has none to renew
            }
        }, request.getChannel(), rtcUid(request), "channel and uid/account are");
    }

    /** The uid slot of a 006 RTC token issued for {@code request} (uid 0 and no identity: the wildcard ""). */
    private static String rtcUid(IssueRtcTokenRequest request) {
        return switch (request.getIdentityCase()) {
            case UID -> RtcIdentity.uid(Integer.toUnsignedLong(request.getUid())).encoded();
            case ACCOUNT -> request.getAccount();
            default -> "";
        };
    }

    /** Whether the 006 token {@code token} records the CRC32s of {@code channel} and {@code uid}. */
    private static boolean issuedFor(Token token, String channel, String uid) {
        try {
            return AccessTokenCodec.decode(token.value()).matches(channel, uid);
        } catch (MalformedTokenException e) {
            throw new IllegalArgumentException("not a valid 006 token: " + e.getMessage());
        }
    }

    /** An RTM session: fresh tokens by IssueRtmToken with {@code request}; a 006 token is renewed with its user id. */
    static TokenProvider rtm(TokenClient client, IssueRtmTokenRequest request) {
        Objects.requireNonNull(request, "request");
        return renewing(client, () -> client.issueRtmTokenAsync(request),
                renewal -> renewal.setRtmUserId(request.getUserId()), request.getUserId(), "", "user id is");
    }

    /** A Chat session: fresh tokens by IssueChatToken with {@code request}. */
    static TokenProvider chat(TokenClient client, IssueChatTokenRequest request) {
        Objects.requireNonNull(request, "request");
        return of(client, () -> client.issueChatTokenAsync(request));
    }

    /** A Flexible Classroom session: fresh tokens by IssueApaasToken with {@code request}. */
    static TokenProvider apaas(TokenClient client, IssueApaasTokenRequest request) {
        Objects.requireNonNull(request, "request");
        return of(client, () -> client.issueApaasTokenAsync(request));
    }
}
