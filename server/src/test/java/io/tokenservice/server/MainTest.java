package io.tokenservice.server;

import static io.tokenservice.server.testing.TestApps.APP_ID;
import static io.tokenservice.server.testing.TestApps.CERT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.grpc.Status;
import io.tokenservice.core.token.AccessToken2Codec;
import io.tokenservice.core.token.ParsedAccessToken2;
import io.tokenservice.proto.v1.ApaasAppToken;
import io.tokenservice.proto.v1.ChatAppToken;
import io.tokenservice.proto.v1.InspectTokenRequest;
import io.tokenservice.proto.v1.IssueApaasTokenRequest;
import io.tokenservice.proto.v1.IssueChatTokenRequest;
import io.tokenservice.proto.v1.IssueRtcTokenRequest;
import io.tokenservice.proto.v1.IssueRtmTokenRequest;
import io.tokenservice.proto.v1.IssuedToken;
import io.tokenservice.proto.v1.RenewTokenRequest;
import io.tokenservice.proto.v1.RtcRole;
import io.tokenservice.proto.v1.Rtm2Access;
import io.tokenservice.proto.v1.Rtm2Permission;
import io.tokenservice.proto.v1.Rtm2ResourceType;
import io.tokenservice.proto.v1.ServiceType;
import io.tokenservice.server.auth.AuthenticationInterceptor;
import io.tokenservice.server.config.AppKeys;
import io.tokenservice.server.config.EnvironmentVariables;
import io.tokenservice.server.testing.Launched;
import io.tokenservice.server.testing.LogCapture;
import io.tokenservice.server.testing.Statuses;
import io.tokenservice.server.testing.TestSecrets;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.regex.Pattern;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code java -jar token-server.jar} does at start-up ({@link SecuredServer#start}, as {@code Main}
 * calls it, without System.exit): the start-up matrix of apps and caller credentials.
 */
class MainTest {
    private static final String KEY = TestSecrets.register("tsk_main_test_key_0123456789abcdef");
    private static final Map<String, String> APP_AND_KEY = Map.of("APP_ID", APP_ID, "APP_CERTIFICATE", CERT,
            EnvironmentVariables.TOKEN_SERVICE_API_KEYS, "web=" + KEY);
    private static final String SECURED_SERVER_LOG = SecuredServer.class.getName();

    @TempDir
    Path dir;

    private static IssueRtcTokenRequest rtc() {
        return IssueRtcTokenRequest.newBuilder().setChannel("demo").setUid(1234).setRole(RtcRole.RTC_ROLE_PUBLISHER)
                .build();
    }

    static void assertUnauthenticated(ThrowingCallable call) {
        assertThat(Statuses.failure(Status.Code.UNAUTHENTICATED, call).getStatus().getDescription())
                .isEqualTo(AuthenticationInterceptor.FAILURE_DESCRIPTION);
    }

    @Test
    void withNothingConfiguredTheServerMakesUpAnAppAndPrintsOneKeyOnceThatWorks() throws Exception {
        try (LogCapture all = LogCapture.all(); LogCapture log = LogCapture.of(SECURED_SERVER_LOG);
                Launched s = Launched.start(Map.of(), dir)) {
            AppKeys app = s.server.config().apps().only().orElseThrow();
            String key = s.developmentKey();

            assertThat(Pattern.compile("tsk_").matcher(s.console()).results().count()).as("keys printed").isEqualTo(1);
            assertThat(s.console()).contains("export TOKEN_SERVICE_API_KEY=" + key)
                    .contains("-H \"authorization: Bearer $TOKEN_SERVICE_API_KEY\"")
                    .contains("localhost:" + s.server.port() + " tokenservice.v1.TokenService/IssueRtcToken")
                    .contains("TOKEN_SERVICE_TARGET=localhost:" + s.server.port() + " ./mvnw -q -pl client exec:java")
                    .contains("may try everything the API offers").contains("the wildcard (uid 0")
                    .contains("Chat and APaaS app").contains("RTM 2.x resource permissions")
                    .contains("TokenClient.builder().target(\"localhost:" + s.server.port() + "\").plaintext()");
            List<String> warnings = log.messages(Level.WARNING);
            assertThat(warnings).hasSize(1);
            assertThat(warnings.get(0)).contains("DEVELOPMENT MODE").contains("AGORA WILL REJECT EVERY TOKEN")
                    .contains(app.appId()).doesNotContain("\n");
            assertThat(log.messages(Level.INFO)).anySatisfy(line -> assertThat(line)
                    .startsWith("SERVING: token server listening on port " + s.server.port())
                    .contains("callers [dev], 1 API key(s)"));

            assertUnauthenticated(() -> s.anonymous().issueRtcToken(rtc()));
            IssuedToken issued = s.as(key).issueRtcToken(rtc());
            ParsedAccessToken2 parsed = AccessToken2Codec.decode(issued.getToken());
            assertThat(parsed.appId()).isEqualTo(app.appId());
            assertThat(parsed.verify(app.primary().appCertificate())).isTrue();
            assertThat(s.as(key).issueRtcToken(rtc().toBuilder().setUid(0).build()).getToken())
                    .as("the development caller may try the wildcard").startsWith("007");
            assertThat(s.as(key).issueChatToken(IssueChatTokenRequest.newBuilder()
                    .setApp(ChatAppToken.getDefaultInstance()).build()).getToken())
                    .as("and Chat app tokens").startsWith("007");
            assertThat(s.as(key).issueApaasToken(IssueApaasTokenRequest.newBuilder()
                    .setApp(ApaasAppToken.getDefaultInstance()).build()).getToken())
                    .as("and APaaS app tokens").startsWith("007");
            assertThat(s.as(key).issueRtmToken(IssueRtmTokenRequest.newBuilder().setUserId("u1")
                    .addPermissions(Rtm2Permission.newBuilder()
                            .setResourceType(Rtm2ResourceType.RTM2_RESOURCE_TYPE_STREAM_CHANNELS)
                            .setAccess(Rtm2Access.RTM2_ACCESS_WRITE).addResources("any-channel")).build())
                    .getServices(0).getService()).as("and RTM 2.x permissions").isEqualTo(ServiceType.SERVICE_TYPE_RTM2);
            for (String line : all.lines()) {
                assertThat(line).doesNotContain(key).doesNotContain(app.primary().appCertificate())
                        .doesNotContain(issued.getToken());
            }
        }
    }

    @Test
    void withoutAppButWithKeysTheDevelopmentAppUsesThoseKeysAndPrintsNothing() throws Exception {
        try (Launched s = Launched.start(Map.of(EnvironmentVariables.TOKEN_SERVICE_API_KEYS, "web=" + KEY), dir)) {
            assertThat(s.console()).isEmpty();
            assertThat(s.server.configuration().development()).isTrue();
            assertThat(s.as(KEY).issueRtcToken(rtc()).getToken()).startsWith("007");
            assertUnauthenticated(() -> s.anonymous().issueRtcToken(rtc()));
        }
    }

    @Test
    void aConfiguredAppWithoutCallerCredentialsIsRefusedWithOneLineAndExitCode2() {
        StartupException e = catchThrowableOfType(StartupException.class,
                () -> Launched.start(Map.of("APP_ID", APP_ID, "APP_CERTIFICATE", CERT), dir));

        assertThat(e.exitCode()).isEqualTo(Main.EXIT_CONFIG).isEqualTo(2);
        assertThat(e.getMessage()).isEqualTo("configuration error: no caller credentials configured: set "
                + "TOKEN_SERVICE_API_KEYS=<caller>=<key>[,...] or configure callers in the security section of a "
                + "TOKEN_SERVICE_CONFIG file (see README); a server holding a real App Certificate never runs "
                + "without caller authentication");
    }

    @Test
    void aYamlFileWithoutSecuritySectionAndWithoutKeysIsRefusedToo() throws Exception {
        Path yaml = Files.writeString(dir.resolve("config.yaml"),
                "apps:\n  - app_id: " + APP_ID + "\n    primary_certificate: " + CERT + "\n");
        StartupException e = catchThrowableOfType(StartupException.class,
                () -> Launched.start(Map.of("TOKEN_SERVICE_CONFIG", yaml.toString()), dir));

        assertThat(e.exitCode()).isEqualTo(2);
        assertThat(e.getMessage()).startsWith("configuration error: no caller credentials configured")
                .contains("security section of " + yaml).doesNotContain(CERT).doesNotContain("\n");
    }

    @Test
    void certificateSubjectsWithoutAClientCaAreNoCredential() throws Exception {
        Path yaml = Files.writeString(dir.resolve("config.yaml"), "apps:\n  - app_id: " + APP_ID
                + "\n    primary_certificate: " + CERT + "\nsecurity:\n  callers:\n    web:\n"
                + "      client_certificates: [\"cn:web\"]\n      services: [rtc]\n");
        StartupException e = catchThrowableOfType(StartupException.class,
                () -> Launched.start(Map.of("TOKEN_SERVICE_CONFIG", yaml.toString()), dir));

        assertThat(e.exitCode()).isEqualTo(2);
        assertThat(e.getMessage()).startsWith("configuration error: no caller credentials configured")
                .contains("client_certificates need a client CA (TLS_CLIENT_CA_FILE or tls.client_ca_file)");

        try (LogCapture log = LogCapture.of(SECURED_SERVER_LOG); Launched s = Launched.start(Map.of(
                "TOKEN_SERVICE_CONFIG", yaml.toString(), EnvironmentVariables.TOKEN_SERVICE_API_KEYS, "web=" + KEY), dir)) {
            assertThat(log.messages(Level.WARNING)).containsExactly("security: client_certificates need a client CA "
                    + "(TLS_CLIENT_CA_FILE or tls.client_ca_file), so no caller can authenticate with a certificate");
            // Authenticated by the key; the policy (no apps listed) allows nothing.
            Statuses.failure(Status.Code.PERMISSION_DENIED, () -> s.as(KEY).issueRtcToken(rtc()));
        }
    }

    @Test
    void aConfiguredAppWithEnvironmentKeysRunsWithTheQuickStartPolicy() throws Exception {
        try (LogCapture all = LogCapture.all(); LogCapture log = LogCapture.of(SECURED_SERVER_LOG);
                Launched s = Launched.start(APP_AND_KEY, dir)) {
            assertThat(log.messages(Level.WARNING)).isEmpty();
            assertThat(s.console()).isEmpty();

            assertUnauthenticated(() -> s.anonymous().issueRtcToken(rtc()));
            assertUnauthenticated(() -> s.as(KEY + "x").issueRtcToken(rtc()));
            IssuedToken issued = s.as(KEY).issueRtcToken(rtc());
            assertThat(AccessToken2Codec.decode(issued.getToken()).verify(CERT)).isTrue();
            assertThat(s.as(KEY).renewToken(RenewTokenRequest.newBuilder().setToken(issued.getToken()).build())
                    .getToken()).startsWith("007");
            assertThat(s.as(KEY).inspectToken(InspectTokenRequest.newBuilder().setToken(issued.getToken()).build())
                    .getAppId()).isEqualTo(APP_ID);
            assertUnauthenticated(() -> s.anonymous().renewToken(
                    RenewTokenRequest.newBuilder().setToken(issued.getToken()).build()));

            assertThat(String.join("", log.lines())).contains(APP_ID).contains("callers [web]");
            assertThat(String.join("", all.lines())).contains(APP_ID).doesNotContain(CERT).doesNotContain(KEY)
                    .doesNotContain(issued.getToken());
        }
    }

    @Test
    void appAndKeysMayComeFromTheDotEnvFile() throws Exception {
        Files.writeString(dir.resolve(".env"), "APP_ID=" + APP_ID + "\nAPP_CERTIFICATE=" + CERT + "\n"
                + EnvironmentVariables.TOKEN_SERVICE_API_KEYS + "=web=" + KEY + "\n");
        try (Launched s = Launched.start(Map.of(), dir)) {
            assertThat(AccessToken2Codec.decode(s.as(KEY).issueRtcToken(rtc()).getToken()).verify(CERT)).isTrue();
            assertUnauthenticated(() -> s.anonymous().issueRtcToken(rtc()));
        }
    }

    @Test
    void badConfigurationStopsTheStartWithOneLineAndExitCode2() {
        StartupException e = catchThrowableOfType(StartupException.class,
                () -> Launched.start(Map.of("APP_ID", APP_ID, "APP_CERTIFICATE", CERT.substring(1)), dir));

        assertThat(e.exitCode()).isEqualTo(2);
        assertThat(e.getMessage()).isEqualTo(
                "configuration error: APP_CERTIFICATE: must be 32 hexadecimal characters, got 31");
    }

    @Test
    void badCallerCredentialsAreAConfigurationErrorThatNeverRepeatsTheKey() {
        StartupException e = catchThrowableOfType(StartupException.class, () -> Launched.start(Map.of(
                "APP_ID", APP_ID, "APP_CERTIFICATE", CERT, EnvironmentVariables.TOKEN_SERVICE_API_KEYS, "web=shortkey"), dir));

        assertThat(e.exitCode()).isEqualTo(2);
        assertThat(e.getMessage()).startsWith("configuration error: TOKEN_SERVICE_API_KEYS: ")
                .doesNotContain("shortkey").doesNotContain("\n");
    }

    @Test
    void anInvalidSecuritySectionNamesTheFileAndTheSetting() throws Exception {
        Path yaml = Files.writeString(dir.resolve("config.yaml"), "apps:\n  - app_id: " + APP_ID
                + "\n    primary_certificate: " + CERT + "\nsecurity:\n  callers:\n    web:\n      rolez: [publisher]\n");
        StartupException e = catchThrowableOfType(StartupException.class,
                () -> Launched.start(Map.of("TOKEN_SERVICE_CONFIG", yaml.toString()), dir));

        assertThat(e.exitCode()).isEqualTo(2);
        assertThat(e.getMessage()).startsWith("configuration error: TOKEN_SERVICE_CONFIG " + yaml
                + ": security.callers.web.rolez (line 7): unknown key; expected one of [allow_apaas_app_token, allow_chat_app_token, ")
                .doesNotContain(CERT);
    }

    @Test
    void aMissingDenyListFileIsAConfigurationError() {
        Path missing = dir.resolve("no-such-deny-list.txt");
        StartupException e = catchThrowableOfType(StartupException.class, () -> Launched.start(Map.of(
                "APP_ID", APP_ID, "APP_CERTIFICATE", CERT, EnvironmentVariables.TOKEN_SERVICE_API_KEYS, "web=" + KEY,
                EnvironmentVariables.TOKEN_SERVICE_DENY_LIST, missing.toString()), dir));

        assertThat(e.exitCode()).isEqualTo(2);
        assertThat(e.getMessage()).isEqualTo("configuration error: TOKEN_SERVICE_DENY_LIST " + missing + ": no such file");
    }

    @Test
    void unusableTlsFilesAreAConfigurationError() throws Exception {
        Path cert = Files.writeString(dir.resolve("tls.crt"), "garbage");
        Path key = Files.writeString(dir.resolve("tls.key"), "garbage");
        Map<String, String> env = new java.util.HashMap<>(APP_AND_KEY);
        env.put("TLS_CERT_FILE", cert.toString());
        env.put("TLS_KEY_FILE", key.toString());

        StartupException e = catchThrowableOfType(StartupException.class, () -> Launched.start(env, dir));

        assertThat(e.exitCode()).isEqualTo(2);
        assertThat(e.getMessage()).startsWith("configuration error: TLS certificate " + cert).doesNotContain("\n");
    }

    @Test
    void aTakenPortIsReportedWithExitCode1() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            Map<String, String> env = new java.util.HashMap<>(APP_AND_KEY);
            env.put("GRPC_PORT", Integer.toString(taken.getLocalPort()));

            StartupException e = catchThrowableOfType(StartupException.class, () -> Launched.start(env, dir));

            assertThat(e.exitCode()).isEqualTo(Main.EXIT_START).isEqualTo(1);
            assertThat(e.getMessage()).startsWith("cannot listen on port " + taken.getLocalPort());
        }
    }
}
