package io.tokenservice.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokenservice.server.SecuredServer;
import io.tokenservice.server.audit.JsonAuditSink;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.HashMap;
import java.util.Map;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generator against a real token server with full caller security (API key, policy, deny-list,
 * audit): it counts the calls it made and sees no errors. Nothing here asserts a speed.
 */
class LoadGeneratorSmokeTest {
    static final String KEY = "tsk_smoke_test_key_000000000000000000000000";

    @TempDir
    static Path dir;
    static SecuredServer server;
    static Logger audit;

    @BeforeAll
    static void startServer() throws Exception {
        audit = Logger.getLogger(JsonAuditSink.LOGGER_NAME);
        audit.setUseParentHandlers(false);
        String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(KEY.getBytes(StandardCharsets.UTF_8)));
        Files.writeString(dir.resolve("deny-list.txt"), "uid:999\nchannel:blocked\n");
        Files.writeString(dir.resolve("config.yaml"), String.join("\n",
                "apps:",
                "  - app_id: 970ca35de60c44645bbae8a215061b33",
                "    primary_certificate: 5cfd2fd1755d40ecb72977518be15d3b",
                "grpc_port: 0",
                "security:",
                "  callers:",
                "    load:",
                "      api_keys: [\"sha256:" + hash + "\"]",
                "      apps: [\"*\"]",
                "      services: [rtc]",
                "      channels: [\"demo\"]",
                "      roles: [publisher]",
                "      max_ttl_seconds: 3600",
                "      may_renew: true",
                "      rate_limit: {per_second: 1000000, burst: 1000000}",
                "  deny_list:",
                "    path: deny-list.txt",
                ""));
        Map<String, String> env = new HashMap<>();
        env.put("TOKEN_SERVICE_CONFIG", dir.resolve("config.yaml").toString());
        server = SecuredServer.start(env, dir, System.out, false);
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
        audit.setUseParentHandlers(true);
    }

    static String run(String... args) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String[] all = new String[args.length + 2];
        all[0] = "--target";
        all[1] = "127.0.0.1:" + server.port();
        System.arraycopy(args, 0, all, 2, args.length);
        int code = LoadGenerator.run(all, Map.of("TOKEN_SERVICE_API_KEY", KEY), new PrintStream(out, true),
                new PrintStream(err, true));
        assertThat(code).as(err.toString()).isZero();
        return out.toString().strip();
    }

    static long value(String line, String key) {
        for (String field : line.split(" ")) {
            if (field.startsWith(key + "=")) {
                return Long.parseLong(field.substring(key.length() + 1));
            }
        }
        throw new AssertionError(key + " not in " + line);
    }

    @Test
    void closedLoopIssueRtc() throws Exception {
        String line = run("--concurrency", "8", "--warmup", "0.3", "--duration", "0.7");

        assertThat(line).startsWith("rpc=IssueRtcToken transport=grpc mode=closed concurrency=8 seconds=0.7 ")
                .endsWith(" errors=0 by_status=none");
        assertThat(value(line, "ok")).isPositive();
    }

    @Test
    void openLoopRenewSendsEveryScheduledCall() throws Exception {
        String line = run("--rpc", "renew", "--rate", "400", "--warmup", "0.2", "--duration", "0.5");

        assertThat(line).startsWith("rpc=RenewToken transport=grpc mode=open rate=400 seconds=0.5 ok=200 ")
                .endsWith(" errors=0 by_status=none");
    }

    @Test
    void refusedCallsAreCountedByStatus() throws Exception {
        String line = run("--channel", "blocked", "--rate", "200", "--warmup", "0", "--duration", "0.25");

        assertThat(line).contains(" ok=0 ").endsWith(" errors=50 by_status=PERMISSION_DENIED:50");
    }
}
