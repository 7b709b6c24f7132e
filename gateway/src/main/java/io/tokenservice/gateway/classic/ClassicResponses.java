package io.tokenservice.gateway.classic;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.BadRequest;
import com.google.rpc.RetryInfo;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.common.ResponseHeadersBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.tokenservice.gateway.forward.BackendStatus;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;

/**
 * The answers of the classic routes: JSON, with the no-cache headers Agora's token servers send, and one
 * error shape for everything that goes wrong,
 * {@code {"error": "<what>", "field": "<parameter>", "status": <HTTP status>, "code": "<gRPC code>"}}
 * ({@code field} only when one parameter is to blame). The error names the route's parameter, not the
 * RPC's field.
 */
final class ClassicResponses {
    static final ObjectMapper JSON = new ObjectMapper();

    private ClassicResponses() {}

    static HttpResponse ok(Map<String, String> body) {
        ObjectNode json = JSON.createObjectNode();
        body.forEach(json::put);
        return json(json, headers(HttpStatus.OK));
    }

    static HttpResponse badInput(BadInput e) {
        return error(HttpStatus.BAD_REQUEST, Status.Code.INVALID_ARGUMENT, e.getMessage(), e.field());
    }

    static HttpResponse methodNotAllowed(String allowed) {
        ResponseHeadersBuilder headers = headers(HttpStatus.METHOD_NOT_ALLOWED).set(HttpHeaderNames.ALLOW, allowed);
        return json(errorBody(HttpStatus.METHOD_NOT_ALLOWED, Status.Code.UNIMPLEMENTED,
                "this route takes " + allowed, null), headers);
    }

    /**
     * The answer for a failed call to the token server. {@code fields} maps the RPC's field paths to the
     * route's parameter names.
     */
    static HttpResponse failure(Throwable failure, Map<String, String> fields) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof BadInput bad) {
            return badInput(bad);
        }
        if (!(cause instanceof StatusRuntimeException e)) {
            return error(HttpStatus.BAD_GATEWAY, Status.Code.INTERNAL, "the gateway could not complete the call", null);
        }
        Status status = BackendStatus.forCaller(e.getStatus());
        HttpStatus http = httpStatus(status.getCode());
        com.google.rpc.Status details = BackendStatus.isTransport(e.getStatus()) ? null : StatusProto.fromThrowable(e);
        String message = status.getDescription() == null ? status.getCode().toString() : status.getDescription();
        String field = null;
        ResponseHeadersBuilder headers = headers(http);
        if (details != null) {
            for (Any detail : details.getDetailsList()) {
                try {
                    if (detail.is(BadRequest.class)) {
                        List<String> problems = new ArrayList<>();
                        for (BadRequest.FieldViolation v : detail.unpack(BadRequest.class).getFieldViolationsList()) {
                            String name = fields.getOrDefault(v.getField(), v.getField());
                            field = field == null ? name : field;
                            problems.add(name + " " + v.getDescription());
                        }
                        if (!problems.isEmpty()) {
                            message = String.join("; ", problems);
                        }
                    } else if (detail.is(RetryInfo.class)) {
                        com.google.protobuf.Duration delay = detail.unpack(RetryInfo.class).getRetryDelay();
                        long seconds = Math.max(1, delay.getSeconds() + (delay.getNanos() > 0 ? 1 : 0));
                        headers.set(HttpHeaderNames.RETRY_AFTER, Long.toString(seconds));
                    }
                } catch (InvalidProtocolBufferException ignored) {
                    // a detail that does not parse adds nothing; the status still says what happened
                }
            }
        }
        if (http == HttpStatus.UNAUTHORIZED) {
            headers.set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer");
        }
        return json(errorBody(http, status.getCode(), message, field), headers);
    }

    /** The HTTP status for a gRPC code, as Google's HTTP mapping has it; a server failure is the gateway's 502. */
    static HttpStatus httpStatus(Status.Code code) {
        return switch (code) {
            case OK -> HttpStatus.OK;
            case INVALID_ARGUMENT, FAILED_PRECONDITION, OUT_OF_RANGE -> HttpStatus.BAD_REQUEST;
            case UNAUTHENTICATED -> HttpStatus.UNAUTHORIZED;
            case PERMISSION_DENIED -> HttpStatus.FORBIDDEN;
            case NOT_FOUND -> HttpStatus.NOT_FOUND;
            case ALREADY_EXISTS, ABORTED -> HttpStatus.CONFLICT;
            case RESOURCE_EXHAUSTED -> HttpStatus.TOO_MANY_REQUESTS;
            case UNIMPLEMENTED -> HttpStatus.NOT_IMPLEMENTED;
            case UNAVAILABLE, CANCELLED -> HttpStatus.SERVICE_UNAVAILABLE;
            case DEADLINE_EXCEEDED -> HttpStatus.GATEWAY_TIMEOUT;
            case UNKNOWN, INTERNAL, DATA_LOSS -> HttpStatus.BAD_GATEWAY;
        };
    }

    private static HttpResponse error(HttpStatus http, Status.Code code, String message, String field) {
        return json(errorBody(http, code, message, field), headers(http));
    }

    private static ObjectNode errorBody(HttpStatus http, Status.Code code, String message, String field) {
        ObjectNode body = JSON.createObjectNode().put("error", message);
        if (field != null) {
            body.put("field", field);
        }
        return body.put("status", http.code()).put("code", code.name());
    }

    /** The headers of every classic answer: JSON, never cached (tokens are per user and short-lived). */
    static ResponseHeadersBuilder headers(HttpStatus status) {
        return ResponseHeaders.builder(status)
                .contentType(MediaType.JSON_UTF_8)
                .set(HttpHeaderNames.CACHE_CONTROL, "private, no-cache, no-store, must-revalidate")
                .set(HttpHeaderNames.PRAGMA, "no-cache")
                .set(HttpHeaderNames.EXPIRES, "-1");
    }

    /**
     * An HTTP-level refusal by the gateway itself (a malformed path, a body over the size limit, ...) in the
     * classic error shape; a 400 blames the path or the body.
     */
    static AggregatedHttpResponse refusal(HttpStatus http, String description, boolean hasBody) {
        Status.Code code = switch (http.code()) {
            case 400, 413 -> Status.Code.INVALID_ARGUMENT;
            case 404 -> Status.Code.NOT_FOUND;
            case 405 -> Status.Code.UNIMPLEMENTED;
            case 408, 504 -> Status.Code.DEADLINE_EXCEEDED;
            case 429 -> Status.Code.RESOURCE_EXHAUSTED;
            case 503 -> Status.Code.UNAVAILABLE;
            default -> Status.Code.UNKNOWN;
        };
        String field = http.code() == 413 || (http.code() == 400 && hasBody) ? "body" : http.code() == 400 ? "path" : null;
        String message = description != null && !description.isBlank() ? description : http.reasonPhrase();
        return aggregated(errorBody(http, code, (field == null ? "" : field + " ") + message, field), headers(http));
    }

    private static HttpResponse json(ObjectNode body, ResponseHeadersBuilder headers) {
        return aggregated(body, headers).toHttpResponse();
    }

    private static AggregatedHttpResponse aggregated(ObjectNode body, ResponseHeadersBuilder headers) {
        try {
            return AggregatedHttpResponse.of(headers.build(), HttpData.wrap(JSON.writeValueAsBytes(body)));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
