package io.tokenservice.core.token;

import io.tokenservice.core.validation.InputRules;
import io.tokenservice.core.validation.InvalidTokenInputException;
import io.tokenservice.core.wire.ByteReader;
import io.tokenservice.core.wire.ByteWriter;
import io.tokenservice.core.wire.Hmac;
import io.tokenservice.core.wire.Zlib;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.OptionalInt;

/**
 * The AccessToken2 ("007") wire format: {@code "007" + base64(zlib(bytes(signature) || signing_info))}.
 * Encoding signs exactly what it writes; decoding faces untrusted input and fails only with
 * {@link MalformedTokenException}. Thread-safe: buffers, {@code Mac} and deflater are per thread.
 */
public final class AccessToken2Codec {
    public static final String VERSION = "007";
    /** Longest token string accepted for decoding; real tokens are a few hundred characters. */
    public static final int MAX_TOKEN_CHARS = 16 * 1024;

    private static final int SIGNATURE_LENGTH = 32;
    /** Where signing_info starts in the content: after the u16 length and the 32-byte signature. */
    private static final int SIGNING_INFO_OFFSET = 2 + SIGNATURE_LENGTH;

    private static final ThreadLocal<ByteWriter> WRITER = ThreadLocal.withInitial(() -> new ByteWriter(512));
    /** The signature's place in the content until it is known. */
    private static final byte[] NO_SIGNATURE = new byte[SIGNATURE_LENGTH];
    private static final byte[] BASE64 =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".getBytes(StandardCharsets.US_ASCII);
    private static final ThreadLocal<ByteWriter> TEXT = ThreadLocal.withInitial(() -> new ByteWriter(512));
    private static final ThreadLocal<SigningKeyCache> KEYS = ThreadLocal.withInitial(SigningKeyCache::new);

    private AccessToken2Codec() {}

    /**
     * Signs {@code content} with {@code appCertificate} and returns the token string. Refuses content
     * that is not a valid token: a malformed App ID or certificate, no service, a field over 65535 bytes,
     * or a token too large for {@link #decode} to accept.
     */
    public static String encode(AccessToken2 content, String appCertificate) {
        InputRules.requireHex32("appId", content.appId());
        InputRules.requireHex32("appCertificate", appCertificate);
        if (content.services().isEmpty()) {
            throw new InvalidTokenInputException("services", "a token needs at least one service");
        }
        if (content.services().size() > 0xFFFF) {
            throw new InvalidTokenInputException("services", "a token holds at most 65535 services");
        }
        ByteWriter out = WRITER.get().reset();
        out.u16(SIGNATURE_LENGTH).raw(NO_SIGNATURE, 0, SIGNATURE_LENGTH);
        out.string(content.appId()).u32(content.issueTs()).u32(content.expire()).u32(content.salt());
        out.u16(content.services().size());
        for (Service service : content.services()) {
            writeService(out, service);
        }
        if (out.length() > Zlib.MAX_INFLATED_BYTES) {
            throw new InvalidTokenInputException("services", "the token content would be " + out.length()
                    + " bytes; decoders accept at most " + Zlib.MAX_INFLATED_BYTES);
        }
        byte[] buffer = out.array();
        signInto(appCertificate, content.issueTs(), content.salt(),
                buffer, SIGNING_INFO_OFFSET, out.length() - SIGNING_INFO_OFFSET, buffer, 2);
        byte[] compressed = Zlib.deflate(buffer, out.length());
        int chars = VERSION.length() + (compressed.length + 2) / 3 * 4;
        if (chars > MAX_TOKEN_CHARS) {
            throw new InvalidTokenInputException("services", "the token would be " + chars
                    + " characters; decoders accept at most " + MAX_TOKEN_CHARS);
        }
        return versionAndBase64(compressed);
    }

    /**
     * "007" and the standard base64 (with padding) of {@code bytes}, written once into a per-thread buffer
     * and copied once into the string: {@code VERSION + Base64.getEncoder().encodeToString(bytes)} made
     * three copies of the token on the way.
     */
    private static String versionAndBase64(byte[] bytes) {
        ByteWriter text = TEXT.get().reset();
        for (int i = 0; i < VERSION.length(); i++) {
            text.u8(VERSION.charAt(i));
        }
        int whole = bytes.length / 3 * 3;
        for (int i = 0; i < whole; i += 3) {
            int bits = (bytes[i] & 0xFF) << 16 | (bytes[i + 1] & 0xFF) << 8 | (bytes[i + 2] & 0xFF);
            text.u8(BASE64[bits >>> 18]).u8(BASE64[(bits >>> 12) & 0x3F]).u8(BASE64[(bits >>> 6) & 0x3F])
                    .u8(BASE64[bits & 0x3F]);
        }
        int rest = bytes.length - whole;
        if (rest > 0) {
            int bits = (bytes[whole] & 0xFF) << 16 | (rest == 2 ? (bytes[whole + 1] & 0xFF) << 8 : 0);
            text.u8(BASE64[bits >>> 18]).u8(BASE64[(bits >>> 12) & 0x3F])
                    .u8(rest == 2 ? BASE64[(bits >>> 6) & 0x3F] : '=').u8('=');
        }
        return new String(text.array(), 0, text.length(), StandardCharsets.ISO_8859_1);
    }

    /** Decodes a token string. Does not verify it: call {@link ParsedAccessToken2#verify}. */
    public static ParsedAccessToken2 decode(String token) {
        if (token == null) {
            throw new MalformedTokenException("token is missing");
        }
        if (token.length() > MAX_TOKEN_CHARS) {
            throw new MalformedTokenException("token is longer than " + MAX_TOKEN_CHARS + " characters");
        }
        if (!token.startsWith(VERSION)) {
            throw new MalformedTokenException("not an AccessToken2: it does not start with \"007\"");
        }
        byte[] compressed;
        try {
            compressed = Base64.getDecoder().decode(token.substring(VERSION.length()));
        } catch (IllegalArgumentException e) {
            throw new MalformedTokenException("not valid standard base64 after the \"007\" prefix");
        }
        return parseContent(Zlib.inflate(compressed));
    }

    private static ParsedAccessToken2 parseContent(byte[] content) {
        ByteReader in = new ByteReader(content);
        byte[] signature = in.bytes("signature");
        if (signature.length != SIGNATURE_LENGTH) {
            throw new MalformedTokenException("signature is " + signature.length + " bytes, expected 32");
        }
        int signingInfoStart = in.position();
        String appId = in.string("app id");
        long issueTs = in.u32("issue time");
        long expire = in.u32("expire");
        long salt = in.u32("salt");
        int serviceCount = in.u16("service count");
        List<Service> services = new ArrayList<>(Math.min(serviceCount, 16));
        OptionalInt unknownType = OptionalInt.empty();
        for (int i = 0; i < serviceCount; i++) {
            int type = in.u16("service type");
            if (type < Service.TYPE_RTC || type > Service.TYPE_STT) {
                unknownType = OptionalInt.of(type);
                break;
            }
            services.add(readService(in, type));
        }
        if (unknownType.isEmpty() && in.remaining() > 0) {
            throw new MalformedTokenException(in.remaining() + " unexpected bytes after the last service");
        }
        byte[] signingInfo = Arrays.copyOfRange(content, signingInfoStart, content.length);
        return new ParsedAccessToken2(new AccessToken2(appId, issueTs, expire, salt, services),
                signature, signingInfo, unknownType);
    }

    private static Service readService(ByteReader in, int type) {
        List<Privilege> privileges = readPrivileges(in);
        return switch (type) {
            case Service.TYPE_RTC -> new Service.Rtc(privileges, in.string("rtc channel"), in.string("rtc uid"));
            case Service.TYPE_RTM -> new Service.Rtm(privileges, in.string("rtm user id"));
            case Service.TYPE_STREAMING ->
                    new Service.Streaming(privileges, in.string("streaming channel"), in.string("streaming account"));
            case Service.TYPE_FPA -> new Service.Fpa(privileges);
            case Service.TYPE_CHAT -> new Service.Chat(privileges, in.string("chat user id"));
            case Service.TYPE_FCDN -> new Service.Fcdn(privileges, in.string("fcdn channel"), in.string("fcdn account"));
            case Service.TYPE_APAAS -> new Service.Apaas(privileges, in.string("apaas room uuid"),
                    in.string("apaas user uuid"), in.i16("apaas role"));
            case Service.TYPE_RTM2 -> new Service.Rtm2(privileges, in.string("rtm2 user id"), readPermissions(in));
            case Service.TYPE_CONVOAI -> new Service.ConvoAi(privileges);
            case Service.TYPE_STT -> new Service.Stt(privileges);
            default -> throw new IllegalStateException("service type checked by the caller: " + type);
        };
    }

    private static List<Privilege> readPrivileges(ByteReader in) {
        int count = in.u16("privilege count");
        List<Privilege> privileges = new ArrayList<>(Math.min(count, 16));
        for (int i = 0; i < count; i++) {
            int key = in.u16("privilege key");
            long value = in.u32("privilege value");
            for (Privilege p : privileges) {
                if (p.key() == key) {
                    throw new MalformedTokenException("privilege " + key + " appears twice in one service");
                }
            }
            privileges.add(new Privilege(key, value));
        }
        return privileges;
    }

    private static List<Service.Rtm2Permission> readPermissions(ByteReader in) {
        int resourceTypes = in.u16("rtm2 resource type count");
        List<Service.Rtm2Permission> permissions = new ArrayList<>();
        for (int r = 0; r < resourceTypes; r++) {
            int resourceType = in.u16("rtm2 resource type");
            int permissionCount = in.u16("rtm2 permission count");
            for (int p = 0; p < permissionCount; p++) {
                int permissionType = in.u16("rtm2 permission type");
                int resourceCount = in.u16("rtm2 resource count");
                List<String> resources = new ArrayList<>(Math.min(resourceCount, 16));
                for (int i = 0; i < resourceCount; i++) {
                    resources.add(in.string("rtm2 resource"));
                }
                permissions.add(new Service.Rtm2Permission(resourceType, permissionType, resources));
            }
        }
        return permissions;
    }

    private static void writeService(ByteWriter out, Service service) {
        out.u16(service.type());
        List<Privilege> privileges = service.privileges();
        out.u16(privileges.size());
        for (Privilege p : privileges) {
            out.u16(p.key()).u32(p.value());
        }
        if (service instanceof Service.Rtc rtc) {
            writeString(out, "channel", rtc.channel());
            writeString(out, "uid", rtc.uid());
        } else if (service instanceof Service.Rtm rtm) {
            writeString(out, "userId", rtm.userId());
        } else if (service instanceof Service.Streaming streaming) {
            writeString(out, "channel", streaming.channel());
            writeString(out, "account", streaming.account());
        } else if (service instanceof Service.Chat chat) {
            writeString(out, "userId", chat.userId());
        } else if (service instanceof Service.Fcdn fcdn) {
            writeString(out, "channel", fcdn.channel());
            writeString(out, "account", fcdn.account());
        } else if (service instanceof Service.Apaas apaas) {
            writeString(out, "roomUuid", apaas.roomUuid());
            writeString(out, "userUuid", apaas.userUuid());
            out.i16(apaas.role());
        } else if (service instanceof Service.Rtm2 rtm2) {
            writeString(out, "userId", rtm2.userId());
            writePermissions(out, rtm2.permissions());
        }
        // Fpa, ConvoAi and Stt carry nothing after their privileges.
    }

    /**
     * RTM2 groups permissions by resource type, then permission type, both ascending; resources keep
     * the order given.
     */
    private static void writePermissions(ByteWriter out, List<Service.Rtm2Permission> permissions) {
        List<Service.Rtm2Permission> sorted = new ArrayList<>(permissions);
        sorted.sort((a, b) -> a.resourceType() != b.resourceType()
                ? Integer.compare(a.resourceType(), b.resourceType())
                : Integer.compare(a.permissionType(), b.permissionType()));
        int resourceTypes = 0;
        for (int i = 0; i < sorted.size(); i++) {
            if (i == 0 || sorted.get(i).resourceType() != sorted.get(i - 1).resourceType()) {
                resourceTypes++;
            }
        }
        out.u16(resourceTypes);
        int i = 0;
        while (i < sorted.size()) {
            int resourceType = sorted.get(i).resourceType();
            int j = i;
            while (j < sorted.size() && sorted.get(j).resourceType() == resourceType) {
                j++;
            }
            out.u16(resourceType).u16(j - i);
            for (int k = i; k < j; k++) {
                Service.Rtm2Permission permission = sorted.get(k);
                out.u16(permission.permissionType()).u16(permission.resources().size());
                for (String resource : permission.resources()) {
                    writeString(out, "permissions", resource);
                }
            }
            i = j;
        }
    }

    private static void writeString(ByteWriter out, String field, String value) {
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        if (utf8.length > ByteWriter.MAX_FIELD_BYTES) {
            throw new InvalidTokenInputException(field, "must be at most " + ByteWriter.MAX_FIELD_BYTES + " bytes in UTF-8");
        }
        out.bytes(utf8);
    }

    /**
     * The 007 signature: k1 = HMAC(u32le(issueTs), certificate), k2 = HMAC(u32le(salt), k1),
     * signature = HMAC(k2, signing_info). Note the 4-byte numbers are the HMAC keys.
     */
    static byte[] sign(String appCertificate, long issueTs, long salt, byte[] signingInfo, int offset, int length) {
        byte[] signature = new byte[SIGNATURE_LENGTH];
        signInto(appCertificate, issueTs, salt, signingInfo, offset, length, signature, 0);
        return signature;
    }

    /** The signature of {@link #sign}, written into {@code out} at {@code outOffset}; allocates nothing. */
    private static void signInto(String appCertificate, long issueTs, long salt, byte[] signingInfo, int offset,
            int length, byte[] out, int outOffset) {
        SigningKeyCache keys = KEYS.get();
        byte[] k1 = keys.k1(appCertificate, issueTs);
        keys.saltBytes[0] = (byte) salt;
        keys.saltBytes[1] = (byte) (salt >>> 8);
        keys.saltBytes[2] = (byte) (salt >>> 16);
        keys.saltBytes[3] = (byte) (salt >>> 24);
        Hmac.sha256Into(keys.saltBytes, 0, 4, k1, 0, k1.length, keys.k2, 0);
        Hmac.sha256Into(keys.k2, 0, SIGNATURE_LENGTH, signingInfo, offset, length, out, outOffset);
    }

    private static byte[] u32le(long value) {
        return new byte[] {(byte) value, (byte) (value >>> 8), (byte) (value >>> 16), (byte) (value >>> 24)};
    }

    /**
     * k1 depends only on the certificate and the issue second, which a busy signer repeats for every
     * token of that second; remembering the last one saves a third of the HMAC work.
     */
    private static final class SigningKeyCache {
        private final byte[] saltBytes = new byte[4];
        private final byte[] k2 = new byte[Hmac.LENGTH];
        private String certificate;
        private long issueTs = -1;
        private byte[] k1;

        byte[] k1(String appCertificate, long ts) {
            if (ts != issueTs || !appCertificate.equals(certificate)) {
                k1 = Hmac.sha256(u32le(ts), appCertificate.getBytes(StandardCharsets.US_ASCII));
                certificate = appCertificate;
                issueTs = ts;
            }
            return k1;
        }
    }
}
