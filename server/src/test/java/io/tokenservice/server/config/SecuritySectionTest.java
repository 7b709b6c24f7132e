package io.tokenservice.server.config;

import static io.tokenservice.server.testing.TestApps.APP_ID;
import static io.tokenservice.server.testing.TestApps.CERT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.tokenservice.core.issue.RtcRole;
import io.tokenservice.server.access.Caller;
import io.tokenservice.server.access.ServiceKind;
import io.tokenservice.server.auth.ApiKeyRegistry;
import io.tokenservice.server.auth.ClientCertificateMapping;
import io.tokenservice.server.auth.TestPki;
import io.tokenservice.server.policy.CallerPolicy;
import io.tokenservice.server.ratelimit.RateLimit;
import io.tokenservice.server.testing.TestSecrets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code security:} section, TOKEN_SERVICE_API_KEYS and TOKEN_SERVICE_DENY_LIST, as the loader reads them. */
class SecuritySectionTest {
    private static final String WEB_KEY = TestSecrets.register("web-key-0123456789abcdef");

    static final String EXAMPLE = """
            security:
              callers:
                web-backend:
                  api_keys:
                    - "%s"
                  client_certificates:
                    - "CN=web-backend,OU=tests,O=Token Service Test"
                    - "cn:web-backend-2"
                  apps: ["0123456789abcdef0123456789abcdef"]
                  services: [rtc, rtm]
                  channels: ["team-*", "lobby"]
                  roles: [publisher, subscriber]
                  max_ttl_seconds: 7200
                  allow_wildcard: false
                  allow_chat_app_token: false
                  may_renew: true
                  may_inspect: false
                  rate_limit: {per_second: 2.5, burst: 5}
                chat-admin:
                  api_keys: "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
                  apps: ["*"]
                  services: [chat]
                  identities: []
                  allow_chat_app_token: true
              default_rate_limit: {per_second: 10, burst: 20}
              deny_list:
                path: deny-list.txt
                poll_interval_seconds: 2
            """.formatted(ApiKeyRegistry.configHash(WEB_KEY));

    @TempDir
    Path dir;

    private Path file;

    /** Writes a configuration file with one app and {@code security} (a YAML section), and loads it. */
    private SecuritySettings load(String security, String... env) throws IOException {
        file = Files.writeString(dir.resolve("token-service.yaml"),
                "apps:\n  - app_id: " + APP_ID + "\n    primary_certificate: " + CERT + "\n" + security);
        Map<String, String> variables = new HashMap<>(Map.of("TOKEN_SERVICE_CONFIG", file.toString()));
        for (int i = 0; i < env.length; i += 2) {
            variables.put(env[i], env[i + 1]);
        }
        return ConfigLoader.of(variables, dir).load().security();
    }

    private String error(String security, String... env) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> load(security, env));
        assertThat(e).as("configuration should be refused").isNotNull();
        assertThat(e.getMessage()).doesNotContain("\n").doesNotContain(WEB_KEY).doesNotContain(CERT);
        String prefix = "TOKEN_SERVICE_CONFIG " + file + ": ";
        return e.getMessage().startsWith(prefix) ? e.getMessage().substring(prefix.length()) : e.getMessage();
    }

    @Test
    void fullExample() throws IOException {
        Files.writeString(dir.resolve("deny-list.txt"), "channel:evil\nuid:7\n");
        SecuritySettings c = load(EXAMPLE);

        assertThat(c.apiKeys().authenticate(WEB_KEY)).map(Caller::name).contains("web-backend");
        assertThat(c.apiKeys().authenticate("test")).map(Caller::name).contains("chat-admin");
        assertThat(c.clientCertificates().callerFor(TestPki.get().knownClient.leaf())).map(Caller::name)
                .contains("web-backend");

        CallerPolicy web = c.policies().get("web-backend");
        assertThat(web.apps()).hasToString("[0123456789abcdef0123456789abcdef]");
        assertThat(web.services()).containsExactly(ServiceKind.RTC, ServiceKind.RTM);
        assertThat(web.channels()).hasToString("[team-*, lobby]");
        assertThat(web.identities().matchesEverything()).as("identities default to any").isTrue();
        assertThat(web.roles()).containsExactly(RtcRole.PUBLISHER, RtcRole.SUBSCRIBER);
        assertThat(web.maxTtlSeconds()).isEqualTo(7200);
        assertThat(web.mayRenew()).isTrue();
        assertThat(web.mayInspect()).isFalse();
        assertThat(c.rateLimitOf("web-backend")).isEqualTo(new RateLimit(2.5, 5));

        CallerPolicy chat = c.policies().get("chat-admin");
        assertThat(chat.identities().isEmpty()).isTrue();
        assertThat(chat.allowChatAppToken()).isTrue();
        assertThat(chat.channels().isEmpty()).as("left out = nothing").isTrue();
        assertThat(chat.roles()).isEmpty();
        assertThat(chat.maxTtlSeconds()).isEqualTo(CallerPolicy.DEFAULT_MAX_TTL_SECONDS);
        assertThat(chat.mayRenew()).isFalse();
        assertThat(c.rateLimitOf("chat-admin")).isEqualTo(new RateLimit(10, 20));

        assertThat(c.denyList().file()).contains(dir.resolve("deny-list.txt"));
        assertThat(c.denyList().entries().deniesChannel("evil")).isTrue();
        assertThat(c.denyList().entries().deniesIdentity("7")).isTrue();
        assertThat(c.denyList().pollInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.toString()).isEqualTo("callers [chat-admin, web-backend], 2 API key(s), 2 certificate subject(s), "
                + "deny-list " + dir.resolve("deny-list.txt") + " (2 entries)");
    }

    @Test
    void anEmptySectionLetsNobodyInSoTheServerIsRefused() {
        assertThat(error("security:\n")).startsWith("no caller credentials configured");
        assertThat(error("security:\n  callers: {}\n")).startsWith("no caller credentials configured");
    }

    @Test
    void errorsNameTheKeyAndTheLine() {
        assertThat(error("security: {calers: {}}\n"))
                .startsWith("security.calers (line 4): unknown key; expected one of [anonymous, callers, default_rate_limit, deny_list]");
        assertThat(error("security: {callers: {web: {alow_wildcard: true}}}\n"))
                .startsWith("security.callers.web.alow_wildcard (line 4): unknown key");
        assertThat(error("security: {callers: {web: {services: [rtc, sms]}}}\n"))
                .isEqualTo("security.callers.web.services[1] (line 4): unknown value 'sms' (use rtc, rtm, chat, apaas)");
        assertThat(error("security:\n  callers:\n    web:\n      max_ttl_seconds: 90000\n"))
                .isEqualTo("security.callers.web.max_ttl_seconds (line 7): must be a whole number from 1 to 86400");
        assertThat(error("security: {callers: {web: {may_renew: yes please}}}\n"))
                .isEqualTo("security.callers.web.may_renew (line 4): must be true or false");
        assertThat(error("security: {callers: {web: {rate_limit: {per_second: 0, burst: 1}}}}\n"))
                .startsWith("security.callers.web.rate_limit.per_second (line 4): rate limit per_second must be above 0");
        assertThat(error("security: {callers: {web: {rate_limit: {burst: 1}}}}\n"))
                .isEqualTo("security.callers.web.rate_limit (line 4): needs per_second and burst");
        assertThat(error("security: {callers: {web: {channels: [\"\"]}}}\n"))
                .isEqualTo("security.callers.web.channels[0] (line 4): must not be empty");
        assertThat(error("security:\n  callers:\n    'a b': {}\n"))
                .startsWith("security.callers.a b (line 6): invalid caller name 'a b'");
        assertThat(error("security: {callers: {web: {client_certificates: [\"not a = dn = at all\"]}}}\n"))
                .contains("security.callers.web.client_certificates[0] (line 4): caller 'web': ");
        assertThat(error("security: {deny_list: {path: x, poll_interval_seconds: 0}}\n"))
                .isEqualTo("security.deny_list.poll_interval_seconds (line 4): must be a whole number from 1 to 86400");
    }

    @Test
    void valuesAreReadAsWritten() throws IOException {
        SecuritySettings c = load("security: {callers: {web: {api_keys: [\"" + ApiKeyRegistry.configHash(WEB_KEY)
                + "\"], channels: [on, 007], identities: 123, may_renew: yes}}}\n");
        CallerPolicy web = c.policies().get("web");
        assertThat(web.channels()).hasToString("[on, 007]");
        assertThat(web.identities()).hasToString("[123]");
        assertThat(web.mayRenew()).isTrue();
    }

    @Test
    void apaasAndItsAppTokensAreGrantedSeparately() throws IOException {
        SecuritySettings c = load("security: {callers: {"
                + "classroom: {api_keys: [\"" + ApiKeyRegistry.configHash(WEB_KEY) + "\"], services: [apaas, rtm]},"
                + " backend: {api_keys: [\"sha256:" + "0".repeat(64) + "\"], services: [apaas],"
                + " allow_apaas_app_token: true}}}\n");
        assertThat(c.policies().get("classroom").services()).containsExactly(ServiceKind.RTM, ServiceKind.APAAS);
        assertThat(c.policies().get("classroom").allowApaasAppToken()).isFalse();
        assertThat(c.policies().get("backend").allowApaasAppToken()).isTrue();
        assertThat(c.policies().get("backend").allowChatAppToken()).as("a permission of its own").isFalse();
        assertThat(CallerPolicy.quickStart().services()).contains(ServiceKind.APAAS);
        assertThat(CallerPolicy.quickStart().allowApaasAppToken()).isFalse();
        assertThat(CallerPolicy.development().allowApaasAppToken()).isTrue();
        assertThat(error("security: {callers: {web: {api_keys: [\"" + ApiKeyRegistry.configHash(WEB_KEY)
                + "\"], services: [fpa]}}}\n")).contains("unknown value 'fpa' (use rtc, rtm, chat, apaas)");
    }

    @Test
    void plaintextKeysInYamlAreRejectedWithoutBeingRepeated() {
        assertThat(error("security: {callers: {web: {api_keys: [" + WEB_KEY + "]}}}\n"))
                .startsWith("security.callers.web.api_keys[0] (line 4): an API key must be configured as its hash");
    }

    @Test
    void theQuickStartGivesEachEnvironmentCallerTheQuickStartPolicy() throws IOException {
        Path deny = Files.writeString(dir.resolve("deny.txt"), "channel:x\n");
        SecuritySettings c = load("", "TOKEN_SERVICE_API_KEYS", "web=" + WEB_KEY + ",mobile=mobile-key-0123456789",
                "TOKEN_SERVICE_DENY_LIST", "deny.txt");
        assertThat(c.apiKeys().callerNames()).containsExactly("web", "mobile");
        assertThat(c.policies()).containsOnlyKeys("web", "mobile");
        assertThat(c.policies().get("web")).isEqualTo(CallerPolicy.quickStart());
        assertThat(c.policies().get("web").allowWildcard()).isFalse();
        assertThat(c.policies().get("web").allowChatAppToken()).isFalse();
        assertThat(c.denyList().file()).contains(deny);
        assertThat(error("", "TOKEN_SERVICE_API_KEYS", "web=tooshort"))
                .startsWith("TOKEN_SERVICE_API_KEYS: ").doesNotContain("tooshort");
    }

    @Test
    void theDefaultRateLimitFitsABackendAndTheVariableWinsOverTheFile() throws IOException {
        String keys = "web=" + WEB_KEY;
        assertThat(load("", "TOKEN_SERVICE_API_KEYS", keys).defaultRateLimit()).isEqualTo(new RateLimit(500, 1000));
        assertThat(load("", "TOKEN_SERVICE_API_KEYS", keys, "TOKEN_SERVICE_RATE_LIMIT", "200").defaultRateLimit())
                .as("a rate alone: burst twice the rate").isEqualTo(new RateLimit(200, 400));
        assertThat(load("", "TOKEN_SERVICE_API_KEYS", keys, "TOKEN_SERVICE_RATE_LIMIT", " 500/1000 ")
                .defaultRateLimit()).isEqualTo(new RateLimit(500, 1000));
        String example = EXAMPLE.replace("deny_list:\n    path: deny-list.txt\n    poll_interval_seconds: 2\n", "");
        assertThat(load(example).defaultRateLimit()).isEqualTo(new RateLimit(10, 20));
        assertThat(load(example, "TOKEN_SERVICE_RATE_LIMIT", "0.5/3").defaultRateLimit())
                .isEqualTo(new RateLimit(0.5, 3));

        assertThat(error("", "TOKEN_SERVICE_API_KEYS", keys, "TOKEN_SERVICE_RATE_LIMIT", "fast"))
                .startsWith("TOKEN_SERVICE_RATE_LIMIT").contains("e.g. 500 or 500/1000");
        assertThat(error("", "TOKEN_SERVICE_API_KEYS", keys, "TOKEN_SERVICE_RATE_LIMIT", "500/0"))
                .contains("burst must be between 1");
        assertThat(error("", "TOKEN_SERVICE_API_KEYS", keys, "TOKEN_SERVICE_RATE_LIMIT", "-5"))
                .contains("not a rate limit");
        assertThat(error("", "TOKEN_SERVICE_API_KEYS", keys, "TOKEN_SERVICE_RATE_LIMIT", "500/1x"))
                .contains("whole number");
    }

    @Test
    void environmentKeysAreAddedToTheCallersOfTheSection() throws IOException {
        SecuritySettings c = load(EXAMPLE.replace("path: deny-list.txt", "path: none.txt"),
                "TOKEN_SERVICE_API_KEYS", "web-backend=second-web-key-0123456789",
                "TOKEN_SERVICE_DENY_LIST", Files.writeString(dir.resolve("env-deny.txt"), "").toString());
        assertThat(c.apiKeys().authenticate(WEB_KEY)).map(Caller::name).contains("web-backend");
        assertThat(c.apiKeys().authenticate("second-web-key-0123456789")).map(Caller::name).contains("web-backend");
        assertThat(c.policies().get("web-backend").maxTtlSeconds()).isEqualTo(7200);
        assertThat(c.denyList().file()).as("TOKEN_SERVICE_DENY_LIST wins").contains(dir.resolve("env-deny.txt"));

        assertThat(error(EXAMPLE, "TOKEN_SERVICE_API_KEYS", "ghost=ghost-key-0123456789abc"))
                .isEqualTo("TOKEN_SERVICE_API_KEYS names caller 'ghost', which has no policy in security.callers of "
                        + file);
    }

    @Test
    void theDenyListIsReadWithTheRestAndItsProblemsNameTheFileAndLine() throws IOException {
        String section = "security: {callers: {web: {api_keys: [\"" + ApiKeyRegistry.configHash(WEB_KEY)
                + "\"]}}, deny_list: {path: deny.txt}}\n";
        assertThat(error(section)).isEqualTo("security.deny_list.path (line 4): " + dir.resolve("deny.txt")
                + ": no such file");
        Files.writeString(dir.resolve("deny.txt"), "uid:1\nnonsense\n");
        assertThat(error(section)).isEqualTo("security.deny_list.path (line 4): " + dir.resolve("deny.txt")
                + ": line 2: expected <type>:<value>, e.g. uid:123, account:bob or channel:room");
        assertThat(error(section, "TOKEN_SERVICE_DENY_LIST", "other.txt")).isEqualTo("TOKEN_SERVICE_DENY_LIST "
                + dir.resolve("other.txt") + ": no such file");
    }

    @Test
    void everyCredentialNamesACallerWithAPolicy() {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> new SecuritySettings(
                ApiKeyRegistry.parseEnvironmentValue("web=" + WEB_KEY), ClientCertificateMapping.empty(), Map.of(),
                Map.of(), RateLimit.DEFAULT, DenyListSettings.NONE));
        assertThat(e).hasMessage("caller 'web' has an API key but no policy");
    }

    @Test
    void certificateSubjectsNeedAClientCaToCount() {
        String section = "security: {callers: {web: {client_certificates: [\"cn:web\"]}}}\n";
        assertThat(error(section)).startsWith("no caller credentials configured").contains(
                "(client_certificates need a client CA (TLS_CLIENT_CA_FILE or tls.client_ca_file))");
    }
}
