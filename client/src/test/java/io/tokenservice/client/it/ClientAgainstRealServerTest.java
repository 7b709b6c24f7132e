package io.tokenservice.client.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.tokenservice.client.Token;
import io.tokenservice.client.TokenClient;
import io.tokenservice.client.TokenServiceException;
import io.tokenservice.client.testing.FakeClock;
import io.tokenservice.proto.v1.ApaasAppToken;
import io.tokenservice.proto.v1.ApaasRoomUser;
import io.tokenservice.proto.v1.InspectTokenRequest;
import io.tokenservice.proto.v1.IssueApaasTokenRequest;
import io.tokenservice.proto.v1.IssueRtcTokenRequest;
import io.tokenservice.proto.v1.IssueRtmTokenRequest;
import io.tokenservice.proto.v1.RtcRole;
import io.tokenservice.proto.v1.Rtm2Access;
import io.tokenservice.proto.v1.Rtm2Permission;
import io.tokenservice.proto.v1.Rtm2ResourceType;
import io.tokenservice.proto.v1.ServiceGrant;
import io.tokenservice.proto.v1.ServiceType;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** TokenClient against the real server: typed results and the server's error model, decoded. */
class ClientAgainstRealServerTest {
    private final FakeClock clock = new FakeClock(Instant.parse("2030-06-01T12:00:00Z"));
    private RealServer server;

    @AfterEach
    void tearDown() {
        if (server != null) {
            server.close();
        }
    }

    private IssueRtcTokenRequest.Builder rtc() {
        return IssueRtcTokenRequest.newBuilder().setAppId(server.appId).setChannel("lobby").setUid(7)
                .setRole(RtcRole.RTC_ROLE_SUBSCRIBER).setTtlSeconds(120);
    }

    @ParameterizedTest
    @EnumSource(RealServer.Transport.class)
    void issuesAndRenewsTypedTokens(RealServer.Transport transport) throws Exception {
        server = new RealServer(transport, clock, Duration.ZERO, Duration.ofSeconds(60));
        try (TokenClient client = server.client(server.apiKey, clock)) {
            Token rtc = client.issueRtcToken(rtc().build());
            assertThat(rtc.value()).startsWith("007");
            assertThat(rtc.appId()).isEqualTo(server.appId);
            assertThat(rtc.issuedAt()).isEqualTo(clock.instant());
            assertThat(rtc.lifetime()).isEqualTo(Duration.ofSeconds(120));
            assertThat(rtc.services()).singleElement().satisfies(s -> {
                assertThat(s.getService()).isEqualTo(ServiceType.SERVICE_TYPE_RTC);
                assertThat(s.getChannel()).isEqualTo("lobby");
                assertThat(s.getUid()).isEqualTo("7");
            });
            assertThat(rtc.toString()).doesNotContain(rtc.value());

            clock.advance(Duration.ofSeconds(100));
            Token renewed = client.renewTokenAsync(rtc.value()).get(5, TimeUnit.SECONDS);
            assertThat(renewed.issuedAt()).isEqualTo(clock.instant());
            assertThat(renewed.lifetime()).isEqualTo(Duration.ofSeconds(120));

            Token rtm = client.issueRtmTokenAsync(IssueRtmTokenRequest.newBuilder().setAppId(server.appId)
                    .setUserId("alice").setTtlSeconds(300).build()).get(5, TimeUnit.SECONDS);
            assertThat(rtm.services()).singleElement().satisfies(s -> assertThat(s.getUserId()).isEqualTo("alice"));
        }
    }

    @Test
    void issuesApaasAndRtm2TokensThatReadTheSameFromTheirString() throws Exception {
        server = new RealServer(RealServer.Transport.NETTY, clock, Duration.ZERO, Duration.ofSeconds(60));
        try (TokenClient client = server.client(server.apiKey, clock)) {
            Token room = client.issueApaasToken(IssueApaasTokenRequest.newBuilder().setAppId(server.appId)
                    .setRoomUser(ApaasRoomUser.newBuilder().setRoomUuid("room-1").setUserUuid("student-7").setRole(2))
                    .setTtlSeconds(600).build());
            assertThat(room.services()).extracting(ServiceGrant::getService).containsExactly(
                    ServiceType.SERVICE_TYPE_RTM, ServiceType.SERVICE_TYPE_CHAT, ServiceType.SERVICE_TYPE_APAAS);
            assertThat(room.services().get(2).getApaasRoomUuid()).isEqualTo("room-1");
            assertThat(Token.fromString(room.value()).services()).as("one mapping for server and client")
                    .isEqualTo(room.services());

            Token rtm2 = client.issueRtmTokenAsync(IssueRtmTokenRequest.newBuilder().setAppId(server.appId)
                    .setUserId("alice").addPermissions(Rtm2Permission.newBuilder()
                            .setResourceType(Rtm2ResourceType.RTM2_RESOURCE_TYPE_STREAM_CHANNELS)
                            .setAccess(Rtm2Access.RTM2_ACCESS_WRITE).addResources("stage"))
                    .build()).get(5, TimeUnit.SECONDS);
            assertThat(rtm2.services()).singleElement().satisfies(s -> {
                assertThat(s.getService()).isEqualTo(ServiceType.SERVICE_TYPE_RTM2);
                assertThat(s.getRtm2Permissions(0).getResourcesList()).containsExactly("stage");
            });
            assertThat(Token.fromString(rtm2.value()).services()).isEqualTo(rtm2.services());

            clock.advance(Duration.ofSeconds(100));
            Token renewed = client.renewToken(room.value());
            assertThat(renewed.services().get(2).getApaasRole()).isEqualTo(2);
            assertThat(client.issueApaasTokenAsync(IssueApaasTokenRequest.newBuilder().setAppId(server.appId)
                    .setApp(ApaasAppToken.getDefaultInstance()).build()))
                    .as("the quick-start policy grants no APaaS app token")
                    .failsWithin(5, TimeUnit.SECONDS).withThrowableOfType(java.util.concurrent.ExecutionException.class)
                    .havingCause().isInstanceOfSatisfying(TokenServiceException.class,
                            e -> assertThat(e.getMessage()).contains("allow_apaas_app_token: false"));
        }
    }

    @ParameterizedTest
    @EnumSource(RealServer.Transport.class)
    void wrongApiKeyFailsOnceWithAClearAuthenticationError(RealServer.Transport transport) {
        server = new RealServer(transport, clock, Duration.ZERO, Duration.ofSeconds(60));
        try (TokenClient client = server.client("tsk_wrong-key-000000000000000000000000000000", clock)) {
            assertThatThrownBy(() -> client.issueRtcToken(rtc().build()))
                    .isInstanceOfSatisfying(TokenServiceException.class, e -> {
                        assertThat(e.kind()).isEqualTo(TokenServiceException.Kind.AUTHENTICATION);
                        assertThat(e.isRetryable()).isFalse();
                        assertThat(e.getMessage()).isEqualTo(
                                "IssueRtcToken failed: UNAUTHENTICATED: missing or invalid credentials");
                    });
        }
        assertThat(server.calls("IssueRtcToken")).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(RealServer.Transport.class)
    void noApiKeyAtAllIsAnAuthenticationErrorToo(RealServer.Transport transport) {
        server = new RealServer(transport, clock, Duration.ZERO, Duration.ofSeconds(60));
        try (TokenClient client = server.client(null, clock)) {
            assertThatThrownBy(() -> client.renewToken("007whatever"))
                    .isInstanceOfSatisfying(TokenServiceException.class,
                            e -> assertThat(e.kind()).isEqualTo(TokenServiceException.Kind.AUTHENTICATION));
        }
        assertThat(server.calls("RenewToken")).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(RealServer.Transport.class)
    void invalidArgumentCarriesTheFieldViolationsAndIsNotRetried(RealServer.Transport transport) {
        server = new RealServer(transport, clock, Duration.ZERO, Duration.ofSeconds(60));
        try (TokenClient client = server.client(server.apiKey, clock)) {
            assertThatThrownBy(() -> client.issueRtcToken(rtc().setChannel("").setTtlSeconds(100_000).build()))
                    .isInstanceOfSatisfying(TokenServiceException.class, e -> {
                        assertThat(e.code()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                        assertThat(e.kind()).isEqualTo(TokenServiceException.Kind.INVALID_REQUEST);
                        assertThat(e.fieldViolations()).extracting(TokenServiceException.FieldViolation::field)
                                .contains("channel", "ttl_seconds");
                        assertThat(e.getMessage()).contains("channel");
                    });
        }
        assertThat(server.calls("IssueRtcToken")).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(RealServer.Transport.class)
    void permissionDeniedNamesTheRuleAndIsNotRetried(RealServer.Transport transport) {
        server = new RealServer(transport, clock, Duration.ZERO, Duration.ofSeconds(60));
        try (TokenClient client = server.client(server.apiKey, clock)) {
            // The quick-start policy does not allow the wildcard identity (uid 0).
            assertThatThrownBy(() -> client.issueRtcToken(rtc().setUid(0).build()))
                    .isInstanceOfSatisfying(TokenServiceException.class, e -> {
                        assertThat(e.kind()).isEqualTo(TokenServiceException.Kind.PERMISSION_DENIED);
                        assertThat(e.reason()).isNotBlank();
                    });
        }
        assertThat(server.calls("IssueRtcToken")).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(RealServer.Transport.class)
    void unknownAppIsReportedAsSuch(RealServer.Transport transport) {
        server = new RealServer(transport, clock, Duration.ZERO, Duration.ofSeconds(60));
        try (TokenClient client = server.client(server.apiKey, clock)) {
            assertThatThrownBy(() -> client.issueRtcToken(rtc().setAppId("ffffffffffffffffffffffffffffffff").build()))
                    .isInstanceOfSatisfying(TokenServiceException.class,
                            e -> assertThat(e.kind()).isEqualTo(TokenServiceException.Kind.UNKNOWN_APP));
        }
    }

    @Test
    void aTlsClientAtAPlaintextServerIsToldToUsePlaintextNotToRetry() {
        server = new RealServer(RealServer.Transport.NETTY, clock, Duration.ZERO, Duration.ofSeconds(60));
        try (TokenClient client = TokenClient.builder().target(server.target()).apiKey(server.apiKey)
                .retryBackoff(Duration.ofMillis(5), Duration.ofMillis(20), 2.0).build()) {
            assertThatThrownBy(() -> client.issueRtcToken(rtc().build()))
                    .isInstanceOfSatisfying(TokenServiceException.class, e -> {
                        assertThat(e.kind()).isEqualTo(TokenServiceException.Kind.TLS_MISMATCH);
                        assertThat(e.code()).isEqualTo(Status.Code.UNAVAILABLE);
                        assertThat(e.isRetryable()).isFalse();
                        assertThat(e.getMessage()).contains("answered in plaintext").contains(".plaintext()")
                                .doesNotContain("Channel Pipeline").doesNotContain("\n");
                    });
        }
        assertThat(server.calls("IssueRtcToken")).as("no call reached the server, so no key was sent").isZero();
    }

    @Test
    void aPlaintextClientAtATlsServerIsToldToDropPlaintextNotToRetry() {
        server = RealServer.withTls(clock);
        try (TokenClient client = TokenClient.builder().target(server.target()).plaintext().apiKey(server.apiKey)
                .retryBackoff(Duration.ofMillis(5), Duration.ofMillis(20), 2.0).build()) {
            assertThatThrownBy(() -> client.issueRtcToken(rtc().build()))
                    .isInstanceOfSatisfying(TokenServiceException.class, e -> {
                        assertThat(e.kind()).isEqualTo(TokenServiceException.Kind.TLS_MISMATCH);
                        assertThat(e.code()).isEqualTo(Status.Code.UNAVAILABLE);
                        assertThat(e.isRetryable()).isFalse();
                        assertThat(e.getMessage()).contains("speaks TLS").contains("drop .plaintext()")
                                .doesNotContain("\n");
                    });
            assertThat(client.inspectTokenAsync(InspectTokenRequest.newBuilder().setToken("007x").build()))
                    .failsWithin(Duration.ofSeconds(10)).withThrowableOfType(ExecutionException.class)
                    .havingCause().isInstanceOfSatisfying(TokenServiceException.class,
                            e -> assertThat(e.kind()).isEqualTo(TokenServiceException.Kind.TLS_MISMATCH));
        }
        assertThat(server.calls("IssueRtcToken")).as("no call reached the server").isZero();
    }

    @Test
    void aPlaintextClientAtAStoppedServerIsStillUnavailableAndRetryable() {
        server = new RealServer(RealServer.Transport.NETTY, clock, Duration.ZERO, Duration.ofSeconds(60));
        String target = server.target();
        server.stop();
        try (TokenClient client = TokenClient.builder().target(target).plaintext().apiKey(server.apiKey)
                .retryBackoff(Duration.ofMillis(5), Duration.ofMillis(20), 2.0).build()) {
            assertThatThrownBy(() -> client.issueRtcToken(rtc().build()))
                    .isInstanceOfSatisfying(TokenServiceException.class, e -> {
                        assertThat(e.kind()).isEqualTo(TokenServiceException.Kind.UNAVAILABLE);
                        assertThat(e.isRetryable()).isTrue();
                    });
        }
    }

    /** A server that accepts connections and drops them at once, as a TLS server drops a plaintext one. */
    @Test
    void aPlaintextServerDroppingTheConnectionIsUnavailableAndRetryableNotATlsMismatch() throws Exception {
        try (ServerSocket dropping = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                while (!dropping.isClosed()) {
                    try (Socket accepted = dropping.accept()) {
                        accepted.setSoLinger(true, 0); // a reset, as the TLS server sends
                    } catch (IOException closed) {
                        return;
                    }
                }
            }, "dropping-server");
            acceptor.setDaemon(true);
            acceptor.start();
            try (TokenClient client = TokenClient.builder().target("127.0.0.1:" + dropping.getLocalPort())
                    .plaintext().apiKey("tsk_any-key-000000000000000000000000")
                    .retryBackoff(Duration.ofMillis(5), Duration.ofMillis(20), 2.0).build()) {
                assertThatThrownBy(() -> client.inspectToken(InspectTokenRequest.newBuilder().setToken("007x").build()))
                        .isInstanceOfSatisfying(TokenServiceException.class, e -> {
                            assertThat(e.kind()).isEqualTo(TokenServiceException.Kind.UNAVAILABLE);
                            assertThat(e.isRetryable()).isTrue();
                        });
            }
        }
    }

    /** Over Netty: the size limits are the network transport's. */
    @Test
    void aRequestTooLargeIsToldApartFromTheRateLimitAndNotRetried() {
        server = new RealServer(RealServer.Transport.NETTY, clock, Duration.ZERO, Duration.ofSeconds(60));
        try (TokenClient client = server.client(server.apiKey, clock)) {
            assertThatThrownBy(() -> client.inspectToken(InspectTokenRequest.newBuilder()
                    .setToken("007" + "A".repeat(70_000)).build()))
                    .isInstanceOfSatisfying(TokenServiceException.class, e -> {
                        assertThat(e.code()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
                        assertThat(e.kind()).isEqualTo(TokenServiceException.Kind.REQUEST_TOO_LARGE);
                        assertThat(e.isRetryable()).isFalse();
                        assertThat(e.retryDelay()).isEmpty();
                    });
        }
        assertThat(server.calls("InspectToken")).isEqualTo(1);
        try (TokenClient client = server.client("tsk_" + "k".repeat(9_000), clock)) {
            assertThatThrownBy(() -> client.issueRtcToken(rtc().build()))
                    .isInstanceOfSatisfying(TokenServiceException.class, e -> {
                        assertThat(e.kind()).as("%s", e).isEqualTo(TokenServiceException.Kind.REQUEST_TOO_LARGE);
                        assertThat(e.errorReason()).contains(TokenServiceException.HEADERS_TOO_LARGE_REASON);
                        assertThat(e.isRetryable()).isFalse();
                    });
        }
    }

    @ParameterizedTest
    @EnumSource(RealServer.Transport.class)
    void serverDownIsUnavailableAfterTheConfiguredAttempts(RealServer.Transport transport) {
        server = new RealServer(transport, clock, Duration.ZERO, Duration.ofSeconds(60));
        try (TokenClient client = server.client(server.apiKey, clock)) {
            client.issueRtcToken(rtc().build()); // connected once
            server.stop();
            assertThatThrownBy(() -> client.issueRtcToken(rtc().build()))
                    .isInstanceOfSatisfying(TokenServiceException.class, e -> {
                        assertThat(e.kind()).isEqualTo(TokenServiceException.Kind.UNAVAILABLE);
                        assertThat(e.isRetryable()).isTrue();
                    });
            server.start();
            client.resetConnectBackoff();
            assertThat(issuedOnceReconnected(client).value()).startsWith("007");
        }
    }

    /**
     * The channel stays in TRANSIENT_FAILURE until its new connection is ready (gRPC's pick_first is sticky), so a
     * call made while a loaded machine is still connecting fails fast: retry within a bound, as an app would.
     */
    private Token issuedOnceReconnected(TokenClient client) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try {
                return client.issueRtcToken(rtc().build());
            } catch (TokenServiceException e) {
                if (e.kind() != TokenServiceException.Kind.UNAVAILABLE || System.nanoTime() - deadline > 0) {
                    throw e;
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            }
        }
    }
}
