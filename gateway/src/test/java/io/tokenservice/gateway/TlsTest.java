package io.tokenservice.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.linecorp.armeria.client.ClientFactory;
import com.linecorp.armeria.client.grpc.GrpcClients;
import com.linecorp.armeria.common.grpc.GrpcSerializationFormats;
import io.grpc.TlsChannelCredentials;
import io.netty.handler.ssl.util.SelfSignedCertificate;
import io.tokenservice.gateway.config.GatewayConfig;
import io.tokenservice.gateway.testing.RunningGateway;
import io.tokenservice.gateway.testing.TestSecrets;
import io.tokenservice.gateway.testing.TokenServerProcess;
import io.tokenservice.gateway.testing.Tokens2;
import io.tokenservice.proto.v1.IssueRtmTokenRequest;
import io.tokenservice.proto.v1.TokenServiceGrpc.TokenServiceBlockingStub;
import java.io.IOException;
import java.net.http.HttpClient;
import java.security.KeyStore;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * TLS on both legs: the server started with TLS_CERT_FILE/TLS_KEY_FILE and trusted by the gateway through
 * TOKEN_SERVICE_TLS_CA_FILE; the gateway's own port with GATEWAY_TLS_CERT_FILE/GATEWAY_TLS_KEY_FILE, called
 * by a gRPC-Web client that trusts only that certificate. Throw-away self-signed certificates.
 */
@SuppressWarnings("deprecation") // SelfSignedCertificate: test-only, still the simplest throw-away certificate
class TlsTest {
    @Test
    void tlsToTheServerAndOnTheGatewaysPort() throws Exception {
        SelfSignedCertificate serverCert = SelfSignedCertificate.builder().fqdn("localhost").build();
        SelfSignedCertificate gatewayCert = SelfSignedCertificate.builder().fqdn("localhost").build();
        for (SelfSignedCertificate c : List.of(serverCert, gatewayCert)) {
            TestSecrets.register(Files.readString(c.privateKey().toPath()).lines()
                    .filter(line -> !line.startsWith("-----")).findFirst().orElseThrow());
        }
        try (TokenServerProcess server = TokenServerProcess.start(List.of("tls"),
                Map.of("TLS_CERT_FILE", serverCert.certificate().toString(), "TLS_KEY_FILE", serverCert.privateKey().toString()),
                TlsChannelCredentials.newBuilder().trustManager(serverCert.certificate()).build());
             RunningGateway gateway = RunningGateway.start(server, Map.of(
                     GatewayConfig.ENV_BACKEND_CA, serverCert.certificate().toString(),
                     GatewayConfig.ENV_TLS_CERT, gatewayCert.certificate().toString(),
                     GatewayConfig.ENV_TLS_KEY, gatewayCert.privateKey().toString()), trusting(gatewayCert));
             ClientFactory trusting = ClientFactory.builder()
                     .tlsCustomizer(tls -> tls.trustManager(gatewayCert.certificate())).build()) {
            TokenServiceBlockingStub stub = GrpcClients.builder("https://localhost:" + gateway.port())
                    .factory(trusting)
                    .serializationFormat(GrpcSerializationFormats.PROTO_WEB)
                    .build(TokenServiceBlockingStub.class)
                    .withDeadlineAfter(20, TimeUnit.SECONDS)
                    .withCallCredentials(GrpcWebAndJsonTest.bearerCredentials(server.apiKey("tls")));
            String token = stub.issueRtmToken(IssueRtmTokenRequest.newBuilder().setUserId("zoe").build()).getToken();
            assertThat(Tokens2.verified(token, server).expire()).isEqualTo(3600);
            assertThat(gateway.get("/rtm/zoe", RunningGateway.bearer(server.apiKey("tls"))).statusCode()).isEqualTo(200);
        } finally {
            serverCert.delete();
            gatewayCert.delete();
        }
    }

    /** An HTTPS client that trusts only {@code certificate}. */
    private static HttpClient trusting(SelfSignedCertificate certificate) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("gateway", certificate.cert());
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, factory.getTrustManagers(), null);
        return HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(10)).build();
    }

    @Test
    void unusableTlsFilesStopTheStartWithAConfigurationError() throws IOException {
        java.nio.file.Path bogus = Files.createTempFile("not-a-cert", ".pem");
        Files.writeString(bogus, "not a certificate");
        try {
            for (Map<String, String> env : List.of(
                    Map.of(GatewayConfig.ENV_TLS_CERT, bogus.toString(), GatewayConfig.ENV_TLS_KEY, bogus.toString()),
                    Map.of(GatewayConfig.ENV_BACKEND_CA, bogus.toString()))) {
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> RunningGateway.startUnchecked(env,
                                java.net.http.HttpClient.newHttpClient()))
                        .isInstanceOf(io.tokenservice.env.EnvironmentException.class)
                        .hasMessageContaining(env.containsKey(GatewayConfig.ENV_BACKEND_CA) ? GatewayConfig.ENV_BACKEND_CA
                                : GatewayConfig.ENV_TLS_CERT);
            }
        } finally {
            Files.delete(bogus);
        }
    }
}
