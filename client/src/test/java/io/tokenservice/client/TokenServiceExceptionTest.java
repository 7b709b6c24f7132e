package io.tokenservice.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import com.google.rpc.RetryInfo;
import io.grpc.Status;
import io.grpc.protobuf.StatusProto;
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
        assertThat(TokenServiceException.from("x", Status.INTERNAL.asRuntimeException()).isRetryable()).isTrue();
        assertThat(TokenServiceException.from("x", Status.UNIMPLEMENTED.asRuntimeException()).isRetryable()).isFalse();
        assertThat(TokenServiceException.from("x", Status.NOT_FOUND.asRuntimeException()).kind())
                .isEqualTo(TokenServiceException.Kind.UNKNOWN_APP);
    }

    @Test
    void resourceExhaustedIsTheRateLimitOnlyWithARetryInfo() {
        TokenServiceException limited = TokenServiceException.from("IssueRtcToken", StatusProto.toStatusRuntimeException(
                com.google.rpc.Status.newBuilder().setCode(Code.RESOURCE_EXHAUSTED_VALUE).setMessage("rate limit")
                        .addDetails(Any.pack(RetryInfo.newBuilder().setRetryDelay(
                                com.google.protobuf.Duration.newBuilder().setSeconds(1)).build())).build()));
        assertThat(limited.kind()).isEqualTo(TokenServiceException.Kind.RATE_LIMITED);
        assertThat(limited.isRetryable()).isTrue();
        assertThat(limited.retryDelay()).contains(java.time.Duration.ofSeconds(1));

        TokenServiceException message = TokenServiceException.from("InspectToken", Status.RESOURCE_EXHAUSTED
                .withDescription("gRPC message exceeds maximum size 65536: 70007").asRuntimeException());
        assertThat(message.kind()).isEqualTo(TokenServiceException.Kind.REQUEST_TOO_LARGE);
        assertThat(message.isRetryable()).isFalse();
        assertThat(message.retryDelay()).isEmpty();

        TokenServiceException headers = TokenServiceException.from("IssueRtcToken", StatusProto.toStatusRuntimeException(
                com.google.rpc.Status.newBuilder().setCode(Code.RESOURCE_EXHAUSTED_VALUE)
                        .setMessage("request metadata of 9151 bytes exceeds the limit of 8192 bytes")
                        .addDetails(Any.pack(ErrorInfo.newBuilder().setReason("HEADERS_TOO_LARGE")
                                .setDomain("tokenservice.v1").build())).build()));
        assertThat(headers.kind()).isEqualTo(TokenServiceException.Kind.REQUEST_TOO_LARGE);
        assertThat(headers.errorReason()).contains(TokenServiceException.HEADERS_TOO_LARGE_REASON);
        assertThat(headers.isRetryable()).isFalse();
    }
}
