package io.tokenservice.server;

import static io.tokenservice.server.testing.TestApps.APP_ID;
import static io.tokenservice.server.testing.TestApps.CERT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.tokenservice.core.token.AccessToken2Codec;
import io.tokenservice.core.token.ParsedAccessToken2;
import io.tokenservice.proto.v1.IssueRtcTokenRequest;
import io.tokenservice.proto.v1.IssuedToken;
import io.tokenservice.proto.v1.RtcRole;
import io.tokenservice.proto.v1.TokenServiceGrpc;
import io.tokenservice.server.config.AppKeys;
import io.tokenservice.server.testing.LogCapture;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code java -jar token-server.jar} does at start-up (Main.launch, without System.exit). */
class MainTest {
    @TempDir
    Path dir;

    private static IssuedToken issue(TokenServer server) {
        ManagedChannel channel = Grpc.newChannelBuilderForAddress("localhost", server.port(),
                InsecureChannelCredentials.create()).build();
        try {
            return TokenServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .issueRtcToken(IssueRtcTokenRequest.newBuilder().setChannel("demo").setUid(1)
                            .setRole(RtcRole.RTC_ROLE_PUBLISHER).build());
        } finally {
            channel.shutdownNow();
        }
    }

    @Test
    void withNoConfigurationAtAllTheServerStartsAndSaysLoudlyThatItsTokensAreUseless() throws Exception {
        try (LogCapture log = LogCapture.of(Main.class.getName());
                TokenServer server = Main.launch(Map.of("GRPC_PORT", "0"), dir)) {
            AppKeys app = server.config().apps().only().orElseThrow();

            List<String> warnings = log.messages(Level.WARNING);
            assertThat(warnings).hasSize(1);
            assertThat(warnings.get(0)).contains("DEVELOPMENT MODE").contains("AGORA WILL REJECT EVERY TOKEN")
                    .contains(app.appId()).doesNotContain(app.primary().appCertificate()).doesNotContain("\n");
            assertThat(log.messages(Level.INFO)).anySatisfy(line -> assertThat(line)
                    .contains("listening on port " + server.port()));

            IssuedToken issued = issue(server);
            ParsedAccessToken2 parsed = AccessToken2Codec.decode(issued.getToken());
            assertThat(parsed.appId()).isEqualTo(app.appId());
            assertThat(parsed.verify(app.primary().appCertificate())).isTrue();
            for (String line : log.lines()) {
                assertThat(line).doesNotContain(app.primary().appCertificate()).doesNotContain(issued.getToken());
            }
        }
    }

    @Test
    void aConfiguredAppStartsWithoutTheDevelopmentWarning() throws Exception {
        Files.writeString(dir.resolve(".env"), "APP_ID=" + APP_ID + "\nAPP_CERTIFICATE=" + CERT + "\n");
        try (LogCapture log = LogCapture.of(Main.class.getName());
                TokenServer server = Main.launch(Map.of("GRPC_PORT", "0"), dir)) {
            assertThat(log.messages(Level.WARNING)).isEmpty();
            assertThat(AccessToken2Codec.decode(issue(server).getToken()).verify(CERT)).isTrue();
            assertThat(String.join("", log.lines())).contains(APP_ID).doesNotContain(CERT);
        }
    }

    @Test
    void badConfigurationStopsTheStartWithOneLineAndExitCode2() {
        Main.StartupException e = catchThrowableOfType(Main.StartupException.class,
                () -> Main.launch(Map.of("APP_ID", APP_ID, "APP_CERTIFICATE", CERT.substring(1)), dir));

        assertThat(e.exitCode()).isEqualTo(2);
        assertThat(e.getMessage()).isEqualTo(
                "configuration error: APP_CERTIFICATE: must be 32 hexadecimal characters, got 31");
    }

    @Test
    void unusableTlsFilesAreAConfigurationError() throws Exception {
        Path cert = Files.writeString(dir.resolve("tls.crt"), "garbage");
        Path key = Files.writeString(dir.resolve("tls.key"), "garbage");

        Main.StartupException e = catchThrowableOfType(Main.StartupException.class, () -> Main.launch(Map.of(
                "GRPC_PORT", "0", "APP_ID", APP_ID, "APP_CERTIFICATE", CERT,
                "TLS_CERT_FILE", cert.toString(), "TLS_KEY_FILE", key.toString()), dir));

        assertThat(e.exitCode()).isEqualTo(2);
        assertThat(e.getMessage()).startsWith("configuration error: TLS certificate " + cert).doesNotContain("\n");
    }

    @Test
    void aTakenPortIsReportedWithExitCode1() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            Main.StartupException e = catchThrowableOfType(Main.StartupException.class, () -> Main.launch(Map.of(
                    "GRPC_PORT", Integer.toString(taken.getLocalPort()), "APP_ID", APP_ID, "APP_CERTIFICATE", CERT), dir));

            assertThat(e.exitCode()).isEqualTo(1);
            assertThat(e.getMessage()).startsWith("cannot listen on port " + taken.getLocalPort());
        }
    }
}
