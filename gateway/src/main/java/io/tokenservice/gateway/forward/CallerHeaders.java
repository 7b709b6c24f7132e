package io.tokenservice.gateway.forward;

import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.RequestHeaders;
import io.grpc.Metadata;

/**
 * What of a caller's request the gateway passes on to the token server: its {@code authorization}
 * header, every value unchanged (an API key or, later, an end-user JWT: the server decides), and nothing
 * else. A call without one reaches the server without one. Nothing here is logged.
 */
public final class CallerHeaders {
    static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of(HttpHeaderNames.AUTHORIZATION.toString(), Metadata.ASCII_STRING_MARSHALLER);

    private CallerHeaders() {}

    /** The headers to send to the server for a gRPC, gRPC-Web or transcoded call. */
    public static Metadata of(Metadata incoming) {
        Metadata outgoing = new Metadata();
        Iterable<String> values = incoming.getAll(AUTHORIZATION);
        if (values != null) {
            for (String value : values) {
                outgoing.put(AUTHORIZATION, value);
            }
        }
        return outgoing;
    }

    /** The headers to send to the server for a plain HTTP request (the classic routes). */
    public static Metadata of(RequestHeaders incoming) {
        Metadata outgoing = new Metadata();
        for (String value : incoming.getAll(HttpHeaderNames.AUTHORIZATION)) {
            outgoing.put(AUTHORIZATION, value);
        }
        return outgoing;
    }
}
