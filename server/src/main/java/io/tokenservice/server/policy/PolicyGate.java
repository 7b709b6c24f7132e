package io.tokenservice.server.policy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tokenservice.core.issue.RtcRole;
import io.tokenservice.core.issue.Rtm2TokenRequest;
import io.tokenservice.core.issue.TokenLimits;
import io.tokenservice.server.access.AccessGate;
import io.tokenservice.server.access.Caller;
import io.tokenservice.server.access.EndUser;
import io.tokenservice.server.access.GrantRequest;
import io.tokenservice.server.access.Refusal;
import io.tokenservice.server.access.RequestedService;
import io.tokenservice.server.access.Rpc;
import io.tokenservice.server.access.ServiceKind;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Applies each caller's {@link CallerPolicy}. A refusal is PERMISSION_DENIED whose description names
 * the rule, e.g. {@code policy of caller 'web': channel 'x' matches none of [team-*]}. A caller without
 * a policy may do nothing. RenewToken is judged by the caller's policy at renewal time, so shrinking a
 * policy takes effect at the next renewal; InspectToken needs only {@code may_inspect}. Immutable: a new
 * configuration brings a new gate.
 *
 * <p>The coarse rules come first, before the request is read ({@link #admit}: may the caller call this
 * RPC at all: {@code may_inspect}, {@code may_renew}, the service an Issue RPC mints) and as soon as it
 * names its app ({@link #admitApp}); {@link #check} applies them again with all the others to the
 * whole grant.
 *
 * <p>{@link GrantRequest#ttlSeconds()} must be the lifetime that would be minted (defaults applied); a
 * value of 0 or less is judged as {@value TokenLimits#AGORA_MAX_TTL_SECONDS} so that an unresolved default
 * can never pass a lower limit. An RTC identity of {@code "0"} is judged as the wildcard, like empty. App IDs
 * are hexadecimal: they are matched in lower case against {@code apps} globs that {@link CallerPolicy}
 * holds in lower case, so letter case never decides whether an app is allowed.
 *
 * <p>A caller with a {@link ClaimBinding} (a JWT caller) is then judged by it, service by service, against the
 * claims of the end user's token; a refusal names the {@code bind.*} rule. A bound caller without an end user
 * is refused outright.
 */
public final class PolicyGate implements AccessGate {
    private final Map<String, CallerPolicy> policies;
    private final Map<String, ClaimBinding> bindings;

    public PolicyGate(Map<String, CallerPolicy> policies) {
        this(policies, Map.of());
    }

    public PolicyGate(Map<String, CallerPolicy> policies, Map<String, ClaimBinding> bindings) {
        this.policies = Map.copyOf(policies);
        this.bindings = Map.copyOf(bindings);
    }

    public Optional<CallerPolicy> policyOf(String callerName) {
        return Optional.ofNullable(policies.get(callerName));
    }

    /**
     * The longest lifetime the caller may request now, for handlers that must lower a default (RenewToken
     * with ttl 0 keeps the old lifetime "lowered to the caller's current policy maximum"). Empty for a
     * caller without policy.
     */
    public OptionalLong maxTtlSeconds(Caller caller) {
        CallerPolicy p = policies.get(caller.name());
        return p == null ? OptionalLong.empty() : OptionalLong.of(p.maxTtlSeconds());
    }

    @Override
    public void admit(Caller caller, Rpc rpc) {
        mayCall(caller, policy(caller), rpc);
    }

    @Override
    public void admitApp(Caller caller, Rpc rpc, String appId) {
        if (rpc != Rpc.INSPECT_TOKEN) {
            mayUseApp(caller, policy(caller), appId);
        }
    }

    @Override
    public void check(Caller caller, GrantRequest request) {
        CallerPolicy p = policy(caller);
        Rpc rpc = request.rpc();
        mayCall(caller, p, rpc);
        if (rpc == Rpc.INSPECT_TOKEN) {
            return;
        }
        mayUseApp(caller, p, request.appId());
        List<RequestedService> services = request.services();
        for (int i = 0, n = services.size(); i < n; i++) {
            checkService(caller, p, services.get(i));
        }
        ClaimBinding binding = bindings.get(caller.name());
        if (binding != null) {
            checkBinding(caller, binding, services);
        }
        long ttl = request.ttlSeconds() > 0 ? request.ttlSeconds() : TokenLimits.AGORA_MAX_TTL_SECONDS;
        if (ttl > p.maxTtlSeconds()) {
            throw denied(caller, "ttl " + ttl + " s exceeds max_ttl_seconds " + p.maxTtlSeconds());
        }
    }

    private CallerPolicy policy(Caller caller) {
        CallerPolicy p = policies.get(caller.name());
        if (p == null) {
            throw denied("no policy is configured for caller '" + caller.name() + "'");
        }
        return p;
    }

    /** Whether the caller may call {@code rpc} at all, whatever it asks for. */
    private static void mayCall(Caller caller, CallerPolicy p, Rpc rpc) {
        switch (rpc) {
            case INSPECT_TOKEN -> {
                if (!p.mayInspect()) {
                    throw denied(caller, "InspectToken is not allowed (may_inspect: false)");
                }
            }
            case RENEW_TOKEN -> {
                if (!p.mayRenew()) {
                    throw denied(caller, "RenewToken is not allowed (may_renew: false)");
                }
            }
            case ISSUE_RTC_TOKEN -> mayMint(caller, p, ServiceKind.RTC);
            case ISSUE_RTM_TOKEN -> mayMint(caller, p, ServiceKind.RTM);
            case ISSUE_CHAT_TOKEN -> mayMint(caller, p, ServiceKind.CHAT);
            case ISSUE_APAAS_TOKEN -> mayMint(caller, p, ServiceKind.APAAS);
        }
    }

    private static void mayUseApp(Caller caller, CallerPolicy p, String appId) {
        if (!p.apps().matches(appId.toLowerCase(Locale.ROOT))) {
            throw denied(caller, "app '" + shown(appId) + "' matches none of " + p.apps());
        }
    }

    private static void mayMint(Caller caller, CallerPolicy p, ServiceKind kind) {
        if (!p.services().contains(kind)) {
            throw denied(caller, "service " + name(kind) + " is not allowed (services: " + names(p.services()) + ")");
        }
    }

    /** An unvalidated value as a refusal quotes it: at most 64 characters. */
    private static String shown(String value) {
        return value.length() <= 64 ? value : value.substring(0, 64) + "... (" + value.length() + " characters)";
    }

    private static void checkService(Caller caller, CallerPolicy p, RequestedService s) {
        ServiceKind kind = s.kind();
        mayMint(caller, p, kind);
        String identity = s.identity();
        switch (kind) {
            case RTC -> {
                String channel = s.channel().orElse("");
                if (!p.channels().matches(channel)) {
                    throw denied(caller, "channel '" + channel + "' matches none of " + p.channels());
                }
                if (identity.isEmpty() || identity.equals("0")) {
                    if (!p.allowWildcard()) {
                        throw denied(caller, "the wildcard identity (uid 0 / empty account: anyone may join)"
                                + " is not allowed (allow_wildcard: false)");
                    }
                } else if (!p.identities().matches(identity)) {
                    throw denied(caller, "identity '" + identity + "' matches none of " + p.identities());
                }
                RtcRole role = s.role().orElse(null);
                if (role == null || !p.roles().contains(role)) {
                    throw denied(caller, "role " + (role == null ? "(none)" : name(role))
                            + " is not allowed (roles: " + names(p.roles()) + ")");
                }
            }
            case RTM -> {
                if (identity.isEmpty()) {
                    throw denied(caller, "an empty RTM user id is not allowed");
                }
                if (!p.identities().matches(identity)) {
                    throw denied(caller, "RTM user id '" + identity + "' matches none of " + p.identities());
                }
                checkRtm2Resources(caller, p, s.rtm2Permissions());
            }
            case CHAT -> {
                if (identity.isEmpty()) {
                    if (!p.allowChatAppToken()) {
                        throw denied(caller, "Chat app tokens are not allowed (allow_chat_app_token: false)");
                    }
                } else if (!p.identities().matches(identity)) {
                    throw denied(caller, "Chat user id '" + identity + "' matches none of " + p.identities());
                }
            }
            case APAAS -> {
                if (identity.isEmpty()) {
                    if (!p.allowApaasAppToken()) {
                        throw denied(caller, "APaaS app tokens are not allowed (allow_apaas_app_token: false)");
                    }
                } else if (!p.identities().matches(identity)) {
                    throw denied(caller, "APaaS user uuid '" + identity + "' matches none of " + p.identities());
                }
                if (s.channel().isPresent() && !p.channels().matches(s.channel().get())) {
                    throw denied(caller, "APaaS room uuid '" + s.channel().get() + "' matches none of " + p.channels());
                }
            }
        }
    }

    /** RTM 2.x resources: users are judged as identities, channels and groups as channels. */
    private static void checkRtm2Resources(Caller caller, CallerPolicy p, List<Rtm2TokenRequest.Permission> permissions) {
        for (Rtm2TokenRequest.Permission permission : permissions) {
            boolean users = permission.resourceType() == Rtm2TokenRequest.ResourceType.USERS;
            GlobList allowed = users ? p.identities() : p.channels();
            for (String resource : permission.resources()) {
                if (!allowed.matches(resource)) {
                    throw denied(caller, "RTM2 " + resourceName(permission.resourceType()) + " '" + resource
                            + "' matches none of " + allowed + (users ? " (identities)" : " (channels)"));
                }
            }
        }
    }

    /** "stream channel", "user", ...: one resource of {@code type}, as refusals name it. */
    static String resourceName(Rtm2TokenRequest.ResourceType type) {
        String plural = type.name().toLowerCase(Locale.ROOT).replace('_', ' ');
        return plural.substring(0, plural.length() - 1);
    }

    private static void checkBinding(Caller caller, ClaimBinding binding, List<RequestedService> services) {
        EndUser user = caller.endUser().orElseThrow(
                () -> denied(caller, "it is bound to token claims, but the call carries no end user's token"));
        for (int i = 0, n = services.size(); i < n; i++) {
            RequestedService s = services.get(i);
            String what = switch (s.kind()) {
                case RTC -> "RTC uid/account";
                case RTM -> "RTM user id";
                case CHAT -> "Chat user id";
                case APAAS -> "APaaS user uuid";
            };
            Optional<String> refusal = binding.identityRefusal(user, s.identity(), what);
            if (refusal.isEmpty() && s.channel().isPresent()) {
                refusal = binding.channelRefusal(user, s.channel().get());
            }
            // An end user's resources: their own user id only, channels and groups as the binding allows channels.
            for (int p = 0; refusal.isEmpty() && p < s.rtm2Permissions().size(); p++) {
                Rtm2TokenRequest.Permission permission = s.rtm2Permissions().get(p);
                for (int r = 0; refusal.isEmpty() && r < permission.resources().size(); r++) {
                    String resource = permission.resources().get(r);
                    refusal = permission.resourceType() == Rtm2TokenRequest.ResourceType.USERS
                            ? binding.identityRefusal(user, resource, "RTM2 user resource")
                            : binding.channelRefusal(user, resource);
                }
            }
            if (refusal.isPresent()) {
                throw denied(caller, refusal.get());
            }
        }
    }

    static String name(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    static String names(Collection<? extends Enum<?>> values) {
        StringBuilder b = new StringBuilder("[");
        for (Enum<?> e : values) {
            if (b.length() > 1) {
                b.append(", ");
            }
            b.append(name(e));
        }
        return b.append(']').toString();
    }

    private static StatusRuntimeException denied(Caller caller, String rule) {
        return denied("policy of caller '" + caller.name() + "': " + rule);
    }

    private static StatusRuntimeException denied(String description) {
        return Refusal.of(Status.PERMISSION_DENIED.withDescription(description));
    }
}
