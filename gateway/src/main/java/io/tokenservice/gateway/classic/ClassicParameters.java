package io.tokenservice.gateway.classic;

import io.tokenservice.proto.v1.RtcRole;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * How the classic routes read their parameters, the way Agora's Node and Go token servers name them,
 * but strictly: a number that does not fit is an error, never truncated or NaN. Whether a channel,
 * account or lifetime is acceptable is the token server's rule, not repeated here.
 */
final class ClassicParameters {
    /** Agora uids are unsigned 32-bit. */
    static final long MAX_UID = 0xFFFF_FFFFL;
    private static final long MAX_UINT32 = 0xFFFF_FFFFL;

    private ClassicParameters() {}

    /** The percent-decoded segments of a path below a route's prefix; one trailing slash is allowed. */
    static List<String> segments(String mappedPath) {
        String path = mappedPath.startsWith("/") ? mappedPath.substring(1) : mappedPath;
        if (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        List<String> segments = new ArrayList<>();
        if (path.isEmpty()) {
            return segments;
        }
        for (String raw : path.split("/", -1)) {
            segments.add(percentDecode(raw));
        }
        return segments;
    }

    /** Segment {@code index} named {@code field}; missing or empty is an error. */
    static String required(List<String> segments, int index, String field) {
        if (index >= segments.size() || segments.get(index).isEmpty()) {
            throw new BadInput(field, "is required");
        }
        return segments.get(index);
    }

    static void noMoreThan(List<String> segments, int count, String lastField) {
        if (segments.size() > count) {
            throw new BadInput("path", "has more segments than the route takes (nothing may follow " + lastField + ")");
        }
    }

    /** publisher, or subscriber (audience is the Node server's name for it). */
    static RtcRole role(String field, String text) {
        return switch (text) {
            case "publisher" -> RtcRole.RTC_ROLE_PUBLISHER;
            case "subscriber", "audience" -> RtcRole.RTC_ROLE_SUBSCRIBER;
            default -> throw new BadInput(field, "must be publisher, subscriber or audience");
        };
    }

    enum TokenType { UID, USER_ACCOUNT }

    static TokenType tokenType(String field, String text) {
        return switch (text) {
            case "uid" -> TokenType.UID;
            case "userAccount" -> TokenType.USER_ACCOUNT;
            default -> throw new BadInput(field, "must be uid or userAccount");
        };
    }

    /** A uid in decimal, 0 (any uid, if the caller's policy allows it) to 4294967295; as an unsigned int. */
    static int uid(String field, String text) {
        long value = unsigned(text);
        if (value < 0 || value > MAX_UID) {
            throw new BadInput(field, "must be a whole number from 0 to " + MAX_UID
                    + " (a 32-bit Agora uid; 0 lets anyone join if the caller's policy allows it)");
        }
        return (int) value;
    }

    /** Whether {@code text} is a decimal number, i.e. the classic servers would take it for a uid. */
    static boolean isDecimal(String text) {
        return !text.isEmpty() && text.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    /** An RTM user id; "0" is refused as Agora's Go server does (RTM has no wildcard user). */
    static String rtmUserId(String field, String text) {
        if (text.equals("0")) {
            throw new BadInput(field, "must not be 0: RTM has no wildcard user, name the user");
        }
        return text;
    }

    /**
     * A token lifetime in seconds given as text ({@code ?expiry=}): empty = the server's default (0);
     * otherwise 1 to 4294967295 (the server caps it).
     */
    static int lifetime(String field, String text) {
        if (text.isEmpty()) {
            return 0;
        }
        long value = unsigned(text);
        return lifetime(field, value);
    }

    /** A token lifetime in seconds; 0 is not a lifetime (the body form treats an absent one as default). */
    static int lifetime(String field, long value) {
        if (value < 1 || value > MAX_UINT32) {
            throw new BadInput(field, "must be a positive whole number of seconds");
        }
        return (int) value;
    }

    /** A decimal number of at most 10 digits, or -1 for anything else (sign, space, letters, more digits). */
    private static long unsigned(String text) {
        if (!isDecimal(text) || text.length() > 10) {
            return -1;
        }
        return Long.parseLong(text);
    }

    private static String percentDecode(String raw) {
        if (raw.indexOf('%') < 0) {
            return raw;
        }
        ByteBuffer bytes = ByteBuffer.allocate(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                if (i + 2 >= raw.length() || Character.digit(raw.charAt(i + 1), 16) < 0
                        || Character.digit(raw.charAt(i + 2), 16) < 0) {
                    throw new BadInput("path", "has a malformed percent-encoding");
                }
                bytes.put((byte) Integer.parseInt(raw.substring(i + 1, i + 3), 16));
                i += 2;
            } else if (c < 0x80) {
                bytes.put((byte) c);
            } else {
                throw new BadInput("path", "has a character that is not percent-encoded");
            }
        }
        bytes.flip();
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(bytes);
            return chars.toString();
        } catch (CharacterCodingException e) {
            throw new BadInput("path", "is not percent-encoded UTF-8");
        }
    }
}
