package io.tokenservice.core.issue;

import io.tokenservice.core.validation.InputRules;
import java.util.Objects;

/**
 * Who may join an RTC channel with the token: a numeric uid or a user account, never confused.
 * Uid 0 and the empty account are Agora's wildcard: anyone may join.
 */
public sealed interface RtcIdentity {
    /** The uid string written into the token: unsigned decimal uid, the account, or empty. */
    String encoded();

    default boolean isWildcard() {
        return encoded().isEmpty();
    }

    static RtcIdentity uid(long uid) {
        return new Uid(uid);
    }

    static RtcIdentity account(String account) {
        return new Account(account);
    }

    /**
     * Whether a token's uid field names an integer uid, i.e. is exactly what {@link Uid#encoded()} writes
     * for 1..4294967295 (decimal, no sign, no leading zero). Any other non-empty value is a user account,
     * even one made of digits ("007").
     */
    static boolean isUid(String encoded) {
        int n = encoded.length();
        if (n == 0 || n > 10 || encoded.charAt(0) == '0') {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = encoded.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return Long.parseLong(encoded) <= InputRules.MAX_UID;
    }

    /** A numeric uid, 0..4294967295. */
    record Uid(long uid) implements RtcIdentity {
        public Uid {
            InputRules.requireUid("uid", uid);
        }

        @Override
        public String encoded() {
            return uid == 0 ? "" : Long.toString(uid);
        }
    }

    /** A user account: at most 255 bytes of Agora's character set, or empty for the wildcard. */
    record Account(String account) implements RtcIdentity {
        public Account {
            Objects.requireNonNull(account, "account");
        }

        @Override
        public String encoded() {
            return account;
        }
    }
}
