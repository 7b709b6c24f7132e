package io.tokenservice.server.access;

import io.tokenservice.proto.v1.TokenServiceGrpc;
import java.util.HashMap;
import java.util.Map;

/** The TokenService RPCs, as policy and audit name them. */
public enum Rpc {
    ISSUE_RTC_TOKEN("IssueRtcToken"),
    ISSUE_RTM_TOKEN("IssueRtmToken"),
    ISSUE_CHAT_TOKEN("IssueChatToken"),
    ISSUE_APAAS_TOKEN("IssueApaasToken"),
    RENEW_TOKEN("RenewToken"),
    INSPECT_TOKEN("InspectToken");

    private static final Map<String, Rpc> BY_FULL_METHOD_NAME = new HashMap<>();

    static {
        for (Rpc rpc : values()) {
            BY_FULL_METHOD_NAME.put(TokenServiceGrpc.SERVICE_NAME + "/" + rpc.methodName, rpc);
        }
    }

    private final String methodName;

    Rpc(String methodName) {
        this.methodName = methodName;
    }

    /** The RPC of a gRPC full method name ({@code tokenservice.v1.TokenService/IssueRtcToken}), or null. */
    public static Rpc ofFullMethodName(String fullMethodName) {
        return BY_FULL_METHOD_NAME.get(fullMethodName);
    }

    /** The RPC's name in the proto. */
    public String methodName() {
        return methodName;
    }
}
