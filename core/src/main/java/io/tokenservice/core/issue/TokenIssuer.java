package io.tokenservice.core.issue;

import io.tokenservice.core.token.AccessToken;
import io.tokenservice.core.token.AccessToken2;
import io.tokenservice.core.token.AccessToken2Codec;
import io.tokenservice.core.token.AccessTokenCodec;
import io.tokenservice.core.token.AppCredentials;
import io.tokenservice.core.token.Privilege;
import io.tokenservice.core.token.Service;
import io.tokenservice.core.validation.InputRules;
import io.tokenservice.core.validation.InvalidTokenInputException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Builds signed tokens from validated requests. Every input is checked against Agora's rules first;
 * invalid input raises {@link InvalidTokenInputException} and never yields a token. The issue time
 * comes from the injected clock and the salt from the injected source. Thread-safe.
 */
public final class TokenIssuer {
    /** 006 tokens always carry a token expiry of issue time + 24 h, as every reference builder writes. */
    public static final long LEGACY_TOKEN_LIFETIME_SECONDS = 24 * 60 * 60;
    /** The APaaS role of user and app tokens: none. */
    private static final short NO_APAAS_ROLE = -1;

    private final Clock clock;
    private final SaltSource salts;
    private final TokenLimits limits;

    public TokenIssuer(Clock clock, SaltSource salts, TokenLimits limits) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.salts = Objects.requireNonNull(salts, "salts");
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    /** System clock, {@link SaltSource#secure()} salts, Agora's 24-hour maximum. */
    public static TokenIssuer createDefault() {
        return new TokenIssuer(Clock.systemUTC(), SaltSource.secure(), TokenLimits.agoraDefault());
    }

    public TokenLimits limits() {
        return limits;
    }

    public IssuedToken issueRtc(AppCredentials app, RtcTokenRequest request) {
        return sign(app, request.ttlSeconds(), rtcServices(request));
    }

    public IssuedToken issueRtm(AppCredentials app, RtmTokenRequest request) {
        return sign(app, request.ttlSeconds(), List.of(rtmService("userId", request)));
    }

    public IssuedToken issueChat(AppCredentials app, ChatTokenRequest request) {
        InputRules.requireTtl("ttlSeconds", request.ttlSeconds(), limits.maxTtlSeconds());
        Service chat;
        if (request.userId().isPresent()) {
            InputRules.requireChatUserId("userId", request.userId().get());
            chat = new Service.Chat(List.of(new Privilege(Service.CHAT_USER, request.ttlSeconds())), request.userId().get());
        } else {
            chat = new Service.Chat(List.of(new Privilege(Service.CHAT_APP, request.ttlSeconds())), "");
        }
        return sign(app, request.ttlSeconds(), List.of(chat));
    }

    /** An FPA login token, as Agora's {@code FpaTokenBuilder} writes it for the same lifetime. */
    public IssuedToken issueFpa(AppCredentials app, FpaTokenRequest request) {
        // Agora's builders give the login no lifetime of its own (0), whatever the token's.
        return sign(app, request.ttlSeconds(), List.of(new Service.Fpa(List.of(new Privilege(Service.FPA_LOGIN, 0)))));
    }

    /**
     * An APaaS (Flexible Classroom) token. A room-user token also logs the user in to RTM (as
     * {@code userUuid}) and to Chat (as the lower-case hex MD5 of {@code userUuid}), each for the
     * token's lifetime, as Agora's Go and Python builders write it (its Java builder leaves the Chat
     * login without a privilege, and drops a leading zero from one MD5 in 256).
     */
    public IssuedToken issueApaas(AppCredentials app, ApaasTokenRequest request) {
        long ttl = request.ttlSeconds();
        InputRules.requireTtl("ttlSeconds", ttl, limits.maxTtlSeconds());
        List<Service> services;
        if (request instanceof ApaasTokenRequest.RoomUser roomUser) {
            InputRules.requireChannel("roomUuid", roomUser.roomUuid());
            InputRules.requireRtmUserId("userUuid", roomUser.userUuid());
            if (roomUser.role() < 0) {
                throw new InvalidTokenInputException("role", "must not be negative");
            }
            // Ascending service type, the order every reference builder writes.
            services = List.of(
                    new Service.Rtm(List.of(new Privilege(Service.RTM_LOGIN, ttl)), roomUser.userUuid()),
                    new Service.Chat(List.of(new Privilege(Service.CHAT_USER, ttl)), ChatUserIds.md5Hex(roomUser.userUuid())),
                    new Service.Apaas(List.of(new Privilege(Service.APAAS_ROOM_USER, ttl)),
                            roomUser.roomUuid(), roomUser.userUuid(), roomUser.role()));
        } else if (request instanceof ApaasTokenRequest.User user) {
            InputRules.requireRtmUserId("userUuid", user.userUuid());
            services = List.of(new Service.Apaas(List.of(new Privilege(Service.APAAS_USER, ttl)),
                    "", user.userUuid(), NO_APAAS_ROLE));
        } else {
            services = List.of(new Service.Apaas(List.of(new Privilege(Service.APAAS_APP, ttl)), "", "", NO_APAAS_ROLE));
        }
        return sign(app, ttl, services);
    }

    /**
     * RTM login with resource permissions (the RTM2 service), as Agora's
     * {@code RtmTokenBuilder2.buildTokenWithPermissions} writes it. Each resource type and access
     * pair may appear once; its resources keep the order given.
     */
    public IssuedToken issueRtm2(AppCredentials app, Rtm2TokenRequest request) {
        InputRules.requireRtmUserId("userId", request.userId());
        InputRules.requireTtl("ttlSeconds", request.ttlSeconds(), limits.maxTtlSeconds());
        Rtm2TokenRequest.requireValidPermissions(request.permissions());
        List<Service.Rtm2Permission> permissions = new ArrayList<>(request.permissions().size());
        for (Rtm2TokenRequest.Permission permission : request.permissions()) {
            permissions.add(new Service.Rtm2Permission(permission.resourceType().agoraValue(),
                    permission.access().agoraValue(), permission.resources()));
        }
        return sign(app, request.ttlSeconds(), List.of(new Service.Rtm2(
                List.of(new Privilege(Service.RTM2_LOGIN, request.ttlSeconds())), request.userId(), permissions)));
    }

    /**
     * Re-signs {@code services} as a new token (new issue time and salt) that lives {@code ttlSeconds}.
     * The services are written as given; privilege lifetimes are checked against the new lifetime.
     */
    public IssuedToken reissue(AppCredentials app, long ttlSeconds, List<Service> services) {
        InputRules.requireTtl("ttlSeconds", ttlSeconds, limits.maxTtlSeconds());
        for (Service service : services) {
            for (Privilege p : service.privileges()) {
                // 0 stays allowed: it means "as long as the token" (FPA tokens carry it).
                if (p.value() > ttlSeconds) {
                    throw new InvalidTokenInputException("services", "privilege " + p.key() + " of the "
                            + service.name() + " service lasts " + p.value()
                            + " s, more than the token lifetime of " + ttlSeconds + " seconds");
                }
            }
        }
        return sign(app, ttlSeconds, services);
    }

    /**
     * A 006 RTC token. {@code privilegeExpireTs} is an absolute Unix time, after now and at most the
     * limit away; the token itself expires 24 hours after issue, as the reference builders write it.
     */
    public String issueLegacyRtc(AppCredentials app, String channel, RtcIdentity identity, LegacyRole role,
            long privilegeExpireTs) {
        InputRules.requireChannel("channel", channel);
        if (identity instanceof RtcIdentity.Account account) {
            InputRules.requireAccount("account", account.account());
        }
        long now = clock.instant().getEpochSecond();
        requireAbsoluteExpiry(now, privilegeExpireTs);
        List<Privilege> privileges = new ArrayList<>(4);
        privileges.add(new Privilege(AccessToken.JOIN_CHANNEL, privilegeExpireTs));
        if (role.publishes()) {
            privileges.add(new Privilege(AccessToken.PUBLISH_AUDIO_STREAM, privilegeExpireTs));
            privileges.add(new Privilege(AccessToken.PUBLISH_VIDEO_STREAM, privilegeExpireTs));
            privileges.add(new Privilege(AccessToken.PUBLISH_DATA_STREAM, privilegeExpireTs));
        }
        return AccessTokenCodec.encode(app.appId(), app.appCertificate(), channel, identity.encoded(),
                salts.nextSalt(), now + LEGACY_TOKEN_LIFETIME_SECONDS, privileges);
    }

    /** A 006 RTM token: the user id is signed in the channel slot, the uid slot is empty. */
    public String issueLegacyRtm(AppCredentials app, String userId, long privilegeExpireTs) {
        InputRules.requireRtmUserId("userId", userId);
        long now = clock.instant().getEpochSecond();
        requireAbsoluteExpiry(now, privilegeExpireTs);
        return AccessTokenCodec.encode(app.appId(), app.appCertificate(), userId, "",
                salts.nextSalt(), now + LEGACY_TOKEN_LIFETIME_SECONDS,
                List.of(new Privilege(AccessToken.RTM_LOGIN, privilegeExpireTs)));
    }

    private List<Service> rtcServices(RtcTokenRequest request) {
        InputRules.requireChannel("channel", request.channel());
        if (request.identity() instanceof RtcIdentity.Account account) {
            InputRules.requireAccount("account", account.account());
        }
        long ttl = request.ttlSeconds();
        InputRules.requireTtl("ttlSeconds", ttl, limits.maxTtlSeconds());
        RtcPrivilegeTtls ttls = request.privilegeTtls().orElse(RtcPrivilegeTtls.uniform(ttl));
        List<Privilege> privileges = new ArrayList<>(4);
        privileges.add(privilege("privilegeTtls.joinChannel", Service.RTC_JOIN_CHANNEL, ttls.joinChannel(), ttl));
        if (request.role() == RtcRole.PUBLISHER) {
            privileges.add(privilege("privilegeTtls.publishAudio", Service.RTC_PUBLISH_AUDIO_STREAM, ttls.publishAudio(), ttl));
            privileges.add(privilege("privilegeTtls.publishVideo", Service.RTC_PUBLISH_VIDEO_STREAM, ttls.publishVideo(), ttl));
            privileges.add(privilege("privilegeTtls.publishData", Service.RTC_PUBLISH_DATA_STREAM, ttls.publishData(), ttl));
        }
        Service rtc = new Service.Rtc(privileges, request.channel(), request.identity().encoded());
        if (request.rtm().isEmpty()) {
            return List.of(rtc);
        }
        return List.of(rtc, rtmService("rtm.userId", request.rtm().get()));
    }

    private Service rtmService(String field, RtmTokenRequest request) {
        InputRules.requireRtmUserId(field, request.userId());
        String ttlField = field.equals("userId") ? "ttlSeconds" : "rtm.ttlSeconds";
        InputRules.requireTtl(ttlField, request.ttlSeconds(), limits.maxTtlSeconds());
        return new Service.Rtm(List.of(new Privilege(Service.RTM_LOGIN, request.ttlSeconds())), request.userId());
    }

    private static Privilege privilege(String field, int key, long seconds, long tokenTtl) {
        if (seconds <= 0) {
            throw new InvalidTokenInputException(field, "must be positive");
        }
        if (seconds > tokenTtl) {
            throw new InvalidTokenInputException(field, "must not exceed the token lifetime of " + tokenTtl + " seconds");
        }
        return new Privilege(key, seconds);
    }

    private IssuedToken sign(AppCredentials app, long ttlSeconds, List<Service> services) {
        InputRules.requireTtl("ttlSeconds", ttlSeconds, limits.maxTtlSeconds());
        long issueTs = clock.instant().getEpochSecond();
        AccessToken2 content = new AccessToken2(app.appId(), issueTs, ttlSeconds, salts.nextSalt(), services);
        return new IssuedToken(AccessToken2Codec.encode(content, app.appCertificate()), content);
    }

    private void requireAbsoluteExpiry(long now, long privilegeExpireTs) {
        if (privilegeExpireTs <= now) {
            throw new InvalidTokenInputException("privilegeExpireTs", "must be in the future (absolute Unix seconds)");
        }
        if (privilegeExpireTs - now > limits.maxTtlSeconds()) {
            throw new InvalidTokenInputException("privilegeExpireTs",
                    "must be at most " + limits.maxTtlSeconds() + " seconds from now");
        }
    }
}
