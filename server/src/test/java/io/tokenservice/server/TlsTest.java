package io.tokenservice.server;

import static io.tokenservice.server.testing.TestApps.APP_ID;
import static io.tokenservice.server.testing.TestApps.CERT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.grpc.ChannelCredentials;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.tokenservice.proto.v1.IssueRtmTokenRequest;
import io.tokenservice.proto.v1.IssuedToken;
import io.tokenservice.proto.v1.TokenServiceGrpc;
import io.tokenservice.server.access.Caller;
import io.tokenservice.server.access.CallerContext;
import io.tokenservice.server.auth.TestPki;
import io.tokenservice.server.config.ConfigException;
import io.tokenservice.server.config.ServerConfig;
import io.tokenservice.server.testing.ScriptedGate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS from PEM files (the committed test certificates, {@link TestPki}), optional client certificates, and
 * how an authentication interceptor plugs in through the builder.
 */
class TlsTest {
    private static final TestPki PKI = TestPki.get();

    private static ServerConfig.Builder config() {
        return ServerConfig.builder().grpcPort(0).app(APP_ID, CERT)
                .tls(PKI.server.certificateFile(), PKI.server.keyFile());
    }

    private static TlsChannelCredentials.Builder trustingTheServer() {
        return TlsChannelCredentials.newBuilder().trustManager(PKI.trustManagers());
    }

    private static IssuedToken issue(ManagedChannel channel) {
        return TokenServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .issueRtmToken(IssueRtmTokenRequest.newBuilder().setUserId("u").build());
    }

    private static ManagedChannel channel(int port, ChannelCredentials credentials) {
        return Grpc.newChannelBuilderForAddress("localhost", port, credentials).build();
    }

    @Test
    void tlsClientsAreServedAndPlaintextClientsAreNot() throws Exception {
        try (TokenServer server = TokenServer.start(config().build())) {
            ManagedChannel tls = channel(server.port(), trustingTheServer().build());
            ManagedChannel plaintext = channel(server.port(), InsecureChannelCredentials.create());
            try {
                assertThat(issue(tls).getToken()).startsWith("007");
                StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, () -> issue(plaintext));
                assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
            } finally {
                tls.shutdownNow();
                plaintext.shutdownNow();
            }
        }
    }

    @Test
    void withoutTlsPlaintextClientsAreServed() throws Exception {
        try (TokenServer server = TokenServer.start(ServerConfig.builder().grpcPort(0).app(APP_ID, CERT).build())) {
            ManagedChannel plaintext = channel(server.port(), InsecureChannelCredentials.create());
            try {
                assertThat(issue(plaintext).getToken()).startsWith("007");
            } finally {
                plaintext.shutdownNow();
            }
        }
    }

    /** What the caller-security code does: read the verified client certificate and name the caller. */
    private static final class ClientCertificateAuthenticator implements ServerInterceptor {
        @Override
        public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                ServerCallHandler<Q, R> next) {
            SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
            Caller caller = new Caller("anonymous-tls", Caller.AuthMethod.NONE);
            if (session != null) {
                try {
                    Certificate[] chain = session.getPeerCertificates();
                    caller = new Caller(((X509Certificate) chain[0]).getSubjectX500Principal().getName(),
                            Caller.AuthMethod.MUTUAL_TLS);
                } catch (SSLPeerUnverifiedException e) {
                    // no client certificate: stays the plain TLS caller
                }
            }
            return Contexts.interceptCall(Context.current().withValue(CallerContext.CALLER, caller), call, headers, next);
        }
    }

    @Test
    void clientCertificatesAreVerifiedAndReachTheAuthenticator() throws Exception {
        ScriptedGate gate = new ScriptedGate();
        ServerConfig config = config()
                .tlsClientCa(PKI.caFile)
                .authenticator(new ClientCertificateAuthenticator())
                .accessGate(gate)
                .build();
        try (TokenServer server = TokenServer.start(config)) {
            ManagedChannel withCertificate = channel(server.port(), trustingTheServer()
                    .keyManager(PKI.knownClient.certificateFile().toFile(), PKI.knownClient.keyFile().toFile())
                    .build());
            ManagedChannel withoutCertificate = channel(server.port(), trustingTheServer().build());
            try {
                issue(withCertificate);
                assertThat(gate.callers()).containsExactly(new Caller(TestPki.KNOWN_SUBJECT, Caller.AuthMethod.MUTUAL_TLS));

                issue(withoutCertificate); // client certificates are optional: API-key callers use plain TLS
                assertThat(gate.callers().get(1)).isEqualTo(new Caller("anonymous-tls", Caller.AuthMethod.NONE));
            } finally {
                withCertificate.shutdownNow();
                withoutCertificate.shutdownNow();
            }
        }
    }

    @Test
    void aClientCertificateFromAnotherCaNeverBecomesAnIdentity() throws Exception {
        // Client certificates are optional, so an untrusted one does not fail the handshake; but the
        // session then holds no verified peer certificate, so the authenticator cannot take it as one.
        ScriptedGate gate = new ScriptedGate();
        ServerConfig config = config().tlsClientCa(PKI.caFile)
                .authenticator(new ClientCertificateAuthenticator()).accessGate(gate).build();
        try (TokenServer server = TokenServer.start(config)) {
            ManagedChannel channel = channel(server.port(), trustingTheServer()
                    .keyManager(PKI.untrustedClient.certificateFile().toFile(), PKI.untrustedClient.keyFile().toFile())
                    .build());
            try {
                issue(channel);
                assertThat(gate.callers()).containsExactly(new Caller("anonymous-tls", Caller.AuthMethod.NONE));
            } finally {
                channel.shutdownNow();
            }
        }
    }

    @Test
    void unusableTlsFilesStopTheServerAtStartWithOneLine(@TempDir Path dir) throws Exception {
        Path cert = Files.writeString(dir.resolve("tls.crt"), "not a certificate\n");
        Path key = Files.writeString(dir.resolve("tls.key"), "not a key\n");
        ServerConfig config = ServerConfig.builder().grpcPort(0).app(APP_ID, CERT).tls(cert, key).build();

        assertThatThrownBy(() -> TokenServer.start(config).close())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(cert.toString())
                .hasMessageContaining(key.toString())
                .hasMessageContaining("PEM")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }
}
