package io.tokenservice.server;

import io.grpc.stub.StreamObserver;
import io.tokenservice.proto.v1.InspectTokenRequest;
import io.tokenservice.proto.v1.InspectTokenResponse;
import io.tokenservice.proto.v1.IssueApaasTokenRequest;
import io.tokenservice.proto.v1.IssueChatTokenRequest;
import io.tokenservice.proto.v1.IssueRtcTokenRequest;
import io.tokenservice.proto.v1.IssueRtmTokenRequest;
import io.tokenservice.proto.v1.IssuedToken;
import io.tokenservice.proto.v1.RenewTokenRequest;
import io.tokenservice.proto.v1.TokenServiceGrpc;
import io.tokenservice.server.inspect.InspectHandler;
import io.tokenservice.server.issue.IssueHandler;
import io.tokenservice.server.renew.RenewHandler;

/** tokenservice.v1.TokenService: routes each RPC to its feature's handler. */
final class TokenServiceEndpoint extends TokenServiceGrpc.TokenServiceImplBase {
    private final IssueHandler issue;
    private final RenewHandler renew;
    private final InspectHandler inspect;

    TokenServiceEndpoint(IssueHandler issue, RenewHandler renew, InspectHandler inspect) {
        this.issue = issue;
        this.renew = renew;
        this.inspect = inspect;
    }

    @Override
    public void issueRtcToken(IssueRtcTokenRequest request, StreamObserver<IssuedToken> responses) {
        issue.issueRtc(request, responses);
    }

    @Override
    public void issueRtmToken(IssueRtmTokenRequest request, StreamObserver<IssuedToken> responses) {
        issue.issueRtm(request, responses);
    }

    @Override
    public void issueChatToken(IssueChatTokenRequest request, StreamObserver<IssuedToken> responses) {
        issue.issueChat(request, responses);
    }

    @Override
    public void issueApaasToken(IssueApaasTokenRequest request, StreamObserver<IssuedToken> responses) {
        issue.issueApaas(request, responses);
    }

    @Override
    public void renewToken(RenewTokenRequest request, StreamObserver<IssuedToken> responses) {
        renew.renew(request, responses);
    }

    @Override
    public void inspectToken(InspectTokenRequest request, StreamObserver<InspectTokenResponse> responses) {
        inspect.inspect(request, responses);
    }
}
