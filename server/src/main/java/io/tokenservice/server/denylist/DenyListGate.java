package io.tokenservice.server.denylist;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tokenservice.core.issue.RtcIdentity;
import io.tokenservice.core.issue.Rtm2TokenRequest;
import io.tokenservice.server.access.AccessGate;
import io.tokenservice.server.access.Caller;
import io.tokenservice.server.access.GrantRequest;
import io.tokenservice.server.access.Refusal;
import io.tokenservice.server.access.RequestedService;
import io.tokenservice.server.access.Rpc;
import io.tokenservice.server.access.ServiceKind;
import java.util.List;
import java.util.Optional;

/**
 * Refuses IssueRtcToken, IssueRtmToken, IssueChatToken, IssueApaasToken and RenewToken for a denied channel or
 * identity (an APaaS room is a channel, its user an identity; RTM 2.x channel and group resources are channels,
 * user resources identities) with PERMISSION_DENIED, e.g. {@code deny-list: channel 'x' is denied}. InspectToken
 * is never refused. Immutable: a changed deny-list file is a new configuration, and with it a new gate.
 */
public final class DenyListGate implements AccessGate {
    private static final DenyListGate NONE = new DenyListGate(DenyList.empty());

    private final DenyList list;

    private DenyListGate(DenyList list) {
        this.list = list;
    }

    public static DenyListGate of(DenyList list) {
        return list.size() == 0 ? NONE : new DenyListGate(list);
    }

    @Override
    public void check(Caller caller, GrantRequest request) {
        Rpc rpc = request.rpc();
        if (rpc == Rpc.INSPECT_TOKEN) {
            return;
        }
        if (list.size() == 0) {
            return;
        }
        List<RequestedService> services = request.services();
        for (int i = 0, n = services.size(); i < n; i++) {
            RequestedService s = services.get(i);
            Optional<String> channel = s.channel();
            if (channel.isPresent() && list.deniesChannel(channel.get())) {
                throw denied("channel '" + channel.get() + "' is denied");
            }
            String identity = s.identity();
            if (!identity.isEmpty() && list.deniesIdentity(identity)) {
                throw denied(identityKind(s) + " '" + identity + "' is denied");
            }
            for (Rtm2TokenRequest.Permission permission : s.rtm2Permissions()) {
                boolean users = permission.resourceType() == Rtm2TokenRequest.ResourceType.USERS;
                for (String resource : permission.resources()) {
                    if (users ? list.deniesIdentity(resource) : list.deniesChannel(resource)) {
                        throw denied("RTM2 " + (users ? "user" : "channel") + " resource '" + resource + "' is denied");
                    }
                }
            }
        }
    }

    private static String identityKind(RequestedService s) {
        if (s.kind() == ServiceKind.RTM) {
            return "RTM user id";
        }
        if (s.kind() == ServiceKind.CHAT) {
            return "Chat user id";
        }
        if (s.kind() == ServiceKind.APAAS) {
            return "APaaS user uuid";
        }
        return RtcIdentity.isUid(s.identity()) ? "uid" : "account";
    }

    private static StatusRuntimeException denied(String what) {
        return Refusal.of(Status.PERMISSION_DENIED.withDescription("deny-list: " + what));
    }
}
