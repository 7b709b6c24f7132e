package io.tokenservice.core.token;

import io.tokenservice.core.validation.InputRules;
import io.tokenservice.core.validation.InvalidTokenInputException;
import io.tokenservice.core.wire.ByteReader;
import io.tokenservice.core.wire.ByteWriter;
import io.tokenservice.core.wire.Hmac;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.zip.CRC32;

/**
 * The legacy AccessToken ("006") wire format, as the Node {@code agora-access-token} package writes
 * it: {@code "006" + appId + base64(bytes(signature) || u32 crcChannel || u32 crcUid || bytes(message))},
 * uncompressed. Uids are always written unsigned (the Java reference's signed-uid bug is not copied).
 */
public final class AccessTokenCodec {
    public static final String VERSION = "006";
    public static final int MAX_TOKEN_CHARS = 16 * 1024;

    private static final int APP_ID_LENGTH = 32;
    private static final int SIGNATURE_LENGTH = 32;

    private AccessTokenCodec() {}

    /**
     * Signs a 006 token for {@code channel} and {@code uid} (decimal uid, account, or empty; for RTM the
     * user id goes in {@code channel} and {@code uid} is empty).
     */
    public static String encode(String appId, String appCertificate, String channel, String uid,
            long salt, long expireTs, List<Privilege> privileges) {
        InputRules.requireHex32("appId", appId);
        InputRules.requireHex32("appCertificate", appCertificate);
        InputRules.requireFieldLength("channel", channel);
        InputRules.requireFieldLength("uid", uid);
        if (privileges.isEmpty()) {
            throw new InvalidTokenInputException("privileges", "a token needs at least one privilege");
        }
        requireU32("salt", salt);
        requireU32("expireTs", expireTs);
        if (privileges.size() > 0xFFFF) {
            throw new InvalidTokenInputException("privileges", "a token holds at most 65535 privileges");
        }
        List<Privilege> sorted = new ArrayList<>(privileges);
        sorted.sort(null);
        for (int i = 1; i < sorted.size(); i++) {
            // The decoder refuses a repeated key, so the encoder must not write one.
            if (sorted.get(i).key() == sorted.get(i - 1).key()) {
                throw new InvalidTokenInputException("privileges", "privilege " + sorted.get(i).key() + " appears twice");
            }
        }
        ByteWriter message = new ByteWriter(64).u32(salt).u32(expireTs).u16(sorted.size());
        for (Privilege p : sorted) {
            message.u16(p.key()).u32(p.value());
        }
        byte[] messageBytes = message.toByteArray();
        byte[] signature = sign(appCertificate, appId, channel, uid, messageBytes);
        ByteWriter content = new ByteWriter(128)
                .bytes(signature)
                .u32(crc32(channel))
                .u32(crc32(uid))
                .bytes(messageBytes);
        return VERSION + appId + Base64.getEncoder().encodeToString(content.toByteArray());
    }

    /** Decodes a 006 token string without verifying it. */
    public static ParsedAccessToken decode(String token) {
        if (token == null) {
            throw new MalformedTokenException("token is missing");
        }
        if (token.length() > MAX_TOKEN_CHARS) {
            throw new MalformedTokenException("token is longer than " + MAX_TOKEN_CHARS + " characters");
        }
        if (!token.startsWith(VERSION)) {
            throw new MalformedTokenException("not an AccessToken: it does not start with \"006\"");
        }
        if (token.length() < VERSION.length() + APP_ID_LENGTH) {
            throw new MalformedTokenException("truncated: a 006 token carries a 32-character app id after \"006\"");
        }
        String appId = token.substring(VERSION.length(), VERSION.length() + APP_ID_LENGTH);
        byte[] content;
        try {
            content = Base64.getDecoder().decode(token.substring(VERSION.length() + APP_ID_LENGTH));
        } catch (IllegalArgumentException e) {
            throw new MalformedTokenException("not valid standard base64 after the app id");
        }
        ByteReader in = new ByteReader(content);
        byte[] signature = in.bytes("signature");
        if (signature.length != SIGNATURE_LENGTH) {
            throw new MalformedTokenException("signature is " + signature.length + " bytes, expected 32");
        }
        long crcChannel = in.u32("channel crc");
        long crcUid = in.u32("uid crc");
        byte[] message = in.bytes("message");
        if (in.remaining() > 0) {
            throw new MalformedTokenException(in.remaining() + " unexpected bytes after the message");
        }
        ByteReader fields = new ByteReader(message);
        long salt = fields.u32("salt");
        long expireTs = fields.u32("expire time");
        int count = fields.u16("privilege count");
        List<Privilege> privileges = new ArrayList<>(Math.min(count, 16));
        for (int i = 0; i < count; i++) {
            int key = fields.u16("privilege key");
            long value = fields.u32("privilege value");
            for (Privilege p : privileges) {
                if (p.key() == key) {
                    throw new MalformedTokenException("privilege " + key + " appears twice");
                }
            }
            privileges.add(new Privilege(key, value));
        }
        if (fields.remaining() > 0) {
            throw new MalformedTokenException(fields.remaining() + " unexpected bytes after the privileges");
        }
        return new ParsedAccessToken(new AccessToken(appId, salt, expireTs, privileges, crcChannel, crcUid),
                signature, message);
    }

    private static void requireU32(String field, long value) {
        if (value < 0 || value > 0xFFFF_FFFFL) {
            throw new InvalidTokenInputException(field, "must be between 0 and 4294967295");
        }
    }

    static byte[] sign(String appCertificate, String appId, String channel, String uid, byte[] message) {
        return Hmac.sha256(appCertificate.getBytes(StandardCharsets.US_ASCII),
                appId.getBytes(StandardCharsets.US_ASCII),
                channel.getBytes(StandardCharsets.UTF_8),
                uid.getBytes(StandardCharsets.UTF_8),
                message);
    }

    /** CRC-32 of the UTF-8 bytes of {@code text}: how a 006 token records its channel name and uid string. */
    public static long crc32(String text) {
        CRC32 crc = new CRC32();
        crc.update(text.getBytes(StandardCharsets.UTF_8));
        return crc.getValue();
    }
}
