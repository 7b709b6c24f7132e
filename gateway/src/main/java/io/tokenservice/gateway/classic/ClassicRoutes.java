package io.tokenservice.gateway.classic;

import static io.tokenservice.gateway.classic.ClassicParameters.isDecimal;
import static io.tokenservice.gateway.classic.ClassicParameters.lifetime;
import static io.tokenservice.gateway.classic.ClassicParameters.noMoreThan;
import static io.tokenservice.gateway.classic.ClassicParameters.required;
import static io.tokenservice.gateway.classic.ClassicParameters.role;
import static io.tokenservice.gateway.classic.ClassicParameters.rtmUserId;
import static io.tokenservice.gateway.classic.ClassicParameters.segments;
import static io.tokenservice.gateway.classic.ClassicParameters.tokenType;
import static io.tokenservice.gateway.classic.ClassicParameters.uid;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServerErrorHandler;
import com.linecorp.armeria.server.ServiceConfig;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.tokenservice.gateway.forward.Backend;
import io.tokenservice.gateway.forward.CallerHeaders;
import io.tokenservice.gateway.forward.Deadlines;
import io.tokenservice.proto.v1.ChatAppToken;
import io.tokenservice.proto.v1.IssueChatTokenRequest;
import io.tokenservice.proto.v1.IssueRtcTokenRequest;
import io.tokenservice.proto.v1.IssueRtmTokenRequest;
import io.tokenservice.proto.v1.IssuedToken;
import io.tokenservice.proto.v1.RtcRole;
import io.tokenservice.proto.v1.TokenServiceGrpc;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The routes of Agora's Node and Go token servers, so an app switches by changing a URL:
 * {@code GET /rtc/:channel/:role/:tokentype/:uid}, {@code /rtm/:uid}, {@code /rte/:channel/:role/:tokentype/:uid[/:rtmuid]},
 * {@code /chat/app}, {@code /chat/account/:chatid} (each with {@code ?expiry=} seconds), {@code POST /getToken}
 * and {@code GET /ping}. Each is one or two calls of the real RPCs, with the caller's {@code Authorization}
 * header, so the server authenticates, applies the caller's policy and rate limit, validates and audits
 * them like any other call.
 */
public final class ClassicRoutes {
    private static final Map<String, String> RTC_FIELDS = Map.of("channel", "channel", "uid", "uid",
            "account", "uid", "role", "role", "ttl_seconds", "expiry", "user_id", "rtmuid");
    private static final Map<String, String> RTM_FIELDS = Map.of("user_id", "uid", "ttl_seconds", "expiry");
    private static final Map<String, String> CHAT_FIELDS = Map.of("user_id", "chatid", "ttl_seconds", "expiry");
    private static final Map<String, String> BODY_FIELDS = Map.of("channel", "channel", "uid", "uid",
            "account", "uid", "user_id", "uid", "role", "role", "ttl_seconds", "expire");
    private static final List<String> CLASSIC_PREFIXES = List.of("/rtc/", "/rtm/", "/rte/", "/chat/", "/getToken", "/ping");
    private static final ObjectMapper STRICT_JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private final Backend backend;
    private final Duration callTimeout;

    private ClassicRoutes(Backend backend, Duration callTimeout) {
        this.backend = backend;
        this.callTimeout = callTimeout;
    }

    public static void install(ServerBuilder server, Backend backend, Duration callTimeout) {
        ClassicRoutes routes = new ClassicRoutes(backend, callTimeout);
        server.service("/ping", (ctx, req) -> req.method() == HttpMethod.GET || req.method() == HttpMethod.HEAD
                ? ClassicResponses.ok(Map.of("message", "pong"))
                : ClassicResponses.methodNotAllowed("GET"));
        server.serviceUnder("/rtc/", get(routes::rtc));
        server.serviceUnder("/rtm/", get(routes::rtm));
        server.serviceUnder("/rte/", get(routes::rte));
        server.serviceUnder("/chat/", get(routes::chat));
        server.service("/getToken", (ctx, req) -> req.method() == HttpMethod.POST
                ? HttpResponse.of(req.aggregate().thenCompose(body -> routes.getToken(ctx, body))
                        .exceptionally(failure -> ClassicResponses.failure(failure, BODY_FIELDS)))
                : ClassicResponses.methodNotAllowed("POST"));
    }

    /**
     * Renders what Armeria itself refuses on the classic routes (a path it cannot decode, a body over the
     * size limit) in the classic error shape; other routes (gRPC, JSON) keep Armeria's answers.
     */
    public static ServerErrorHandler errorHandler() {
        return new ServerErrorHandler() {
            @Override
            public HttpResponse onServiceException(ServiceRequestContext ctx, Throwable cause) {
                return null;
            }

            @Override
            public AggregatedHttpResponse renderStatus(ServiceRequestContext ctx, ServiceConfig config,
                    RequestHeaders headers, HttpStatus status, String description, Throwable cause) {
                if (headers == null) {
                    // A request line Armeria could not parse: no route, so no reason to prefer another shape.
                    return ClassicResponses.refusal(status, description, false);
                }
                if (CLASSIC_PREFIXES.stream().noneMatch(headers.path()::startsWith)) {
                    return null;
                }
                return ClassicResponses.refusal(status, description, headers.method() == HttpMethod.POST);
            }
        };
    }

    private interface Route {
        CompletableFuture<HttpResponse> handle(ServiceRequestContext ctx, HttpRequest req);
    }

    private static HttpService get(Route route) {
        return (ctx, req) -> {
            if (req.method() != HttpMethod.GET) {
                return ClassicResponses.methodNotAllowed("GET");
            }
            try {
                return HttpResponse.of(route.handle(ctx, req));
            } catch (BadInput e) {
                return ClassicResponses.badInput(e);
            }
        };
    }

    /** {@code /rtc/:channel/:role/:tokentype/:uid} → {@code {"rtcToken": ...}}. */
    private CompletableFuture<HttpResponse> rtc(ServiceRequestContext ctx, HttpRequest req) {
        List<String> path = segments(ctx.mappedPath());
        IssueRtcTokenRequest request = rtcRequest(path, expiry(ctx));
        noMoreThan(path, 4, "uid");
        return issue(ctx, req, TokenServiceGrpc.getIssueRtcTokenMethod(), request)
                .thenApply(token -> ClassicResponses.ok(Map.of("rtcToken", token.getToken())))
                .exceptionally(failure -> ClassicResponses.failure(failure, RTC_FIELDS));
    }

    /** {@code /rtm/:uid} → {@code {"rtmToken": ...}}. */
    private CompletableFuture<HttpResponse> rtm(ServiceRequestContext ctx, HttpRequest req) {
        List<String> path = segments(ctx.mappedPath());
        String user = rtmUserId("uid", required(path, 0, "uid"));
        noMoreThan(path, 1, "uid");
        IssueRtmTokenRequest request = IssueRtmTokenRequest.newBuilder().setUserId(user).setTtlSeconds(expiry(ctx)).build();
        return issue(ctx, req, TokenServiceGrpc.getIssueRtmTokenMethod(), request)
                .thenApply(token -> ClassicResponses.ok(Map.of("rtmToken", token.getToken())))
                .exceptionally(failure -> ClassicResponses.failure(failure, RTM_FIELDS));
    }

    /**
     * {@code /rte/:channel/:role/:tokentype/:uid[/:rtmuid]} → {@code {"rtcToken": ..., "rtmToken": ...}}: two
     * tokens with one privilege set each, as the classic servers give; the RTM user is {@code rtmuid}, or
     * the uid when it is not 0.
     */
    private CompletableFuture<HttpResponse> rte(ServiceRequestContext ctx, HttpRequest req) {
        List<String> path = segments(ctx.mappedPath());
        int expiry = expiry(ctx);
        IssueRtcTokenRequest rtc = rtcRequest(path, expiry);
        noMoreThan(path, 5, "rtmuid");
        String rtmUser = path.size() > 4 && !path.get(4).isEmpty() ? path.get(4) : path.get(3);
        if (rtc.hasUid() && rtc.getUid() == 0 && path.size() <= 4) {
            throw new BadInput("rtmuid", "is required when uid is 0: RTM has no wildcard user, name the user");
        }
        IssueRtmTokenRequest rtm = IssueRtmTokenRequest.newBuilder()
                .setUserId(rtmUserId("rtmuid", rtmUser)).setTtlSeconds(expiry).build();
        CompletableFuture<IssuedToken> rtcToken = issue(ctx, req, TokenServiceGrpc.getIssueRtcTokenMethod(), rtc);
        CompletableFuture<IssuedToken> rtmToken = issue(ctx, req, TokenServiceGrpc.getIssueRtmTokenMethod(), rtm);
        // The RTC call's failure is reported when both fail, so the answer does not depend on timing.
        return rtcToken.thenCombine(rtmToken, (a, b) -> ClassicResponses.ok(
                        Map.of("rtcToken", a.getToken(), "rtmToken", b.getToken())))
                .exceptionallyCompose(failure -> rtcToken.handle((ignored, rtcFailure) ->
                        ClassicResponses.failure(rtcFailure != null ? rtcFailure : failure, RTC_FIELDS)));
    }

    /** {@code /chat/app} (app token) or {@code /chat/account/:chatid} (user token) → {@code {"chatToken": ...}}. */
    private CompletableFuture<HttpResponse> chat(ServiceRequestContext ctx, HttpRequest req) {
        List<String> path = segments(ctx.mappedPath());
        IssueChatTokenRequest.Builder request = IssueChatTokenRequest.newBuilder();
        String kind = path.isEmpty() ? "" : path.get(0);
        if (kind.equals("app")) {
            noMoreThan(path, 1, "app");
            request.setApp(ChatAppToken.getDefaultInstance());
        } else if (kind.equals("account")) {
            request.setUserId(required(path, 1, "chatid"));
            noMoreThan(path, 2, "chatid");
        } else {
            throw new BadInput("path", "must be /chat/app or /chat/account/:chatid");
        }
        request.setTtlSeconds(expiry(ctx));
        return issue(ctx, req, TokenServiceGrpc.getIssueChatTokenMethod(), request.build())
                .thenApply(token -> ClassicResponses.ok(Map.of("chatToken", token.getToken())))
                .exceptionally(failure -> ClassicResponses.failure(failure, CHAT_FIELDS));
    }

    /**
     * {@code POST /getToken} with {@code {"tokenType": "rtc"|"rtm"|"chat", "channel", "role", "uid", "expire"}}
     * → {@code {"token": ...}}, as Agora's Go server: for rtc a decimal uid is a uid and anything else an
     * account, and an absent role is subscriber; for chat an absent uid asks for an app token; an absent
     * or 0 expire is the default lifetime.
     */
    private CompletableFuture<HttpResponse> getToken(ServiceRequestContext ctx, AggregatedHttpRequest body) {
        JsonNode json;
        try {
            json = STRICT_JSON.readTree(body.content().array());
        } catch (JsonProcessingException e) {
            throw new BadInput("body", "must be a JSON object (" + e.getOriginalMessage() + ")");
        } catch (java.io.IOException e) {
            throw new BadInput("body", "must be a JSON object");
        }
        if (json == null || !json.isObject()) {
            throw new BadInput("body", "must be a JSON object such as {\"tokenType\": \"rtc\", \"channel\": \"demo\", "
                    + "\"role\": \"publisher\", \"uid\": \"1234\"}");
        }
        String tokenType = text(json, "tokenType");
        String channel = text(json, "channel");
        String uid = text(json, "uid");
        int expire = expire(json);
        CompletableFuture<IssuedToken> token = switch (tokenType) {
            case "rtc" -> {
                if (channel.isEmpty()) {
                    throw new BadInput("channel", "is required for tokenType rtc");
                }
                if (uid.isEmpty()) {
                    throw new BadInput("uid", "is required for tokenType rtc (0 lets anyone join if the caller's policy allows it)");
                }
                String roleText = text(json, "role");
                IssueRtcTokenRequest.Builder rtc = IssueRtcTokenRequest.newBuilder().setChannel(channel)
                        .setRole(roleText.isEmpty() ? RtcRole.RTC_ROLE_SUBSCRIBER : role("role", roleText))
                        .setTtlSeconds(expire);
                if (isDecimal(uid) || json.get("uid").isNumber()) {
                    rtc.setUid(uid("uid", uid));
                } else {
                    rtc.setAccount(uid);
                }
                yield issue(ctx, body.headers(), TokenServiceGrpc.getIssueRtcTokenMethod(), rtc.build());
            }
            case "rtm" -> {
                if (!channel.isEmpty()) {
                    throw new BadInput("channel", "is not supported for tokenType rtm: this service issues RTM login "
                            + "tokens; for a channel, ask for an rtc token");
                }
                if (uid.isEmpty()) {
                    throw new BadInput("uid", "is required for tokenType rtm");
                }
                yield issue(ctx, body.headers(), TokenServiceGrpc.getIssueRtmTokenMethod(),
                        IssueRtmTokenRequest.newBuilder().setUserId(rtmUserId("uid", uid)).setTtlSeconds(expire).build());
            }
            case "chat" -> {
                IssueChatTokenRequest.Builder chat = IssueChatTokenRequest.newBuilder().setTtlSeconds(expire);
                if (uid.isEmpty()) {
                    chat.setApp(ChatAppToken.getDefaultInstance());
                } else {
                    chat.setUserId(uid);
                }
                yield issue(ctx, body.headers(), TokenServiceGrpc.getIssueChatTokenMethod(), chat.build());
            }
            default -> throw new BadInput("tokenType", "must be rtc, rtm or chat");
        };
        return token.thenApply(t -> ClassicResponses.ok(Map.of("token", t.getToken())))
                .exceptionally(failure -> ClassicResponses.failure(failure, BODY_FIELDS));
    }

    /** The RTC request of {@code /rtc} and {@code /rte}: channel, role, tokentype and uid from the path. */
    private static IssueRtcTokenRequest rtcRequest(List<String> path, int expiry) {
        String channel = required(path, 0, "channel");
        RtcRole role = role("role", required(path, 1, "role"));
        ClassicParameters.TokenType type = tokenType("tokentype", required(path, 2, "tokentype"));
        String uid = required(path, 3, "uid");
        IssueRtcTokenRequest.Builder request = IssueRtcTokenRequest.newBuilder()
                .setChannel(channel).setRole(role).setTtlSeconds(expiry);
        if (type == ClassicParameters.TokenType.UID) {
            request.setUid(uid("uid", uid));
        } else {
            request.setAccount(uid);
        }
        return request.build();
    }

    /** {@code ?expiry=} seconds: absent or empty = the server's default lifetime. */
    private static int expiry(ServiceRequestContext ctx) {
        List<String> values = ctx.queryParams("expiry");
        if (values.size() > 1) {
            throw new BadInput("expiry", "must be given at most once");
        }
        return values.isEmpty() ? 0 : lifetime("expiry", values.get(0).strip());
    }

    /** {@code expire} of the JSON body: absent, null or 0 = the default lifetime. */
    private static int expire(JsonNode json) {
        JsonNode node = json.get("expire");
        if (node == null || node.isNull() || (node.isIntegralNumber() && node.canConvertToLong() && node.asLong() == 0)) {
            return 0;
        }
        if (!node.isIntegralNumber() || !node.canConvertToLong()) {
            throw new BadInput("expire", "must be a positive whole number of seconds");
        }
        return lifetime("expire", node.asLong());
    }

    /** A string member ({@code uid} may also be a whole number); absent or null = empty. */
    private static String text(JsonNode json, String field) {
        JsonNode node = json.get(field);
        if (node == null || node.isNull()) {
            return "";
        }
        if (node.isTextual()) {
            return node.asText();
        }
        if (field.equals("uid") && node.isIntegralNumber()) {
            return node.bigIntegerValue().toString();
        }
        throw new BadInput(field, "must be a string");
    }

    private <Q> CompletableFuture<IssuedToken> issue(ServiceRequestContext ctx, HttpRequest req,
            MethodDescriptor<Q, IssuedToken> method, Q request) {
        return issue(ctx, req.headers(), method, request);
    }

    private <Q> CompletableFuture<IssuedToken> issue(ServiceRequestContext ctx,
            RequestHeaders headers, MethodDescriptor<Q, IssuedToken> method, Q request) {
        Metadata caller = CallerHeaders.of(headers);
        return backend.call(method, request, caller, Deadlines.forCall(ctx, callTimeout));
    }
}
