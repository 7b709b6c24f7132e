package io.tokenservice.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class TokenServiceExceptionTest {
    @Test
    void unwrapsCompletionExceptions() {
        TokenServiceException e = TokenServiceException.from("RenewToken",
                new CompletionException(Status.UNAVAILABLE.withDescription("down").asRuntimeException()));
        assertThat(e.kind()).isEqualTo(TokenServiceException.Kind.UNAVAILABLE);
        assertThat(e.getMessage()).isEqualTo("RenewToken failed: UNAVAILABLE: down");
        assertThat(TokenServiceException.from("x", new CompletionException(e))).isSameAs(e);
    }

    @Test
    void mapsCancellationAndForeignExceptions() {
        assertThat(TokenServiceException.from("x", new CancellationException()).kind())
                .isEqualTo(TokenServiceException.Kind.CANCELLED);
        TokenServiceException bug = TokenServiceException.from("x", new IllegalStateException("boom"));
        assertThat(bug.kind()).isEqualTo(TokenServiceException.Kind.OTHER);
        assertThat(bug.isRetryable()).isFalse();
        assertThat(bug.getCause()).hasMessage("boom");
    }

    @Test
    void failedPreconditionWithoutTokenExpiredIsNotTokenExpired() {
        assertThat(TokenServiceException.from("x", Status.FAILED_PRECONDITION.asRuntimeException()).kind())
                .isEqualTo(TokenServiceException.Kind.OTHER);
    }

    @Test
    void retryableKinds() {
        assertThat(TokenServiceException.from("x", Status.DEADLINE_EXCEEDED.asRuntimeException()).isRetryable()).isTrue();
        assertThat(TokenServiceException.from("x", Status.RESOURCE_EXHAUSTED.asRuntimeException()).isRetryable()).isTrue();
        assertThat(TokenServiceException.from("x", Status.INTERNAL.asRuntimeException()).isRetryable()).isTrue();
        assertThat(TokenServiceException.from("x", Status.UNIMPLEMENTED.asRuntimeException()).isRetryable()).isFalse();
        assertThat(TokenServiceException.from("x", Status.NOT_FOUND.asRuntimeException()).kind())
                .isEqualTo(TokenServiceException.Kind.UNKNOWN_APP);
    }
}
