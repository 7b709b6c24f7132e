package io.tokenservice.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokenservice.gateway.testing.SuiteLog;
import io.tokenservice.gateway.testing.TestSecrets;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * Runs after every other test class of the gateway (see {@code junit-platform.properties}) and checks
 * every line the suite logged ({@link SuiteLog}: every java.util.logging record at every level, Armeria's
 * and netty's through slf4j, standard output and error, and the output of the token-server and gateway
 * processes): no API key or App Certificate a test made, no {@code Bearer <credential>}, no TLS private
 * key, nothing that looks like an Agora token.
 */
@Order(Integer.MAX_VALUE)
class EveryLogLineOfTheGatewaySuiteTest {
    /** A 006/007 token: version, then base64. */
    static final Pattern AGORA_TOKEN = Pattern.compile("00[67][0-9A-Za-z+/=]{30,}");
    private static final Pattern HEX = Pattern.compile("[0-9a-fA-F]+");
    /** A credential after "Bearer"; placeholders such as {@code <key>} or {@code [redacted]} do not match. */
    static final Pattern BEARER = Pattern.compile("(?i)\\bbearer\\s+[A-Za-z0-9._~+/-]{8,}");
    static final Pattern PRIVATE_KEY = Pattern.compile("-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----");
    /** A JWT (or any JWS): a base64url JSON header ({@code eyJ} is {@code {"}), a payload and a signature. */
    static final Pattern JWT = Pattern.compile("eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]*");

    @Test
    void noSecretInAnyLogLineOfTheWholeSuite() throws IOException {
        assertThat(SuiteLog.installed()).as("SuiteLog registered as a LauncherSessionListener").isTrue();
        List<String> lines = SuiteLog.lines();
        Files.write(Path.of("target", "gateway-suite-log-lines.txt"), lines, StandardCharsets.UTF_8);
        assertThat(lines).as("Armeria's own log lines were captured").anyMatch(line -> line.contains("com.linecorp.armeria"));
        assertThat(lines).as("the token server's output was captured").anyMatch(line -> line.startsWith("[token-server"));
        List<String> secrets = TestSecrets.all().stream().map(s -> s.toLowerCase(Locale.ROOT)).toList();
        assertThat(secrets).as("secrets the tests used").isNotEmpty();

        List<String> offending = new ArrayList<>();
        for (String line : lines) {
            String why = leak(line, secrets);
            if (why != null) {
                offending.add(why + ": " + (line.length() > 300 ? line.substring(0, 300) + "..." : line));
            }
        }
        assertThat(offending).as("log lines with a secret, out of " + lines.size() + " lines").isEmpty();
    }

    static String leak(String line, List<String> lowerCaseSecrets) {
        String lower = line.toLowerCase(Locale.ROOT);
        for (String secret : lowerCaseSecrets) {
            if (lower.contains(secret)) {
                return "secret " + secret.substring(0, Math.min(6, secret.length())) + "...";
            }
        }
        if (BEARER.matcher(line).find()) {
            return "bearer credential";
        }
        if (PRIVATE_KEY.matcher(line).find()) {
            return "private key";
        }
        if (JWT.matcher(line).find()) {
            return "JWT";
        }
        Matcher token = AGORA_TOKEN.matcher(line);
        while (token.find()) {
            if (!HEX.matcher(token.group()).matches()) {
                return "Agora token";
            }
        }
        return null;
    }

    @Test
    void theCheckRecognisesWhatItLooksFor() {
        List<String> secrets = List.of("tsk_abcdefghijklmnop");
        assertThat(leak("calling with tsk_ABCDEFGHIJKLMNOP", secrets)).isNotNull();
        assertThat(leak("token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl", secrets)).isEqualTo("JWT");
        assertThat(leak("authorization: Bearer eyJhbGciOiJSUzI1NiJ9", secrets)).isEqualTo("bearer credential");
        assertThat(leak("token 007eJxTYDgSsfDDgliv1YuVm/Jt2R+ubpvebN/8k2+7/OT7", secrets)).isEqualTo("Agora token");
        assertThat(leak("token_sha256 069effcba014", secrets)).isNull();
        assertThat(leak("authorization: Bearer <key>", secrets)).isNull();
    }
}
