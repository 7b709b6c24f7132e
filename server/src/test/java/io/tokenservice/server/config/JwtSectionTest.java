package io.tokenservice.server.config;

import static io.tokenservice.server.testing.TestApps.APP_ID;
import static io.tokenservice.server.testing.TestApps.CERT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.nimbusds.jose.JWSAlgorithm;
import io.tokenservice.server.auth.JwksSource;
import io.tokenservice.server.auth.JwtIssuer;
import io.tokenservice.server.policy.CallerPolicy;
import io.tokenservice.server.policy.ClaimBinding;
import io.tokenservice.server.ratelimit.RateLimit;
import io.tokenservice.server.testing.TestIdentityProvider;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** JWT callers ({@code jwt:}, {@code bind:}), the TOKEN_SERVICE_JWT_* quick start and {@code security.anonymous}. */
class JwtSectionTest {
    static final String EXAMPLE = """
            security:
              callers:
                backend:
                  api_keys: "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
                  apps: ["*"]
                  services: [rtc]
                  channels: ["*"]
                  roles: [publisher]
                app-users:
                  jwt:
                    issuer: https://login.example.test/
                    audiences: [token-service, mobile]
                    jwks_file: jwks.json
                    algorithms: [RS256, ES256, PS256]
                    clock_skew_seconds: 30
                  bind:
                    identity: sub
                    channels: ["room-{sub}-*", "team-{org}"]
                    channels_claim: rooms
                  apps: ["*"]
                  services: [rtc, rtm]
                  channels: ["*"]
                  roles: [publisher, subscriber]
                  max_ttl_seconds: 1800
                  rate_limit: {per_second: 1, burst: 3}
                partners:
                  jwt:
                    issuer: https://partner.example.test/
                    audiences: token-service
                    jwks_url: https://partner.example.test/.well-known/jwks.json
                    jwks_refresh_seconds: 600
                  apps: ["*"]
                  services: [rtm]
              anonymous:
                apps: ["*"]
                services: [rtc]
                channels: ["demo-*"]
                roles: [subscriber]
                max_ttl_seconds: 600
                rate_limit: {per_second: 2, burst: 4}
            """;

    @TempDir
    Path dir;

    private Path file;
    private final List<String> warnings = new java.util.ArrayList<>();

    @BeforeEach
    void jwks() {
        TestIdentityProvider.write(dir.resolve("jwks.json"), TestIdentityProvider.get().jwks());
    }

    private Configuration load(String security, String... env) throws IOException {
        file = Files.writeString(dir.resolve("token-service.yaml"),
                "apps:\n  - app_id: " + APP_ID + "\n    primary_certificate: " + CERT + "\n" + security);
        Map<String, String> variables = new HashMap<>(Map.of("TOKEN_SERVICE_CONFIG", file.toString()));
        for (int i = 0; i < env.length; i += 2) {
            variables.put(env[i], env[i + 1]);
        }
        Configuration c = ConfigLoader.of(variables, dir).load();
        warnings.addAll(c.warnings());
        return c;
    }

    private static Configuration loadEnvironment(Path dir, String... env) {
        Map<String, String> variables = new HashMap<>(Map.of("APP_ID", APP_ID, "APP_CERTIFICATE", CERT));
        for (int i = 0; i < env.length; i += 2) {
            variables.put(env[i], env[i + 1]);
        }
        return ConfigLoader.of(variables, dir).load();
    }

    private String error(String security, String... env) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> load(security, env));
        assertThat(e).as("configuration should be refused").isNotNull();
        assertThat(e.getMessage()).doesNotContain("\n").doesNotContain(CERT);
        String prefix = "TOKEN_SERVICE_CONFIG " + file + ": ";
        return e.getMessage().startsWith(prefix) ? e.getMessage().substring(prefix.length()) : e.getMessage();
    }

    @Test
    void fullExample() throws IOException {
        Configuration config = load(EXAMPLE);
        SecuritySettings s = config.security();
        JwtIssuer users = s.jwtCallers().get("app-users");
        assertThat(users.issuer()).isEqualTo("https://login.example.test/");
        assertThat(users.audiences()).containsExactly("token-service", "mobile");
        assertThat(users.algorithms()).containsExactlyInAnyOrder(JWSAlgorithm.RS256, JWSAlgorithm.ES256,
                JWSAlgorithm.PS256);
        assertThat(users.clockSkew()).isEqualTo(Duration.ofSeconds(30));
        assertThat(users.jwks()).isInstanceOfSatisfying(JwksSource.File.class, f -> {
            assertThat(f.path()).isEqualTo(dir.resolve("jwks.json"));
            assertThat(f.keys().size()).isEqualTo(2);
        });
        ClaimBinding binding = s.bindings().get("app-users");
        assertThat(binding.identityClaim()).contains("sub");
        assertThat(binding.channelTemplates()).extracting(ClaimBinding.ChannelTemplate::template)
                .containsExactly("room-{sub}-*", "team-{org}");
        assertThat(binding.channelsClaim()).contains("rooms");
        assertThat(s.policies().get("app-users").maxTtlSeconds()).isEqualTo(1800);
        assertThat(s.rateLimitOf("app-users")).isEqualTo(new RateLimit(1, 3));

        JwtIssuer partners = s.jwtCallers().get("partners");
        assertThat(partners.audiences()).containsExactly("token-service");
        assertThat(partners.algorithms()).isEqualTo(JwtIssuer.DEFAULT_ALGORITHMS);
        assertThat(partners.clockSkew()).isEqualTo(JwtIssuer.DEFAULT_CLOCK_SKEW);
        assertThat(partners.jwks()).isEqualTo(new JwksSource.Url(
                URI.create("https://partner.example.test/.well-known/jwks.json"), Duration.ofSeconds(600)));
        assertThat(s.bindings()).doesNotContainKey("partners");

        assertThat(s.anonymous()).isTrue();
        assertThat(s.policies().get("anonymous").channels().toString()).contains("demo-*");
        assertThat(s.rateLimitOf("anonymous")).isEqualTo(new RateLimit(2, 4));
        assertThat(warnings).singleElement().asString().startsWith("security.anonymous is configured: calls WITHOUT"
                + " credentials get tokens");
        assertThat(config.watchedFiles()).containsExactly(file, dir.resolve("jwks.json"));
        assertThat(s.toString()).contains("ANONYMOUS calls allowed").contains("https://login.example.test/");
    }

    @Test
    void withoutAnonymousSectionNoAnonymousCaller() throws IOException {
        SecuritySettings s = load(EXAMPLE.substring(0, EXAMPLE.indexOf("  anonymous:"))).security();
        assertThat(s.anonymous()).isFalse();
        assertThat(s.policies()).doesNotContainKey("anonymous");
        assertThat(warnings).isEmpty();
    }

    @Test
    void aJwtCallerAloneIsEnoughCredentials() throws IOException {
        SecuritySettings s = load("""
                security:
                  callers:
                    users:
                      jwt: {issuer: "https://i/", audiences: [a], jwks_file: jwks.json}
                      bind: {identity: sub}
                      apps: ["*"]
                """).security();
        assertThat(s.apiKeys().size()).isZero();
        assertThat(s.jwtCallers()).containsOnlyKeys("users");
    }

    @Test
    void mistakesNameTheKeyAndLine() {
        String caller = """
                security:
                  callers:
                    users:
                      apps: ["*"]
                """;
        assertThat(error(caller + "      jwt: {audiences: [a], jwks_file: jwks.json}\n"))
                .isEqualTo("security.callers.users.jwt.issuer (line 8): is required (the iss of the tokens)");
        assertThat(error(caller + "      jwt: {issuer: i, jwks_file: jwks.json}\n"))
                .isEqualTo("security.callers.users.jwt.audiences (line 8): is required (what the tokens' aud must contain)");
        assertThat(error(caller + "      jwt: {issuer: i, audiences: a}\n"))
                .isEqualTo("security.callers.users.jwt (line 8): needs exactly one of jwks_file and jwks_url");
        assertThat(error(caller + "      jwt: {issuer: i, audiences: a, jwks_file: jwks.json, jwks_url: https://x/}\n"))
                .isEqualTo("security.callers.users.jwt (line 8): needs exactly one of jwks_file and jwks_url");
        assertThat(error(caller + "      jwt: {issuer: i, audiences: a, jwks_file: jwks.json, algorithms: [HS256]}\n"))
                .startsWith("security.callers.users.jwt.algorithms[0] (line 8): algorithm 'HS256' is not allowed");
        assertThat(error(caller + "      jwt: {issuer: i, audiences: a, jwks_file: jwks.json, algorithms: none}\n"))
                .contains("algorithm 'none' is not allowed");
        assertThat(error(caller + "      jwt: {issuer: i, audiences: a, jwks_url: \"http://idp.example/jwks\"}\n"))
                .isEqualTo("security.callers.users.jwt.jwks_url (line 8): must be an https URL (plain http only to a"
                        + " loopback address)");
        assertThat(error(caller + "      jwt: {issuer: i, audiences: a, jwks_file: missing.json}\n"))
                .isEqualTo("security.callers.users.jwt.jwks_file (line 8): " + dir.resolve("missing.json")
                        + ": no such file");
        assertThat(error(caller + "      jwt: {issuer: i, audiences: a, jwks_file: jwks.json, clock_skew_seconds: 3600}\n"))
                .startsWith("security.callers.users.jwt.clock_skew_seconds (line 8): must be a whole number from 0 to 600");
        assertThat(error(caller + "      jwt: {issuer: i, audiences: a, jwks_file: jwks.json}\n"
                + "      bind:\n        channels: [\"room-{sub\"]\n"))
                .startsWith("security.callers.users.bind.channels[0] (line 10): channel pattern 'room-{sub' has a brace");
        assertThat(error(caller + "      jwt: {issuer: i, audiences: a, jwks_file: jwks.json}\n"
                + "      bind: {identity: \"su b\"}\n"))
                .startsWith("security.callers.users.bind.identity (line 9): 'su b' is not a claim name");
        assertThat(error(caller + "      jwt: {issuer: i, audiences: a, jwks_file: jwks.json}\n      bind: {}\n"))
                .startsWith("security.callers.users.bind (line 9): binds nothing");
        assertThat(error(caller + "      bind: {identity: sub}\n"))
                .isEqualTo("security.callers.users.bind (line 8): binds token claims, so the caller needs a jwt block");
        assertThat(error(caller + "      api_keys: \"sha256:" + "0".repeat(64) + "\"\n"
                + "      jwt: {issuer: i, audiences: a, jwks_file: jwks.json}\n"))
                .startsWith("security.callers.users.jwt (line 9): a JWT caller has no api_keys or client_certificates");
        assertThat(error(caller + "      jwt: {issuer: i, audiences: a, jwks_file: jwks.json}\n"
                + "    others:\n      apps: [\"*\"]\n      jwt: {issuer: i, audiences: b, jwks_file: jwks.json}\n"))
                .isEqualTo("security.callers.others.jwt (line 11): caller 'users' accepts this issuer already");
        assertThat(error("""
                security:
                  callers:
                    anonymous:
                      apps: ["*"]
                """)).startsWith("security.callers.anonymous (line 6): 'anonymous' is the caller of calls without"
                + " credentials: configure it as security.anonymous");
        assertThat(error("""
                security:
                  callers:
                    web: {api_keys: "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}
                  anonymous:
                    api_keys: "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
                """)).startsWith("security.anonymous.api_keys (line 8): unknown key");
    }

    @Test
    void environmentApiKeysCannotNameTheAnonymousOrAJwtCaller() {
        for (String caller : List.of("anonymous", "app-users")) {
            assertThat(error(EXAMPLE, "TOKEN_SERVICE_API_KEYS", caller + "=tsk_env_key_for_a_jwt_caller_01"))
                    .isEqualTo("TOKEN_SERVICE_API_KEYS names caller '" + caller + "', which takes no API keys (it is"
                            + " the anonymous caller or a JWT caller)");
        }
    }

    @Test
    void aJwksFileHoldingAPrivateKeyIsRefused() {
        TestIdentityProvider.write(dir.resolve("jwks.json"),
                new com.nimbusds.jose.jwk.JWKSet(TestIdentityProvider.get().rsa).toString(false));
        String message = error("""
                security:
                  callers:
                    users:
                      jwt: {issuer: i, audiences: a, jwks_file: jwks.json}
                """);
        assertThat(message).isEqualTo("security.callers.users.jwt.jwks_file (line 7): " + dir.resolve("jwks.json")
                + ": key 1 (kid rsa-1) holds private key material: publish only public keys");
    }

    @Test
    void environmentQuickStartMakesTheEndUserCaller() {
        Configuration c = loadEnvironment(dir, "TOKEN_SERVICE_API_KEYS", "web=tsk_quick_start_web_key_0001",
                "TOKEN_SERVICE_JWT_JWKS_FILE", "jwks.json", "TOKEN_SERVICE_JWT_ISSUER", "https://login.example.test/",
                "TOKEN_SERVICE_JWT_AUDIENCE", "token-service, mobile");
        SecuritySettings s = c.security();
        JwtIssuer issuer = s.jwtCallers().get("end-user");
        assertThat(issuer.issuer()).isEqualTo("https://login.example.test/");
        assertThat(issuer.audiences()).containsExactly("token-service", "mobile");
        assertThat(issuer.algorithms()).isEqualTo(Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256));
        assertThat(s.bindings().get("end-user")).isEqualTo(ClaimBinding.identityIsSubject());
        CallerPolicy p = s.policies().get("end-user");
        assertThat(p).isEqualTo(CallerPolicy.endUserQuickStart());
        assertThat(p.allowWildcard()).isFalse();
        assertThat(p.maxTtlSeconds()).isEqualTo(3600);
        assertThat(s.policies()).containsKey("web");
        assertThat(c.watchedFiles()).containsExactly(dir.resolve("jwks.json"));

        Configuration byUrl = loadEnvironment(dir, "TOKEN_SERVICE_JWT_JWKS_URL", "https://idp.example/jwks",
                "TOKEN_SERVICE_JWT_ISSUER", "https://idp.example/", "TOKEN_SERVICE_JWT_AUDIENCE", "a");
        assertThat(byUrl.security().jwtCallers().get("end-user").jwks())
                .isEqualTo(new JwksSource.Url(URI.create("https://idp.example/jwks"), JwksSource.Url.DEFAULT_REFRESH));
        assertThat(byUrl.watchedFiles()).isEmpty();
    }

    @Test
    void environmentQuickStartNeedsAllItsVariables() {
        for (String[] env : List.of(new String[] {"TOKEN_SERVICE_JWT_ISSUER", "https://i/"},
                new String[] {"TOKEN_SERVICE_JWT_ISSUER", "https://i/", "TOKEN_SERVICE_JWT_AUDIENCE", "a"},
                new String[] {"TOKEN_SERVICE_JWT_ISSUER", "https://i/", "TOKEN_SERVICE_JWT_AUDIENCE", "a",
                        "TOKEN_SERVICE_JWT_JWKS_FILE", "jwks.json", "TOKEN_SERVICE_JWT_JWKS_URL", "https://i/jwks"})) {
            ConfigException e = catchThrowableOfType(ConfigException.class, () -> loadEnvironment(dir, env));
            assertThat(e).isNotNull();
            assertThat(e.getMessage()).startsWith("the JWT quick start needs TOKEN_SERVICE_JWT_ISSUER, "
                    + "TOKEN_SERVICE_JWT_AUDIENCE and TOKEN_SERVICE_JWT_JWKS_FILE (or TOKEN_SERVICE_JWT_JWKS_URL)");
        }
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> loadEnvironment(dir,
                "TOKEN_SERVICE_JWT_ISSUER", "https://i/", "TOKEN_SERVICE_JWT_AUDIENCE", "a",
                "TOKEN_SERVICE_JWT_JWKS_URL", "ftp://i/jwks"));
        assertThat(e.getMessage()).startsWith("TOKEN_SERVICE_JWT_JWKS_URL").endsWith("must be an https URL (plain http"
                + " only to a loopback address)");
        assertThat(loadEnvironment(dir, "TOKEN_SERVICE_JWT_ISSUER", "https://i/", "TOKEN_SERVICE_JWT_AUDIENCE", "a",
                "TOKEN_SERVICE_JWT_JWKS_URL", "http://127.0.0.1:9/jwks").security().jwtCallers()).containsKey("end-user");
    }

    @Test
    void environmentQuickStartBesideASecuritySection() throws IOException {
        String[] env = {"TOKEN_SERVICE_JWT_JWKS_FILE", "jwks.json", "TOKEN_SERVICE_JWT_ISSUER", "https://env-idp/",
                "TOKEN_SERVICE_JWT_AUDIENCE", "a"};
        assertThat(load(EXAMPLE, env).security().jwtCallers()).containsOnlyKeys("app-users", "partners", "end-user");
        assertThat(error("""
                security:
                  callers:
                    end-user:
                      api_keys: "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
                """, env)).contains("make caller 'end-user', which is also configured elsewhere");
        assertThat(error(EXAMPLE, "TOKEN_SERVICE_JWT_JWKS_FILE", "jwks.json", "TOKEN_SERVICE_JWT_ISSUER",
                "https://login.example.test/", "TOKEN_SERVICE_JWT_AUDIENCE", "a"))
                .contains("names an issuer a caller of the security section accepts already");
    }

    @Test
    void aBindingWithoutJwtOrAnAnonymousWithoutPolicyCannotBeBuilt() {
        SecuritySettings base = new SecuritySettings(io.tokenservice.server.auth.ApiKeyRegistry.empty(),
                io.tokenservice.server.auth.ClientCertificateMapping.empty(), Map.of(), Map.of(), RateLimit.DEFAULT,
                new DenyListSettings(Optional.empty(), io.tokenservice.server.denylist.DenyList.empty(),
                        DenyListSettings.DEFAULT_POLL_INTERVAL));
        assertThat(catchThrowableOfType(ConfigException.class, () -> new SecuritySettings(base.apiKeys(),
                base.clientCertificates(), Map.of("x", CallerPolicy.denyAll()), Map.of(), RateLimit.DEFAULT,
                base.denyList(), Map.of(), Map.of("x", ClaimBinding.identityIsSubject()), false)).getMessage())
                .isEqualTo("caller 'x' binds token claims but accepts no JWT");
        assertThat(catchThrowableOfType(ConfigException.class, () -> new SecuritySettings(base.apiKeys(),
                base.clientCertificates(), Map.of(), Map.of(), RateLimit.DEFAULT, base.denyList(), Map.of(), Map.of(),
                true)).getMessage()).isEqualTo("caller 'anonymous' has calls without credentials but no policy");
    }
}
