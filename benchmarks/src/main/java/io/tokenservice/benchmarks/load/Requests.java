package io.tokenservice.benchmarks.load;

import io.tokenservice.proto.v1.IssueRtcTokenRequest;
import io.tokenservice.proto.v1.RenewTokenRequest;
import io.tokenservice.proto.v1.RtcRole;

/** The requests a run sends, the same over every transport. */
final class Requests {
    private Requests() {}

    static IssueRtcTokenRequest issueRtc(LoadOptions options) {
        return IssueRtcTokenRequest.newBuilder()
                .setChannel(options.channel())
                .setUid((int) options.uid())
                .setRole(RtcRole.RTC_ROLE_PUBLISHER)
                .setTtlSeconds(options.ttlSeconds())
                .build();
    }

    static RenewTokenRequest renew(String token, LoadOptions options) {
        return RenewTokenRequest.newBuilder().setToken(token).setTtlSeconds(options.ttlSeconds()).build();
    }
}
