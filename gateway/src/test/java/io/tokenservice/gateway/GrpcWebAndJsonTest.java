package io.tokenservice.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.rpc.BadRequest;
import com.linecorp.armeria.client.grpc.GrpcClients;
import com.linecorp.armeria.common.SerializationFormat;
import com.linecorp.armeria.common.grpc.GrpcSerializationFormats;
import io.grpc.CallCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.protobuf.StatusProto;
import io.tokenservice.core.token.AccessToken2;
import io.tokenservice.core.token.Service;
import io.tokenservice.gateway.testing.RunningGateway;
import io.tokenservice.gateway.testing.TokenServerProcess;
import io.tokenservice.gateway.testing.Tokens2;
import io.tokenservice.proto.v1.InspectTokenRequest;
import io.tokenservice.proto.v1.InspectTokenResponse;
import io.tokenservice.proto.v1.IssueRtcTokenRequest;
import io.tokenservice.proto.v1.IssuedToken;
import io.tokenservice.proto.v1.RenewTokenRequest;
import io.tokenservice.proto.v1.RtcRole;
import io.tokenservice.proto.v1.SignatureStatus;
import io.tokenservice.proto.v1.TokenServiceGrpc;
import io.tokenservice.proto.v1.TokenServiceGrpc.TokenServiceBlockingStub;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * tokenservice.v1.TokenService through the gateway in every protocol it speaks, against the real server:
 * native gRPC (grpc-java), gRPC-Web binary and text (Armeria's Java gRPC-Web client) and HTTP/JSON
 * transcoding; the caller's key forwarded (refused without, accepted with), google.rpc details intact;
 * health and reflection on the gateway.
 */
class GrpcWebAndJsonTest {
    private static TokenServerProcess server;
    private static RunningGateway gateway;
    private static String key;
    private static ManagedChannel nativeChannel;

    @BeforeAll
    static void start() {
        server = TokenServerProcess.shared();
        gateway = RunningGateway.start(server, Map.of());
        key = server.apiKey("rpc");
        nativeChannel = Grpc.newChannelBuilderForAddress("127.0.0.1", gateway.port(), InsecureChannelCredentials.create()).build();
    }

    @AfterAll
    static void stop() {
        nativeChannel.shutdownNow();
        gateway.close();
    }

    static CallCredentials bearerCredentials(String apiKey) {
        return new CallCredentials() {
            @Override
            public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
                Metadata headers = new Metadata();
                headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + apiKey);
                applier.apply(headers);
            }
        };
    }

    static Stream<Arguments> clients() {
        return Stream.of(
                Arguments.of("native gRPC", null),
                Arguments.of("gRPC-Web binary", GrpcSerializationFormats.PROTO_WEB),
                Arguments.of("gRPC-Web text", GrpcSerializationFormats.PROTO_WEB_TEXT));
    }

    /** A stub of the given kind through the gateway, with a deadline and optionally a key. */
    static TokenServiceBlockingStub stub(SerializationFormat webFormat, String apiKey) {
        TokenServiceBlockingStub stub = webFormat == null
                ? TokenServiceGrpc.newBlockingStub(nativeChannel)
                : GrpcClients.builder("http://127.0.0.1:" + gateway.port())
                        .serializationFormat(webFormat)
                        .build(TokenServiceBlockingStub.class);
        stub = stub.withDeadlineAfter(10, TimeUnit.SECONDS);
        return apiKey == null ? stub : stub.withCallCredentials(bearerCredentials(apiKey));
    }

    static final IssueRtcTokenRequest RTC = IssueRtcTokenRequest.newBuilder()
            .setChannel("team-9").setUid(2024).setRole(RtcRole.RTC_ROLE_PUBLISHER).setTtlSeconds(900).build();

    @ParameterizedTest(name = "{0}")
    @MethodSource("clients")
    void issueRenewAndInspect(String kind, SerializationFormat format) {
        TokenServiceBlockingStub stub = stub(format, key);
        IssuedToken issued = stub.issueRtcToken(RTC);
        AccessToken2 token = Tokens2.verified(issued.getToken(), server);
        assertThat(Tokens2.onlyRtc(token).channel()).isEqualTo("team-9");
        assertThat(Tokens2.onlyRtc(token).uid()).isEqualTo("2024");
        assertThat(Tokens2.keys(Tokens2.onlyRtc(token))).isEqualTo(Tokens2.PUBLISHER);
        assertThat(token.expire()).isEqualTo(900);
        assertThat(issued.getAppId()).isEqualTo(server.appId);

        IssuedToken renewed = stub.renewToken(RenewTokenRequest.newBuilder().setToken(issued.getToken()).build());
        assertThat(Tokens2.onlyRtc(Tokens2.verified(renewed.getToken(), server)).uid()).isEqualTo("2024");

        InspectTokenResponse inspected = stub.inspectToken(InspectTokenRequest.newBuilder()
                .setToken(renewed.getToken()).setChannel("team-9").setUid(2024).build());
        assertThat(inspected.getSignature()).isEqualTo(SignatureStatus.SIGNATURE_STATUS_VALID);
        assertThat(inspected.getAccepted()).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clients")
    void theServerRefusesCallsWithoutOrWithAWrongKey(String kind, SerializationFormat format) {
        for (String wrong : new String[] {null, "tsk_not-a-key-of-this-server"}) {
            StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
                    () -> stub(format, wrong).issueRtcToken(RTC));
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clients")
    void policyAndFieldViolationsArriveWithTheirDetails(String kind, SerializationFormat format) {
        StatusRuntimeException denied = catchThrowableOfType(StatusRuntimeException.class,
                () -> stub(format, key).issueRtcToken(RTC.toBuilder().setUid(0).build()));
        assertThat(denied.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(denied.getStatus().getDescription()).contains("wildcard");

        StatusRuntimeException invalid = catchThrowableOfType(StatusRuntimeException.class,
                () -> stub(format, key).issueRtcToken(RTC.toBuilder().setChannel("").build()));
        assertThat(invalid.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        com.google.rpc.Status details = StatusProto.fromThrowable(invalid);
        assertThat(details).isNotNull();
        BadRequest badRequest;
        try {
            badRequest = details.getDetails(0).unpack(BadRequest.class);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        assertThat(badRequest.getFieldViolations(0).getField()).isEqualTo("channel");
    }

    @Test
    void httpJsonTranscoding() throws IOException {
        ObjectMapper json = new ObjectMapper();
        HttpResponse<String> issued = gateway.post("/v1/tokens/rtc",
                "{\"channel\":\"team-9\",\"account\":\"zoe\",\"role\":\"RTC_ROLE_SUBSCRIBER\",\"ttlSeconds\":120}",
                Map.of("Authorization", "Bearer " + key, "Content-Type", "application/json"));
        assertThat(issued.statusCode()).as(issued.body()).isEqualTo(200);
        JsonNode body = json.readTree(issued.body());
        AccessToken2 token = Tokens2.verified(body.get("token").asText(), server);
        assertThat(Tokens2.onlyRtc(token).uid()).isEqualTo("zoe");
        assertThat(Tokens2.keys(Tokens2.onlyRtc(token))).isEqualTo(Tokens2.SUBSCRIBER);
        assertThat(body.get("ttlSeconds").asInt()).isEqualTo(120);

        HttpResponse<String> inspected = gateway.post("/v1/tokens:inspect",
                "{\"token\":" + json.writeValueAsString(body.get("token").asText()) + "}",
                Map.of("Authorization", "Bearer " + key, "Content-Type", "application/json"));
        assertThat(inspected.statusCode()).isEqualTo(200);
        assertThat(json.readTree(inspected.body()).get("signature").asText()).isEqualTo("SIGNATURE_STATUS_VALID");

        HttpResponse<String> anonymous = gateway.post("/v1/tokens/rtm", "{\"userId\":\"zoe\"}",
                Map.of("Content-Type", "application/json"));
        assertThat(anonymous.statusCode()).isEqualTo(401);

        HttpResponse<String> invalid = gateway.post("/v1/tokens/rtm", "{\"userId\":\"\"}",
                Map.of("Authorization", "Bearer " + key, "Content-Type", "application/json"));
        assertThat(invalid.statusCode()).isEqualTo(400);
        assertThat(json.readTree(invalid.body()).get("details").get(0).get("fieldViolations").get(0).get("field").asText())
                .isEqualTo("user_id");

        HttpResponse<String> denied = gateway.post("/v1/tokens/chat", "{\"app\":{}}",
                Map.of("Authorization", "Bearer " + key, "Content-Type", "application/json"));
        assertThat(denied.statusCode()).isEqualTo(403);
    }

    @Test
    void apaasTokensOverHttpJson() throws IOException {
        ObjectMapper json = new ObjectMapper();
        HttpResponse<String> issued = gateway.post("/v1/tokens/apaas",
                "{\"roomUser\":{\"roomUuid\":\"room-1\",\"userUuid\":\"zoe\",\"role\":2},\"ttlSeconds\":600}",
                Map.of("Authorization", "Bearer " + key, "Content-Type", "application/json"));
        assertThat(issued.statusCode()).as(issued.body()).isEqualTo(200);
        JsonNode body = json.readTree(issued.body());
        AccessToken2 token = Tokens2.verified(body.get("token").asText(), server);
        assertThat(token.service(Service.Apaas.class)).get().satisfies(apaas -> {
            assertThat(apaas.roomUuid()).isEqualTo("room-1");
            assertThat(apaas.userUuid()).isEqualTo("zoe");
            assertThat(apaas.role()).isEqualTo((short) 2);
        });
        JsonNode grant = body.get("services").get(2);
        assertThat(grant.get("service").asText()).isEqualTo("SERVICE_TYPE_APAAS");
        assertThat(grant.get("apaasRoomUuid").asText()).isEqualTo("room-1");

        HttpResponse<String> invalid = gateway.post("/v1/tokens/apaas", "{\"user\":{\"userUuid\":\"\"}}",
                Map.of("Authorization", "Bearer " + key, "Content-Type", "application/json"));
        assertThat(invalid.statusCode()).isEqualTo(400);
        assertThat(json.readTree(invalid.body()).get("details").get(0).get("fieldViolations").get(0).get("field").asText())
                .isEqualTo("user.user_uuid");

        HttpResponse<String> denied = gateway.post("/v1/tokens/apaas", "{\"app\":{}}",
                Map.of("Authorization", "Bearer " + key, "Content-Type", "application/json"));
        assertThat(denied.statusCode()).as("the quick-start policy grants no APaaS app token").isEqualTo(403);
    }

    @Test
    void healthFollowsTheServerOverHttpAndGrpc() {
        assertThat(gateway.get(Gateway.HEALTH_PATH, Map.of()).statusCode()).isEqualTo(200);
        assertThat(HealthGrpc.newBlockingStub(nativeChannel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .check(HealthCheckRequest.getDefaultInstance()).getStatus()).isEqualTo(ServingStatus.SERVING);
    }

    @Test
    void reflectionListsTheTokenService() {
        io.grpc.reflection.v1.ServerReflectionResponse[] answer = new io.grpc.reflection.v1.ServerReflectionResponse[1];
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        io.grpc.stub.StreamObserver<io.grpc.reflection.v1.ServerReflectionRequest> requests =
                io.grpc.reflection.v1.ServerReflectionGrpc.newStub(nativeChannel).withDeadlineAfter(10, TimeUnit.SECONDS)
                        .serverReflectionInfo(new io.grpc.stub.StreamObserver<>() {
                            @Override
                            public void onNext(io.grpc.reflection.v1.ServerReflectionResponse value) {
                                answer[0] = value;
                            }

                            @Override
                            public void onError(Throwable t) {
                                done.countDown();
                            }

                            @Override
                            public void onCompleted() {
                                done.countDown();
                            }
                        });
        requests.onNext(io.grpc.reflection.v1.ServerReflectionRequest.newBuilder().setListServices("").build());
        requests.onCompleted();
        try {
            assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        assertThat(answer[0].getListServicesResponse().getServiceList())
                .extracting(io.grpc.reflection.v1.ServiceResponse::getName)
                .contains(TokenServiceGrpc.SERVICE_NAME);
    }
}
