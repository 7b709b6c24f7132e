package io.tokenservice.server.config;

import static io.tokenservice.server.config.EnvironmentVariables.TOKEN_SERVICE_API_KEYS;
import static io.tokenservice.server.config.EnvironmentVariables.TOKEN_SERVICE_DENY_LIST;
import static io.tokenservice.server.config.EnvironmentVariables.TOKEN_SERVICE_RATE_LIMIT;

import io.tokenservice.core.issue.RtcRole;
import io.tokenservice.core.issue.TokenLimits;
import io.tokenservice.env.FileProblems;
import io.tokenservice.server.access.ServiceKind;
import io.tokenservice.server.auth.ApiKeyRegistry;
import io.tokenservice.server.auth.ClientCertificateMapping;
import io.tokenservice.server.auth.JwtIssuer;
import io.tokenservice.server.config.ConfigSource.Setting;
import io.tokenservice.server.denylist.DenyList;
import io.tokenservice.server.policy.CallerPolicy;
import io.tokenservice.server.policy.ClaimBinding;
import io.tokenservice.server.policy.GlobList;
import io.tokenservice.server.ratelimit.RateLimit;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.StringJoiner;
import java.util.function.Consumer;

/**
 * {@link Configuration#security()}: the {@code security:} section (schema in the README), with the keys of
 * {@code TOKEN_SERVICE_API_KEYS} added to the callers it defines; without a section, the quick start (each
 * caller of {@code TOKEN_SERVICE_API_KEYS} with {@link CallerPolicy#quickStart()}) or, in development without
 * keys, the made-up key for caller {@value ConfigLoader#DEVELOPMENT_CALLER}. The deny-list file is read here,
 * with the rest, so that it is applied together with the section or not at all.
 */
final class SecuritySection {
    static final String KEY = "security";
    private static final Set<String> SECTION_KEYS = Set.of("callers", "default_rate_limit", "deny_list", "anonymous");
    private static final Set<String> ANONYMOUS_KEYS = Set.of("apps", "services", "channels", "identities", "roles",
            "max_ttl_seconds", "allow_wildcard", "allow_chat_app_token", "allow_apaas_app_token", "may_renew",
            "may_inspect", "rate_limit");
    private static final Set<String> CALLER_KEYS;

    static {
        Set<String> keys = new java.util.HashSet<>(ANONYMOUS_KEYS);
        keys.addAll(Set.of("api_keys", "client_certificates", "jwt", "bind"));
        CALLER_KEYS = Set.copyOf(keys);
    }
    private static final Set<String> RATE_KEYS = Set.of("per_second", "burst");
    private static final Set<String> DENY_KEYS = Set.of("path", "poll_interval_seconds");

    private SecuritySection() {}

    static SecuritySettings read(ConfigSource in) {
        ConfigNode section = in.top().get(KEY);
        Optional<Setting<String>> keysVariable = in.variable(TOKEN_SERVICE_API_KEYS);
        ApiKeyRegistry environmentKeys = keysVariable.map(SecuritySection::environmentKeys)
                .orElse(ApiKeyRegistry.empty());
        if (section.isWritten()) {
            return fromSection(in, section.mapping(SECTION_KEYS), environmentKeys, keysVariable);
        }
        DenyListSettings denyList = denyList(in, ConfigNode.none().mapping(DENY_KEYS));
        // Only the made-up key of a made-up app may try everything: its tokens are worthless to Agora.
        boolean developmentCaller = environmentKeys.size() == 0 && in.development();
        if (developmentCaller) {
            environmentKeys = ApiKeyRegistry.builder()
                    .addKey(ConfigLoader.DEVELOPMENT_CALLER, in.developmentDefaults().key()).build();
        }
        Map<String, CallerPolicy> policies = new LinkedHashMap<>();
        for (String caller : environmentKeys.callerNames()) {
            policies.put(caller, developmentCaller ? CallerPolicy.development() : CallerPolicy.quickStart());
        }
        Map<String, JwtIssuer> jwtCallers = new LinkedHashMap<>();
        Map<String, ClaimBinding> bindings = new LinkedHashMap<>();
        addJwtQuickStart(in, policies, jwtCallers, bindings);
        return new SecuritySettings(environmentKeys, ClientCertificateMapping.empty(), policies, Map.of(),
                defaultRateLimit(in, ConfigNode.none()), denyList, jwtCallers, bindings, false);
    }

    /** Caller {@value JwtSection#QUICK_START_CALLER} of the {@code TOKEN_SERVICE_JWT_*} variables, if set. */
    private static void addJwtQuickStart(ConfigSource in, Map<String, CallerPolicy> policies,
            Map<String, JwtIssuer> jwtCallers, Map<String, ClaimBinding> bindings) {
        Optional<JwtIssuer> issuer = JwtSection.fromEnvironment(in);
        if (issuer.isEmpty()) {
            return;
        }
        String name = JwtSection.QUICK_START_CALLER;
        if (policies.containsKey(name)) {
            throw new ConfigException("the TOKEN_SERVICE_JWT_* variables make caller '" + name + "', which is also "
                    + "configured elsewhere: configure it in one place");
        }
        for (JwtIssuer other : jwtCallers.values()) {
            if (other.issuer().equals(issuer.get().issuer())) {
                throw new ConfigException(EnvironmentVariables.TOKEN_SERVICE_JWT_ISSUER
                        + " names an issuer a caller of the security section accepts already");
            }
        }
        policies.put(name, CallerPolicy.endUserQuickStart());
        jwtCallers.put(name, issuer.get());
        bindings.put(name, ClaimBinding.identityIsSubject());
    }

    /**
     * The limit of callers without their own: {@code TOKEN_SERVICE_RATE_LIMIT} ({@code 500} or
     * {@code 500/1000}), else {@code default_rate_limit}, else {@link RateLimit#DEFAULT}.
     */
    private static RateLimit defaultRateLimit(ConfigSource in, ConfigNode node) {
        Optional<Setting<String>> variable = in.variable(TOKEN_SERVICE_RATE_LIMIT);
        if (variable.isPresent()) {
            try {
                return RateLimit.parse(variable.get().value());
            } catch (IllegalArgumentException e) {
                throw variable.get().error(e.getMessage());
            }
        }
        return node.isPresent() ? rateLimit(node) : RateLimit.DEFAULT;
    }

    private static ApiKeyRegistry environmentKeys(Setting<String> variable) {
        try {
            return ApiKeyRegistry.parseEnvironmentValue(variable.value());
        } catch (IllegalArgumentException e) {
            // The registry's messages name the entry and the caller, never the key.
            throw variable.error(e.getMessage());
        }
    }

    private static SecuritySettings fromSection(ConfigSource in, ConfigNode.Mapping section,
            ApiKeyRegistry environmentKeys, Optional<Setting<String>> keysVariable) {
        ApiKeyRegistry.Builder keys = ApiKeyRegistry.builder();
        ClientCertificateMapping.Builder certificates = ClientCertificateMapping.builder();
        Map<String, CallerPolicy> policies = new LinkedHashMap<>();
        Map<String, RateLimit> limits = new LinkedHashMap<>();
        Map<String, JwtIssuer> jwtCallers = new LinkedHashMap<>();
        Map<String, ClaimBinding> bindings = new LinkedHashMap<>();
        ConfigNode callers = section.get("callers");
        for (Map.Entry<String, ConfigNode> entry : callers.namedEntries().entrySet()) {
            String name = entry.getKey();
            try {
                ApiKeyRegistry.checkCallerName(name);
            } catch (IllegalArgumentException e) {
                throw callers.keyOf(name).error(e.getMessage());
            }
            if (name.equals(SecuritySettings.ANONYMOUS_CALLER)) {
                throw callers.keyOf(name).error("'anonymous' is the caller of calls without credentials: configure it"
                        + " as security.anonymous");
            }
            ConfigNode.Mapping caller = entry.getValue().mapping(CALLER_KEYS);
            // The registry's messages never repeat a value: a plaintext key pasted here stays unlogged.
            forEachText(caller.get("api_keys"), hash -> keys.addConfigHash(name, hash));
            forEachText(caller.get("client_certificates"), subject -> certificates.add(subject, name));
            policies.put(name, policy(caller));
            ConfigNode limit = caller.get("rate_limit");
            if (limit.isPresent()) {
                limits.put(name, rateLimit(limit));
            }
            ConfigNode jwt = caller.get("jwt");
            ConfigNode bind = caller.get("bind");
            if (jwt.isPresent()) {
                if (caller.get("api_keys").isPresent() || caller.get("client_certificates").isPresent()) {
                    throw jwt.error("a JWT caller has no api_keys or client_certificates: its rules and bindings"
                            + " are for end users; give the service another caller");
                }
                JwtIssuer issuer = JwtSection.issuer(in, jwt);
                for (Map.Entry<String, JwtIssuer> other : jwtCallers.entrySet()) {
                    if (other.getValue().issuer().equals(issuer.issuer())) {
                        throw jwt.error("caller '" + other.getKey() + "' accepts this issuer already");
                    }
                }
                jwtCallers.put(name, issuer);
            }
            if (bind.isPresent()) {
                if (!jwt.isPresent()) {
                    throw bind.error("binds token claims, so the caller needs a jwt block");
                }
                bindings.put(name, JwtSection.binding(bind));
            }
        }
        ConfigNode anonymous = section.get("anonymous");
        if (anonymous.isPresent()) {
            ConfigNode.Mapping a = anonymous.mapping(ANONYMOUS_KEYS);
            policies.put(SecuritySettings.ANONYMOUS_CALLER, policy(a));
            ConfigNode limit = a.get("rate_limit");
            if (limit.isPresent()) {
                limits.put(SecuritySettings.ANONYMOUS_CALLER, rateLimit(limit));
            }
            in.warn("security.anonymous is configured: calls WITHOUT credentials get tokens under its policy "
                    + "(apps " + policies.get(SecuritySettings.ANONYMOUS_CALLER).apps() + ", channels "
                    + policies.get(SecuritySettings.ANONYMOUS_CALLER).channels() + "); anyone who reaches this "
                    + "server or its gateway can mint them. Meant for demos only.");
        }
        addJwtQuickStart(in, policies, jwtCallers, bindings);
        for (String caller : environmentKeys.callerNames()) {
            if (caller.equals(SecuritySettings.ANONYMOUS_CALLER) || jwtCallers.containsKey(caller)) {
                throw new ConfigException(keysVariable.orElseThrow().name() + " names caller '" + caller
                        + "', which takes no API keys (it is the anonymous caller or a JWT caller)");
            }
            if (!policies.containsKey(caller)) {
                throw new ConfigException(keysVariable.orElseThrow().name() + " names caller '" + caller
                        + "', which has no policy in " + callers.path() + " of " + in.file().orElseThrow());
            }
        }
        ApiKeyRegistry allKeys;
        try {
            allKeys = keys.build().plus(environmentKeys);
        } catch (IllegalArgumentException e) {
            throw keysVariable.orElseThrow().error(e.getMessage());
        }
        return new SecuritySettings(allKeys, certificates.build(), policies, limits,
                defaultRateLimit(in, section.get("default_rate_limit")),
                denyList(in, section.get("deny_list").mapping(DENY_KEYS)), jwtCallers, bindings,
                anonymous.isPresent());
    }

    /** Hands each text of a list to {@code use}; what it refuses is an error at that element. */
    private static void forEachText(ConfigNode list, Consumer<String> use) {
        for (ConfigNode element : list.elements()) {
            String text = element.text().orElseThrow(() -> element.error("must not be empty"));
            try {
                use.accept(text);
            } catch (IllegalArgumentException e) {
                throw element.error(e.getMessage());
            }
        }
    }

    private static CallerPolicy policy(ConfigNode.Mapping c) {
        Set<ServiceKind> services = EnumSet.noneOf(ServiceKind.class);
        for (ConfigNode s : c.get("services").elements()) {
            services.add(enumValue(ServiceKind.class, s));
        }
        Set<RtcRole> roles = EnumSet.noneOf(RtcRole.class);
        for (ConfigNode r : c.get("roles").elements()) {
            roles.add(enumValue(RtcRole.class, r));
        }
        ConfigNode identities = c.get("identities");
        long maxTtl = c.get("max_ttl_seconds").wholeNumber(1, TokenLimits.AGORA_MAX_TTL_SECONDS)
                .orElse(CallerPolicy.DEFAULT_MAX_TTL_SECONDS);
        return new CallerPolicy(CallerPolicy.appGlobs(c.get("apps").strings()), services, GlobList.of(c.get("channels").strings()),
                identities.isWritten() ? GlobList.of(identities.strings()) : GlobList.any(), roles, maxTtl,
                c.get("allow_wildcard").flag(false), c.get("allow_chat_app_token").flag(false),
                c.get("may_renew").flag(false), c.get("may_inspect").flag(false),
                c.get("allow_apaas_app_token").flag(false));
    }

    private static <E extends Enum<E>> E enumValue(Class<E> type, ConfigNode node) {
        String value = node.text().orElseThrow(() -> node.error("must not be empty"));
        StringJoiner known = new StringJoiner(", ");
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(value)) {
                return e;
            }
            known.add(e.name().toLowerCase(Locale.ROOT));
        }
        throw node.error("unknown value '" + value + "' (use " + known + ")");
    }

    private static RateLimit rateLimit(ConfigNode node) {
        ConfigNode.Mapping r = node.mapping(RATE_KEYS);
        if (!r.get("per_second").isPresent() || !r.get("burst").isPresent()) {
            throw node.error("needs per_second and burst");
        }
        long burst = r.get("burst").wholeNumber(1, RateLimit.MAX_BURST).orElseThrow();
        double perSecond = r.get("per_second").number().orElseThrow();
        try {
            return new RateLimit(perSecond, (int) burst);
        } catch (IllegalArgumentException e) {
            throw r.get("per_second").error(e.getMessage());
        }
    }

    /** The deny-list file ({@code TOKEN_SERVICE_DENY_LIST} over {@code path}), read now; none without a file. */
    private static DenyListSettings denyList(ConfigSource in, ConfigNode.Mapping d) {
        Duration poll = Duration.ofSeconds(d.get("poll_interval_seconds")
                .wholeNumber(1, DenyListSettings.MAX_POLL_INTERVAL.toSeconds())
                .orElse(DenyListSettings.DEFAULT_POLL_INTERVAL.toSeconds()));
        Optional<Setting<Path>> file = in.path(TOKEN_SERVICE_DENY_LIST, d.get("path"));
        if (file.isEmpty()) {
            return new DenyListSettings(Optional.empty(), DenyList.empty(), poll);
        }
        Path path = file.get().value();
        Files2.requireReadable(path, problem -> file.get().fileError(path, problem));
        try {
            return new DenyListSettings(Optional.of(path), DenyList.read(path), poll);
        } catch (IOException e) {
            throw file.get().fileError(path, "cannot read it (" + FileProblems.describe(e) + ")");
        } catch (IllegalArgumentException e) {
            // DenyList names the line and what is wrong with it, never the entry.
            throw file.get().fileError(path, e.getMessage());
        }
    }
}
