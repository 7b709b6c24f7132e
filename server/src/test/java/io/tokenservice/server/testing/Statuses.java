package io.tokenservice.server.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.util.LinkedHashMap;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** Assertions on gRPC errors and their google.rpc details. */
public final class Statuses {
    private Statuses() {}

    public static StatusRuntimeException failure(ThrowingCallable call) {
        StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, call);
        assertThat(e).as("the call should fail with a gRPC status").isNotNull();
        assertNoSecret(e);
        return e;
    }

    /** Fails the test unless {@code call} fails with {@code code}. */
    public static StatusRuntimeException failure(Status.Code code, ThrowingCallable call) {
        StatusRuntimeException e = failure(call);
        assertThat(e.getStatus().getCode()).as("status of %s", e.getStatus()).isEqualTo(code);
        return e;
    }

    /** The BadRequest field violations of an INVALID_ARGUMENT, as field -> description (in order). */
    public static Map<String, String> fieldViolations(StatusRuntimeException e) {
        assertThat(e.getStatus().getCode()).as("status of %s", e.getStatus()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        com.google.rpc.Status status = StatusProto.fromThrowable(e);
        assertThat(status).as("google.rpc.Status details").isNotNull();
        Map<String, String> violations = new LinkedHashMap<>();
        for (Any detail : status.getDetailsList()) {
            if (detail.is(BadRequest.class)) {
                try {
                    for (BadRequest.FieldViolation v : detail.unpack(BadRequest.class).getFieldViolationsList()) {
                        violations.put(v.getField(), v.getDescription());
                    }
                } catch (InvalidProtocolBufferException ex) {
                    throw new AssertionError(ex);
                }
            }
        }
        assertThat(violations).as("BadRequest field violations").isNotEmpty();
        return violations;
    }

    /** Fails unless {@code call} fails with INVALID_ARGUMENT whose only violated field is {@code field}. */
    public static String invalid(String field, ThrowingCallable call) {
        Map<String, String> violations = fieldViolations(failure(Status.Code.INVALID_ARGUMENT, call));
        assertThat(violations.keySet()).as("violated fields").containsExactly(field);
        return violations.get(field);
    }

    public static ErrorInfo errorInfo(StatusRuntimeException e) {
        com.google.rpc.Status status = StatusProto.fromThrowable(e);
        assertThat(status).isNotNull();
        for (Any detail : status.getDetailsList()) {
            if (detail.is(ErrorInfo.class)) {
                try {
                    return detail.unpack(ErrorInfo.class);
                } catch (InvalidProtocolBufferException ex) {
                    throw new AssertionError(ex);
                }
            }
        }
        throw new AssertionError("no google.rpc.ErrorInfo in " + status);
    }

    /** No certificate appears in the status message (tokens are checked by the tests that send them). */
    public static void assertNoSecret(StatusRuntimeException e) {
        String text = String.valueOf(e.getStatus().getDescription()) + StatusProto.fromThrowable(e);
        for (String secret : TestApps.SECRETS) {
            assertThat(text).doesNotContain(secret);
        }
    }
}
