package io.tokenservice.server.transport;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.tokenservice.server.access.Rpc;
import io.tokenservice.server.rpc.CallRefusals;
import io.tokenservice.server.rpc.RpcErrors;
import java.util.Map;

/**
 * Refuses a call whose request metadata is larger than {@link TransportLimits#maxHeaderListBytes()}, before
 * anything reads it (authentication included), with RESOURCE_EXHAUSTED, a google.rpc.ErrorInfo
 * {@value RpcErrors#REASON_HEADERS_TOO_LARGE} (metadata {@code limit_bytes}, {@code size_bytes}) and no
 * RetryInfo: a request a client must change, not repeat later. Sizes count as in HTTP/2: name plus value
 * (binary values base64-encoded, as sent) plus 32 bytes per field.
 *
 * <p>The HTTP/2 layer accepts {@link TransportLimits#HEADER_LIST_HEADROOM} times the limit, so that every
 * header list up to that size gets this answer instead of a bare HTTP 431 (which gRPC clients report as
 * UNKNOWN) or, above 1.25 times the transport's limit, a connection closed under all its calls.
 */
public final class HeaderListLimit implements ServerInterceptor {
    private static final int PER_FIELD_OVERHEAD = 32;

    private final int maxBytes;
    private final CallRefusals refusals;

    public HeaderListLimit(int maxBytes, CallRefusals refusals) {
        this.maxBytes = maxBytes;
        this.refusals = refusals;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
            ServerCallHandler<Q, R> next) {
        long size = size(headers);
        if (size <= maxBytes) {
            return next.startCall(call, headers);
        }
        return refusals.refuse(call, Rpc.ofFullMethodName(call.getMethodDescriptor().getFullMethodName()), null,
                RpcErrors.resourceExhausted(RpcErrors.REASON_HEADERS_TOO_LARGE, "request metadata of " + size
                        + " bytes exceeds the limit of " + maxBytes + " bytes (name + value + 32 per field): "
                        + "send less; the same request will be refused again",
                        Map.of("limit_bytes", Integer.toString(maxBytes), "size_bytes", Long.toString(size))));
    }

    /** The HTTP/2 size of {@code headers}. */
    static long size(Metadata headers) {
        long size = 0;
        for (String name : headers.keys()) {
            if (name.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
                for (byte[] value : headers.getAll(Metadata.Key.of(name, Metadata.BINARY_BYTE_MARSHALLER))) {
                    size += name.length() + (value.length + 2L) / 3 * 4 + PER_FIELD_OVERHEAD;
                }
            } else {
                for (String value : headers.getAll(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER))) {
                    size += name.length() + value.length() + PER_FIELD_OVERHEAD;
                }
            }
        }
        return size;
    }
}
