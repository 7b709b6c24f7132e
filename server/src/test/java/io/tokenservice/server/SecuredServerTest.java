package io.tokenservice.server;

import static io.tokenservice.server.MainTest.assertUnauthenticated;
import static io.tokenservice.server.testing.TestApps.APP_ID;
import static io.tokenservice.server.testing.TestApps.CERT;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ConnectivityState;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.TlsChannelCredentials;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.tokenservice.core.token.AccessToken2Codec;
import io.tokenservice.core.token.ParsedAccessToken2;
import io.tokenservice.proto.v1.IssueRtcTokenRequest;
import io.tokenservice.proto.v1.IssueRtmTokenRequest;
import io.tokenservice.proto.v1.IssuedToken;
import io.tokenservice.proto.v1.RenewTokenRequest;
import io.tokenservice.proto.v1.RtcRole;
import io.tokenservice.proto.v1.TokenServiceGrpc;
import io.tokenservice.server.audit.AuditLogHandler;
import io.tokenservice.server.audit.JsonAuditSink;
import io.tokenservice.server.auth.ApiKeyRegistry;
import io.tokenservice.server.auth.TestPki;
import io.tokenservice.server.config.EnvironmentVariables;
import io.tokenservice.server.testing.Launched;
import io.tokenservice.server.testing.LogCapture;
import io.tokenservice.server.testing.Reflection;
import io.tokenservice.server.testing.Statuses;
import io.tokenservice.server.testing.SuiteLog;
import io.tokenservice.server.testing.TestSecrets;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Caller security as {@code java -jar} wires it ({@link SecuredServer}), over Netty: authentication of every
 * token RPC but not of health and reflection, the YAML {@code security:} section end to end, reloads on an
 * open connection, the audit stream.
 */
class SecuredServerTest {
    private static final String WEB_KEY = TestSecrets.register("tsk_secured_web_key_0123456789abcdef");
    private static final String OPS_KEY = TestSecrets.register("tsk_secured_ops_key_0123456789abcdef");
    private static final String EXTRA_WEB_KEY = TestSecrets.register("tsk_secured_extra_web_key_012345678");

    @TempDir
    Path dir;

    private Path config;

    private static String yaml(String webChannels, boolean opsKey) {
        return """
                apps:
                  - app_id: %s
                    primary_certificate: %s
                security:
                  callers:
                    web:
                      api_keys: ["%s"]
                      apps: ["*"]
                      services: [rtc, rtm]
                      channels: [%s]
                      roles: [subscriber]
                      max_ttl_seconds: 600
                      may_renew: true
                    ops:
                      api_keys: [%s]
                      apps: ["*"]
                      services: [rtc]
                      channels: ["*"]
                      roles: [publisher, subscriber]
                  deny_list:
                    path: deny-list.txt
                    poll_interval_seconds: 86400
                """.formatted(APP_ID, CERT, ApiKeyRegistry.configHash(WEB_KEY), webChannels,
                opsKey ? "\"" + ApiKeyRegistry.configHash(OPS_KEY) + "\"" : "");
    }

    /** Replaces a file in one step, as an operator's deployment tool would. */
    private void replace(Path file, String content) throws Exception {
        Path tmp = Files.createTempFile(dir, "replace", ".tmp");
        Files.writeString(tmp, content);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private Launched startWithYaml(Map<String, String> extraEnv, ClientInterceptor... interceptors) throws Exception {
        return startWithYaml(extraEnv, "", interceptors);
    }

    /** {@code webExtra}: more settings of caller web (lines indented by 6). */
    private Launched startWithYaml(Map<String, String> extraEnv, String webExtra, ClientInterceptor... interceptors)
            throws Exception {
        config = dir.resolve("token-service.yaml");
        replace(config, yaml("\"team-*\"", true).replace("      may_renew: true\n", "      may_renew: true\n" + webExtra));
        Files.writeString(dir.resolve("deny-list.txt"), "# nobody yet\n");
        Map<String, String> env = new java.util.HashMap<>(extraEnv);
        env.put("TOKEN_SERVICE_CONFIG", config.toString());
        return Launched.start(env, dir, interceptors);
    }

    private static IssueRtcTokenRequest subscriber(String channel) {
        return IssueRtcTokenRequest.newBuilder().setChannel(channel).setAccount("user-1")
                .setRole(RtcRole.RTC_ROLE_SUBSCRIBER).setTtlSeconds(300).build();
    }

    private static IssueRtcTokenRequest publisher(String channel) {
        return subscriber(channel).toBuilder().setRole(RtcRole.RTC_ROLE_PUBLISHER).build();
    }

    @Test
    void healthAndReflectionNeedNoCredentialsButTheTokenServiceDoes() throws Exception {
        try (Launched s = Launched.start(Map.of("APP_ID", APP_ID, "APP_CERTIFICATE", CERT,
                EnvironmentVariables.TOKEN_SERVICE_API_KEYS, "web=" + WEB_KEY), dir)) {
            assertThat(HealthGrpc.newBlockingStub(s.channel).withDeadlineAfter(5, TimeUnit.SECONDS)
                    .check(HealthCheckRequest.getDefaultInstance()).getStatus())
                    .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);

            assertThat(Reflection.listServices(s.channel)).contains("tokenservice.v1.TokenService");

            assertUnauthenticated(() -> s.anonymous().issueRtcToken(subscriber("demo")));
            assertUnauthenticated(() -> s.anonymous().issueRtmToken(
                    IssueRtmTokenRequest.newBuilder().setUserId("bob").build()));
            assertThat(s.as(WEB_KEY).issueRtcToken(subscriber("demo")).getToken()).startsWith("007");
        }
    }

    @Test
    void theSecuritySectionOfTheYamlFileWorksEndToEnd() throws Exception {
        try (LogCapture audit = LogCapture.of(JsonAuditSink.LOGGER_NAME);
                Launched s = startWithYaml(Map.of(EnvironmentVariables.TOKEN_SERVICE_API_KEYS, "web=" + EXTRA_WEB_KEY))) {
            IssuedToken issued = s.as(WEB_KEY).issueRtcToken(subscriber("team-red"));
            assertThat(AccessToken2Codec.decode(issued.getToken()).verify(CERT)).isTrue();
            assertThat(s.as(EXTRA_WEB_KEY).issueRtcToken(subscriber("team-blue")).getToken()).startsWith("007");
            assertThat(s.as(OPS_KEY).issueRtcToken(publisher("lobby")).getToken()).startsWith("007");

            assertThat(Statuses.failure(Status.Code.PERMISSION_DENIED,
                    () -> s.as(WEB_KEY).issueRtcToken(subscriber("lobby"))).getStatus().getDescription())
                    .contains("channel");
            Statuses.failure(Status.Code.PERMISSION_DENIED, () -> s.as(WEB_KEY).issueRtcToken(publisher("team-red")));
            Statuses.failure(Status.Code.PERMISSION_DENIED, () -> s.as(OPS_KEY).issueRtmToken(
                    IssueRtmTokenRequest.newBuilder().setUserId("bob").build()));
            assertUnauthenticated(() -> s.anonymous().issueRtcToken(subscriber("team-red")));

            // A renewal without ttl keeps the original lifetime (1 h here), lowered to the renewing caller's
            // max_ttl_seconds (600): the policy's limit reaches the handler.
            IssuedToken hour = s.as(OPS_KEY).issueRtcToken(subscriber("team-red").toBuilder().setTtlSeconds(3600).build());
            IssuedToken renewed = s.as(WEB_KEY).renewToken(RenewTokenRequest.newBuilder()
                    .setToken(hour.getToken()).build());
            ParsedAccessToken2 parsed = AccessToken2Codec.decode(renewed.getToken());
            assertThat(renewed.getExpiresAt().getSeconds() - renewed.getIssuedAt().getSeconds()).isEqualTo(600);
            assertThat(parsed.verify(CERT)).isTrue();

            s.awaitAudit();
            List<String> lines = audit.lines();
            assertThat(lines).anySatisfy(l -> assertThat(l).contains("\"caller\":\"web\"", "\"outcome\":\"OK\"",
                    "\"channel\":\"team-red\""));
            assertThat(lines).anySatisfy(l -> assertThat(l).contains("\"caller\":\"web\"",
                    "\"outcome\":\"PERMISSION_DENIED\"", "\"channel\":\"lobby\""));
            assertThat(lines).anySatisfy(l -> assertThat(l).contains("\"caller\":null", "\"outcome\":\"UNAUTHENTICATED\""));
        }
    }

    /** Records the client-side address of the connection each call used. */
    private static final class ConnectionRecorder implements ClientInterceptor {
        final List<SocketAddress> localAddresses = new CopyOnWriteArrayList<>();

        @Override
        public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
            return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
                @Override
                public void start(Listener<R> listener, Metadata headers) {
                    ClientCall<Q, R> call = this;
                    super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
                        @Override
                        public void onClose(Status status, Metadata trailers) {
                            localAddresses.add(call.getAttributes().get(Grpc.TRANSPORT_ATTR_LOCAL_ADDR));
                            super.onClose(status, trailers);
                        }
                    }, headers);
                }
            };
        }
    }

    @Test
    void reloadingKeysPoliciesAndTheDenyListTakesEffectOnTheOpenConnection() throws Exception {
        ConnectionRecorder connections = new ConnectionRecorder();
        try (Launched s = startWithYaml(Map.of(), connections)) {
            assertThat(s.as(WEB_KEY).issueRtcToken(subscriber("team-blue")).getToken()).startsWith("007");
            assertThat(s.as(OPS_KEY).issueRtcToken(publisher("lobby")).getToken()).startsWith("007");

            // The operator revokes the ops key and narrows web to one channel.
            replace(config, yaml("\"team-red\"", false));
            assertThat(s.server.reload()).isTrue();

            assertUnauthenticated(() -> s.as(OPS_KEY).issueRtcToken(publisher("lobby")));
            assertThat(Statuses.failure(Status.Code.PERMISSION_DENIED,
                    () -> s.as(WEB_KEY).issueRtcToken(subscriber("team-blue"))).getStatus().getDescription())
                    .contains("channel");
            assertThat(s.as(WEB_KEY).issueRtcToken(subscriber("team-red")).getToken()).startsWith("007");

            // ... then denies that channel too.
            replace(dir.resolve("deny-list.txt"), "channel:team-red\n");
            assertThat(s.server.reload()).isTrue();
            Statuses.failure(Status.Code.PERMISSION_DENIED, () -> s.as(WEB_KEY).issueRtcToken(subscriber("team-red")));

            // A broken file keeps the whole configuration in force, the deny-list included: all or nothing.
            replace(config, yaml("\"team-red\"", false).replace("roles:", "rolez:"));
            replace(dir.resolve("deny-list.txt"), "");
            assertThat(s.server.reload()).isFalse();
            assertUnauthenticated(() -> s.as(OPS_KEY).issueRtcToken(publisher("lobby")));
            Statuses.failure(Status.Code.PERMISSION_DENIED, () -> s.as(WEB_KEY).issueRtcToken(subscriber("team-red")));

            replace(config, yaml("\"team-red\"", false));
            assertThat(s.server.reload()).isTrue();
            assertThat(s.as(WEB_KEY).issueRtcToken(subscriber("team-red")).getToken()).startsWith("007");

            assertThat(connections.localAddresses).hasSize(9).doesNotContainNull();
            assertThat(connections.localAddresses.stream().distinct()).as("connections used").hasSize(1);
            assertThat(s.channel.getState(false)).isEqualTo(ConnectivityState.READY);
        }
    }

    private static ManagedChannel tlsChannel(int port, TestPki.Identity client) {
        TlsChannelCredentials.Builder credentials = TlsChannelCredentials.newBuilder()
                .trustManager(TestPki.get().trustManagers());
        if (client != null) {
            credentials.keyManager(new AlwaysPresent(client));
        }
        return Grpc.newChannelBuilderForAddress("localhost", port, credentials.build()).build();
    }

    /**
     * Presents its certificate whatever CAs the server names (the JDK's key manager would silently send
     * none for a certificate from another CA; curl, grpcurl or OpenSSL send it anyway).
     */
    private static final class AlwaysPresent extends javax.net.ssl.X509ExtendedKeyManager {
        private final TestPki.Identity identity;

        AlwaysPresent(TestPki.Identity identity) {
            this.identity = identity;
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, java.security.Principal[] issuers,
                javax.net.ssl.SSLEngine engine) {
            return "client";
        }

        @Override
        public String chooseClientAlias(String[] keyType, java.security.Principal[] issuers, java.net.Socket socket) {
            return "client";
        }

        @Override
        public java.security.cert.X509Certificate[] getCertificateChain(String alias) {
            return identity.chain();
        }

        @Override
        public java.security.PrivateKey getPrivateKey(String alias) {
            return identity.key();
        }

        @Override
        public String[] getClientAliases(String keyType, java.security.Principal[] issuers) {
            return new String[] {"client"};
        }

        @Override
        public String[] getServerAliases(String keyType, java.security.Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseServerAlias(String keyType, java.security.Principal[] issuers, java.net.Socket socket) {
            return null;
        }
    }

    @Test
    void mutualTlsMapsTheCertificateSubjectToACaller() throws Exception {
        TestPki pki = TestPki.get();
        Map<String, String> env = Map.of(
                "TLS_CERT_FILE", pki.server.certificateFile().toString(),
                "TLS_KEY_FILE", pki.server.keyFile().toString(),
                "TLS_CLIENT_CA_FILE", pki.caFile.toString());
        try (LogCapture audit = LogCapture.of(JsonAuditSink.LOGGER_NAME);
                Launched s = startWithYaml(env, "      client_certificates: [\"cn:web-backend\"]\n")) {
            ManagedChannel known = tlsChannel(s.server.port(), pki.knownClient);
            ManagedChannel unmapped = tlsChannel(s.server.port(), pki.unknownClient);
            ManagedChannel untrusted = tlsChannel(s.server.port(), pki.untrustedClient);
            ManagedChannel none = tlsChannel(s.server.port(), null);
            try {
                TokenServiceGrpc.TokenServiceBlockingStub stub = TokenServiceGrpc.newBlockingStub(known)
                        .withDeadlineAfter(10, TimeUnit.SECONDS);
                assertThat(stub.issueRtcToken(subscriber("team-red")).getToken()).startsWith("007");
                Statuses.failure(Status.Code.PERMISSION_DENIED, () -> TokenServiceGrpc.newBlockingStub(known)
                        .withDeadlineAfter(10, TimeUnit.SECONDS).issueRtcToken(subscriber("lobby")));
                s.awaitAudit();
                assertThat(audit.lines()).anySatisfy(l -> assertThat(l).contains("\"caller\":\"web\"",
                        "\"auth\":\"mutual_tls\"", "\"outcome\":\"OK\""));

                // Trusted, but its subject names no caller: the call is refused.
                assertUnauthenticated(() -> TokenServiceGrpc.newBlockingStub(unmapped)
                        .withDeadlineAfter(10, TimeUnit.SECONDS).issueRtcToken(subscriber("team-red")));
                assertUnauthenticated(() -> TokenServiceGrpc.newBlockingStub(none)
                        .withDeadlineAfter(10, TimeUnit.SECONDS).issueRtcToken(subscriber("team-red")));
                assertThat(TokenServiceGrpc.newBlockingStub(none).withDeadlineAfter(10, TimeUnit.SECONDS)
                        .withCallCredentials(io.tokenservice.server.auth.BearerHeader.bearer(WEB_KEY))
                        .issueRtcToken(subscriber("team-red")).getToken()).startsWith("007");
                // Not issued by the client CA (self-signed, same subject as the mapped one): the TLS handshake
                // fails, so the client sees UNAVAILABLE and the call never reaches the server's handlers.
                Statuses.failure(Status.Code.UNAVAILABLE, () -> TokenServiceGrpc.newBlockingStub(untrusted)
                        .withDeadlineAfter(10, TimeUnit.SECONDS).issueRtcToken(subscriber("team-red")));
                // The JDK's own key manager does not even offer it (it is not from a CA the server names):
                // no certificate, no key, UNAUTHENTICATED.
                ManagedChannel jdk = Grpc.newChannelBuilderForAddress("localhost", s.server.port(),
                        TlsChannelCredentials.newBuilder().trustManager(pki.trustManagers())
                                .keyManager(pki.untrustedClient.keyManagers()).build()).build();
                try {
                    assertUnauthenticated(() -> TokenServiceGrpc.newBlockingStub(jdk)
                            .withDeadlineAfter(10, TimeUnit.SECONDS).issueRtcToken(subscriber("team-red")));
                } finally {
                    jdk.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
                }
            } finally {
                for (ManagedChannel c : List.of(known, unmapped, untrusted, none)) {
                    c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
                }
            }
        }
    }

    @Test
    void auditLinesGoToTheirOwnStreamAsBareJsonAndNotToTheApplicationLog() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (LogCapture root = LogCapture.all();
                AuditLogHandler.Installation installed = AuditLogHandler.install(
                        new PrintStream(out, true, StandardCharsets.UTF_8));
                Launched s = Launched.start(Map.of("APP_ID", APP_ID, "APP_CERTIFICATE", CERT,
                        EnvironmentVariables.TOKEN_SERVICE_API_KEYS, "web=" + WEB_KEY), dir)) {
            IssuedToken issued = s.as(WEB_KEY).issueRtcToken(subscriber("demo"));
            assertUnauthenticated(() -> s.anonymous().issueRtcToken(subscriber("demo")));

            List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
            lines.forEach(line -> SuiteLog.add("audit stream", line));
            assertThat(lines).hasSize(2).allSatisfy(line -> assertThat(line).startsWith("{\"time\":").endsWith("}")
                    .doesNotContain(issued.getToken()).doesNotContain(WEB_KEY));
            assertThat(lines.get(0)).contains("\"caller\":\"web\"", "\"auth\":\"api_key\"", "\"outcome\":\"OK\"",
                    "\"token_sha256\":\"");
            assertThat(lines.get(1)).contains("\"outcome\":\"UNAUTHENTICATED\"");
            assertThat(root.lines()).noneSatisfy(line -> assertThat(line).contains("{\"time\":"));
        }
        assertThat(java.util.logging.Logger.getLogger(JsonAuditSink.LOGGER_NAME).getUseParentHandlers()).isTrue();
    }
}
