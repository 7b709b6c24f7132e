package io.tokenservice.server.issue;

import io.grpc.stub.StreamObserver;
import io.tokenservice.core.issue.LegacyRole;
import io.tokenservice.core.issue.RtcRole;
import io.tokenservice.core.issue.RtcTokenRequest;
import io.tokenservice.core.issue.RtmTokenRequest;
import io.tokenservice.core.issue.TokenIssuer;
import io.tokenservice.proto.v1.IssueApaasTokenRequest;
import io.tokenservice.proto.v1.IssueChatTokenRequest;
import io.tokenservice.proto.v1.IssueRtcTokenRequest;
import io.tokenservice.proto.v1.IssueRtmTokenRequest;
import io.tokenservice.proto.v1.IssuedToken;
import io.tokenservice.server.access.Rpc;
import io.tokenservice.server.config.AppKeys;
import io.tokenservice.server.config.AppRegistry;
import io.tokenservice.server.rpc.Apps;
import io.tokenservice.server.rpc.ProtoGrants;
import io.tokenservice.server.rpc.UnaryCalls;
import java.time.Clock;
import java.util.Objects;

/**
 * IssueRtcToken, IssueRtmToken, IssueChatToken and IssueApaasToken: the app the request names against the caller's policy,
 * then validation, the access gate for the whole grant, and signing with the app's primary certificate.
 * The gate is asked before the app is looked up, so a caller learns whether an app exists only if its
 * policy allows that app, and a caller refused an app learns nothing about the rest of its request.
 */
public final class IssueHandler {
    private final AppRegistry apps;
    private final TokenIssuer issuer;
    private final UnaryCalls calls;
    private final Clock clock;

    /** {@code clock} must be the issuer's: a 006 token's privilege expiry is an absolute time. */
    public IssueHandler(AppRegistry apps, TokenIssuer issuer, UnaryCalls calls, Clock clock) {
        this.apps = Objects.requireNonNull(apps, "apps");
        this.issuer = Objects.requireNonNull(issuer, "issuer");
        this.calls = Objects.requireNonNull(calls, "calls");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public void issueRtc(IssueRtcTokenRequest request, StreamObserver<IssuedToken> responses) {
        calls.run(Rpc.ISSUE_RTC_TOKEN, responses, attempt -> {
            admitNamedApp(attempt, request.getAppId());
            IssueRequests.Rtc rtc = IssueRequests.rtc(request, apps);
            attempt.authorize(rtc.grant());
            AppKeys app = Apps.require(apps, rtc.appId());
            IssuedToken issued = rtc.legacy() ? legacyRtc(app, rtc.request())
                    : ProtoGrants.issuedToken(issuer.issueRtc(app.primary(), rtc.request()));
            attempt.tokenSha256Prefix(issued.getTokenSha256Prefix());
            return issued;
        });
    }

    public void issueRtm(IssueRtmTokenRequest request, StreamObserver<IssuedToken> responses) {
        calls.run(Rpc.ISSUE_RTM_TOKEN, responses, attempt -> {
            admitNamedApp(attempt, request.getAppId());
            IssueRequests.Rtm rtm = IssueRequests.rtm(request, apps);
            attempt.authorize(rtm.grant());
            AppKeys app = Apps.require(apps, rtm.appId());
            IssuedToken issued = rtm.legacy() ? legacyRtm(app, rtm.request())
                    : rtm.rtm2().isPresent() ? ProtoGrants.issuedToken(issuer.issueRtm2(app.primary(), rtm.rtm2().get()))
                    : ProtoGrants.issuedToken(issuer.issueRtm(app.primary(), rtm.request()));
            attempt.tokenSha256Prefix(issued.getTokenSha256Prefix());
            return issued;
        });
    }

    public void issueChat(IssueChatTokenRequest request, StreamObserver<IssuedToken> responses) {
        calls.run(Rpc.ISSUE_CHAT_TOKEN, responses, attempt -> {
            admitNamedApp(attempt, request.getAppId());
            IssueRequests.Chat chat = IssueRequests.chat(request, apps);
            attempt.authorize(chat.grant());
            AppKeys app = Apps.require(apps, chat.appId());
            IssuedToken issued = ProtoGrants.issuedToken(issuer.issueChat(app.primary(), chat.request()));
            attempt.tokenSha256Prefix(issued.getTokenSha256Prefix());
            return issued;
        });
    }

    public void issueApaas(IssueApaasTokenRequest request, StreamObserver<IssuedToken> responses) {
        calls.run(Rpc.ISSUE_APAAS_TOKEN, responses, attempt -> {
            admitNamedApp(attempt, request.getAppId());
            IssueRequests.Apaas apaas = IssueRequests.apaas(request, apps);
            attempt.authorize(apaas.grant());
            AppKeys app = Apps.require(apps, apaas.appId());
            IssuedToken issued = ProtoGrants.issuedToken(issuer.issueApaas(app.primary(), apaas.request()));
            attempt.tokenSha256Prefix(issued.getTokenSha256Prefix());
            return issued;
        });
    }

    /** A 006 RTC token whose privileges end {@code ttl} after now; the role's privileges, as in 007. */
    private IssuedToken legacyRtc(AppKeys app, RtcTokenRequest request) {
        long now = clock.instant().getEpochSecond();
        LegacyRole role = request.role() == RtcRole.PUBLISHER ? LegacyRole.PUBLISHER : LegacyRole.SUBSCRIBER;
        String token = issuer.issueLegacyRtc(app.primary(), request.channel(), request.identity(), role,
                now + request.ttlSeconds());
        return ProtoGrants.legacyIssuedToken(token, now, request.ttlSeconds(), request.channel(),
                request.identity().encoded());
    }

    /** A 006 RTM token whose login privilege ends {@code ttl} after now. */
    private IssuedToken legacyRtm(AppKeys app, RtmTokenRequest request) {
        long now = clock.instant().getEpochSecond();
        String token = issuer.issueLegacyRtm(app.primary(), request.userId(), now + request.ttlSeconds());
        return ProtoGrants.legacyIssuedToken(token, now, request.ttlSeconds(), "", "");
    }

    /** An empty app_id means the server's only app, which the gate judges with the whole grant. */
    private static void admitNamedApp(UnaryCalls.Attempt attempt, String appId) {
        if (!appId.isEmpty()) {
            attempt.admitApp(appId);
        }
    }
}
