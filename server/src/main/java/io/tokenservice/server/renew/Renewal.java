package io.tokenservice.server.renew;

import io.tokenservice.core.issue.ChatUserIds;
import io.tokenservice.core.issue.RtcRole;
import io.tokenservice.core.issue.Rtm2TokenRequest;
import io.tokenservice.core.issue.TokenLimits;
import io.tokenservice.core.token.AccessToken2;
import io.tokenservice.core.token.Privilege;
import io.tokenservice.core.token.Service;
import io.tokenservice.core.validation.InputRules;
import io.tokenservice.core.validation.InvalidTokenInputException;
import io.tokenservice.server.access.GrantRequest;
import io.tokenservice.server.access.RequestedService;
import io.tokenservice.server.access.Rpc;
import io.tokenservice.server.config.ServerConfig;
import io.tokenservice.server.rpc.RequestRules;
import io.tokenservice.server.rpc.RpcErrors;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * What a renewal re-signs: the old token's services with the same channel, identities and privilege
 * keys. A privilege that lasted as long as the old token lasts as long as the new one; a shorter one
 * keeps its lifetime relative to the issue time, capped at the new lifetime.
 * Only the grants this server issues are renewable (RTC join/publish, RTM login with or without RTM 2.x
 * permissions, Chat user or app, APaaS room user, user or app);
 * anything else is refused rather than re-signed unseen. The channel and identities must pass the same
 * input rules as a request to issue them ({@link InputRules}): a token signed with a certificate the
 * server holds but made by another tool (or before a rule existed) is not re-signed with, say, a NUL in
 * its account that an exact deny-list entry would not match.
 */
public record Renewal(long ttlSeconds, List<Service> services, GrantRequest grant) {
    private static final Set<Integer> RTC_KEYS = Set.of(Service.RTC_JOIN_CHANNEL, Service.RTC_PUBLISH_AUDIO_STREAM,
            Service.RTC_PUBLISH_VIDEO_STREAM, Service.RTC_PUBLISH_DATA_STREAM);

    public Renewal {
        services = List.copyOf(services);
    }

    /**
     * Plans the renewal of verified {@code token}. {@code requestedTtl} 0 = the original lifetime, lowered
     * to {@link TokenLimits#AGORA_MAX_TTL_SECONDS} and to {@code callerMaxTtl} (the caller's policy maximum,
     * if it has one). A non-zero {@code requestedTtl} is taken as is (the access gate judges it).
     *
     * @throws io.grpc.StatusRuntimeException INVALID_ARGUMENT (field {@code token}) for grants this
     *     server does not renew or would not issue
     */
    public static Renewal plan(AccessToken2 token, long requestedTtl, OptionalLong callerMaxTtl) {
        long ttl = requestedTtl;
        if (ttl == 0) {
            ttl = originalLifetime(token);
            if (callerMaxTtl.isPresent() && callerMaxTtl.getAsLong() > 0) {
                ttl = Math.min(ttl, callerMaxTtl.getAsLong());
            }
        }
        Optional<Service.Apaas> apaas = token.service(Service.Apaas.class);
        if (apaas.isPresent()) {
            return planApaas(token, apaas.get(), ttl);
        }
        List<Service> services = new ArrayList<>(token.services().size());
        List<RequestedService> requested = new ArrayList<>(token.services().size());
        for (Service service : token.services()) {
            if (service instanceof Service.Rtc rtc) {
                requireKeys(rtc, RTC_KEYS);
                if (rtc.privilege(Service.RTC_JOIN_CHANNEL).isEmpty()) {
                    throw notRenewable("its RTC grant has no join-channel privilege");
                }
                requireInput("its RTC channel", () -> InputRules.requireChannel("channel", rtc.channel()));
                requireInput("its RTC uid or account", () -> InputRules.requireAccount("account", rtc.uid()));
                services.add(new Service.Rtc(capped(rtc.privileges(), token.expire(), ttl), rtc.channel(), rtc.uid()));
                boolean publishes = rtc.privileges().size() > 1;
                requested.add(RequestedService.rtc(rtc.channel(), rtc.uid(),
                        publishes ? RtcRole.PUBLISHER : RtcRole.SUBSCRIBER));
            } else if (service instanceof Service.Rtm rtm) {
                requireKeys(rtm, Set.of(Service.RTM_LOGIN));
                if (rtm.userId().isEmpty()) {
                    throw notRenewable("its RTM grant has no user id");
                }
                requireInput("its RTM user id", () -> InputRules.requireRtmUserId("user_id", rtm.userId()));
                services.add(new Service.Rtm(capped(rtm.privileges(), token.expire(), ttl), rtm.userId()));
                requested.add(RequestedService.rtm(rtm.userId()));
            } else if (service instanceof Service.Rtm2 rtm2) {
                requireKeys(rtm2, Set.of(Service.RTM2_LOGIN));
                if (rtm2.privileges().isEmpty()) {
                    throw notRenewable("its RTM2 grant has no login privilege");
                }
                requireInput("its RTM2 user id", () -> InputRules.requireRtmUserId("user_id", rtm2.userId()));
                List<Rtm2TokenRequest.Permission> permissions = rtm2Permissions(rtm2);
                services.add(new Service.Rtm2(capped(rtm2.privileges(), token.expire(), ttl), rtm2.userId(),
                        rtm2.permissions()));
                requested.add(RequestedService.rtm(rtm2.userId(), permissions));
            } else if (service instanceof Service.Chat chat) {
                // A user token holds exactly the user privilege with a user id; an app token exactly the
                // app privilege without one. Mixtures are not re-signed (they could widen a grant).
                Set<Integer> expected = chat.userId().isEmpty() ? Set.of(Service.CHAT_APP) : Set.of(Service.CHAT_USER);
                requireKeys(chat, expected);
                if (chat.privileges().isEmpty()) {
                    throw notRenewable("its Chat grant has no privilege");
                }
                if (!chat.userId().isEmpty()) {
                    requireInput("its Chat user id", () -> InputRules.requireChatUserId("user_id", chat.userId()));
                }
                services.add(new Service.Chat(capped(chat.privileges(), token.expire(), ttl), chat.userId()));
                requested.add(RequestedService.chat(chat.userId()));
            } else {
                throw notRenewable("it grants the " + service.name()
                        + " service; only RTC, RTM (1.x and 2.x), Chat and APaaS tokens can be renewed");
            }
        }
        if (services.isEmpty()) {
            throw notRenewable("it grants no service");
        }
        return new Renewal(ttl, services, new GrantRequest(Rpc.RENEW_TOKEN, token.appId(), requested, ttl));
    }

    /**
     * The permissions of an RTM2 grant, held to the rules of IssueRtmToken: resource types and accesses it names,
     * at most {@link RequestRules#MAX_RTM2_RESOURCES} resources, valid names, no repeated pair.
     */
    private static List<Rtm2TokenRequest.Permission> rtm2Permissions(Service.Rtm2 rtm2) {
        List<Rtm2TokenRequest.Permission> permissions = new ArrayList<>(rtm2.permissions().size());
        int resources = 0;
        for (Service.Rtm2Permission encoded : rtm2.permissions()) {
            Rtm2TokenRequest.ResourceType type = null;
            for (Rtm2TokenRequest.ResourceType t : Rtm2TokenRequest.ResourceType.values()) {
                if (t.agoraValue() == encoded.resourceType()) {
                    type = t;
                }
            }
            Rtm2TokenRequest.Access access = null;
            for (Rtm2TokenRequest.Access a : Rtm2TokenRequest.Access.values()) {
                if (a.agoraValue() == encoded.permissionType()) {
                    access = a;
                }
            }
            if (type == null || access == null) {
                throw notRenewable("its RTM2 grant holds resource type " + encoded.resourceType() + " with permission "
                        + encoded.permissionType() + ", which this server does not issue");
            }
            resources += encoded.resources().size();
            permissions.add(Rtm2TokenRequest.permission(type, access, encoded.resources()));
        }
        if (resources > RequestRules.MAX_RTM2_RESOURCES) {
            throw notRenewable("its RTM2 grant names " + resources + " resources, more than the "
                    + RequestRules.MAX_RTM2_RESOURCES + " this server issues");
        }
        requireInput("its RTM2 permissions", () -> Rtm2TokenRequest.requireValidPermissions(permissions));
        return permissions;
    }

    /**
     * An APaaS token, only in one of the three shapes IssueApaasToken mints: a room user (RTM login as the user,
     * Chat login as the MD5 of the user, and the room-user grant), a user, or the app. Anything else could hide
     * an RTM or Chat login the APaaS grant does not account for.
     */
    private static Renewal planApaas(AccessToken2 token, Service.Apaas apaas, long ttl) {
        List<Service> services = new ArrayList<>(3);
        RequestedService requested;
        Set<Integer> keys = new HashSet<>();
        apaas.privileges().forEach(p -> keys.add(p.key()));
        String user = apaas.userUuid();
        if (keys.equals(Set.of(Service.APAAS_ROOM_USER))) {
            requireInput("its APaaS room uuid", () -> InputRules.requireChannel("room_uuid", apaas.roomUuid()));
            requireInput("its APaaS user uuid", () -> InputRules.requireRtmUserId("user_uuid", user));
            if (apaas.role() < 0) {
                throw notRenewable("its APaaS room-user grant has the negative role " + apaas.role());
            }
            Optional<Service.Rtm> rtm = token.service(Service.Rtm.class);
            Optional<Service.Chat> chat = token.service(Service.Chat.class);
            if (token.services().size() != 3 || rtm.isEmpty() || chat.isEmpty() || !rtm.get().userId().equals(user)
                    || !chat.get().userId().equals(ChatUserIds.md5Hex(user))) {
                throw notRenewable("its APaaS room-user grant does not come with exactly the RTM login as the user "
                        + "and the Chat login as the MD5 of the user that IssueApaasToken writes");
            }
            requireKeys(rtm.get(), Set.of(Service.RTM_LOGIN));
            requireKeys(chat.get(), Set.of(Service.CHAT_USER));
            services.add(new Service.Rtm(capped(rtm.get().privileges(), token.expire(), ttl), user));
            services.add(new Service.Chat(capped(chat.get().privileges(), token.expire(), ttl), chat.get().userId()));
            requested = RequestedService.apaasRoomUser(apaas.roomUuid(), user, apaas.role());
        } else if (keys.equals(Set.of(Service.APAAS_USER)) || keys.equals(Set.of(Service.APAAS_APP))) {
            boolean app = keys.contains(Service.APAAS_APP);
            if (token.services().size() != 1 || !apaas.roomUuid().isEmpty() || apaas.role() != -1
                    || app != user.isEmpty()) {
                throw notRenewable("its APaaS " + (app ? "app" : "user") + " grant is not one IssueApaasToken writes");
            }
            if (!app) {
                requireInput("its APaaS user uuid", () -> InputRules.requireRtmUserId("user_uuid", user));
            }
            requested = RequestedService.apaas(user);
        } else {
            throw notRenewable("its APaaS grant holds privileges " + keys + ", not exactly one of room user, user or"
                    + " app");
        }
        services.add(new Service.Apaas(capped(apaas.privileges(), token.expire(), ttl), apaas.roomUuid(), user,
                apaas.role()));
        return new Renewal(ttl, services, new GrantRequest(Rpc.RENEW_TOKEN, token.appId(), List.of(requested), ttl));
    }

    private static long originalLifetime(AccessToken2 token) {
        if (token.expire() == 0) {
            return ServerConfig.DEFAULT_TTL_SECONDS;
        }
        return Math.min(token.expire(), TokenLimits.AGORA_MAX_TTL_SECONDS);
    }

    /**
     * 0 stays 0 ("as long as the token"); a privilege as long as the old token follows the new lifetime,
     * otherwise a renewal with a longer ttl would hand out a token whose join privilege ends early.
     */
    private static List<Privilege> capped(List<Privilege> privileges, long oldTokenTtl, long ttl) {
        List<Privilege> result = new ArrayList<>(privileges.size());
        for (Privilege p : privileges) {
            long value = p.value() == 0 ? 0 : p.value() >= oldTokenTtl ? ttl : Math.min(p.value(), ttl);
            result.add(new Privilege(p.key(), value));
        }
        return result;
    }

    private static void requireKeys(Service service, Set<Integer> allowed) {
        for (Privilege p : service.privileges()) {
            if (!allowed.contains(p.key())) {
                throw notRenewable("its " + service.name() + " grant holds privilege " + p.key()
                        + ", which this server does not issue");
            }
        }
    }

    /** An input rule of issuing, applied to what the token holds. */
    private static void requireInput(String what, Runnable rule) {
        try {
            rule.run();
        } catch (InvalidTokenInputException e) {
            throw notRenewable(what + " " + e.rule() + ", so it would not be issued");
        }
    }

    private static io.grpc.StatusRuntimeException notRenewable(String why) {
        return RpcErrors.invalidArgument("token", "cannot be renewed: " + why + "; issue a new token instead");
    }
}
