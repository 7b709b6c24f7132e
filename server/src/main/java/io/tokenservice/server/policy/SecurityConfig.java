package io.tokenservice.server.policy;

import io.tokenservice.core.issue.RtcRole;
import io.tokenservice.server.access.ServiceKind;
import io.tokenservice.server.auth.ApiKeyRegistry;
import io.tokenservice.server.auth.ClientCertificateMapping;
import io.tokenservice.server.ratelimit.RateLimit;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Everything that decides who gets in and what they get: API keys (hashes only), the mapping of client
 * certificate subjects to callers, each caller's {@link CallerPolicy} and {@link RateLimit}, and the
 * deny-list file. Immutable; a reload builds a new one and hands it to {@link SecurityLayer#reload}.
 *
 * <p>Sources: the {@code security:} section of the YAML configuration ({@link #fromYaml}), the quick-start
 * environment ({@link #fromEnvironment}), or the development default ({@link #developmentDefault});
 * {@link #resolve} picks among them.
 *
 * <pre>
 * security:
 *   callers:
 *     web-backend:                              # caller name: A-Z a-z 0-9 . _ @ -
 *       api_keys:                               # SHA-256 of each key, never the key itself:
 *                                               # printf %s "$KEY" | sha256sum
 *         - "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
 *       client_certificates:                    # mutual TLS subjects naming this caller
 *         - "CN=web-backend,OU=video,O=Example Corp"   # full subject DN, or
 *         - "cn:web-backend"                            # only the common name
 *       apps: ["0123456789abcdef0123456789abcdef"]      # globs; "*" = any app
 *       services: [rtc, rtm]                    # rtc, rtm, chat
 *       channels: ["team-*", "lobby"]           # globs: * any run, ? one character
 *       identities: ["*"]                       # uids/accounts/user ids (globs); default ["*"]
 *       roles: [publisher, subscriber]
 *       max_ttl_seconds: 3600                   # 1..86400, default 3600
 *       allow_wildcard: false                   # RTC uid 0 / empty account
 *       allow_chat_app_token: false
 *       may_renew: true
 *       may_inspect: false
 *       rate_limit: {per_second: 20, burst: 40}
 *   default_rate_limit: {per_second: 50, burst: 100}
 *   deny_list:
 *     path: deny-list.txt                       # relative to the configuration file's directory
 *     poll_interval_seconds: 5
 * </pre>
 * Allow-lists left out allow nothing and flags default to false, except {@code identities} (any specific
 * identity; the wildcard stays governed by {@code allow_wildcard}).
 */
public record SecurityConfig(ApiKeyRegistry apiKeys, ClientCertificateMapping clientCertificates,
        Map<String, CallerPolicy> policies, Map<String, RateLimit> rateLimits, RateLimit defaultRateLimit,
        Optional<Path> denyList, Duration denyListPollInterval) {

    /** {@code caller=key,caller2=key2}: quick-start API keys (plaintext, hashed at load). */
    public static final String ENV_API_KEYS = "TOKEN_SERVICE_API_KEYS";
    /** Path of the deny-list file; overrides {@code security.deny_list.path}. */
    public static final String ENV_DENY_LIST = "TOKEN_SERVICE_DENY_LIST";
    /** The caller name of the generated development key. */
    public static final String DEVELOPMENT_CALLER = "dev";
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(5);

    private static final Set<String> SECTION_KEYS = Set.of("callers", "default_rate_limit", "deny_list");
    private static final Set<String> CALLER_KEYS = Set.of("api_keys", "client_certificates", "apps", "services",
            "channels", "identities", "roles", "max_ttl_seconds", "allow_wildcard", "allow_chat_app_token",
            "may_renew", "may_inspect", "rate_limit");
    private static final Set<String> RATE_KEYS = Set.of("per_second", "burst");
    private static final Set<String> DENY_KEYS = Set.of("path", "poll_interval_seconds");

    public SecurityConfig {
        Objects.requireNonNull(apiKeys, "apiKeys");
        Objects.requireNonNull(clientCertificates, "clientCertificates");
        policies = Map.copyOf(policies);
        rateLimits = Map.copyOf(rateLimits);
        Objects.requireNonNull(defaultRateLimit, "defaultRateLimit");
        Objects.requireNonNull(denyList, "denyList");
        if (denyListPollInterval.isNegative() || denyListPollInterval.isZero()) {
            throw new IllegalArgumentException("deny-list poll interval must be positive");
        }
        for (String caller : apiKeys.callerNames()) {
            requirePolicy(policies, caller, "an API key");
        }
        for (String caller : clientCertificates.entries().values()) {
            requirePolicy(policies, caller, "a client certificate subject");
        }
    }

    private static void requirePolicy(Map<String, CallerPolicy> policies, String caller, String what) {
        if (!policies.containsKey(caller)) {
            throw new IllegalArgumentException("caller '" + caller + "' has " + what + " but no policy");
        }
    }

    /** Nobody gets in. */
    public static SecurityConfig empty() {
        return new SecurityConfig(ApiKeyRegistry.empty(), ClientCertificateMapping.empty(), Map.of(), Map.of(),
                RateLimit.DEFAULT, Optional.empty(), DEFAULT_POLL_INTERVAL);
    }

    /** The {@code security:} section, relative paths resolved against the working directory. */
    public static SecurityConfig fromYaml(Map<String, Object> securitySection) {
        return fromYaml(securitySection, Path.of(""));
    }

    /**
     * The {@code security:} section (schema in the class comment).
     *
     * @param baseDirectory directory relative paths (the deny-list) are resolved against, normally the
     *     configuration file's
     * @throws IllegalArgumentException naming the offending key, never repeating a key or hash value
     */
    public static SecurityConfig fromYaml(Map<String, Object> securitySection, Path baseDirectory) {
        YamlSection section = YamlSection.of("security", securitySection);
        section.allowOnly(SECTION_KEYS);
        RateLimit fallback = section.has("default_rate_limit")
                ? rateLimit(section.section("default_rate_limit"))
                : RateLimit.DEFAULT;

        ApiKeyRegistry.Builder keys = ApiKeyRegistry.builder();
        ClientCertificateMapping.Builder certs = ClientCertificateMapping.builder();
        Map<String, CallerPolicy> policies = new LinkedHashMap<>();
        Map<String, RateLimit> limits = new LinkedHashMap<>();
        YamlSection callers = section.section("callers");
        for (String name : callers.keys()) {
            YamlSection c = callers.section(name);
            try {
                ApiKeyRegistry.checkCallerName(name);
                c.allowOnly(CALLER_KEYS);
                for (String hash : c.strings("api_keys")) {
                    keys.addConfigHash(name, hash);
                }
                for (String subject : c.strings("client_certificates")) {
                    certs.add(subject, name);
                }
                policies.put(name, policy(c));
                if (c.has("rate_limit")) {
                    limits.put(name, rateLimit(c.section("rate_limit")));
                }
            } catch (IllegalArgumentException e) {
                String m = e.getMessage();
                throw new IllegalArgumentException(m != null && m.startsWith(c.path()) ? m : c.path() + ": " + m, e);
            }
        }

        Optional<Path> denyList = Optional.empty();
        Duration poll = DEFAULT_POLL_INTERVAL;
        if (section.has("deny_list")) {
            YamlSection d = section.section("deny_list");
            d.allowOnly(DENY_KEYS);
            denyList = d.string("path").map(p -> baseDirectory.resolve(p));
            long seconds = d.integer("poll_interval_seconds", DEFAULT_POLL_INTERVAL.toSeconds());
            if (seconds < 1 || seconds > 86_400) {
                throw new IllegalArgumentException(d.path("poll_interval_seconds") + ": must be between 1 and 86400");
            }
            poll = Duration.ofSeconds(seconds);
        }
        return new SecurityConfig(keys.build(), certs.build(), policies, limits, fallback, denyList, poll);
    }

    /**
     * The quick start: every caller in {@value #ENV_API_KEYS} gets {@link CallerPolicy#quickStart()} and the
     * default rate limit; {@value #ENV_DENY_LIST} names the deny-list. Without API keys nobody gets in.
     */
    public static SecurityConfig fromEnvironment(Map<String, String> env) {
        ApiKeyRegistry keys = envKeys(env);
        Map<String, CallerPolicy> policies = new LinkedHashMap<>();
        for (String caller : keys.callerNames()) {
            policies.put(caller, CallerPolicy.quickStart());
        }
        return new SecurityConfig(keys, ClientCertificateMapping.empty(), policies, Map.of(), RateLimit.DEFAULT,
                envDenyList(env), DEFAULT_POLL_INTERVAL);
    }

    /**
     * One freshly generated key for caller {@value #DEVELOPMENT_CALLER} with the quick-start policy. The key
     * itself is handed once to {@code announce} (show it on the console, never log it) and kept only as
     * hash.
     */
    public static SecurityConfig developmentDefault(SecureRandom random, Consumer<String> announce) {
        String key = ApiKeyRegistry.generateKey(random);
        ApiKeyRegistry keys = ApiKeyRegistry.builder().addKey(DEVELOPMENT_CALLER, key).build();
        announce.accept(key);
        return new SecurityConfig(keys, ClientCertificateMapping.empty(),
                Map.of(DEVELOPMENT_CALLER, CallerPolicy.quickStart()), Map.of(), RateLimit.DEFAULT,
                Optional.empty(), DEFAULT_POLL_INTERVAL);
    }

    /**
     * Picks the configuration: the YAML {@code security:} section if present, with the keys of
     * {@value #ENV_API_KEYS} added to callers it defines (a caller only in the environment is an error: its
     * policy would be unknown) and {@value #ENV_DENY_LIST} overriding the deny-list path; else the quick
     * start from the environment; else, if {@code allowDevelopmentDefault}, a generated development key;
     * else nobody gets in.
     */
    public static SecurityConfig resolve(Optional<Map<String, Object>> securitySection, Path baseDirectory,
            Map<String, String> env, boolean allowDevelopmentDefault, SecureRandom random,
            Consumer<String> announce) {
        if (securitySection.isPresent()) {
            SecurityConfig yaml = fromYaml(securitySection.get(), baseDirectory);
            ApiKeyRegistry extra = envKeys(env);
            for (String caller : extra.callerNames()) {
                if (!yaml.policies().containsKey(caller)) {
                    throw new IllegalArgumentException(ENV_API_KEYS + " names caller '" + caller
                            + "', which has no policy in security.callers");
                }
            }
            Optional<Path> deny = envDenyList(env).or(yaml::denyList);
            return new SecurityConfig(yaml.apiKeys().plus(extra), yaml.clientCertificates(), yaml.policies(),
                    yaml.rateLimits(), yaml.defaultRateLimit(), deny, yaml.denyListPollInterval());
        }
        SecurityConfig quick = fromEnvironment(env);
        if (quick.apiKeys().size() > 0 || !allowDevelopmentDefault) {
            return quick;
        }
        SecurityConfig dev = developmentDefault(random, announce);
        return new SecurityConfig(dev.apiKeys(), dev.clientCertificates(), dev.policies(), dev.rateLimits(),
                dev.defaultRateLimit(), quick.denyList(), dev.denyListPollInterval());
    }

    /**
     * Reads the {@code security:} section of a YAML configuration file; empty if the file has none.
     * Error messages give the file and position, never a snippet of the file (it may hold app
     * certificates).
     */
    public static Optional<Map<String, Object>> readSection(Path configFile) throws IOException {
        String source = "configuration file " + configFile;
        Object root;
        try (Reader reader = Files.newBufferedReader(configFile, StandardCharsets.UTF_8)) {
            LoaderOptions options = new LoaderOptions();
            options.setAllowDuplicateKeys(false);
            options.setMaxAliasesForCollections(20);
            options.setNestingDepthLimit(20);
            root = new Yaml(new SafeConstructor(options)).load(reader);
        } catch (MarkedYAMLException e) {
            String where = e.getProblemMark() == null ? "" : " at line " + (e.getProblemMark().getLine() + 1)
                    + ", column " + (e.getProblemMark().getColumn() + 1);
            throw new IllegalArgumentException(source + ": not valid YAML" + where
                    + (e.getProblem() == null ? "" : ": " + e.getProblem()));
        } catch (YAMLException e) {
            throw new IllegalArgumentException(source + ": not valid YAML");
        }
        if (root == null) {
            return Optional.empty();
        }
        if (!(root instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException(source + ": not a YAML mapping");
        }
        Object section = map.get("security");
        if (section == null) {
            return Optional.empty();
        }
        if (!(section instanceof Map<?, ?> sectionMap)) {
            throw new IllegalArgumentException(source + ": security: expected a mapping");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : sectionMap.entrySet()) {
            if (!(e.getKey() instanceof String key)) {
                throw new IllegalArgumentException(source + ": security: key " + e.getKey() + " is not a string");
            }
            out.put(key, e.getValue());
        }
        return Optional.of(out);
    }

    /**
     * {@link #resolve} with the {@code security:} section of {@code configFile} (if any), relative paths
     * resolved against the file's directory.
     */
    public static SecurityConfig load(Optional<Path> configFile, Map<String, String> env,
            boolean allowDevelopmentDefault, SecureRandom random, Consumer<String> announce) throws IOException {
        Optional<Map<String, Object>> section = Optional.empty();
        Path base = Path.of("");
        if (configFile.isPresent()) {
            section = readSection(configFile.get());
            Path parent = configFile.get().toAbsolutePath().getParent();
            base = parent == null ? base : parent;
        }
        return resolve(section, base, env, allowDevelopmentDefault, random, announce);
    }

    /** The rate limit of {@code caller}. */
    public RateLimit rateLimitOf(String caller) {
        return rateLimits.getOrDefault(caller, defaultRateLimit);
    }

    private static ApiKeyRegistry envKeys(Map<String, String> env) {
        String value = env.get(ENV_API_KEYS);
        if (value == null || value.isBlank()) {
            return ApiKeyRegistry.empty();
        }
        try {
            return ApiKeyRegistry.parseEnvironmentValue(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(ENV_API_KEYS + ": " + e.getMessage(), e);
        }
    }

    private static Optional<Path> envDenyList(Map<String, String> env) {
        String value = env.get(ENV_DENY_LIST);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(Path.of(value.strip()));
    }

    private static CallerPolicy policy(YamlSection c) {
        Set<ServiceKind> services = EnumSet.noneOf(ServiceKind.class);
        for (String s : c.strings("services")) {
            services.add(enumValue(ServiceKind.class, s, c.path("services")));
        }
        Set<RtcRole> roles = EnumSet.noneOf(RtcRole.class);
        for (String r : c.strings("roles")) {
            roles.add(enumValue(RtcRole.class, r, c.path("roles")));
        }
        List<String> identities = c.has("identities") ? c.strings("identities") : List.of("*");
        long maxTtl = c.integer("max_ttl_seconds", CallerPolicy.DEFAULT_MAX_TTL_SECONDS);
        if (maxTtl < 1 || maxTtl > io.tokenservice.core.issue.TokenLimits.AGORA_MAX_TTL_SECONDS) {
            throw new IllegalArgumentException(c.path("max_ttl_seconds") + ": must be between 1 and "
                    + io.tokenservice.core.issue.TokenLimits.AGORA_MAX_TTL_SECONDS);
        }
        return new CallerPolicy(globs(c, "apps"), services, globs(c, "channels"), globs(c, identities, "identities"),
                roles, maxTtl, c.bool("allow_wildcard", false), c.bool("allow_chat_app_token", false),
                c.bool("may_renew", false), c.bool("may_inspect", false));
    }

    private static GlobList globs(YamlSection c, String key) {
        return globs(c, c.strings(key), key);
    }

    private static GlobList globs(YamlSection c, List<String> patterns, String key) {
        for (int i = 0; i < patterns.size(); i++) {
            if (patterns.get(i).isEmpty()) {
                throw new IllegalArgumentException(c.path(key) + "[" + i + "]: empty pattern");
            }
        }
        return GlobList.of(patterns);
    }

    private static <E extends Enum<E>> E enumValue(Class<E> type, String value, String path) {
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(value.strip())) {
                return e;
            }
        }
        StringBuilder known = new StringBuilder();
        for (E e : type.getEnumConstants()) {
            known.append(known.length() == 0 ? "" : ", ").append(e.name().toLowerCase(Locale.ROOT));
        }
        throw new IllegalArgumentException(path + ": unknown value '" + value + "' (use " + known + ")");
    }

    private static RateLimit rateLimit(YamlSection r) {
        r.allowOnly(RATE_KEYS);
        if (!r.has("per_second") || !r.has("burst")) {
            throw new IllegalArgumentException(r.path() + ": needs per_second and burst");
        }
        long burst = r.integer("burst", 0);
        if (burst < 1 || burst > RateLimit.MAX_BURST) {
            throw new IllegalArgumentException(r.path("burst") + ": must be between 1 and " + RateLimit.MAX_BURST);
        }
        double perSecond = r.number("per_second", 0);
        try {
            return new RateLimit(perSecond, (int) burst);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(r.path() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "SecurityConfig[callers=" + policies.keySet() + ", apiKeys=" + apiKeys.size() + ", certificateSubjects="
                + clientCertificates.entries().size() + ", denyList=" + denyList.map(Path::toString).orElse("none")
                + "]";
    }
}
