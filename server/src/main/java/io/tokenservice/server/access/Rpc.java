package io.tokenservice.server.access;

/** The TokenService RPCs, as policy and audit name them. */
public enum Rpc {
    ISSUE_RTC_TOKEN("IssueRtcToken"),
    ISSUE_RTM_TOKEN("IssueRtmToken"),
    ISSUE_CHAT_TOKEN("IssueChatToken"),
    RENEW_TOKEN("RenewToken"),
    INSPECT_TOKEN("InspectToken");

    private final String methodName;

    Rpc(String methodName) {
        this.methodName = methodName;
    }

    /** The RPC's name in the proto. */
    public String methodName() {
        return methodName;
    }
}
