package io.tokenservice.client.renew;

import io.tokenservice.client.Token;
import io.tokenservice.client.TokenClient;
import io.tokenservice.proto.v1.IssueApaasTokenRequest;
import io.tokenservice.proto.v1.IssueChatTokenRequest;
import io.tokenservice.proto.v1.IssueRtcTokenRequest;
import io.tokenservice.proto.v1.IssueRtmTokenRequest;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
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

    /** RenewToken through {@code client}; fresh tokens by {@code issue}. */
    static TokenProvider of(TokenClient client, Supplier<CompletableFuture<Token>> issue) {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(issue, "issue");
        return new TokenProvider() {
            @Override
            public CompletableFuture<Token> renew(Token current) {
                return client.renewTokenAsync(current.value());
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

    /** An RTC session: fresh tokens by IssueRtcToken with {@code request}. */
    static TokenProvider rtc(TokenClient client, IssueRtcTokenRequest request) {
        Objects.requireNonNull(request, "request");
        return of(client, () -> client.issueRtcTokenAsync(request));
    }

    /** An RTM session: fresh tokens by IssueRtmToken with {@code request}. */
    static TokenProvider rtm(TokenClient client, IssueRtmTokenRequest request) {
        Objects.requireNonNull(request, "request");
        return of(client, () -> client.issueRtmTokenAsync(request));
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
