package io.tokenservice.core.issue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** The Chat user id an APaaS room-user token grants: the lower-case hex MD5 of the user's UTF-8 id. */
public final class ChatUserIds {
    private static final ThreadLocal<MessageDigest> MD5 = ThreadLocal.withInitial(ChatUserIds::newMd5);

    private ChatUserIds() {}

    public static String md5Hex(String userUuid) {
        return HexFormat.of().formatHex(MD5.get().digest(userUuid.getBytes(StandardCharsets.UTF_8)));
    }

    private static MessageDigest newMd5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK provides MD5", e);
        }
    }
}
