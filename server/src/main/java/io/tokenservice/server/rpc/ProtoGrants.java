package io.tokenservice.server.rpc;

import com.google.protobuf.Timestamp;
import io.tokenservice.core.token.AccessToken2;
import io.tokenservice.core.token.Service;
import io.tokenservice.proto.grant.ServiceGrants;
import io.tokenservice.proto.v1.IssuedToken;
import io.tokenservice.proto.v1.Privilege;
import io.tokenservice.proto.v1.PrivilegeGrant;
import io.tokenservice.proto.v1.ServiceGrant;
import io.tokenservice.proto.v1.ServiceType;
import java.time.Instant;

/** Converts core token content into the API's messages. */
public final class ProtoGrants {
    private ProtoGrants() {}

    /** The IssuedToken response for a token core just signed. */
    public static IssuedToken issuedToken(io.tokenservice.core.issue.IssuedToken issued) {
        AccessToken2 content = issued.content();
        IssuedToken.Builder response = IssuedToken.newBuilder()
                .setToken(issued.token())
                .setIssuedAt(timestamp(content.issueTs()))
                .setExpiresAt(timestamp(content.issueTs() + content.expire()))
                .setAppId(content.appId())
                .setTtlSeconds((int) content.expire())
                .setTokenSha256Prefix(TokenDigest.sha256Prefix(issued.token()));
        for (Service service : content.services()) {
            response.addServices(ServiceGrants.of(service, content.issueTs()));
        }
        return response.build();
    }

    /**
     * The IssuedToken response for a 006 token core just signed at {@code issueTs} whose privileges end
     * {@code ttl} later: for RTC ({@code channel} set) the role's privileges in one RTC grant, for RTM
     * (empty channel) the login privilege in one RTM grant.
     */
    public static IssuedToken legacyIssuedToken(String token, long issueTs, long ttl, String channel, String uid) {
        io.tokenservice.core.token.AccessToken content = io.tokenservice.core.token.AccessTokenCodec.decode(token)
                .content();
        boolean rtm = channel.isEmpty();
        ServiceGrant.Builder grant = ServiceGrant.newBuilder()
                .setService(rtm ? ServiceType.SERVICE_TYPE_RTM : ServiceType.SERVICE_TYPE_RTC);
        if (!rtm) {
            grant.setChannel(channel).setUid(uid);
        }
        for (io.tokenservice.core.token.Privilege p : content.privileges()) {
            grant.addPrivileges(PrivilegeGrant.newBuilder().setPrivilege(privilege006(p.key())).setAgoraKey(p.key())
                    .setExpiresAt(timestamp(p.value())));
        }
        return IssuedToken.newBuilder()
                .setToken(token)
                .setIssuedAt(timestamp(issueTs))
                .setExpiresAt(timestamp(issueTs + ttl))
                .setAppId(content.appId())
                .setTtlSeconds((int) ttl)
                .addServices(grant)
                .setTokenSha256Prefix(TokenDigest.sha256Prefix(token))
                .build();
    }

    /** What a 006 privilege key means (006 keys are global, not per service). */
    public static Privilege privilege006(int key) {
        return io.tokenservice.proto.grant.ServiceGrants.privilege006(key);
    }

    public static Timestamp timestamp(long epochSeconds) {
        return Timestamp.newBuilder().setSeconds(epochSeconds).build();
    }

    public static Timestamp timestamp(Instant instant) {
        return timestamp(instant.getEpochSecond());
    }
}
