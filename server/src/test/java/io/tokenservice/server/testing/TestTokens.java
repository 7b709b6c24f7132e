package io.tokenservice.server.testing;

import io.tokenservice.core.token.AccessToken2;
import io.tokenservice.core.token.AccessToken2Codec;
import io.tokenservice.core.token.Privilege;
import io.tokenservice.core.token.Service;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/** Tokens made outside the server: signed with any certificate, or altered after signing. */
public final class TestTokens {
    private TestTokens() {}

    public static String sign(String certificate, String appId, long issueTs, long expire, Service... services) {
        return AccessToken2Codec.encode(new AccessToken2(appId, issueTs, expire, 77, List.of(services)), certificate);
    }

    public static Service.Rtc rtcPublisher(String channel, String uid, long seconds) {
        return new Service.Rtc(List.of(new Privilege(1, seconds), new Privilege(2, seconds), new Privilege(3, seconds),
                new Privilege(4, seconds)), channel, uid);
    }

    /**
     * The same token with {@code from} replaced by {@code to} (same length) inside the signed content,
     * and the original signature: what an attacker editing a token produces.
     */
    public static String tamper(String token, String from, String to) {
        if (from.length() != to.length()) {
            throw new IllegalArgumentException("same length only");
        }
        byte[] content = inflate(Base64.getDecoder().decode(token.substring(3)));
        byte[] needle = from.getBytes(StandardCharsets.UTF_8);
        int at = indexOf(content, needle);
        if (at < 0) {
            throw new IllegalArgumentException("not in the token");
        }
        System.arraycopy(to.getBytes(StandardCharsets.UTF_8), 0, content, at, needle.length);
        return "007" + Base64.getEncoder().encodeToString(deflate(content));
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        return -1;
    }

    private static byte[] inflate(byte[] data) {
        Inflater inflater = new Inflater();
        inflater.setInput(data);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[1024];
        try {
            while (!inflater.finished()) {
                int n = inflater.inflate(buffer);
                if (n == 0 && inflater.needsInput()) {
                    break;
                }
                out.write(buffer, 0, n);
            }
        } catch (DataFormatException e) {
            throw new IllegalArgumentException(e);
        } finally {
            inflater.end();
        }
        return out.toByteArray();
    }

    private static byte[] deflate(byte[] data) {
        Deflater deflater = new Deflater();
        deflater.setInput(data);
        deflater.finish();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[1024];
        while (!deflater.finished()) {
            out.write(buffer, 0, deflater.deflate(buffer));
        }
        deflater.end();
        return out.toByteArray();
    }
}
