package io.tokenservice.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Any;
import com.google.protobuf.Timestamp;
import com.google.rpc.BadRequest;
import com.google.rpc.Code;
import com.google.rpc.RetryInfo;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import io.tokenservice.client.testing.FakeClock;
import io.tokenservice.proto.v1.IssueRtcTokenRequest;
import io.tokenservice.proto.v1.IssuedToken;
import io.tokenservice.proto.v1.RenewTokenRequest;
import io.tokenservice.proto.v1.RtcRole;
import io.tokenservice.proto.v1.TokenServiceGrpc;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * TokenClient against a scripted TokenService: what goes on the wire (credentials, retries, deadlines) and
 * how failures come back. The real server is exercised in {@link io.tokenservice.client.it}.
 */
class TokenClientTest {
    private static final IssueRtcTokenRequest RTC = IssueRtcTokenRequest.newBuilder()
            .setChannel("room").setUid(7).setRole(RtcRole.RTC_ROLE_PUBLISHER).setTtlSeconds(60).build();

    /** Answers each call with the next scripted outcome (a response or a failure), counting calls. */
    static final class ScriptedService extends TokenServiceGrpc.TokenServiceImplBase {
        final Queue<Object> script = new ConcurrentLinkedQueue<>();
        final AtomicInteger calls = new AtomicInteger();
        final List<String> authorization = new CopyOnWriteArrayList<>();
        final CountDownLatch cancelled = new CountDownLatch(1);

        @Override
        public void issueRtcToken(IssueRtcTokenRequest request, StreamObserver<IssuedToken> out) {
            answer(out);
        }

        @Override
        public void renewToken(RenewTokenRequest request, StreamObserver<IssuedToken> out) {
            answer(out);
        }

        private void answer(StreamObserver<IssuedToken> out) {
            calls.incrementAndGet();
            Object next = script.poll();
            if (next == null) {
                // Never answer: for deadline and cancellation tests.
                ((io.grpc.stub.ServerCallStreamObserver<IssuedToken>) out).setOnCancelHandler(cancelled::countDown);
                return;
            }
            if (next instanceof Throwable t) {
                out.onError(t);
            } else {
                out.onNext((IssuedToken) next);
                out.onCompleted();
            }
        }

        ServerInterceptor recordAuthorization() {
            return new ServerInterceptor() {
                @Override
                public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                        ServerCallHandler<Q, R> next) {
                    String value = headers.get(ApiKeyCredentials.AUTHORIZATION);
                    authorization.add(value == null ? "<none>" : value);
                    return next.startCall(call, headers);
                }
            };
        }
    }

    private final ScriptedService service = new ScriptedService();
    private final FakeClock clock = new FakeClock(Instant.parse("2030-01-01T00:00:00Z"));
    private Server server;
    private TokenClient client;

    private TokenClient inProcess(java.util.function.UnaryOperator<TokenClient.Builder> configure) throws Exception {
        String name = InProcessServerBuilder.generateName();
        server = InProcessServerBuilder.forName(name).directExecutor()
                .addService(ServerInterceptors.intercept(service, service.recordAuthorization())).build().start();
        client = configure.apply(TokenClient.builder()
                .channelBuilder(InProcessChannelBuilder.forName(name))
                .retryBackoff(Duration.ofMillis(1), Duration.ofMillis(5), 2.0)
                .clock(clock)).build();
        return client;
    }

    @AfterEach
    void tearDown() throws Exception {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private static IssuedToken issued(long issuedAt, long ttl) {
        return IssuedToken.newBuilder().setToken("007abc").setAppId("0123456789abcdef0123456789abcdef")
                .setIssuedAt(Timestamp.newBuilder().setSeconds(issuedAt))
                .setExpiresAt(Timestamp.newBuilder().setSeconds(issuedAt + ttl))
                .setTtlSeconds((int) ttl).setTokenSha256Prefix("0123456789ab").build();
    }

    private static StatusRuntimeException rich(Code code, String message, com.google.protobuf.Message... details) {
        com.google.rpc.Status.Builder s = com.google.rpc.Status.newBuilder().setCode(code.getNumber()).setMessage(message);
        for (com.google.protobuf.Message d : details) {
            s.addDetails(Any.pack(d));
        }
        return StatusProto.toStatusRuntimeException(s.build());
    }

    @Test
    void returnsATypedTokenStampedWithTheLocalReceiptTime() throws Exception {
        inProcess(b -> b.apiKey("k-0123456789abcdef"));
        long serverNow = clock.instant().getEpochSecond() + 120; // server clock 2 min ahead
        service.script.add(issued(serverNow, 60));

        Token token = client.issueRtcToken(RTC);
        assertThat(token.value()).isEqualTo("007abc");
        assertThat(token.receivedAt()).isEqualTo(clock.instant());
        assertThat(token.clockOffset()).isEqualTo(Duration.ofMinutes(2));
        assertThat(token.localExpiresAt()).isEqualTo(clock.instant().plusSeconds(60));
        assertThat(token.toString()).doesNotContain("007abc").contains("0123456789ab");
        assertThat(service.authorization).containsExactly("Bearer k-0123456789abcdef");
    }

    @Test
    void retriesUnavailableThroughTheServiceConfig() throws Exception {
        inProcess(b -> b.maxAttempts(4));
        service.script.add(Status.UNAVAILABLE.withDescription("restarting").asRuntimeException());
        service.script.add(Status.UNAVAILABLE.withDescription("restarting").asRuntimeException());
        service.script.add(issued(1_900_000_000L, 60));

        assertThat(client.issueRtcToken(RTC).value()).isEqualTo("007abc");
        assertThat(service.calls).hasValue(3);
    }

    @Test
    void givesUpOnUnavailableAfterMaxAttempts() throws Exception {
        inProcess(b -> b.maxAttempts(3));
        for (int i = 0; i < 5; i++) {
            service.script.add(Status.UNAVAILABLE.withDescription("down").asRuntimeException());
        }
        assertThatThrownBy(() -> client.issueRtcToken(RTC))
                .isInstanceOfSatisfying(TokenServiceException.class, e -> {
                    assertThat(e.kind()).isEqualTo(TokenServiceException.Kind.UNAVAILABLE);
                    assertThat(e.isRetryable()).isTrue();
                    assertThat(e.reason()).isEqualTo("down");
                });
        assertThat(service.calls).hasValue(3);
    }

    @Test
    void neverRetriesInvalidArgumentAndReportsTheFieldViolations() throws Exception {
        inProcess(b -> b);
        service.script.add(rich(Code.INVALID_ARGUMENT, "bad request", BadRequest.newBuilder()
                .addFieldViolations(BadRequest.FieldViolation.newBuilder().setField("channel")
                        .setDescription("must not be empty"))
                .addFieldViolations(BadRequest.FieldViolation.newBuilder().setField("privilege_ttls.publish_audio_seconds")
                        .setDescription("exceeds ttl_seconds"))
                .build()));
        service.script.add(issued(1_900_000_000L, 60));

        assertThatThrownBy(() -> client.issueRtcToken(RTC))
                .isInstanceOfSatisfying(TokenServiceException.class, e -> {
                    assertThat(e.kind()).isEqualTo(TokenServiceException.Kind.INVALID_REQUEST);
                    assertThat(e.code()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.isRetryable()).isFalse();
                    assertThat(e.fieldViolations()).containsExactly(
                            new TokenServiceException.FieldViolation("channel", "must not be empty"),
                            new TokenServiceException.FieldViolation("privilege_ttls.publish_audio_seconds",
                                    "exceeds ttl_seconds"));
                    assertThat(e.getMessage()).contains("IssueRtcToken", "INVALID_ARGUMENT", "channel: must not be empty");
                });
        assertThat(service.calls).hasValue(1);
    }

    @Test
    void neverRetriesPermissionDeniedOrUnauthenticated() throws Exception {
        inProcess(b -> b.maxAttempts(5));
        service.script.add(Status.PERMISSION_DENIED.withDescription("channel pattern 'team-*' does not match 'room'")
                .asRuntimeException());
        assertThatThrownBy(() -> client.issueRtcToken(RTC))
                .isInstanceOfSatisfying(TokenServiceException.class, e -> {
                    assertThat(e.kind()).isEqualTo(TokenServiceException.Kind.PERMISSION_DENIED);
                    assertThat(e.reason()).isEqualTo("channel pattern 'team-*' does not match 'room'");
                });
        assertThat(service.calls).hasValue(1);

        service.script.add(Status.UNAUTHENTICATED.withDescription("missing or invalid credentials").asRuntimeException());
        assertThatThrownBy(() -> client.renewToken("007old"))
                .isInstanceOfSatisfying(TokenServiceException.class,
                        e -> assertThat(e.kind()).isEqualTo(TokenServiceException.Kind.AUTHENTICATION));
        assertThat(service.calls).hasValue(2);
    }

    @Test
    void decodesTokenExpiredAndRetryInfo() throws Exception {
        inProcess(b -> b);
        service.script.add(rich(Code.FAILED_PRECONDITION, "token expired 900 s ago",
                com.google.rpc.ErrorInfo.newBuilder().setReason("TOKEN_EXPIRED").setDomain("tokenservice").build()));
        service.script.add(rich(Code.RESOURCE_EXHAUSTED, "rate limit",
                RetryInfo.newBuilder().setRetryDelay(com.google.protobuf.Duration.newBuilder().setSeconds(2).setNanos(500_000_000)).build()));

        assertThatThrownBy(() -> client.renewToken("007old"))
                .isInstanceOfSatisfying(TokenServiceException.class, e -> {
                    assertThat(e.kind()).isEqualTo(TokenServiceException.Kind.TOKEN_EXPIRED);
                    assertThat(e.errorReason()).contains("TOKEN_EXPIRED");
                });
        assertThatThrownBy(() -> client.renewToken("007old"))
                .isInstanceOfSatisfying(TokenServiceException.class, e -> {
                    assertThat(e.kind()).isEqualTo(TokenServiceException.Kind.RATE_LIMITED);
                    assertThat(e.retryDelay()).contains(Duration.ofMillis(2500));
                });
        assertThat(service.calls).hasValue(2);
    }

    @Test
    void asyncFormCompletesWithTheTokenOrTheSameException() throws Exception {
        inProcess(b -> b);
        service.script.add(issued(1_900_000_000L, 60));
        service.script.add(Status.PERMISSION_DENIED.withDescription("no").asRuntimeException());

        assertThat(client.renewTokenAsync("007old").get(5, TimeUnit.SECONDS).value()).isEqualTo("007abc");
        CompletableFuture<Token> failed = client.issueRtcTokenAsync(RTC);
        assertThat(failed).failsWithin(Duration.ofSeconds(5)).withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .havingCause().isInstanceOfSatisfying(TokenServiceException.class,
                        e -> assertThat(e.kind()).isEqualTo(TokenServiceException.Kind.PERMISSION_DENIED));
    }

    @Test
    void cancellingTheFutureCancelsTheCall() throws Exception {
        inProcess(b -> b);
        CompletableFuture<Token> f = client.issueRtcTokenAsync(RTC); // the service never answers
        f.cancel(true);
        assertThat(service.cancelled.await(5, TimeUnit.SECONDS)).as("server saw the cancellation").isTrue();
    }

    @Test
    void eachCallHasTheDeadline() throws Exception {
        inProcess(b -> b.deadline(Duration.ofMillis(200)));
        assertThatThrownBy(() -> client.issueRtcToken(RTC))
                .isInstanceOfSatisfying(TokenServiceException.class, e -> {
                    assertThat(e.code()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
                    assertThat(e.kind()).isEqualTo(TokenServiceException.Kind.UNAVAILABLE);
                });
        TokenClient shorter = client.withDeadline(Duration.ofMillis(50));
        assertThat(shorter.deadline()).isEqualTo(Duration.ofMillis(50));
        assertThatThrownBy(() -> shorter.renewToken("007old")).isInstanceOf(TokenServiceException.class);
        shorter.close(); // a view: must not close the shared channel
        service.script.add(issued(1_900_000_000L, 60));
        assertThat(client.issueRtcToken(RTC).value()).isEqualTo("007abc");
    }

    @Test
    void refusesToSendTheApiKeyInPlaintextUnlessToldTo() throws Exception {
        server = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
                .addService(ServerInterceptors.intercept(service, service.recordAuthorization())).build().start();
        String target = "localhost:" + server.getPort();
        try (TokenClient careless = TokenClient.builder()
                .channelBuilder(Grpc.newChannelBuilder(target, InsecureChannelCredentials.create()))
                .apiKey("k-0123456789abcdef").build()) {
            assertThatThrownBy(() -> careless.issueRtcToken(RTC))
                    .isInstanceOfSatisfying(TokenServiceException.class, e -> {
                        assertThat(e.kind()).isEqualTo(TokenServiceException.Kind.AUTHENTICATION);
                        assertThat(e.reason()).contains("without transport security");
                    });
        }
        assertThat(service.calls).as("nothing reached the server").hasValue(0);

        service.script.add(issued(1_900_000_000L, 60));
        try (TokenClient local = TokenClient.builder().target(target).plaintext().apiKey("k-0123456789abcdef").build()) {
            assertThat(local.issueRtcToken(RTC).value()).isEqualTo("007abc");
        }
        assertThat(service.authorization).containsExactly("Bearer k-0123456789abcdef");
    }

    @Test
    void serviceConfigRetriesOnlyUnavailable() {
        Map<String, ?> config = TokenClient.builder().maxAttempts(5)
                .retryBackoff(Duration.ofMillis(100), Duration.ofSeconds(1), 1.5).serviceConfig();
        assertThat(config).isEqualTo(Map.of("methodConfig", List.of(Map.of(
                "name", List.of(Map.of("service", "tokenservice.v1.TokenService")),
                "retryPolicy", Map.of(
                        "maxAttempts", 5.0,
                        "initialBackoff", "0.1s",
                        "maxBackoff", "1s",
                        "backoffMultiplier", 1.5,
                        "retryableStatusCodes", List.of("UNAVAILABLE"))))));
        assertThat(TokenClient.builder().maxAttempts(1).serviceConfig().toString()).doesNotContain("retryPolicy");
    }

    @Test
    void builderRejectsContradictions() {
        assertThatThrownBy(() -> TokenClient.builder().build()).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> TokenClient.builder().target("a:1").channelBuilder(InProcessChannelBuilder.forName("x")).build())
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> TokenClient.builder().target("a:1").trustCertificates(java.nio.file.Path.of("ca.pem"))
                .plaintext().build()).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> TokenClient.builder().apiKey("with space").target("a:1").plaintext().build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TokenClient.builder().deadline(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TokenClient.builder().maxAttempts(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
