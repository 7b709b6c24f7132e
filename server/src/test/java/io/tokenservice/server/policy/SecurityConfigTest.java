package io.tokenservice.server.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tokenservice.core.issue.RtcRole;
import io.tokenservice.server.access.Caller;
import io.tokenservice.server.access.ServiceKind;
import io.tokenservice.server.auth.ApiKeyRegistry;
import io.tokenservice.server.auth.TestPki;
import io.tokenservice.server.ratelimit.RateLimit;
import io.tokenservice.server.testing.TestSecrets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

class SecurityConfigTest {
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

    @SuppressWarnings("unchecked")
    static Map<String, Object> section(String yaml) {
        Map<String, Object> doc = new Yaml().load(yaml);
        return (Map<String, Object>) doc.get("security");
    }

    @Test
    void fullExample() {
        SecurityConfig c = SecurityConfig.fromYaml(section(EXAMPLE), Path.of("/etc/token-service"));
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

        assertThat(c.denyList()).contains(Path.of("/etc/token-service/deny-list.txt"));
        assertThat(c.denyListPollInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.toString()).doesNotContain(WEB_KEY).doesNotContain("9f86d0");
    }

    @Test
    void emptySectionLetsNobodyIn() {
        SecurityConfig c = SecurityConfig.fromYaml(Map.of());
        assertThat(c.apiKeys().size()).isZero();
        assertThat(c.policies()).isEmpty();
        assertThat(c.denyList()).isEmpty();
    }

    @Test
    void errorsNameTheKey() {
        assertThatThrownBy(() -> SecurityConfig.fromYaml(section("security: {calers: {}}")))
                .hasMessageStartingWith("security.calers: unknown setting");
        assertThatThrownBy(() -> SecurityConfig.fromYaml(section("security: {callers: {web: {alow_wildcard: true}}}")))
                .hasMessageStartingWith("security.callers.web.alow_wildcard: unknown setting");
        assertThatThrownBy(() -> SecurityConfig.fromYaml(section("security: {callers: {web: {services: [rtc, sms]}}}")))
                .hasMessage("security.callers.web.services: unknown value 'sms' (use rtc, rtm, chat)");
        assertThatThrownBy(() -> SecurityConfig.fromYaml(section("security: {callers: {web: {channels: [on]}}}")))
                .hasMessageContaining("security.callers.web.channels[0]: expected a string");
        assertThatThrownBy(() -> SecurityConfig.fromYaml(section("security: {callers: {web: {max_ttl_seconds: 90000}}}")))
                .hasMessageContaining("security.callers.web.max_ttl_seconds: must be between 1 and 86400");
        assertThatThrownBy(() -> SecurityConfig.fromYaml(section("security: {callers: {web: {may_renew: yes please}}}")))
                .hasMessageContaining("security.callers.web.may_renew: expected true or false");
        assertThatThrownBy(() -> SecurityConfig.fromYaml(section(
                "security: {callers: {web: {rate_limit: {per_second: 0, burst: 1}}}}")))
                .hasMessageContaining("security.callers.web.rate_limit: rate limit per_second must be above 0");
        assertThatThrownBy(() -> SecurityConfig.fromYaml(section("security: {callers: {'a b': {}}}")))
                .hasMessageContaining("invalid caller name 'a b'");
        assertThatThrownBy(() -> SecurityConfig.fromYaml(section(
                "security: {deny_list: {path: x, poll_interval_seconds: 0}}")))
                .hasMessageContaining("security.deny_list.poll_interval_seconds");
    }

    @Test
    void plaintextKeysInYamlAreRejectedWithoutBeingRepeated() {
        assertThatThrownBy(() -> SecurityConfig.fromYaml(section(
                "security: {callers: {web: {api_keys: [" + WEB_KEY + "]}}}")))
                .hasMessageStartingWith("security.callers.web: caller 'web': an API key must be configured as its hash")
                .hasMessageNotContaining(WEB_KEY);
    }

    @Test
    void environmentQuickStart() {
        SecurityConfig c = SecurityConfig.fromEnvironment(Map.of(SecurityConfig.ENV_API_KEYS,
                "web=" + WEB_KEY + ",mobile=mobile-key-0123456789", SecurityConfig.ENV_DENY_LIST, "/tmp/deny.txt"));
        assertThat(c.apiKeys().callerNames()).containsExactly("web", "mobile");
        assertThat(c.policies()).containsOnlyKeys("web", "mobile");
        assertThat(c.policies().get("web")).isEqualTo(CallerPolicy.quickStart());
        assertThat(c.policies().get("web").allowWildcard()).isFalse();
        assertThat(c.policies().get("web").allowChatAppToken()).isFalse();
        assertThat(c.denyList()).contains(Path.of("/tmp/deny.txt"));
        assertThat(SecurityConfig.fromEnvironment(Map.of()).apiKeys().size()).isZero();
        assertThatThrownBy(() -> SecurityConfig.fromEnvironment(Map.of(SecurityConfig.ENV_API_KEYS, "web=tooshort")))
                .hasMessageStartingWith("TOKEN_SERVICE_API_KEYS: ").hasMessageNotContaining("tooshort");
    }

    @Test
    void resolvePrefersYamlAndAddsEnvironmentKeysToItsCallers() {
        Map<String, String> env = Map.of(SecurityConfig.ENV_API_KEYS, "web-backend=second-web-key-0123456789");
        SecurityConfig c = SecurityConfig.resolve(Optional.of(section(EXAMPLE)), Path.of("/cfg"), env, true,
                new SecureRandom(), line -> { throw new AssertionError("no development key expected"); });
        assertThat(c.apiKeys().authenticate(WEB_KEY)).map(Caller::name).contains("web-backend");
        assertThat(c.apiKeys().authenticate("second-web-key-0123456789")).map(Caller::name).contains("web-backend");
        assertThat(c.policies().get("web-backend").maxTtlSeconds()).isEqualTo(7200);

        assertThatThrownBy(() -> SecurityConfig.resolve(Optional.of(section(EXAMPLE)), Path.of("/cfg"),
                Map.of(SecurityConfig.ENV_API_KEYS, "ghost=ghost-key-0123456789abc"), true, new SecureRandom(), l -> {}))
                .hasMessageContaining("caller 'ghost', which has no policy");
    }

    @Test
    void developmentDefaultGeneratesOneKeyAndAnnouncesItOnce() {
        List<String> announced = new ArrayList<>();
        SecurityConfig c = SecurityConfig.resolve(Optional.empty(), Path.of(""), Map.of(), true, new SecureRandom(),
                announced::add);
        assertThat(announced).hasSize(1);
        String key = announced.get(0);
        assertThat(key).startsWith("tsk_").hasSize(47);
        assertThat(c.apiKeys().authenticate(key)).map(Caller::name).contains(SecurityConfig.DEVELOPMENT_CALLER);
        assertThat(c.toString()).doesNotContain(key);

        SecurityConfig none = SecurityConfig.resolve(Optional.empty(), Path.of(""), Map.of(), false,
                new SecureRandom(), announced::add);
        assertThat(none.apiKeys().size()).isZero();
        assertThat(announced).hasSize(1);
    }

    @Test
    void credentialsWithoutPolicyAreRejected() {
        assertThatThrownBy(() -> new SecurityConfig(ApiKeyRegistry.parseEnvironmentValue("web=" + WEB_KEY),
                io.tokenservice.server.auth.ClientCertificateMapping.empty(), Map.of(), Map.of(), RateLimit.DEFAULT,
                Optional.empty(), Duration.ofSeconds(1)))
                .hasMessage("caller 'web' has an API key but no policy");
    }
}
