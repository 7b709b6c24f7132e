package io.tokenservice.server.transport;

import io.grpc.InternalMetadata;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.tokenservice.server.access.Rpc;
import io.tokenservice.server.config.TransportSettings;
import io.tokenservice.server.rpc.CallRefusals;
import io.tokenservice.server.rpc.RpcErrors;
import java.util.Map;

/**
 * Refuses a call whose request metadata is larger than {@link TransportSettings#maxHeaderListBytes()}, before
 * anything reads it (authentication included), with RESOURCE_EXHAUSTED, a google.rpc.ErrorInfo
 * {@value RpcErrors#REASON_HEADERS_TOO_LARGE} (metadata {@code limit_bytes}, {@code size_bytes}) and no
 * RetryInfo: a request a client must change, not repeat later. Sizes count as in HTTP/2: name plus value
 * (binary values base64-encoded, as sent) plus 32 bytes per field.
 *
 * <p>The HTTP/2 layer accepts {@link TransportSettings#HEADER_LIST_HEADROOM} times the limit, so that every
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

    /**
     * The HTTP/2 size of {@code headers}: name + value (binary ones base64-encoded) + 32 per field.
     *
     * <p>Reads the received bytes through gRPC's {@link InternalMetadata}, as transport integrations do: the
     * public {@link Metadata} API makes a String of every name and value, which cost about 400 ns and 770
     * bytes per call (CallerSecurityBenchmarks.headerListSize), a few percent of a whole call, for a check
     * every call passes.
     */
    public static long size(Metadata headers) {
        byte[][] namesAndValues = InternalMetadata.serialize(headers);
        long size = 0;
        for (int i = 0; i + 1 < namesAndValues.length; i += 2) {
            byte[] name = namesAndValues[i];
            int value = namesAndValues[i + 1].length;
            if (endsWithBinarySuffix(name)) {
                value = (value * 4 + 2) / 3; // base64 without padding, as gRPC sends it
            }
            size += name.length + value + PER_FIELD_OVERHEAD;
        }
        return size;
    }

    private static boolean endsWithBinarySuffix(byte[] name) {
        int n = name.length;
        return n >= 4 && name[n - 4] == '-' && name[n - 3] == 'b' && name[n - 2] == 'i' && name[n - 1] == 'n';
    }
}
