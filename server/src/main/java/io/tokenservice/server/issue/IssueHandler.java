package io.tokenservice.server.issue;

import io.grpc.stub.StreamObserver;
import io.tokenservice.core.issue.TokenIssuer;
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
import java.util.Objects;

/**
 * IssueRtcToken, IssueRtmToken and IssueChatToken: the app the request names against the caller's policy,
 * then validation, the access gate for the whole grant, and signing with the app's primary certificate.
 * The gate is asked before the app is looked up, so a caller learns whether an app exists only if its
 * policy allows that app, and a caller refused an app learns nothing about the rest of its request.
 */
public final class IssueHandler {
    private final AppRegistry apps;
    private final TokenIssuer issuer;
    private final UnaryCalls calls;

    public IssueHandler(AppRegistry apps, TokenIssuer issuer, UnaryCalls calls) {
        this.apps = Objects.requireNonNull(apps, "apps");
        this.issuer = Objects.requireNonNull(issuer, "issuer");
        this.calls = Objects.requireNonNull(calls, "calls");
    }

    public void issueRtc(IssueRtcTokenRequest request, StreamObserver<IssuedToken> responses) {
        calls.run(Rpc.ISSUE_RTC_TOKEN, responses, attempt -> {
            admitNamedApp(attempt, request.getAppId());
            IssueRequests.Rtc rtc = IssueRequests.rtc(request, apps);
            attempt.authorize(rtc.grant());
            AppKeys app = Apps.require(apps, rtc.appId());
            IssuedToken issued = ProtoGrants.issuedToken(issuer.issueRtc(app.primary(), rtc.request()));
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
            IssuedToken issued = ProtoGrants.issuedToken(issuer.issueRtm(app.primary(), rtm.request()));
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

    /** An empty app_id means the server's only app, which the gate judges with the whole grant. */
    private static void admitNamedApp(UnaryCalls.Attempt attempt, String appId) {
        if (!appId.isEmpty()) {
            attempt.admitApp(appId);
        }
    }
}
