package io.tokenservice.server;

import static io.tokenservice.server.testing.TestApps.APP_ID;
import static io.tokenservice.server.testing.TestApps.CERT;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.tokenservice.proto.v1.IssueRtcTokenRequest;
import io.tokenservice.proto.v1.RtcRole;
import io.tokenservice.server.auth.ApiKeyRegistry;
import io.tokenservice.server.security.ConfigWatcher;
import io.tokenservice.server.testing.Launched;
import io.tokenservice.server.testing.LogCapture;
import io.tokenservice.server.testing.Statuses;
import io.tokenservice.server.testing.TestSecrets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a running server does with a configuration file that changes under it, as {@code java -jar} runs it
 * (callers in the file, and {@code TOKEN_SERVICE_API_KEYS} adding a key to one of them). Each case of the
 * issue that used to open the server (a file truncated by a non-atomic save, a misspelt {@code security:},
 * a section that removes every caller) keeps everything in force and says why in one log line; a file
 * replaced atomically is applied whole. The watcher is polled directly, twice: a change is loaded once it has
 * held still for one poll.
 */
class ConfigReloadTest {
    private static final String EVE_FILE_KEY = TestSecrets.register("tsk_reload_eve_file_key_000000001");
    private static final String EVE_ENV_KEY = TestSecrets.register("tsk_reload_eve_env_key_0000000002");
    private static final String OPS_KEY = TestSecrets.register("tsk_reload_ops_file_key_000000003");

    /** eve: subscriber in eve-*, 600 s; ops (only in the file): anything; deny-list: eve-banned. */
    static final String CONFIG = """
            apps:
              - app_id: %s
                primary_certificate: %s
            security:
              callers:
                eve:
                  api_keys: ["%s"]
                  apps: ["*"]
                  services: [rtc]
                  channels: ["eve-*"]
                  roles: [subscriber]
                  max_ttl_seconds: 600
                ops:
                  api_keys: ["%s"]
                  apps: ["*"]
                  services: [rtc]
                  channels: ["*"]
                  roles: [publisher, subscriber]
              deny_list:
                path: deny-list.txt
            """.formatted(APP_ID, CERT, ApiKeyRegistry.configHash(EVE_FILE_KEY), ApiKeyRegistry.configHash(OPS_KEY));

    @TempDir
    Path dir;

    private Path config;
    private Launched server;
    private LogCapture log;

    @BeforeEach
    void start() throws Exception {
        config = dir.resolve("token-service.yaml");
        Files.writeString(config, CONFIG);
        Files.writeString(dir.resolve("deny-list.txt"), "channel:eve-banned\n");
        server = Launched.start(Map.of("TOKEN_SERVICE_CONFIG", config.toString(),
                "TOKEN_SERVICE_API_KEYS", "eve=" + EVE_ENV_KEY), dir);
        log = LogCapture.of(ConfigWatcher.class.getName());
        assertTheFileInForce();
    }

    @AfterEach
    void stop() {
        log.close();
        server.close();
    }

    private static IssueRtcTokenRequest rtc(String channel, RtcRole role, int ttl) {
        return IssueRtcTokenRequest.newBuilder().setChannel(channel).setAccount("eve").setRole(role).setTtlSeconds(ttl)
                .build();
    }

    private String denial(String key, IssueRtcTokenRequest request) {
        return Statuses.failure(Status.Code.PERMISSION_DENIED, () -> server.as(key).issueRtcToken(request))
                .getStatus().getDescription();
    }

    /** eve, by either key, gets exactly what the file allows; ops, known only to the file, is still in. */
    private void assertTheFileInForce() {
        for (String eve : List.of(EVE_FILE_KEY, EVE_ENV_KEY)) {
            assertThat(server.as(eve).issueRtcToken(rtc("eve-1", RtcRole.RTC_ROLE_SUBSCRIBER, 600)).getToken())
                    .startsWith("007");
            assertThat(denial(eve, rtc("eve-1", RtcRole.RTC_ROLE_PUBLISHER, 600))).contains("role publisher");
            assertThat(denial(eve, rtc("eve-1", RtcRole.RTC_ROLE_SUBSCRIBER, 86400))).contains("ttl 86400 s");
            assertThat(denial(eve, rtc("lobby", RtcRole.RTC_ROLE_SUBSCRIBER, 600))).contains("channel 'lobby'");
            assertThat(denial(eve, rtc("eve-banned", RtcRole.RTC_ROLE_SUBSCRIBER, 600)))
                    .isEqualTo("deny-list: channel 'eve-banned' is denied");
        }
        assertThat(server.as(OPS_KEY).issueRtcToken(rtc("lobby", RtcRole.RTC_ROLE_PUBLISHER, 3600)).getToken())
                .startsWith("007");
    }

    /** Two polls: the change is seen, then loaded once it held still. */
    private void pollTwice() {
        server.server.watcher().poll();
        server.server.watcher().poll();
    }

    private void assertRefusedWithOneLine(String why) {
        assertThat(log.messages(Level.WARNING)).singleElement().asString()
                .startsWith("configuration not reloaded, keeping the one in force: ").contains(why)
                .doesNotContain(CERT).doesNotContain("\n");
        assertThat(log.messages(Level.INFO)).isEmpty();
    }

    @Test
    void aFileTruncatedToNothingKeepsEverythingInForce() throws Exception {
        Files.write(config, new byte[0]);
        pollTwice();
        assertRefusedWithOneLine("the file is empty");
        assertTheFileInForce();
    }

    @Test
    void aFileCutInTheMiddleOfALineKeepsEverythingInForce() throws Exception {
        Files.writeString(config, CONFIG.substring(0, CONFIG.indexOf("\"eve-*\"") + 4));
        pollTwice();
        assertRefusedWithOneLine("not valid YAML at line 10");
        assertTheFileInForce();
    }

    @Test
    void aFileCutBeforeItsSecuritySectionNeverGivesTheEnvironmentKeysTheQuickStartPolicy() throws Exception {
        Files.writeString(config, CONFIG.substring(0, CONFIG.indexOf("security:")));
        pollTwice();
        assertRefusedWithOneLine("the security section is gone");
        assertTheFileInForce();
    }

    @Test
    void aFileCutBeforeItsDenyListNeverDropsTheDenyList() throws Exception {
        Files.writeString(config, CONFIG.substring(0, CONFIG.indexOf("  deny_list:")));
        pollTwice();
        assertRefusedWithOneLine("the deny-list " + dir.resolve("deny-list.txt") + " is no longer configured");
        assertTheFileInForce();
    }

    @Test
    void aMisspeltSecuritySectionKeepsEverythingInForce() throws Exception {
        Files.writeString(config, CONFIG.replace("security:", "securty:"));
        pollTwice();
        assertRefusedWithOneLine("securty (line 4): unknown key");
        assertTheFileInForce();
    }

    @Test
    void aSectionThatRemovesEveryCallerKeepsEverythingInForce() throws Exception {
        Files.writeString(config, CONFIG.substring(0, CONFIG.indexOf("    eve:")).replace("callers:", "callers: {}")
                + "  deny_list:\n    path: deny-list.txt\n");
        pollTwice();
        assertRefusedWithOneLine("TOKEN_SERVICE_API_KEYS names caller 'eve', which has no policy in security.callers");
        assertTheFileInForce();
    }

    @Test
    void aFileReplacedAtomicallyIsAppliedWhole() throws Exception {
        Path tmp = Files.writeString(dir.resolve("token-service.yaml.tmp"),
                CONFIG.replace("\"eve-*\"", "\"eve-2\"").replace("  deny_list:\n    path: deny-list.txt\n",
                        "  deny_list:\n    path: deny-list-2.txt\n"));
        Files.writeString(dir.resolve("deny-list-2.txt"), "channel:lobby-2\n");
        Files.move(tmp, config, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        server.server.watcher().poll();
        assertTheFileInForce();
        server.server.watcher().poll();

        assertThat(log.messages(Level.INFO)).singleElement().asString().startsWith("configuration reloaded from ");
        assertThat(log.messages(Level.WARNING)).isEmpty();
        assertThat(denial(EVE_ENV_KEY, rtc("eve-1", RtcRole.RTC_ROLE_SUBSCRIBER, 600))).contains("channel 'eve-1'");
        assertThat(server.as(EVE_ENV_KEY).issueRtcToken(rtc("eve-2", RtcRole.RTC_ROLE_SUBSCRIBER, 600)).getToken())
                .startsWith("007");
        assertThat(denial(OPS_KEY, rtc("lobby-2", RtcRole.RTC_ROLE_SUBSCRIBER, 600)))
                .isEqualTo("deny-list: channel 'lobby-2' is denied");
        assertThat(server.as(OPS_KEY).issueRtcToken(rtc("eve-banned", RtcRole.RTC_ROLE_SUBSCRIBER, 600)).getToken())
                .as("the old deny-list is gone with the old file").startsWith("007");
    }
}
