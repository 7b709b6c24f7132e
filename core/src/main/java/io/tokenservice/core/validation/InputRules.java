package io.tokenservice.core.validation;

import java.nio.charset.StandardCharsets;

/**
 * Agora's documented input rules (spec section 5), checked before anything is signed. Each check
 * throws {@link InvalidTokenInputException} naming the field and the rule.
 */
public final class InputRules {
    public static final int MAX_CHANNEL_BYTES = 64;
    public static final int MAX_ACCOUNT_BYTES = 255;
    public static final int MAX_RTM_USER_ID_BYTES = 64;
    public static final int MAX_CHAT_USER_ID_CHARS = 64;
    public static final int MAX_RTM2_RESOURCE_BYTES = 64;
    public static final int MAX_FIELD_BYTES = 0xFFFF;
    public static final long MAX_UID = 0xFFFF_FFFFL;

    /** The 89 characters Agora allows in channel names, user accounts and RTM user ids. */
    private static final boolean[] AGORA_CHARSET = new boolean[128];
    private static final boolean[] CHAT_CHARSET = new boolean[128];

    static {
        for (char c = 'a'; c <= 'z'; c++) {
            AGORA_CHARSET[c] = true;
            AGORA_CHARSET[Character.toUpperCase(c)] = true;
            CHAT_CHARSET[c] = true;
            CHAT_CHARSET[Character.toUpperCase(c)] = true;
        }
        for (char c = '0'; c <= '9'; c++) {
            AGORA_CHARSET[c] = true;
            CHAT_CHARSET[c] = true;
        }
        for (char c : " !#$%&()+-:;<=.>?@[]^_{}|~,".toCharArray()) {
            AGORA_CHARSET[c] = true;
        }
        for (char c : "_-.".toCharArray()) {
            CHAT_CHARSET[c] = true;
        }
    }

    private InputRules() {}

    /** App IDs and certificates: exactly 32 hexadecimal characters. */
    public static void requireHex32(String field, String value) {
        if (value == null || value.isEmpty()) {
            throw new InvalidTokenInputException(field, "is required");
        }
        if (value.length() != 32) {
            throw new InvalidTokenInputException(field, "must be 32 hexadecimal characters, got " + value.length());
        }
        for (int i = 0; i < 32; i++) {
            if (Character.digit(value.charAt(i), 16) < 0 || value.charAt(i) > 'f') {
                throw new InvalidTokenInputException(field, "must be 32 hexadecimal characters");
            }
        }
    }

    public static void requireChannel(String field, String channel) {
        requireAgoraText(field, channel, MAX_CHANNEL_BYTES);
    }

    /** A user account; the empty account is the join-anyone wildcard and is allowed here. */
    public static void requireAccount(String field, String account) {
        if (account == null) {
            throw new InvalidTokenInputException(field, "is required");
        }
        if (!account.isEmpty()) {
            requireAgoraText(field, account, MAX_ACCOUNT_BYTES);
        }
    }

    public static void requireUid(String field, long uid) {
        if (uid < 0 || uid > MAX_UID) {
            throw new InvalidTokenInputException(field, "must be between 0 and 4294967295");
        }
    }

    public static void requireRtmUserId(String field, String userId) {
        requireAgoraText(field, userId, MAX_RTM_USER_ID_BYTES);
        if (userId.charAt(0) == ' ') {
            throw new InvalidTokenInputException(field, "must not start with a space");
        }
    }

    /**
     * A resource an RTM2 permission names: a message, stream or group channel, a server group or a
     * user id; named as RTM names channels and users (at most 64 bytes of Agora's characters).
     */
    public static void requireRtm2Resource(String field, String resource) {
        requireAgoraText(field, resource, MAX_RTM2_RESOURCE_BYTES);
    }

    public static void requireChatUserId(String field, String userId) {
        if (userId == null || userId.isEmpty()) {
            throw new InvalidTokenInputException(field, "is required");
        }
        if (userId.length() > MAX_CHAT_USER_ID_CHARS) {
            throw new InvalidTokenInputException(field, "must be at most " + MAX_CHAT_USER_ID_CHARS + " characters");
        }
        for (int i = 0; i < userId.length(); i++) {
            char c = userId.charAt(i);
            if (c >= 128 || !CHAT_CHARSET[c]) {
                throw new InvalidTokenInputException(field,
                        "may contain only letters, digits, '_', '-' and '.' (found " + describe(c) + " at " + i + ")");
            }
        }
    }

    /** A lifetime in seconds: positive and at most {@code maxSeconds}. */
    public static void requireTtl(String field, long seconds, long maxSeconds) {
        if (seconds <= 0) {
            throw new InvalidTokenInputException(field, "must be positive");
        }
        if (seconds > maxSeconds) {
            throw new InvalidTokenInputException(field, "must be at most " + maxSeconds + " seconds");
        }
    }

    /** Any string that goes into a token field (the u16 length prefix caps it). */
    public static void requireFieldLength(String field, String value) {
        if (value.length() > MAX_FIELD_BYTES / 3 && utf8Length(value) > MAX_FIELD_BYTES) {
            throw new InvalidTokenInputException(field, "must be at most " + MAX_FIELD_BYTES + " bytes in UTF-8");
        }
    }

    private static void requireAgoraText(String field, String value, int maxBytes) {
        if (value == null || value.isEmpty()) {
            throw new InvalidTokenInputException(field, "is required");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c >= 128 || !AGORA_CHARSET[c]) {
                throw new InvalidTokenInputException(field,
                        "may contain only a-z, A-Z, 0-9, space and !#$%&()+-:;<=.>?@[]^_{}|~, (found "
                                + describe(c) + " at " + i + ")");
            }
        }
        // Every allowed character is ASCII, so characters and UTF-8 bytes agree here.
        if (value.length() > maxBytes) {
            throw new InvalidTokenInputException(field, "must be at most " + maxBytes + " bytes, got " + value.length());
        }
    }

    private static int utf8Length(String value) {
        return value.getBytes(StandardCharsets.UTF_8).length;
    }

    private static String describe(char c) {
        return c >= 0x20 && c < 0x7F ? "'" + c + "'" : String.format("U+%04X", (int) c);
    }
}
