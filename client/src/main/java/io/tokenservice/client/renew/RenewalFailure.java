package io.tokenservice.client.renew;

import io.tokenservice.client.TokenServiceException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A failed renewal attempt.
 *
 * @param trigger what started the renewal
 * @param mode    what the attempt was for: RENEW (RenewToken, then renewToken) or REJOIN (Issue, then rejoin)
 * @param attempt the attempt number (1 = first try)
 * @param error   what failed: usually a {@link TokenServiceException}; the session's own exception if handing
 *                the token over failed
 * @param retryIn when the next attempt runs; empty if the renewer gave up (a permanent error such as
 *                UNAUTHENTICATED or PERMISSION_DENIED: it stops and must be replaced once the cause is fixed)
 */
public record RenewalFailure(Trigger trigger, HandoverMode mode, int attempt, Throwable error,
        Optional<Duration> retryIn) {
    public RenewalFailure {
        Objects.requireNonNull(trigger, "trigger");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(error, "error");
        Objects.requireNonNull(retryIn, "retryIn");
    }

    /** The service's error, if the failure came from a TokenService call. */
    public Optional<TokenServiceException> serviceError() {
        return error instanceof TokenServiceException e ? Optional.of(e) : Optional.empty();
    }

    /** True if the renewer stopped because of this failure. */
    public boolean gaveUp() {
        return retryIn.isEmpty();
    }
}
