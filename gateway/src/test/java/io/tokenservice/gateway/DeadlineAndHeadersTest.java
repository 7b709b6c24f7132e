package io.tokenservice.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.linecorp.armeria.client.grpc.GrpcClients;
import com.linecorp.armeria.common.grpc.GrpcSerializationFormats;
import io.grpc.Deadline;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import io.tokenservice.gateway.config.GatewayConfig;
import io.tokenservice.gateway.testing.ProbeBackend;
import io.tokenservice.gateway.testing.RunningGateway;
import io.tokenservice.proto.v1.IssueRtmTokenRequest;
import io.tokenservice.proto.v1.TokenServiceGrpc;
import io.tokenservice.proto.v1.TokenServiceGrpc.TokenServiceBlockingStub;
import java.net.http.HttpClient;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the gateway sends to the token server, seen by a {@link ProbeBackend}: the caller's deadline
 * ({@code grpc-timeout} in, deadline out), never later than the call timeout, also for callers without
 * one; the {@code authorization} header exactly as sent, and no other caller header.
 */
class DeadlineAndHeadersTest {
    private static final long CALL_TIMEOUT_SECONDS = 60;
    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> COOKIE = Metadata.Key.of("cookie", Metadata.ASCII_STRING_MARSHALLER);
    private static ProbeBackend backend;
    private static RunningGateway gateway;
    private static ManagedChannel channel;

    @BeforeAll
    static void start() {
        backend = new ProbeBackend();
        gateway = RunningGateway.startUnchecked(Map.of(GatewayConfig.ENV_BACKEND_TARGET, backend.target(),
                GatewayConfig.ENV_CALL_TIMEOUT, Long.toString(CALL_TIMEOUT_SECONDS)), HttpClient.newHttpClient());
        channel = Grpc.newChannelBuilderForAddress("127.0.0.1", gateway.port(), InsecureChannelCredentials.create()).build();
    }

    @AfterAll
    static void stop() {
        channel.shutdownNow();
        gateway.close();
        backend.close();
    }

    @BeforeEach
    void forgetEarlierCalls() {
        backend.clear();
    }

    private static final IssueRtmTokenRequest RTM = IssueRtmTokenRequest.newBuilder().setUserId("zoe").build();

    private static long remainingMillis(Deadline deadline) {
        assertThat(deadline).as("a deadline reached the server").isNotNull();
        return deadline.timeRemaining(TimeUnit.MILLISECONDS);
    }

    @Test
    void aNativeCallersDeadlineReachesTheServer() {
        TokenServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS).issueRtmToken(RTM);
        assertThat(remainingMillis(backend.next().deadline())).isBetween(1L, 20_000L);
    }

    @Test
    void aGrpcWebCallersDeadlineReachesTheServer() {
        GrpcClients.builder("http://127.0.0.1:" + gateway.port()).serializationFormat(GrpcSerializationFormats.PROTO_WEB)
                .build(TokenServiceBlockingStub.class).withDeadlineAfter(10, TimeUnit.SECONDS).issueRtmToken(RTM);
        assertThat(remainingMillis(backend.next().deadline())).isBetween(1L, 10_000L);
    }

    @Test
    void aLongerDeadlineOrNoneIsCappedAtTheCallTimeout() {
        TokenServiceGrpc.newBlockingStub(channel).withDeadlineAfter(1, TimeUnit.HOURS).issueRtmToken(RTM);
        assertThat(remainingMillis(backend.next().deadline())).isBetween(1L, CALL_TIMEOUT_SECONDS * 1000);
        TokenServiceGrpc.newBlockingStub(channel).issueRtmToken(RTM);
        assertThat(remainingMillis(backend.next().deadline())).as("none: the call timeout")
                .isBetween(CALL_TIMEOUT_SECONDS * 1000 / 2, CALL_TIMEOUT_SECONDS * 1000);
        assertThat(gateway.post("/v1/tokens/rtm", "{\"userId\":\"zoe\"}", Map.of("Content-Type", "application/json"))
                .statusCode()).isEqualTo(200);
        assertThat(remainingMillis(backend.next().deadline())).isBetween(1L, CALL_TIMEOUT_SECONDS * 1000);
        assertThat(gateway.get("/rtm/zoe", Map.of()).statusCode()).isEqualTo(200);
        assertThat(remainingMillis(backend.next().deadline())).isBetween(1L, CALL_TIMEOUT_SECONDS * 1000);
    }

    @Test
    void theAuthorizationHeaderIsForwardedUnchangedAndNothingElse() {
        String jwtLike = "Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ6b2UifQ.c2lnbmF0dXJl";
        Metadata headers = new Metadata();
        headers.put(AUTHORIZATION, jwtLike);
        headers.put(COOKIE, "session=abc");
        TokenServiceGrpc.newBlockingStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                .withDeadlineAfter(20, TimeUnit.SECONDS).issueRtmToken(RTM);
        Metadata received = backend.next().headers();
        assertThat(received.getAll(AUTHORIZATION)).containsExactly(jwtLike);
        assertThat(received.get(COOKIE)).isNull();

        gateway.get("/rtm/zoe", Map.of("Authorization", "Basic dXNlcjpwYXNz", "Cookie", "session=abc"));
        Metadata classic = backend.next().headers();
        assertThat(classic.getAll(AUTHORIZATION)).containsExactly("Basic dXNlcjpwYXNz");
        assertThat(classic.get(COOKIE)).isNull();

        TokenServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS).issueRtmToken(RTM);
        assertThat(backend.next().headers().get(AUTHORIZATION)).as("a call without credentials stays without").isNull();
        assertThat(List.of(received.keys().toArray())).doesNotContain("x-forwarded-for");
    }
}
