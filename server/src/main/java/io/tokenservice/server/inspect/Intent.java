package io.tokenservice.server.inspect;

import io.tokenservice.proto.v1.InspectTokenRequest;
import java.util.Objects;
import java.util.Optional;

/**
 * What the client intends to do with an inspected token: the channel, the identity and the App ID
 * its SDK uses. Each part is optional; absent parts are not checked.
 */
public record Intent(Optional<String> channel, Optional<Identity> identity, Optional<String> appId) {
    public Intent {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(appId, "appId");
    }

    /** The identity the client joins with: an integer uid (0 = let Agora pick) or a user account. */
    public record Identity(boolean isUid, long uid, String account) {
        public static Identity uid(long uid) {
            return new Identity(true, uid, "");
        }

        public static Identity account(String account) {
            return new Identity(false, 0, account);
        }

        /** The uid string a token for this identity carries: decimal uid, "" for uid 0, or the account. */
        public String tokenUid() {
            return isUid ? (uid == 0 ? "" : Long.toString(uid)) : account;
        }

        /** The InspectTokenRequest field it came from. */
        public String field() {
            return isUid ? "uid" : "account";
        }

        @Override
        public String toString() {
            return isUid ? "uid " + uid : "user account \"" + account + "\"";
        }
    }

    public static Intent of(InspectTokenRequest request) {
        Optional<Identity> identity = switch (request.getIdentityCase()) {
            case UID -> Optional.of(Identity.uid(Integer.toUnsignedLong(request.getUid())));
            case ACCOUNT -> Optional.of(Identity.account(request.getAccount()));
            default -> Optional.empty();
        };
        return new Intent(
                request.getChannel().isEmpty() ? Optional.empty() : Optional.of(request.getChannel()),
                identity,
                request.getAppId().isEmpty() ? Optional.empty() : Optional.of(request.getAppId()));
    }

    /** Whether the client said how it will join (so RTC checks apply). */
    public boolean joinsChannel() {
        return channel.isPresent() || identity.isPresent();
    }
}
