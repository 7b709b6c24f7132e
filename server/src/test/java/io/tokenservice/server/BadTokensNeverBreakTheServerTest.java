package io.tokenservice.server;

import static io.tokenservice.server.testing.TestApps.APP_ID;
import static io.tokenservice.server.testing.TestApps.CERT;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tokenservice.proto.v1.InspectTokenRequest;
import io.tokenservice.proto.v1.IssueRtcTokenRequest;
import io.tokenservice.proto.v1.RenewTokenRequest;
import io.tokenservice.proto.v1.RtcRole;
import io.tokenservice.server.testing.TokenServerExtension;
import java.io.ByteArrayOutputStream;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Random;
import java.util.Set;
import java.util.zip.Deflater;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Whatever a client sends as a token, RenewToken and InspectToken answer with a typed status, never
 * UNKNOWN or INTERNAL (which would mean a server bug). Deterministic: fixed seeds.
 */
class BadTokensNeverBreakTheServerTest {
    private static final Set<Status.Code> TYPED = EnumSet.of(Status.Code.OK, Status.Code.INVALID_ARGUMENT,
            Status.Code.PERMISSION_DENIED, Status.Code.NOT_FOUND, Status.Code.FAILED_PRECONDITION);
    @RegisterExtension
    static final TokenServerExtension server = TokenServerExtension.inProcess(b -> b.app(APP_ID, CERT));
    private static String good;

    @BeforeAll
    static void issueAGoodToken() {
        good = server.stub().issueRtcToken(IssueRtcTokenRequest.newBuilder().setChannel("room").setUid(7)
                .setRole(RtcRole.RTC_ROLE_PUBLISHER).setIncludeRtm(true).build()).getToken();
    }

    private static void assertTyped(String token) {
        for (int rpc = 0; rpc < 2; rpc++) {
            Status.Code code;
            try {
                if (rpc == 0) {
                    server.stub().renewToken(RenewTokenRequest.newBuilder().setToken(token).build());
                } else {
                    server.stub().inspectToken(InspectTokenRequest.newBuilder().setToken(token).setChannel("room")
                            .setUid(7).build());
                }
                code = Status.Code.OK;
            } catch (StatusRuntimeException e) {
                code = e.getStatus().getCode();
            }
            assertThat(code).as("%s of a bad token", rpc == 0 ? "RenewToken" : "InspectToken").isIn(TYPED);
        }
    }

    @Test
    void mutatedTokens() {
        Random random = new Random(42);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=";
        for (int i = 0; i < 300; i++) {
            char[] chars = good.toCharArray();
            int edits = 1 + random.nextInt(4);
            for (int e = 0; e < edits; e++) {
                int at = 3 + random.nextInt(chars.length - 3);
                chars[at] = alphabet.charAt(random.nextInt(alphabet.length()));
            }
            assertTyped(new String(chars));
            assertTyped(good.substring(0, 3 + random.nextInt(good.length() - 3)));
        }
    }

    @Test
    void wellCompressedGarbage() {
        Random random = new Random(7);
        for (int i = 0; i < 300; i++) {
            byte[] content = new byte[random.nextInt(200)];
            random.nextBytes(content);
            if (content.length > 40) {
                content[0] = 32; // a plausible signature length prefix
                content[1] = 0;
            }
            assertTyped("007" + Base64.getEncoder().encodeToString(deflate(content)));
            byte[] raw = new byte[random.nextInt(120)];
            random.nextBytes(raw);
            assertTyped("006" + APP_ID + Base64.getEncoder().encodeToString(raw));
        }
    }

    private static byte[] deflate(byte[] data) {
        Deflater deflater = new Deflater();
        deflater.setInput(data);
        deflater.finish();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[512];
        while (!deflater.finished()) {
            out.write(buffer, 0, deflater.deflate(buffer));
        }
        deflater.end();
        return out.toByteArray();
    }
}
