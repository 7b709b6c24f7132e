package io.tokenservice.client;

import io.grpc.CallCredentials;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import io.tokenservice.proto.v1.InspectTokenRequest;
import io.tokenservice.proto.v1.InspectTokenResponse;
import io.tokenservice.proto.v1.IssueApaasTokenRequest;
import io.tokenservice.proto.v1.IssueChatTokenRequest;
import io.tokenservice.proto.v1.IssueRtcTokenRequest;
import io.tokenservice.proto.v1.IssueRtmTokenRequest;
import io.tokenservice.proto.v1.IssuedToken;
import io.tokenservice.proto.v1.RenewTokenRequest;
import io.tokenservice.proto.v1.TokenServiceGrpc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Typed, thread-safe client of {@code tokenservice.v1.TokenService}.
 *
 * <p>Every RPC has a blocking form (returns the result or throws {@link TokenServiceException}) and an
 * asynchronous form (a {@link CompletableFuture} that fails with a {@link TokenServiceException};
 * cancelling the future cancels the call). Each call gets the client's deadline (default 10 s, covering all
 * attempts); calls that fail with UNAVAILABLE are retried by gRPC itself according to the channel's service
 * config (exponential backoff, at most {@link Builder#maxAttempts(int)} attempts). No other status is
 * retried: INVALID_ARGUMENT, UNAUTHENTICATED, PERMISSION_DENIED etc. fail at once.
 *
 * <pre>{@code
 * try (TokenClient client = TokenClient.builder()
 *         .target("tokens.example.com:443")
 *         .apiKey(System.getenv("TOKEN_SERVICE_API_KEY"))
 *         .build()) {
 *     Token token = client.issueRtcToken(IssueRtcTokenRequest.newBuilder()
 *             .setChannel("demo").setUid(1234).setRole(RtcRole.RTC_ROLE_PUBLISHER).build());
 * }
 * }</pre>
 *
 * <p>One client (one channel) should be shared by the whole process. {@link #withDeadline(Duration)}
 * returns a view with another deadline that shares the channel.
 */
public final class TokenClient implements AutoCloseable {
    /** Fully qualified gRPC service name, as used in the service config. */
    public static final String SERVICE_NAME = TokenServiceGrpc.SERVICE_NAME;

    private final ManagedChannel channel;
    private final boolean ownsChannel;
    private final CallCredentials credentials;
    private final Duration deadline;
    private final Clock clock;
    /** For a plaintext client of a {@code host:port} target: tells a TLS server from a network failure. */
    private final TlsProbe plaintextTarget;

    private TokenClient(ManagedChannel channel, boolean ownsChannel, CallCredentials credentials, Duration deadline,
            Clock clock, TlsProbe plaintextTarget) {
        this.channel = channel;
        this.ownsChannel = ownsChannel;
        this.credentials = credentials;
        this.deadline = deadline;
        this.clock = clock;
        this.plaintextTarget = plaintextTarget;
    }

    public static Builder builder() {
        return new Builder();
    }

    // ---------------------------------------------------------------- blocking

    /** IssueRtcToken: a token for one identity in one RTC channel (optionally also RTM login). */
    public Token issueRtcToken(IssueRtcTokenRequest request) {
        return toToken(blocking("IssueRtcToken", s -> s.issueRtcToken(request)));
    }

    /** IssueRtmToken: a token for one RTM (Signaling) user, with RTM 2.x resource permissions if it names any. */
    public Token issueRtmToken(IssueRtmTokenRequest request) {
        return toToken(blocking("IssueRtmToken", s -> s.issueRtmToken(request)));
    }

    /** IssueChatToken: an Agora Chat user or app token. */
    public Token issueChatToken(IssueChatTokenRequest request) {
        return toToken(blocking("IssueChatToken", s -> s.issueChatToken(request)));
    }

    /** IssueApaasToken: a Flexible Classroom (APaaS) room-user, user or app token. */
    public Token issueApaasToken(IssueApaasTokenRequest request) {
        return toToken(blocking("IssueApaasToken", s -> s.issueApaasToken(request)));
    }

    /** RenewToken with the original lifetime. */
    public Token renewToken(String token) {
        return renewToken(RenewTokenRequest.newBuilder().setToken(token).build());
    }

    /**
     * RenewToken. Fails with {@link TokenServiceException.Kind#TOKEN_EXPIRED} when the token expired longer
     * ago than the server's renewal grace: issue a new token then.
     */
    public Token renewToken(RenewTokenRequest request) {
        return toToken(blocking("RenewToken", s -> s.renewToken(request)));
    }

    /** InspectToken: decodes any 006/007 token and explains whether Agora would accept it. */
    public InspectTokenResponse inspectToken(InspectTokenRequest request) {
        return blocking("InspectToken", s -> s.inspectToken(request));
    }

    // ---------------------------------------------------------------- asynchronous

    public CompletableFuture<Token> issueRtcTokenAsync(IssueRtcTokenRequest request) {
        return async("IssueRtcToken", request, TokenServiceGrpc.TokenServiceStub::issueRtcToken, this::toToken);
    }

    public CompletableFuture<Token> issueRtmTokenAsync(IssueRtmTokenRequest request) {
        return async("IssueRtmToken", request, TokenServiceGrpc.TokenServiceStub::issueRtmToken, this::toToken);
    }

    public CompletableFuture<Token> issueChatTokenAsync(IssueChatTokenRequest request) {
        return async("IssueChatToken", request, TokenServiceGrpc.TokenServiceStub::issueChatToken, this::toToken);
    }

    public CompletableFuture<Token> issueApaasTokenAsync(IssueApaasTokenRequest request) {
        return async("IssueApaasToken", request, TokenServiceGrpc.TokenServiceStub::issueApaasToken, this::toToken);
    }

    public CompletableFuture<Token> renewTokenAsync(String token) {
        return renewTokenAsync(RenewTokenRequest.newBuilder().setToken(token).build());
    }

    public CompletableFuture<Token> renewTokenAsync(RenewTokenRequest request) {
        return async("RenewToken", request, TokenServiceGrpc.TokenServiceStub::renewToken, this::toToken);
    }

    public CompletableFuture<InspectTokenResponse> inspectTokenAsync(InspectTokenRequest request) {
        return async("InspectToken", request, TokenServiceGrpc.TokenServiceStub::inspectToken, r -> r);
    }

    // ---------------------------------------------------------------- channel

    /** A view of this client whose calls get {@code deadline}; it shares (and does not own) the channel. */
    public TokenClient withDeadline(Duration deadline) {
        return new TokenClient(channel, false, credentials, positive(deadline, "deadline"), clock, plaintextTarget);
    }

    /** The per-call deadline. */
    public Duration deadline() {
        return deadline;
    }

    /** The clock that stamps {@link Token#receivedAt()}. */
    public Clock clock() {
        return clock;
    }

    /**
     * If the channel is waiting to reconnect after a connection failure, reconnect now. Useful before a
     * retry that the application scheduled itself (the token renewer does this), so that a server that came
     * back is used at once instead of after the transport's own reconnect backoff.
     */
    public void resetConnectBackoff() {
        channel.resetConnectBackoff();
    }

    /** Shuts the channel down (waiting up to 5 s for calls in progress). Views made by withDeadline do nothing. */
    @Override
    public void close() {
        if (!ownsChannel) {
            return;
        }
        channel.shutdown();
        try {
            if (!channel.awaitTermination(5, TimeUnit.SECONDS)) {
                channel.shutdownNow();
            }
        } catch (InterruptedException e) {
            channel.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "TokenClient[" + channel.authority() + ", deadline=" + deadline + "]";
    }

    // ---------------------------------------------------------------- internals

    private Token toToken(IssuedToken proto) {
        return Token.fromProto(proto, clock.instant());
    }

    private <T> T blocking(String rpc, Function<TokenServiceGrpc.TokenServiceBlockingStub, T> call) {
        TokenServiceGrpc.TokenServiceBlockingStub stub = TokenServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS);
        if (credentials != null) {
            stub = stub.withCallCredentials(credentials);
        }
        try {
            return call.apply(stub);
        } catch (StatusRuntimeException e) {
            throw failure(rpc, e);
        }
    }

    /**
     * The exception for a failed call: {@link TokenServiceException#from}, except that an UNAVAILABLE of a
     * plaintext client whose connection was dropped is {@link TokenServiceException.Kind#TLS_MISMATCH} when the
     * server turns out to speak TLS (a probe, on this failure path only, of at most {@link TlsProbe#TIMEOUT}).
     */
    private TokenServiceException failure(String rpc, Throwable t) {
        TokenServiceException e = TokenServiceException.from(rpc, t);
        if (plaintextTarget != null && e.code() == Status.Code.UNAVAILABLE
                && e.kind() == TokenServiceException.Kind.UNAVAILABLE && TlsProbe.mayBeTlsServer(t)
                && plaintextTarget.speaksTls()) {
            return TokenServiceException.tlsServer(rpc, t);
        }
        return e;
    }

    @FunctionalInterface
    private interface AsyncCall<Q, R> {
        void start(TokenServiceGrpc.TokenServiceStub stub, Q request, StreamObserver<R> observer);
    }

    private <Q, R, T> CompletableFuture<T> async(String rpc, Q request, AsyncCall<Q, R> call, Function<R, T> map) {
        TokenServiceGrpc.TokenServiceStub stub = TokenServiceGrpc.newStub(channel)
                .withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS);
        if (credentials != null) {
            stub = stub.withCallCredentials(credentials);
        }
        CallFuture<Q, R, T> future = new CallFuture<>(map, t -> failure(rpc, t));
        try {
            call.start(stub, request, future);
        } catch (RuntimeException e) {
            future.completeExceptionally(failure(rpc, e));
        }
        return future;
    }

    /** Completes with the (mapped) response or a TokenServiceException; cancel() cancels the RPC. */
    private static final class CallFuture<Q, R, T> extends CompletableFuture<T> implements ClientResponseObserver<Q, R> {
        private final Function<R, T> map;
        private final Function<Throwable, TokenServiceException> failure;
        private volatile ClientCallStreamObserver<Q> call;

        CallFuture(Function<R, T> map, Function<Throwable, TokenServiceException> failure) {
            this.map = map;
            this.failure = failure;
        }

        @Override
        public void beforeStart(ClientCallStreamObserver<Q> requestStream) {
            this.call = requestStream;
        }

        @Override
        public void onNext(R value) {
            try {
                complete(map.apply(value));
            } catch (RuntimeException e) {
                completeExceptionally(e);
            }
        }

        @Override
        public void onError(Throwable t) {
            completeExceptionally(failure.apply(t));
        }

        @Override
        public void onCompleted() {
            // The unary response was delivered by onNext.
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelled = super.cancel(mayInterruptIfRunning);
            ClientCallStreamObserver<Q> c = call;
            if (cancelled && c != null) {
                c.cancel("cancelled by the caller", null);
            }
            return cancelled;
        }
    }

    private static Duration positive(Duration d, String what) {
        Objects.requireNonNull(d, what);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + " must be positive: " + d);
        }
        return d;
    }

    /**
     * Builds a {@link TokenClient}. Either {@link #target(String)} (the client creates a Netty channel with
     * TLS, mutual TLS or plaintext) or {@link #channelBuilder(ManagedChannelBuilder)} (any transport, e.g.
     * OkHttp on Android or in-process in tests; its security is the caller's business) is required.
     */
    public static final class Builder {
        private String target;
        private ManagedChannelBuilder<?> channelBuilder;
        private String apiKey;
        private Boolean plaintext;
        private Path trustCertificates;
        private Path clientCertificateChain;
        private Path clientPrivateKey;
        private String authority;
        private Duration deadline = Duration.ofSeconds(10);
        private int maxAttempts = 4;
        private Duration initialBackoff = Duration.ofMillis(200);
        private Duration maxBackoff = Duration.ofSeconds(2);
        private double backoffMultiplier = 2.0;
        private Clock clock = Clock.systemUTC();
        private String userAgent = "token-client/0.1";

        private Builder() {}

        /** The server, as a gRPC target: {@code host:port} or {@code dns:///host:port}. */
        public Builder target(String target) {
            this.target = Objects.requireNonNull(target, "target");
            return this;
        }

        /**
         * Use this channel builder instead of creating one from {@link #target(String)}: the client still
         * applies the retry service config and user agent. Transport security is then configured on the
         * given builder, not with {@link #tls()} / {@link #mutualTls(Path, Path)}.
         */
        public Builder channelBuilder(ManagedChannelBuilder<?> channelBuilder) {
            this.channelBuilder = Objects.requireNonNull(channelBuilder, "channelBuilder");
            return this;
        }

        /** Authenticate every call with this API key ({@code authorization: Bearer <key>}). */
        public Builder apiKey(String apiKey) {
            this.apiKey = Objects.requireNonNull(apiKey, "apiKey");
            return this;
        }

        /**
         * No transport security: for a server on localhost or behind a trusted proxy only. Also allows the API
         * key to be sent over a channel without transport security (otherwise refused).
         */
        public Builder plaintext() {
            this.plaintext = true;
            return this;
        }

        /** TLS with the JVM's default trust store (the default for {@link #target(String)}). */
        public Builder tls() {
            this.plaintext = false;
            return this;
        }

        /** TLS trusting the CA certificates in this PEM file instead of the default trust store. */
        public Builder trustCertificates(Path caCertificatesPem) {
            this.trustCertificates = Objects.requireNonNull(caCertificatesPem, "caCertificatesPem");
            this.plaintext = false;
            return this;
        }

        /**
         * Mutual TLS: present this client certificate chain and PKCS#8 private key (PEM files); the server
         * identifies the caller by the certificate, so no API key is needed.
         */
        public Builder mutualTls(Path certificateChainPem, Path privateKeyPem) {
            this.clientCertificateChain = Objects.requireNonNull(certificateChainPem, "certificateChainPem");
            this.clientPrivateKey = Objects.requireNonNull(privateKeyPem, "privateKeyPem");
            this.plaintext = false;
            return this;
        }

        /** The authority (TLS host name) to verify and send, if it differs from the target's host. */
        public Builder overrideAuthority(String authority) {
            this.authority = Objects.requireNonNull(authority, "authority");
            return this;
        }

        /** Deadline of each call, all retry attempts included. Default 10 s. */
        public Builder deadline(Duration deadline) {
            this.deadline = positive(deadline, "deadline");
            return this;
        }

        /** Attempts per call when the server answers UNAVAILABLE (1 = never retry). Default 4. */
        public Builder maxAttempts(int maxAttempts) {
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("maxAttempts must be at least 1: " + maxAttempts);
            }
            this.maxAttempts = maxAttempts;
            return this;
        }

        /**
         * Backoff between attempts on UNAVAILABLE: gRPC waits a random time up to {@code initial *
         * multiplier^(n-1)}, capped at {@code max}. Default 200 ms, 2 s, multiplier 2.
         */
        public Builder retryBackoff(Duration initial, Duration max, double multiplier) {
            this.initialBackoff = positive(initial, "initial");
            this.maxBackoff = positive(max, "max");
            if (!(multiplier > 0)) {
                throw new IllegalArgumentException("multiplier must be positive: " + multiplier);
            }
            this.backoffMultiplier = multiplier;
            return this;
        }

        /** The clock that stamps {@link Token#receivedAt()} (tests inject a fake). Default: system UTC. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        public Builder userAgent(String userAgent) {
            this.userAgent = Objects.requireNonNull(userAgent, "userAgent");
            return this;
        }

        /** The service config that makes gRPC retry UNAVAILABLE (and nothing else) on every TokenService RPC. */
        Map<String, ?> serviceConfig() {
            Map<String, Object> methodConfig = new java.util.LinkedHashMap<>();
            methodConfig.put("name", List.of(Map.of("service", SERVICE_NAME)));
            if (maxAttempts > 1) {
                methodConfig.put("retryPolicy", Map.of(
                        "maxAttempts", (double) maxAttempts,
                        "initialBackoff", seconds(initialBackoff),
                        "maxBackoff", seconds(maxBackoff),
                        "backoffMultiplier", backoffMultiplier,
                        "retryableStatusCodes", List.of("UNAVAILABLE")));
            }
            return Map.of("methodConfig", List.of(methodConfig));
        }

        private static String seconds(Duration d) {
            return java.math.BigDecimal.valueOf(d.toNanos(), 9).stripTrailingZeros().toPlainString() + "s";
        }

        public TokenClient build() {
            if ((target == null) == (channelBuilder == null)) {
                throw new IllegalStateException("set exactly one of target(...) and channelBuilder(...)");
            }
            boolean insecure = Boolean.TRUE.equals(plaintext);
            ManagedChannelBuilder<?> b;
            if (channelBuilder != null) {
                if (trustCertificates != null || clientCertificateChain != null) {
                    throw new IllegalStateException(
                            "with channelBuilder(...), configure TLS on that builder, not on TokenClient.Builder");
                }
                b = channelBuilder;
            } else {
                b = Grpc.newChannelBuilder(target, channelCredentials(insecure));
            }
            if (authority != null) {
                b.overrideAuthority(authority);
            }
            b.defaultServiceConfig(serviceConfig());
            if (maxAttempts > 1) {
                b.enableRetry().maxRetryAttempts(maxAttempts);
            } else {
                b.disableRetry();
            }
            b.userAgent(userAgent);
            CallCredentials credentials = apiKey == null ? null : new ApiKeyCredentials(apiKey, insecure);
            TlsProbe probe = insecure && target != null ? TlsProbe.of(target) : null;
            return new TokenClient(b.build(), true, credentials, deadline, clock, probe);
        }

        private ChannelCredentials channelCredentials(boolean insecure) {
            if (insecure) {
                if (trustCertificates != null || clientCertificateChain != null) {
                    throw new IllegalStateException("plaintext() contradicts trustCertificates/mutualTls");
                }
                return InsecureChannelCredentials.create();
            }
            TlsChannelCredentials.Builder tls = TlsChannelCredentials.newBuilder();
            try {
                if (trustCertificates != null) {
                    tls.trustManager(trustCertificates.toFile());
                }
                if (clientCertificateChain != null) {
                    tls.keyManager(clientCertificateChain.toFile(), clientPrivateKey.toFile());
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read TLS material", e);
            }
            return tls.build();
        }
    }
}
