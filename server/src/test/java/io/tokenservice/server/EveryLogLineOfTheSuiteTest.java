package io.tokenservice.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokenservice.server.testing.SuiteLog;
import io.tokenservice.server.testing.SuiteProgress;
import io.tokenservice.server.testing.TestApps;
import io.tokenservice.server.testing.TestSecrets;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * Runs after every other test class of the server (see {@code junit-platform.properties}) and checks every
 * log line the whole suite wrote ({@link SuiteLog}: all loggers at every level, standard output and error,
 * output of server processes): no App Certificate, API key, TLS certificate or private key a test used, no
 * {@code Bearer <key>}, nothing that looks like an Agora token and nothing that looks like a JWT. The
 * integration tests (failsafe, another JVM) end with the same check over their own lines:
 * {@link EveryLogLineOfTheIntegrationTestsIT}.
 */
@Order(Integer.MAX_VALUE)
class EveryLogLineOfTheSuiteTest {
    /** The App Certificate of the README and most tests, spelled as in the issue (the check ignores case). */
    static final String KNOWN_TEST_CERTIFICATE = "5CFd2fd1755d40ecb72977518be15d3b";

    /** A 006/007 token: version, then base64 (App ID, signature and content). */
    static final Pattern AGORA_TOKEN = Pattern.compile("00[67][0-9A-Za-z+/=]{30,}");
    /** Hex digits only: a hex dump (gRPC's frame logger at FINE) or a hash, never a base64 token body. */
    private static final Pattern HEX = Pattern.compile("[0-9a-fA-F]+");
    /** A credential after "Bearer"; placeholders such as {@code <key>}, {@code $VAR} or {@code [redacted]} do not match. */
    static final Pattern BEARER = Pattern.compile("(?i)\\bbearer\\s+[A-Za-z0-9._~+/-]{8,}");
    static final Pattern PEM = Pattern.compile("-----BEGIN [A-Z0-9 ]*(CERTIFICATE|PRIVATE KEY)-----");
    /** A JWT (or any JWS): a base64url JSON header ({@code eyJ} is {@code {"}), a payload and a signature. */
    static final Pattern JWT = Pattern.compile("eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]*");

    /** Fixtures in the test sources: API-key-shaped literals, {@code ..KEY../..CERT.. = "..."}, YAML/env certificates. */
    private static final List<Pattern> SOURCE_FIXTURES = List.of(
            Pattern.compile("\"(tsk_[A-Za-z0-9_-]{12,})\""),
            Pattern.compile("\\b\\w*(?:KEY|CERT|SECRET)\\w*\\s*=\\s*(?:TestSecrets\\.register\\()?\"([^\"\\s]{12,})\""),
            Pattern.compile("(?i)certificate\\w*\\s*[:=]\\s*\"?([0-9a-f]{32})\\b"),
            Pattern.compile("ENV_API_KEYS,\\s*\"[\\w.@-]+=([^\",\\s]{12,})\""));

    @Test
    void runsAfterEveryOtherTestClass() {
        assertThat(SuiteLog.installed()).as("SuiteLog registered as LauncherSessionListener").isTrue();
        Set<String> others = new HashSet<>(SuiteProgress.planned());
        others.removeIf(name -> name.startsWith(getClass().getName()));
        assertThat(SuiteProgress.finished()).as("test classes finished before the suite-wide log check")
                .containsAll(others);
    }

    @Test
    void noSecretInAnyLogLineOfTheWholeSuite() throws IOException {
        List<String> lines = SuiteLog.lines();
        assertThat(lines).as("captured lines").isNotEmpty();
        // What was checked, for a look after a failure (target/ only; the test secrets are throw-away).
        Files.write(Path.of("target", linesFile()), lines, StandardCharsets.UTF_8);

        Set<String> secrets = new TreeSet<>(TestSecrets.all());
        secrets.addAll(TestApps.SECRETS);
        secrets.add(KNOWN_TEST_CERTIFICATE);
        secrets.addAll(sourceFixtures());
        Set<String> lowerSecrets = new HashSet<>();
        for (String s : secrets) {
            lowerSecrets.add(s.toLowerCase(Locale.ROOT));
        }

        List<String> offending = new ArrayList<>();
        for (String line : lines) {
            String why = leak(line, lowerSecrets);
            if (why != null) {
                offending.add(why + ": " + abbreviate(line));
            }
        }
        assertThat(offending).as("log lines with a secret, out of " + lines.size() + " lines checked against "
                + secrets.size() + " secrets").isEmpty();
    }

    /** Where the checked lines are kept under target/. */
    String linesFile() {
        return "suite-log-lines.txt";
    }

    @Test
    void theCheckRecognisesAJwt() {
        String jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXBhcnQ";
        assertThat(leak("authenticated with " + jwt, Set.of())).isEqualTo("JWT");
        assertThat(leak("unsigned eyJhbGciOiJub25lIn0.eyJzdWIiOiJhbGljZSJ9.", Set.of())).isEqualTo("JWT");
        assertThat(leak("caller end-user/alice, kid rsa-1", Set.of())).isNull();
    }

    /** Why {@code line} leaks something, or null. */
    static String leak(String line, Set<String> lowerCaseSecrets) {
        String lower = line.toLowerCase(Locale.ROOT);
        for (String secret : lowerCaseSecrets) {
            if (lower.contains(secret)) {
                return "secret " + secret.substring(0, Math.min(6, secret.length())) + "...";
            }
        }
        if (BEARER.matcher(line).find()) {
            return "bearer credential";
        }
        if (PEM.matcher(line).find()) {
            return "PEM block";
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

    /** Secrets written into the test sources (a fixture that forgot to register is still checked). */
    static Set<String> sourceFixtures() throws IOException {
        Set<String> found = new TreeSet<>();
        Path sources = Path.of("src", "test", "java");
        assertThat(sources).as("test sources (surefire runs in the module directory)").isDirectory();
        try (Stream<Path> files = Files.walk(sources)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                if (file.endsWith(EveryLogLineOfTheSuiteTest.class.getSimpleName() + ".java")) {
                    continue;
                }
                String text = Files.readString(file, StandardCharsets.UTF_8);
                for (Pattern p : SOURCE_FIXTURES) {
                    Matcher m = p.matcher(text);
                    while (m.find()) {
                        found.add(m.group(1));
                    }
                }
            }
        }
        return found;
    }

    private static String abbreviate(String line) {
        String oneLine = line.strip().replace('\n', ' ');
        return oneLine.length() <= 400 ? oneLine : oneLine.substring(0, 400) + "...";
    }
}
