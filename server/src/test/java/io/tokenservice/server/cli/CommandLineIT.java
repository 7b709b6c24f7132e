package io.tokenservice.server.cli;

import static io.tokenservice.server.testing.TestApps.APP_ID;
import static io.tokenservice.server.testing.TestApps.CERT;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.tokenservice.core.token.AccessToken2;
import io.tokenservice.core.token.AccessToken2Codec;
import io.tokenservice.core.token.ParsedAccessToken2;
import io.tokenservice.core.token.Privilege;
import io.tokenservice.core.token.Service;
import io.tokenservice.server.auth.ApiKeyRegistry;
import io.tokenservice.server.testing.ServerProcess;
import io.tokenservice.server.testing.SuiteLog;
import io.tokenservice.server.testing.TestSecrets;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands as a shell script meets them: {@code java -jar server/target/token-server.jar <command>} as a
 * process, with only the environment the test gives. Exit codes,
 * what goes to standard output (only what was asked for) and to standard error (diagnostics, usage errors).
 */
class CommandLineIT {
    private static final long TIMEOUT_SECONDS = 60;
    private static final String KEY = TestSecrets.register("tsk_cli_hash_me_0123456789abcdefgh");

    @TempDir
    Path dir;

    record Run(int exit, String out, String err) {
        List<String> outLines() {
            return out.lines().toList();
        }
    }

    private Run run(Map<String, String> env, String stdin, String... args) throws Exception {
        List<String> command = new ArrayList<>(ServerProcess.javaJar());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
                .redirectOutput(dir.resolve("out.txt").toFile()).redirectError(dir.resolve("err.txt").toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("APP_") || k.startsWith("TOKEN_SERVICE")
                || k.startsWith("TLS_") || k.equals("GRPC_PORT") || k.startsWith("LOG_") || k.startsWith("ADMIN_"));
        builder.environment().putAll(env);
        Process process = builder.start();
        try (var in = process.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        } catch (IOException closedEarly) {
            // the command did not read its input
        }
        assertThat(process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
        Run result = new Run(process.exitValue(), Files.readString(dir.resolve("out.txt")),
                Files.readString(dir.resolve("err.txt")));
        if (!args[0].equals("issue")) { // the issued token on standard output is what was asked for
            result.out.lines().forEach(l -> SuiteLog.add("cli stdout", l));
        }
        result.err.lines().forEach(l -> SuiteLog.add("cli stderr", l));
        return result;
    }

    private static Map<String, String> app() {
        return Map.of("APP_ID", APP_ID, "APP_CERTIFICATE", CERT);
    }

    @Test
    void helpAndUsageErrors() throws Exception {
        Run help = run(Map.of(), "", "--help");
        assertThat(help.exit()).isZero();
        assertThat(help.out()).contains("serve", "issue", "inspect", "hash-key", "check-config", "health", "Exit codes");
        assertThat(help.err()).isEmpty();

        Run issueHelp = run(Map.of(), "", "issue", "rtc", "--help");
        assertThat(issueHelp.exit()).isZero();
        assertThat(issueHelp.out()).contains("--channel", "--uid", "--account", "--role");

        // serve with anything after it is parsed (the bare start skips the parser).
        Run serveHelp = run(Map.of(), "", "serve", "--help");
        assertThat(serveHelp.exit()).isZero();
        assertThat(serveHelp.out()).contains("Run the token server");

        Run serveBogus = run(Map.of(), "", "serve", "--bogus");
        assertThat(serveBogus.exit()).isEqualTo(Cli.USAGE);
        assertThat(serveBogus.err()).contains("--bogus");

        Run unknown = run(Map.of(), "", "frobnicate");
        assertThat(unknown.exit()).isEqualTo(Cli.USAGE);
        assertThat(unknown.out()).isEmpty();
        assertThat(unknown.err()).contains("frobnicate").contains("--help");

        Run bigUid = run(app(), "", "issue", "rtc", "--channel", "demo", "--uid", "4294967296", "--role", "publisher");
        assertThat(bigUid.exit()).isEqualTo(Cli.USAGE);
        assertThat(bigUid.out()).isEmpty();
        assertThat(bigUid.err()).contains("--uid must be from 0 to 4294967295");

        Run missing = run(app(), "", "issue", "rtc", "--uid", "1", "--role", "publisher");
        assertThat(missing.exit()).isEqualTo(Cli.USAGE);
        assertThat(missing.out()).isEmpty();
        assertThat(missing.err()).contains("--channel");
    }

    @Test
    void issueSignsOfflineAndInspectExplainsWithTheServersOwnRules() throws Exception {
        Run issued = run(app(), "", "issue", "rtc", "--channel", "demo", "--uid", "42", "--role", "publisher",
                "--ttl", "600");
        assertThat(issued.exit()).as(issued.err()).isZero();
        assertThat(issued.outLines()).hasSize(1).first().asString().startsWith("007");
        String token = TestSecrets.register(issued.outLines().get(0));
        assertThat(issued.err()).contains(APP_ID).contains("600 s").doesNotContain(CERT).doesNotContain(token);

        Run inspected = run(app(), "", "inspect", token, "--channel", "demo", "--uid", "42");
        assertThat(inspected.exit()).as(inspected.err()).isZero();
        JsonObject json = JsonParser.parseString(inspected.out()).getAsJsonObject();
        assertThat(json.get("signature").getAsString()).isEqualTo("SIGNATURE_STATUS_VALID");
        assertThat(json.get("accepted").getAsBoolean()).isTrue();
        assertThat(inspected.out()).doesNotContain(token).doesNotContain(CERT);

        Run wrongChannel = run(app(), "", "inspect", token, "--channel", "other", "--uid", "42");
        assertThat(wrongChannel.exit()).isEqualTo(Cli.REJECTED_TOKEN);
        assertThat(JsonParser.parseString(wrongChannel.out()).getAsJsonObject().get("accepted").getAsBoolean()).isFalse();

        Run unchecked = run(Map.of(), token, "inspect", "-");
        assertThat(unchecked.exit()).isEqualTo(Cli.REJECTED_TOKEN);
        assertThat(unchecked.err()).contains("signature is not checked");

        Run rtm = run(app(), "", "issue", "rtm", "--user-id", "bob");
        assertThat(rtm.exit()).isZero();
        TestSecrets.register(rtm.out().strip());
        Run chat = run(app(), "", "issue", "chat", "--app-token");
        assertThat(chat.exit()).isZero();
        TestSecrets.register(chat.out().strip());
        Run apaas = run(app(), "", "issue", "apaas", "--room-uuid", "room-1", "--user-uuid", "u1", "--role", "2");
        assertThat(apaas.exit()).as(apaas.err()).isZero();
        AccessToken2 room = AccessToken2Codec.decode(TestSecrets.register(apaas.out().strip())).content();
        assertThat(room.service(Service.Apaas.class)).get().extracting(Service.Apaas::roomUuid).isEqualTo("room-1");
        assertThat(run(app(), "", "issue", "apaas", "--room-uuid", "room-1", "--app-token").exit())
                .isEqualTo(Cli.USAGE);
    }

    /** FPA is not offered over the API (no policy could narrow it); the command line mints it from the certificate. */
    @Test
    void issueFpaSignsWithTheRulesOfTheIssueRpcs() throws Exception {
        Run fpa = run(app(), "", "issue", "fpa", "--ttl", "600");
        assertThat(fpa.exit()).as(fpa.err()).isZero();
        ParsedAccessToken2 parsed = AccessToken2Codec.decode(TestSecrets.register(fpa.out().strip()));
        assertThat(parsed.verify(CERT)).isTrue();
        assertThat(parsed.content().expire()).isEqualTo(600);
        assertThat(parsed.content().services()).containsExactly(
                new Service.Fpa(List.of(new Privilege(Service.FPA_LOGIN, 0))));
        assertThat(fpa.err()).contains(APP_ID).contains("600 s");

        Run tooShort = run(app(), "", "issue", "fpa", "--ttl", "10");
        assertThat(tooShort.exit()).isEqualTo(Cli.FAILED);
        assertThat(tooShort.out()).isEmpty();
        assertThat(tooShort.err()).startsWith("error: INVALID_ARGUMENT: invalid request: ttl_seconds");
        Run otherApp = run(app(), "", "issue", "fpa", "--app-id", "ffffffffffffffffffffffffffffffff");
        assertThat(otherApp.exit()).isEqualTo(Cli.FAILED);
        assertThat(otherApp.err()).startsWith("error: NOT_FOUND");
    }

    @Test
    void issueRefusalsHaveTheirOwnExitCodes() throws Exception {
        Run noApp = run(Map.of(), "", "issue", "rtm", "--user-id", "bob");
        assertThat(noApp.exit()).isEqualTo(Cli.CONFIG);
        assertThat(noApp.out()).isEmpty();
        assertThat(noApp.err()).contains("configuration error: no app configured");

        Run invalid = run(app(), "", "issue", "rtc", "--channel", "x".repeat(65), "--uid", "1", "--role", "subscriber");
        assertThat(invalid.exit()).isEqualTo(Cli.FAILED);
        assertThat(invalid.out()).isEmpty();
        assertThat(invalid.err()).startsWith("error: INVALID_ARGUMENT: invalid request: channel");

        Run garbage = run(Map.of(), "", "inspect", "007notatoken");
        assertThat(garbage.exit()).isEqualTo(Cli.FAILED);
        assertThat(garbage.err()).contains("INVALID_ARGUMENT");
    }

    @Test
    void hashKeyReadsStandardInput() throws Exception {
        Run hashed = run(Map.of(), KEY + "\n", "hash-key");
        assertThat(hashed.exit()).isZero();
        assertThat(hashed.out().strip()).isEqualTo(ApiKeyRegistry.configHash(KEY));
        assertThat(hashed.out() + hashed.err()).doesNotContain(KEY);

        Run empty = run(Map.of(), "", "hash-key");
        assertThat(empty.exit()).isEqualTo(Cli.FAILED);
        assertThat(empty.out()).isEmpty();
        assertThat(empty.err()).contains("no key on standard input");
    }

    @Test
    void checkConfigSaysWhatStartUpWouldSay() throws Exception {
        Map<String, String> good = new HashMap<>(app());
        good.put("TOKEN_SERVICE_API_KEYS", "web=" + KEY);
        Run ok = run(good, "", "check-config");
        assertThat(ok.exit()).as(ok.err()).isZero();
        assertThat(ok.out()).startsWith("configuration OK").contains(APP_ID).contains("callers [web]")
                .doesNotContain(CERT).doesNotContain(KEY);

        Map<String, String> bad = new HashMap<>(good);
        bad.put("ADMIN_PORT", "99999");
        Run refused = run(bad, "", "check-config");
        assertThat(refused.exit()).isEqualTo(Cli.CONFIG);
        assertThat(refused.out()).isEmpty();
        String message = "configuration error: ADMIN_PORT: must be a whole number from 0 to 65535";
        assertThat(refused.err().strip()).isEqualTo(message);

        Map<String, String> loud = new HashMap<>(good);
        loud.put("LOG_LEVEL", "loud");
        Run badLevel = run(loud, "", "check-config");
        assertThat(badLevel.exit()).isEqualTo(Cli.CONFIG);
        assertThat(badLevel.err().strip())
                .isEqualTo("configuration error: LOG_LEVEL: must be one of error, warn, info, debug, trace");

        bad.put("LOG_FORMAT", "plain");
        Run serve = run(bad, "", "serve");
        assertThat(serve.exit()).isEqualTo(Cli.CONFIG);
        assertThat(serve.err().strip()).endsWith("Main - " + message);
    }

    @Test
    void theLoggingSectionOfTheFileAppliesOnceLoaded() throws Exception {
        Path config = Files.writeString(dir.resolve("token-service.yaml"), """
                apps:
                  - app_id: %s
                    primary_certificate: %s
                logging:
                  format: json
                """.formatted(APP_ID, CERT));
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Run refused = run(Map.of("TOKEN_SERVICE_CONFIG", config.toString(), "TOKEN_SERVICE_API_KEYS", "web=" + KEY,
                    "GRPC_PORT", Integer.toString(taken.getLocalPort())), "", "serve");
            assertThat(refused.exit()).as(refused.err()).isEqualTo(1);
            assertThat(refused.err().lines()).isNotEmpty().allSatisfy(l -> assertThat(JsonParser.parseString(l)
                    .getAsJsonObject().has("level")).as(l).isTrue());
            assertThat(refused.err()).contains("cannot listen on port " + taken.getLocalPort());
        }
    }

    @Test
    void serveLogsJsonOnStandardErrorAndAuditOnStandardOutput() throws Exception {
        Map<String, String> env = new HashMap<>(app());
        env.put("TOKEN_SERVICE_API_KEYS", "web=" + KEY);
        env.put("LOG_FORMAT", "json");
        env.put("GRPC_PORT", "not-a-port");
        Run refused = run(env, "", "serve");
        assertThat(refused.exit()).isEqualTo(Cli.CONFIG);
        assertThat(refused.out()).isEmpty();
        List<String> lines = refused.err().lines().toList();
        assertThat(lines).hasSize(1);
        JsonObject line = JsonParser.parseString(lines.get(0)).getAsJsonObject();
        assertThat(line.get("level").getAsString()).isEqualTo("ERROR");
        assertThat(line.get("logger_name").getAsString()).isEqualTo("io.tokenservice.server.Main");
        assertThat(line.get("message").getAsString()).startsWith("configuration error: GRPC_PORT");
        assertThat(line.has("@timestamp")).isTrue();
    }
}
