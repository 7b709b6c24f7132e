package io.tokenservice.core.testing;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.tokenservice.core.token.Privilege;
import io.tokenservice.core.token.Service;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * The 68 cases of {@code token-vectors.json} (spec section 6), plus helpers that are independent of
 * the code under test: services derived from a case's inputs by the spec's builder table (2.8), and a
 * plain JDK inflate of a token string.
 */
public final class TokenVectors {
    private static final List<Case> CASES = load();

    private TokenVectors() {}

    public static List<Case> all() {
        return CASES;
    }

    public static List<Case> version(String version) {
        return CASES.stream().filter(c -> c.version().equals(version)).toList();
    }

    public static Case named(String name) {
        return CASES.stream().filter(c -> c.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no vector " + name));
    }

    private static List<Case> load() {
        try (InputStream in = TokenVectors.class.getResourceAsStream("/token-vectors.json")) {
            if (in == null) {
                throw new IllegalStateException("token-vectors.json is not on the test class path");
            }
            JsonArray array = JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8)).getAsJsonArray();
            List<Case> cases = new ArrayList<>();
            for (JsonElement element : array) {
                cases.add(new Case(element.getAsJsonObject()));
            }
            return List.copyOf(cases);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The decompressed content of a 007 token, inflated with a fresh JDK {@link Inflater}. */
    public static byte[] inflate007(String token) {
        if (!token.startsWith("007")) {
            throw new IllegalArgumentException("not a 007 token");
        }
        byte[] compressed = Base64.getDecoder().decode(token.substring(3));
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(compressed);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] chunk = new byte[4096];
            while (!inflater.finished()) {
                int n = inflater.inflate(chunk);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    throw new IllegalArgumentException("truncated zlib stream");
                }
                out.write(chunk, 0, n);
            }
            return out.toByteArray();
        } catch (DataFormatException e) {
            throw new IllegalArgumentException(e);
        } finally {
            inflater.end();
        }
    }

    /** zlib at its defaults through a fresh JDK {@link Deflater}, as the reference builders use it. */
    public static byte[] jdkDeflate(byte[] input) {
        Deflater deflater = new Deflater();
        try {
            deflater.setInput(input);
            deflater.finish();
            byte[] out = new byte[input.length + input.length / 8 + 64];
            int length = deflater.deflate(out);
            if (!deflater.finished()) {
                throw new IllegalStateException("output buffer too small for the JDK Deflater");
            }
            return Arrays.copyOf(out, length);
        } finally {
            deflater.end();
        }
    }

    public static final int STORED_BLOCK = 0;
    public static final int FIXED_HUFFMAN_BLOCK = 1;
    public static final int DYNAMIC_HUFFMAN_BLOCK = 2;

    /** BTYPE of the first deflate block in a 007 token: bits 1-2 of the byte after the zlib header. */
    public static int deflateBlockType(String token) {
        byte[] compressed = Base64.getDecoder().decode(token.substring(3));
        return (compressed[2] >> 1) & 3;
    }

    public static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    public static byte[] unhex(String hex) {
        return HexFormat.of().parseHex(hex);
    }

    /** One vector. */
    public record Case(JsonObject json) {
        public String name() {
            return json.get("name").getAsString();
        }

        public String version() {
            return json.get("version").getAsString();
        }

        public String kind() {
            return json.get("kind").getAsString();
        }

        public boolean agoraValidInput() {
            return !json.has("agoraValidInput") || json.get("agoraValidInput").getAsBoolean();
        }

        public JsonObject inputs() {
            return json.getAsJsonObject("inputs");
        }

        public JsonObject decoded() {
            return json.getAsJsonObject("decoded");
        }

        public boolean has(String input) {
            return inputs().has(input);
        }

        public String str(String input) {
            return inputs().get(input).getAsString();
        }

        public long num(String input) {
            return inputs().get(input).getAsLong();
        }

        public String appId() {
            return str("appId");
        }

        public String certificate() {
            return str("appCertificate");
        }

        public String field(String name) {
            return json.get(name).getAsString();
        }

        /** Every token string the case carries: expectedToken, expectedTokenJdkDeflater, published.token. */
        public Map<String, String> tokenStrings() {
            Map<String, String> tokens = new java.util.LinkedHashMap<>();
            tokens.put("expectedToken", field("expectedToken"));
            if (json.has("expectedTokenJdkDeflater")) {
                tokens.put("expectedTokenJdkDeflater", field("expectedTokenJdkDeflater"));
            }
            if (json.has("published")) {
                tokens.put("published.token", json.getAsJsonObject("published").get("token").getAsString());
            }
            return tokens;
        }

        /** The 007 header expire for this case, by the builder table of spec 2.8. */
        public long expire() {
            return switch (kind()) {
                case "fpa" -> 86400;
                case "rtc_with_rtm2", "convoai", "stt" -> num("rtcTokenExpire");
                default -> num("tokenExpire");
            };
        }

        /** The 007 services this case's builder writes, derived from its inputs by spec 2.8. */
        public List<Service> services() {
            return switch (kind()) {
                case "rtc_uid" -> List.of(rtc(rolePrivileges(num("role"), num("privilegeExpire")), uidString(num("uid"))));
                case "rtc_account" -> List.of(rtc(rolePrivileges(num("role"), num("privilegeExpire")), str("account")));
                case "rtc_privileges" -> List.of(rtc(List.of(
                        new Privilege(1, num("joinChannelPrivilegeExpire")),
                        new Privilege(2, num("pubAudioPrivilegeExpire")),
                        new Privilege(3, num("pubVideoPrivilegeExpire")),
                        new Privilege(4, num("pubDataStreamPrivilegeExpire"))),
                        has("uid") ? uidString(num("uid")) : str("account")));
                case "rtc_with_rtm" -> List.of(
                        rtc(rolePrivileges(num("role"), num("privilegeExpire")), str("account")),
                        new Service.Rtm(List.of(new Privilege(1, num("tokenExpire"))), str("account")));
                case "rtc_with_rtm2" -> rtcWithRtm2();
                case "convoai" -> append(rtcWithRtm2(), new Service.ConvoAi(List.of()));
                case "stt" -> append(rtcWithRtm2(), new Service.Stt(List.of()));
                case "rtm" -> List.of(new Service.Rtm(List.of(new Privilege(1, num("tokenExpire"))), str("userId")));
                case "rtm2_permissions" -> List.of(new Service.Rtm2(List.of(new Privilege(1, num("tokenExpire"))),
                        str("userId"), permissions(inputs().getAsJsonObject("permissions"))));
                case "chat_user" -> List.of(new Service.Chat(List.of(new Privilege(1, num("tokenExpire"))), str("userId")));
                case "chat_app" -> List.of(new Service.Chat(List.of(new Privilege(2, num("tokenExpire"))), ""));
                case "fpa" -> List.of(new Service.Fpa(List.of(new Privilege(1, 0))));
                case "apaas_user" -> List.of(new Service.Apaas(List.of(new Privilege(2, num("tokenExpire"))),
                        "", str("userUuid"), (short) -1));
                case "apaas_app" -> List.of(new Service.Apaas(List.of(new Privilege(3, num("tokenExpire"))),
                        "", "", (short) -1));
                case "raw" -> rawServices();
                default -> throw new IllegalArgumentException("unknown 007 kind " + kind());
            };
        }

        private Service.Rtc rtc(List<Privilege> privileges, String uid) {
            return new Service.Rtc(privileges, str("channel"), uid);
        }

        private List<Service> rtcWithRtm2() {
            List<Privilege> rtc = new ArrayList<>();
            rtc.add(new Privilege(1, num("joinChannelPrivilegeExpire")));
            if (num("rtcRole") == 1) {
                rtc.add(new Privilege(2, num("pubAudioPrivilegeExpire")));
                rtc.add(new Privilege(3, num("pubVideoPrivilegeExpire")));
                rtc.add(new Privilege(4, num("pubDataStreamPrivilegeExpire")));
            }
            return List.of(new Service.Rtc(rtc, str("channel"), str("rtcAccount")),
                    new Service.Rtm(List.of(new Privilege(1, num("rtmTokenExpire"))), str("rtmUserId")));
        }

        private List<Service> rawServices() {
            List<Service> services = new ArrayList<>();
            for (JsonElement element : inputs().getAsJsonArray("services")) {
                JsonObject s = element.getAsJsonObject();
                List<Privilege> privileges = privileges(s.getAsJsonObject("privileges"));
                services.add(switch (s.get("type").getAsInt()) {
                    case 1 -> new Service.Rtc(privileges, s.get("channel").getAsString(), s.get("uid").getAsString());
                    case 2 -> new Service.Rtm(privileges, s.get("userId").getAsString());
                    case 4 -> new Service.Fpa(privileges);
                    case 5 -> new Service.Chat(privileges, s.get("userId").getAsString());
                    case 7 -> new Service.Apaas(privileges, s.get("roomUuid").getAsString(),
                            s.get("userUuid").getAsString(), s.get("role").getAsShort());
                    default -> throw new IllegalArgumentException("raw service type " + s.get("type"));
                });
            }
            return services;
        }

        /** 006: the privileges the case's token holds, by spec 3.5 (raw cases list them). */
        public List<Privilege> legacyPrivileges() {
            return switch (kind()) {
                case "rtc_uid", "rtc_account" -> {
                    long ts = num("privilegeExpiredTs");
                    // npm/Python/Go: attendee (0), publisher (1) and admin (101) publish; subscriber (2) joins only.
                    yield num("role") == 2 ? List.of(new Privilege(1, ts)) : rolePrivileges(1, ts);
                }
                case "rtm" -> List.of(new Privilege(1000, num("privilegeExpiredTs")));
                case "raw" -> privileges(inputs().getAsJsonObject("privileges"));
                default -> throw new IllegalArgumentException("unknown 006 kind " + kind());
            };
        }

        /** 006: the channel slot (the RTM user id for RTM tokens). */
        public String legacyChannel() {
            return kind().equals("rtm") ? str("userAccount") : str("channel");
        }

        /** 006: the uid slot: unsigned decimal uid (0 = empty), the account, or empty for RTM. */
        public String legacyUid() {
            if (kind().equals("rtm")) {
                return "";
            }
            return has("uid") ? uidString(num("uid")) : str("account");
        }
    }

    public static String uidString(long uid) {
        return uid == 0 ? "" : Long.toString(uid);
    }

    static List<Privilege> rolePrivileges(long role, long value) {
        return role == 1
                ? List.of(new Privilege(1, value), new Privilege(2, value), new Privilege(3, value), new Privilege(4, value))
                : List.of(new Privilege(1, value));
    }

    static List<Privilege> privileges(JsonObject map) {
        List<Privilege> privileges = new ArrayList<>();
        for (Map.Entry<String, JsonElement> e : map.entrySet()) {
            privileges.add(new Privilege(Integer.parseInt(e.getKey()), e.getValue().getAsLong()));
        }
        return privileges;
    }

    static List<Service.Rtm2Permission> permissions(JsonObject map) {
        List<Service.Rtm2Permission> permissions = new ArrayList<>();
        for (Map.Entry<String, JsonElement> byResource : map.entrySet()) {
            for (Map.Entry<String, JsonElement> byPermission : byResource.getValue().getAsJsonObject().entrySet()) {
                List<String> resources = new ArrayList<>();
                byPermission.getValue().getAsJsonArray().forEach(r -> resources.add(r.getAsString()));
                permissions.add(new Service.Rtm2Permission(Integer.parseInt(byResource.getKey()),
                        Integer.parseInt(byPermission.getKey()), resources));
            }
        }
        return permissions;
    }

    private static List<Service> append(List<Service> services, Service extra) {
        List<Service> all = new ArrayList<>(services);
        all.add(extra);
        return all;
    }

    /** A parsed 007 token's content in the shape of a vector's {@code decoded} object. */
    public static JsonObject toJson(io.tokenservice.core.token.AccessToken2 content) {
        JsonObject json = new JsonObject();
        json.addProperty("appId", content.appId());
        json.addProperty("issueTs", content.issueTs());
        json.addProperty("expire", content.expire());
        json.addProperty("salt", content.salt());
        JsonArray services = new JsonArray();
        for (Service service : content.services()) {
            JsonObject s = new JsonObject();
            s.addProperty("type", service.type());
            s.addProperty("name", service.name());
            JsonObject privileges = new JsonObject();
            for (Privilege p : service.privileges()) {
                privileges.addProperty(Integer.toString(p.key()), p.value());
            }
            s.add("privileges", privileges);
            if (service instanceof Service.Rtc rtc) {
                s.addProperty("channel", rtc.channel());
                s.addProperty("uid", rtc.uid());
            } else if (service instanceof Service.Rtm rtm) {
                s.addProperty("userId", rtm.userId());
            } else if (service instanceof Service.Chat chat) {
                s.addProperty("userId", chat.userId());
            } else if (service instanceof Service.Apaas apaas) {
                s.addProperty("roomUuid", apaas.roomUuid());
                s.addProperty("userUuid", apaas.userUuid());
                s.addProperty("role", apaas.role());
            } else if (service instanceof Service.Rtm2 rtm2) {
                s.addProperty("userId", rtm2.userId());
                JsonObject permissions = new JsonObject();
                for (Service.Rtm2Permission permission : rtm2.permissions()) {
                    String resourceType = Integer.toString(permission.resourceType());
                    if (!permissions.has(resourceType)) {
                        permissions.add(resourceType, new JsonObject());
                    }
                    JsonArray resources = new JsonArray();
                    permission.resources().forEach(resources::add);
                    permissions.getAsJsonObject(resourceType).add(Integer.toString(permission.permissionType()), resources);
                }
                s.add("permissions", permissions);
            } else if (service instanceof Service.Streaming || service instanceof Service.Fcdn) {
                throw new IllegalArgumentException("no vector carries service " + service.name());
            }
            services.add(s);
        }
        json.add("services", services);
        return json;
    }

    /** A parsed 006 token's content in the shape of a vector's {@code decoded} object, minus signed strings. */
    public static JsonObject toJson(io.tokenservice.core.token.AccessToken content) {
        JsonObject json = new JsonObject();
        json.addProperty("appId", content.appId());
        json.addProperty("crcChannel", content.crcChannel());
        json.addProperty("crcUid", content.crcUid());
        json.addProperty("salt", content.salt());
        json.addProperty("ts", content.expireTs());
        JsonObject privileges = new JsonObject();
        for (Privilege p : content.privileges()) {
            privileges.addProperty(Integer.toString(p.key()), p.value());
        }
        json.add("privileges", privileges);
        return json;
    }
}
