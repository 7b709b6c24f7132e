package io.tokenservice.server.inspect;

import io.tokenservice.core.issue.RtcIdentity;
import io.tokenservice.core.token.AccessToken;
import io.tokenservice.core.token.AccessTokenCodec;
import io.tokenservice.core.token.AccessToken2;
import io.tokenservice.core.token.DecodedToken;
import io.tokenservice.core.token.ParsedAccessToken;
import io.tokenservice.core.token.ParsedAccessToken2;
import io.tokenservice.core.token.Privilege;
import io.tokenservice.core.token.Service;
import io.tokenservice.proto.grant.ServiceGrants;
import io.tokenservice.proto.v1.InspectTokenResponse;
import io.tokenservice.proto.v1.Problem;
import io.tokenservice.proto.v1.ProblemCode;
import io.tokenservice.proto.v1.PrivilegeGrant;
import io.tokenservice.proto.v1.ServiceGrant;
import io.tokenservice.proto.v1.ServiceType;
import io.tokenservice.proto.v1.SignatureStatus;
import io.tokenservice.proto.v1.TokenVersion;
import io.tokenservice.server.config.AppKeys;
import io.tokenservice.server.config.AppRegistry;
import io.tokenservice.server.rpc.ProtoGrants;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Explains a decoded 006 or 007 token: what it grants, whether this server's certificates verify it,
 * and whether Agora would accept it for the client's intended channel, identity and app (and if not,
 * why, in the words of the error the client sees). Pure: the time is passed in.
 */
public final class TokenInspector {
    /** How far in the future an issue time may lie before the issuer's clock is called wrong. */
    public static final Duration ALLOWED_CLOCK_SKEW = Duration.ofSeconds(60);
    private static final long CRC_OF_EMPTY = AccessTokenCodec.crc32("");

    private final AppRegistry apps;

    public TokenInspector(AppRegistry apps) {
        this.apps = Objects.requireNonNull(apps, "apps");
    }

    public InspectTokenResponse inspect(DecodedToken token, Intent intent, Instant now) {
        if (token instanceof ParsedAccessToken2 v007) {
            return inspect007(v007, intent, now);
        }
        return inspect006((ParsedAccessToken) token, intent, now);
    }

    /** A problem found, with whether it prevents acceptance. */
    private record Finding(ProblemCode code, String message, String field, boolean blocking) {}

    private InspectTokenResponse inspect007(ParsedAccessToken2 parsed, Intent intent, Instant now) {
        AccessToken2 token = parsed.content();
        InspectTokenResponse.Builder response = InspectTokenResponse.newBuilder()
                .setVersion(TokenVersion.TOKEN_VERSION_007)
                .setAppId(token.appId())
                .setIssuedAt(ProtoGrants.timestamp(token.issueTs()))
                .setExpiresAt(ProtoGrants.timestamp(token.issueTs() + token.expire()))
                .setSalt((int) token.salt());
        for (Service service : token.services()) {
            response.addServices(ServiceGrants.of(service, token.issueTs()));
        }
        List<Finding> findings = new ArrayList<>();

        Optional<AppKeys> app = apps.find(token.appId());
        SignatureStatus signature;
        String signatureText;
        if (app.isEmpty()) {
            signature = SignatureStatus.SIGNATURE_STATUS_UNKNOWN_APP;
            signatureText = "not checked: this server holds no certificate for app " + token.appId();
            findings.add(unknownApp(token.appId()));
        } else {
            Optional<String> certificate = parsed.verifyingCertificate(app.get().certificates());
            if (certificate.isPresent()) {
                signature = SignatureStatus.SIGNATURE_STATUS_VALID;
                signatureText = app.get().isPrimary(certificate.get())
                        ? "valid (signed with the app's primary certificate)"
                        : "valid (signed with the app's secondary certificate: a rotation is in progress; "
                                + "tokens signed with it stop working once Agora no longer accepts that certificate)";
            } else {
                signature = SignatureStatus.SIGNATURE_STATUS_INVALID;
                signatureText = "INVALID";
                findings.add(new Finding(ProblemCode.PROBLEM_CODE_SIGNATURE_INVALID,
                        "The signature does not verify with any certificate this server holds for app "
                                + token.appId() + ": the token was altered, or signed with another certificate "
                                + "(another environment's, or one rotated out). Agora rejects it with error 110 "
                                + "(invalid token) unless that other certificate is the app's active one.",
                        "token", true));
            }
        }
        wrongApp(token.appId(), intent).ifPresent(findings::add);

        Instant expiresAt = token.expiresAt();
        boolean expired = !now.isBefore(expiresAt);
        if (expired) {
            findings.add(expiredFinding(expiresAt, now));
        }
        Instant issuedAt = token.issuedAt();
        if (issuedAt.isAfter(now.plus(ALLOWED_CLOCK_SKEW))) {
            findings.add(new Finding(ProblemCode.PROBLEM_CODE_NOT_YET_VALID,
                    "The token's issue time " + issuedAt + " is " + human(Duration.between(now, issuedAt))
                            + " in the future (server time now " + now + "): the issuer's clock is wrong. "
                            + "Agora rejects tokens issued in the future.",
                    "token", true));
        }

        Optional<Service.Rtc> rtc = token.service(Service.Rtc.class);
        if (intent.joinsChannel()) {
            if (rtc.isEmpty()) {
                findings.add(noRtcService());
            } else {
                if (rtc.get().privilege(Service.RTC_JOIN_CHANNEL).isEmpty()) {
                    findings.add(missingJoin());
                }
                String tokenChannel = rtc.get().channel();
                intent.channel().filter(channel -> !channel.equals(tokenChannel)).ifPresent(channel ->
                        findings.add(new Finding(ProblemCode.PROBLEM_CODE_WRONG_CHANNEL,
                                "The token is for channel \"" + tokenChannel + "\", but the client joins channel \""
                                        + channel + "\" (channel names are case-sensitive and must match exactly). "
                                        + "Agora error 110 (invalid token).",
                                "channel", true)));
                intent.identity().flatMap(identity -> uidMismatch007(rtc.get().uid(), identity))
                        .ifPresent(findings::add);
            }
        }
        if (!expired) {
            for (Service service : token.services()) {
                for (Privilege p : service.privileges()) {
                    if (p.value() != 0 && !now.isBefore(token.privilegeExpiresAt(p.value()))) {
                        findings.add(privilegeExpired(service.type(), p.key(),
                                ServiceGrants.privilege(service.type(), p.key()),
                                token.privilegeExpiresAt(p.value()), expiresAt));
                    }
                }
            }
        }
        if (rtc.isPresent() && rtc.get().uid().isEmpty()) {
            findings.add(wildcard());
        }

        List<String> grants = new ArrayList<>();
        for (Service service : token.services()) {
            grants.add(describe007(service, token));
        }
        if (parsed.unknownServiceType().isPresent()) {
            grants.add("a service of type " + parsed.unknownServiceType().getAsInt()
                    + " that this server does not know (the rest of the token could not be read)");
        }
        String header = "007 token for app " + token.appId() + ", issued " + issuedAt + ", "
                + (expired ? "expired " : "expires ") + expiresAt + " (" + relative(expiresAt, now)
                + "; server time now " + now + ").";
        return finish(response, signature, signatureText, findings, header, grants, intent);
    }

    private InspectTokenResponse inspect006(ParsedAccessToken parsed, Intent intent, Instant now) {
        AccessToken token = parsed.content();
        InspectTokenResponse.Builder response = InspectTokenResponse.newBuilder()
                .setVersion(TokenVersion.TOKEN_VERSION_006)
                .setAppId(token.appId())
                .setSalt((int) token.salt())
                .setCrcChannel((int) token.crcChannel())
                .setCrcUid((int) token.crcUid());
        if (token.expireTs() != 0) {
            response.setExpiresAt(ProtoGrants.timestamp(token.expireTs()));
        }
        Optional<String> knownChannel = intent.channel().filter(c -> AccessTokenCodec.crc32(c) == token.crcChannel());
        boolean wildcardUid = token.crcUid() == CRC_OF_EMPTY;
        Optional<String> knownUid = wildcardUid
                ? Optional.of("")
                : intent.identity().map(Intent.Identity::tokenUid).filter(u -> AccessTokenCodec.crc32(u) == token.crcUid());

        ServiceGrant.Builder rtcGrant = ServiceGrant.newBuilder().setService(ServiceType.SERVICE_TYPE_RTC);
        ServiceGrant.Builder rtmGrant = ServiceGrant.newBuilder().setService(ServiceType.SERVICE_TYPE_RTM);
        boolean hasRtc = false;
        boolean hasRtm = false;
        List<String> rtcPrivileges = new ArrayList<>();
        for (Privilege p : token.privileges()) {
            PrivilegeGrant.Builder grant = PrivilegeGrant.newBuilder()
                    .setPrivilege(ProtoGrants.privilege006(p.key()))
                    .setAgoraKey(p.key());
            if (p.value() != 0) {
                grant.setExpiresAt(ProtoGrants.timestamp(p.value()));
            }
            if (p.key() == AccessToken.RTM_LOGIN) {
                rtmGrant.addPrivileges(grant);
                hasRtm = true;
            } else {
                rtcGrant.addPrivileges(grant);
                hasRtc = true;
                rtcPrivileges.add(privilegeName(ProtoGrants.privilege006(p.key()), p.key()) + " "
                        + until006(p.value()));
            }
        }
        knownChannel.ifPresent(rtcGrant::setChannel);
        knownUid.ifPresent(rtcGrant::setUid);
        if (hasRtc || !hasRtm) {
            response.addServices(rtcGrant);
        }
        if (hasRtm) {
            response.addServices(rtmGrant);
        }

        List<Finding> findings = new ArrayList<>();
        Optional<AppKeys> app = apps.find(token.appId());
        SignatureStatus signature;
        String signatureText;
        if (app.isEmpty()) {
            signature = SignatureStatus.SIGNATURE_STATUS_UNKNOWN_APP;
            signatureText = "not checked: this server holds no certificate for app " + token.appId();
            findings.add(unknownApp(token.appId()));
        } else if (knownChannel.isEmpty() || knownUid.isEmpty()) {
            signature = SignatureStatus.SIGNATURE_STATUS_NOT_CHECKED;
            signatureText = "not checked: a 006 signature covers only the CRC32 of the channel and uid, so it "
                    + "can be checked only when the request supplies the channel and uid/account the token was made "
                    + "for";
            if (intent.channel().isEmpty() || intent.identity().isEmpty()) {
                findings.add(new Finding(ProblemCode.PROBLEM_CODE_SIGNATURE_NOT_CHECKED,
                        "The signature of a 006 token can be checked only against the channel and uid/account it "
                                + "was made for: supply both to get a verdict.",
                        intent.channel().isEmpty() ? "channel" : "uid", false));
            }
        } else {
            Optional<String> verifying = Optional.empty();
            for (String certificate : app.get().certificates()) {
                if (parsed.verify(certificate, knownChannel.get(), knownUid.get())) {
                    verifying = Optional.of(certificate);
                    break;
                }
            }
            if (verifying.isPresent()) {
                signature = SignatureStatus.SIGNATURE_STATUS_VALID;
                signatureText = app.get().isPrimary(verifying.get())
                        ? "valid (signed with the app's primary certificate)"
                        : "valid (signed with the app's secondary certificate: a rotation is in progress)";
            } else {
                signature = SignatureStatus.SIGNATURE_STATUS_INVALID;
                signatureText = "INVALID";
                findings.add(new Finding(ProblemCode.PROBLEM_CODE_SIGNATURE_INVALID,
                        "The signature does not verify with any certificate this server holds for app "
                                + token.appId() + " for channel \"" + knownChannel.get() + "\" and "
                                + (knownUid.get().isEmpty() ? "the wildcard uid" : "uid \"" + knownUid.get() + "\"")
                                + ": the token was altered, or signed with another certificate. Agora error 110 "
                                + "(invalid token) unless that certificate is the app's active one.",
                        "token", true));
            }
        }
        wrongApp(token.appId(), intent).ifPresent(findings::add);

        boolean expired = token.expireTs() != 0 && !now.isBefore(token.expiresAt());
        if (expired) {
            findings.add(expiredFinding(token.expiresAt(), now));
        }
        if (intent.joinsChannel()) {
            if (!hasRtc) {
                findings.add(noRtcService());
            } else {
                if (token.privilege(AccessToken.JOIN_CHANNEL).isEmpty()) {
                    findings.add(missingJoin());
                }
                intent.channel().filter(channel -> AccessTokenCodec.crc32(channel) != token.crcChannel()).ifPresent(channel ->
                        findings.add(new Finding(ProblemCode.PROBLEM_CODE_WRONG_CHANNEL,
                                "The token was made for another channel than \"" + channel + "\": it records channel "
                                        + "CRC32 " + token.crcChannel() + ", but CRC32(\"" + channel + "\") is "
                                        + AccessTokenCodec.crc32(channel) + " (channel names are case-sensitive). "
                                        + "Agora error 110 (invalid token).",
                                "channel", true)));
                intent.identity().filter(identity -> !wildcardUid && AccessTokenCodec.crc32(identity.tokenUid()) != token.crcUid())
                        .ifPresent(identity -> findings.add(new Finding(ProblemCode.PROBLEM_CODE_UID_MISMATCH,
                                "The token was made for another identity than the client's " + identity
                                        + (identity.isUid() && identity.uid() == 0
                                                ? " (uid 0 lets Agora pick a uid, which only a wildcard token accepts)"
                                                : "")
                                        + ": it records uid CRC32 " + token.crcUid() + ", but CRC32(\""
                                        + identity.tokenUid() + "\") is " + AccessTokenCodec.crc32(identity.tokenUid())
                                        + ". Agora error 110 (invalid token).",
                                identity.field(), true)));
            }
        }
        if (!expired) {
            for (Privilege p : token.privileges()) {
                if (p.value() != 0 && !now.isBefore(Instant.ofEpochSecond(p.value()))) {
                    findings.add(privilegeExpired006(p.key(), Instant.ofEpochSecond(p.value())));
                }
            }
        }
        if (hasRtc && wildcardUid) {
            findings.add(wildcard());
        }

        List<String> grants = new ArrayList<>();
        if (hasRtc) {
            grants.add("RTC in " + knownChannel.map(c -> "channel \"" + c + "\"").orElse("the channel with CRC32 "
                    + token.crcChannel()) + " as " + (wildcardUid ? "anyone (wildcard uid)"
                    : knownUid.map(u -> "\"" + u + "\"").orElse("the uid with CRC32 " + token.crcUid()))
                    + " (" + String.join(", ", rtcPrivileges) + ")");
        }
        if (hasRtm) {
            grants.add("RTM login " + until006(token.privilege(AccessToken.RTM_LOGIN).orElse(0L)));
        }
        if (!hasRtc && !hasRtm) {
            grants.add("no privilege at all");
        }
        String header = "006 token for app " + token.appId() + " (006 tokens do not record their issue time), "
                + (token.expireTs() == 0 ? "with no token expiry"
                        : (expired ? "expired " : "expires ") + token.expiresAt() + " (" + relative(token.expiresAt(), now) + ")")
                + "; server time now " + now + ".";
        return finish(response, signature, signatureText, findings, header, grants, intent);
    }

    private static InspectTokenResponse finish(InspectTokenResponse.Builder response, SignatureStatus signature,
            String signatureText, List<Finding> findings, String header, List<String> grants, Intent intent) {
        List<Finding> ordered = new ArrayList<>(findings);
        ordered.sort(Comparator.comparing(finding -> !finding.blocking()));
        boolean blocked = false;
        for (Finding finding : ordered) {
            response.addProblems(Problem.newBuilder()
                    .setCode(finding.code())
                    .setMessage(finding.message())
                    .setField(finding.field()));
            blocked |= finding.blocking();
        }
        boolean accepted = signature == SignatureStatus.SIGNATURE_STATUS_VALID && !blocked;
        response.setSignature(signature).setAccepted(accepted);

        StringBuilder summary = new StringBuilder(header);
        summary.append(" It grants: ").append(grants.isEmpty() ? "nothing" : String.join("; ", grants)).append('.');
        summary.append(" Signature: ").append(signatureText).append('.');
        String target = target(intent);
        if (accepted) {
            summary.append(" Verdict: Agora would accept it").append(target).append('.');
        } else if (blocked) {
            summary.append(" Verdict: Agora would reject it").append(target).append(errorHint(ordered)).append('.');
        } else {
            summary.append(" Verdict: this server cannot vouch for it, because it could not verify the signature.");
        }
        for (Finding finding : ordered) {
            summary.append(' ').append(finding.blocking() ? "" : "Note: ").append(finding.message());
        }
        return response.setSummary(summary.toString()).build();
    }

    private static String target(Intent intent) {
        StringBuilder target = new StringBuilder();
        intent.channel().ifPresent(channel -> target.append(" for channel \"").append(channel).append('"'));
        intent.identity().ifPresent(identity -> target.append(" as ").append(identity));
        intent.appId().ifPresent(appId -> target.append(" with app ").append(appId));
        return target.toString();
    }

    private static String errorHint(List<Finding> findings) {
        boolean invalid = false;
        boolean expired = false;
        for (Finding finding : findings) {
            if (!finding.blocking()) {
                continue;
            }
            switch (finding.code()) {
                case PROBLEM_CODE_EXPIRED, PROBLEM_CODE_PRIVILEGE_EXPIRED -> expired = true;
                default -> invalid = true;
            }
        }
        if (invalid && expired) {
            return " (the client sees error 110 \"invalid token\" or 109 \"token expired\")";
        }
        return invalid ? " (the client sees error 110 \"invalid token\")" : " (the client sees error 109 \"token expired\")";
    }

    private static Finding unknownApp(String appId) {
        return new Finding(ProblemCode.PROBLEM_CODE_UNKNOWN_APP,
                "This server holds no certificate for app " + appId + ", so it cannot check the signature: "
                        + "whether Agora accepts the token depends on a certificate this server does not know.",
                "token", false);
    }

    private static Optional<Finding> wrongApp(String tokenAppId, Intent intent) {
        return intent.appId().filter(appId -> !appId.equals(tokenAppId)).map(appId -> new Finding(
                ProblemCode.PROBLEM_CODE_WRONG_APP,
                "The token is for app " + tokenAppId + ", but the client's SDK is initialised with app " + appId
                        + (appId.equalsIgnoreCase(tokenAppId) ? " (they differ only in letter case)" : "")
                        + ". Agora error 110 (invalid token).",
                "app_id", true));
    }

    private static Finding expiredFinding(Instant expiresAt, Instant now) {
        return new Finding(ProblemCode.PROBLEM_CODE_EXPIRED,
                "The token expired at " + expiresAt + ", " + human(Duration.between(expiresAt, now))
                        + " ago (server time now " + now + "). Agora error 109 (token expired): renew it before "
                        + "it expires, or issue a new one.",
                "token", true);
    }

    private static Finding noRtcService() {
        return new Finding(ProblemCode.PROBLEM_CODE_NO_RTC_SERVICE,
                "The token grants no RTC service, so it cannot be used to join a channel. Agora error 110 "
                        + "(invalid token): issue an RTC token.",
                "token", true);
    }

    private static Finding missingJoin() {
        return new Finding(ProblemCode.PROBLEM_CODE_MISSING_PRIVILEGE,
                "The token's RTC grant lacks the join-channel privilege, so it cannot be used to join. "
                        + "Agora error 110 (invalid token).",
                "token", true);
    }

    private static Finding wildcard() {
        return new Finding(ProblemCode.PROBLEM_CODE_UID_WILDCARD,
                "The token's identity is the wildcard (uid 0 / empty account): anyone holding it may join as any "
                        + "identity. This does not prevent acceptance.",
                "token", false);
    }

    private static Optional<Finding> uidMismatch007(String tokenUid, Intent.Identity identity) {
        if (tokenUid.isEmpty() || tokenUid.equals(identity.tokenUid())) {
            return Optional.empty();
        }
        boolean numeric = RtcIdentity.isUid(tokenUid);
        String tokenIdentity = numeric ? "uid " + tokenUid : "user account \"" + tokenUid + "\"";
        String advice;
        if (identity.isUid() && identity.uid() == 0) {
            advice = "the client joins with uid 0, which lets Agora pick a uid; only a wildcard token accepts that. "
                    + "Join with " + (numeric ? "uid " + tokenUid : "joinChannelWithUserAccount(\"" + tokenUid + "\")")
                    + ", or issue a token for the identity the client uses";
        } else if (identity.isUid() && !numeric) {
            advice = "the client joins with integer uid " + identity.uid() + ". Join with joinChannelWithUserAccount(\""
                    + tokenUid + "\"), or issue a token for uid " + identity.uid();
        } else if (!identity.isUid() && numeric) {
            advice = "the client joins with user account \"" + identity.account() + "\". Join with joinChannel(uid "
                    + tokenUid + "), or issue a token for that account";
        } else {
            advice = "the client joins as " + identity + (identity.isUid() ? "" : " (accounts are case-sensitive)")
                    + ". Issue a token for the identity the client uses";
        }
        return Optional.of(new Finding(ProblemCode.PROBLEM_CODE_UID_MISMATCH,
                "The token is for " + tokenIdentity + ", but " + advice + ". Agora error 110 (invalid token).",
                identity.field(), true));
    }

    private static Finding privilegeExpired(int serviceType, int key, io.tokenservice.proto.v1.Privilege privilege,
            Instant at, Instant tokenExpiresAt) {
        boolean essential = (serviceType == Service.TYPE_RTC && key == Service.RTC_JOIN_CHANNEL)
                || (serviceType == Service.TYPE_RTM && key == Service.RTM_LOGIN)
                || (serviceType == Service.TYPE_RTM2 && key == Service.RTM2_LOGIN)
                || serviceType == Service.TYPE_CHAT || serviceType == Service.TYPE_APAAS;
        String name = privilege != io.tokenservice.proto.v1.Privilege.PRIVILEGE_OTHER
                ? privilegeName(privilege, key)
                : Service.nameOf(serviceType) + " privilege " + key;
        return new Finding(ProblemCode.PROBLEM_CODE_PRIVILEGE_EXPIRED,
                "The " + name + " privilege expired at " + at + ", while the token is valid until "
                        + tokenExpiresAt + (essential
                                ? ": Agora rejects the token for this use (error 109, token expired). Renew it."
                                : ": joining works, but " + consequence(privilege) + ". Renew the token to keep it."),
                "token", essential);
    }

    private static Finding privilegeExpired006(int key, Instant at) {
        boolean essential = key == AccessToken.JOIN_CHANNEL || key == AccessToken.RTM_LOGIN;
        io.tokenservice.proto.v1.Privilege privilege = ProtoGrants.privilege006(key);
        return new Finding(ProblemCode.PROBLEM_CODE_PRIVILEGE_EXPIRED,
                "The " + privilegeName(privilege, key) + " privilege expired at " + at + (essential
                        ? ": Agora rejects the token for this use (error 109, token expired). Issue a new token."
                        : ": joining works, but " + consequence(privilege) + ". Issue a new token to keep it."),
                "token", essential);
    }

    private static String consequence(io.tokenservice.proto.v1.Privilege privilege) {
        return switch (privilege) {
            case PRIVILEGE_RTC_PUBLISH_AUDIO_STREAM -> "publishing audio fails";
            case PRIVILEGE_RTC_PUBLISH_VIDEO_STREAM -> "publishing video fails";
            case PRIVILEGE_RTC_PUBLISH_DATA_STREAM -> "publishing data streams fails";
            default -> "whatever this privilege allows fails";
        };
    }

    private static String describe007(Service service, AccessToken2 token) {
        List<String> privileges = new ArrayList<>();
        for (Privilege p : service.privileges()) {
            privileges.add(privilegeName(ServiceGrants.privilege(service.type(), p.key()), p.key()) + " "
                    + (p.value() == 0 ? "until the token expires" : "until " + token.privilegeExpiresAt(p.value())));
        }
        String what;
        if (service instanceof Service.Rtc rtc) {
            what = "RTC in channel \"" + rtc.channel() + "\" as " + (rtc.uid().isEmpty() ? "anyone (wildcard)"
                    : RtcIdentity.isUid(rtc.uid()) ? "uid " + rtc.uid() : "user account \"" + rtc.uid() + "\"");
        } else if (service instanceof Service.Rtm rtm) {
            what = "RTM as user \"" + rtm.userId() + "\"";
        } else if (service instanceof Service.Rtm2 rtm2) {
            List<String> permissions = new ArrayList<>();
            for (Service.Rtm2Permission p : rtm2.permissions()) {
                permissions.add(rtm2Access(p.permissionType()) + " " + rtm2Resources(p.resourceType()) + " "
                        + p.resources().stream().map(r -> "\"" + r + "\"").toList());
            }
            what = "RTM 2.x as user \"" + rtm2.userId() + "\""
                    + (permissions.isEmpty() ? "" : " with " + String.join(", ", permissions));
        } else if (service instanceof Service.Chat chat) {
            what = chat.userId().isEmpty() ? "Agora Chat app token (administrative REST access)"
                    : "Agora Chat as user \"" + chat.userId() + "\"";
        } else if (service instanceof Service.Apaas apaas) {
            what = !apaas.roomUuid().isEmpty()
                    ? "Flexible Classroom (APaaS) room \"" + apaas.roomUuid() + "\" as user \"" + apaas.userUuid()
                            + "\" with role " + apaas.role()
                    : apaas.userUuid().isEmpty() ? "Flexible Classroom (APaaS) app token (full access to the app's"
                            + " classrooms)"
                    : "Flexible Classroom (APaaS) as user \"" + apaas.userUuid() + "\"";
        } else {
            what = "the " + service.name() + " service";
        }
        return what + (privileges.isEmpty() ? " (no privileges)" : " (" + String.join(", ", privileges) + ")");
    }

    private static String privilegeName(io.tokenservice.proto.v1.Privilege privilege, int key) {
        return switch (privilege) {
            case PRIVILEGE_RTC_JOIN_CHANNEL -> "join-channel";
            case PRIVILEGE_RTC_PUBLISH_AUDIO_STREAM -> "publish-audio";
            case PRIVILEGE_RTC_PUBLISH_VIDEO_STREAM -> "publish-video";
            case PRIVILEGE_RTC_PUBLISH_DATA_STREAM -> "publish-data";
            case PRIVILEGE_RTM_LOGIN -> "RTM login";
            case PRIVILEGE_CHAT_USER -> "Chat user";
            case PRIVILEGE_CHAT_APP -> "Chat app";
            case PRIVILEGE_APAAS_ROOM_USER -> "APaaS room user";
            case PRIVILEGE_APAAS_USER -> "APaaS user";
            case PRIVILEGE_APAAS_APP -> "APaaS app";
            default -> "privilege " + key;
        };
    }

    private static String rtm2Access(int permissionType) {
        return switch (permissionType) {
            case Service.RTM2_READ -> "read";
            case Service.RTM2_WRITE -> "write";
            default -> "permission " + permissionType + " on";
        };
    }

    private static String rtm2Resources(int resourceType) {
        return switch (resourceType) {
            case Service.RTM2_MESSAGE_CHANNELS -> "message channels";
            case Service.RTM2_STREAM_CHANNELS -> "stream channels";
            case Service.RTM2_GROUP_CHANNELS -> "group channels";
            case Service.RTM2_SERVER_GROUPS -> "server groups";
            case Service.RTM2_USERS -> "users";
            default -> "resources of type " + resourceType;
        };
    }

    private static String until006(long value) {
        return value == 0 ? "with no expiry of its own" : "until " + Instant.ofEpochSecond(value);
    }

    private static String relative(Instant at, Instant now) {
        Duration between = Duration.between(now, at);
        return between.isNegative() ? human(between.negated()) + " ago" : "in " + human(between);
    }

    static String human(Duration duration) {
        long seconds = duration.getSeconds();
        if (seconds < 120) {
            return seconds + (seconds == 1 ? " second" : " seconds");
        }
        if (seconds < 2 * 3600) {
            return seconds / 60 + " minutes";
        }
        if (seconds < 2 * 86400) {
            return seconds / 3600 + " hours";
        }
        return seconds / 86400 + " days";
    }
}
