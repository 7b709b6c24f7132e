package io.tokenservice.server;

import static io.tokenservice.server.MainTest.assertUnauthenticated;
import static io.tokenservice.server.testing.TestApps.APP_ID;
import static io.tokenservice.server.testing.TestApps.CERT;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.tokenservice.proto.v1.IssueRtcTokenRequest;
import io.tokenservice.proto.v1.IssuedToken;
import io.tokenservice.proto.v1.RtcRole;
import io.tokenservice.proto.v1.TokenServiceGrpc;
import io.tokenservice.server.auth.BearerHeader;
import io.tokenservice.server.testing.SuiteLog;
import io.tokenservice.server.testing.TestSecrets;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code Main} as a real process ({@code java -cp <test class path> io.tokenservice.server.Main}, what
 * {@code java -jar token-server.jar} runs): exit code and the one line of a refused start; the development
 * default's key on standard output, once, working, and never on standard error (the log), where gRPC's frame
 * logger at FINE shows the request headers redacted; audit lines on standard output; SIGTERM.
 */
class MainProcessTest {
    private static final long TIMEOUT_SECONDS = 60;
    private static final Pattern PORT = Pattern.compile("listening on port (\\d+) ");
    private static final Pattern KEY_LINE = Pattern.compile("^\\s*export TOKEN_SERVICE_API_KEY=(\\S+)$");

    @TempDir
    Path dir;

    /** One output stream of the process, line by line, as it comes. */
    private static final class Lines {
        final List<String> all = new CopyOnWriteArrayList<>();
        final BlockingQueue<String> fresh = new LinkedBlockingQueue<>();
        final Thread reader;

        Lines(InputStream in, String source) {
            reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                    for (String line = r.readLine(); line != null; line = r.readLine()) {
                        all.add(line);
                        fresh.add(line);
                        if (!KEY_LINE.matcher(line).matches()) { // the development key, shown by design
                            SuiteLog.add(source, line);
                        }
                    }
                } catch (IOException e) {
                    // the process ended
                }
            }, "main-process-" + source);
            reader.setDaemon(true);
            reader.start();
        }

        /** Waits for the next line matching {@code wanted}, skipping others. */
        String await(Predicate<String> wanted, String what) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
            while (true) {
                long left = deadline - System.nanoTime();
                String line = left <= 0 ? null : fresh.poll(left, TimeUnit.NANOSECONDS);
                assertThat(line).as("waiting for " + what + "; got so far: " + all).isNotNull();
                if (wanted.test(line)) {
                    return line;
                }
            }
        }

        void finish() throws InterruptedException {
            reader.join(TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS));
        }
    }

    private Process start(Map<String, String> env, String... jvmOptions) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
        // Only what the test sets: nothing from the developer's or CI's environment.
        builder.environment().keySet().removeIf(k -> k.startsWith("APP_") || k.startsWith("TOKEN_SERVICE")
                || k.startsWith("TLS_") || k.equals("GRPC_PORT") || k.endsWith("_GRACE_SECONDS") || k.startsWith("LOG_")
                || k.startsWith("ADMIN_"));
        builder.environment().putAll(env);
        return builder.start();
    }

    @Test
    void aConfiguredAppWithoutCallerCredentialsExitsWith2AndOneLine() throws Exception {
        Process process = start(Map.of("APP_ID", APP_ID, "APP_CERTIFICATE", CERT, "GRPC_PORT", "0",
                "LOG_FORMAT", "plain"));
        Lines out = new Lines(process.getInputStream(), "server process stdout");
        Lines err = new Lines(process.getErrorStream(), "server process stderr");

        assertThat(process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
        out.finish();
        err.finish();
        assertThat(process.exitValue()).isEqualTo(2);
        assertThat(out.all).isEmpty();
        assertThat(err.all).hasSize(1);
        assertThat(err.all.get(0)).matches("\\S+ ERROR io\\.tokenservice\\.server\\.Main - configuration error: "
                + "no caller credentials configured: set TOKEN_SERVICE_API_KEYS=.*").doesNotContain(CERT);
    }

    @Test
    void theDevelopmentDefaultPrintsOneKeyThatWorksAndNeverLogsIt() throws Exception {
        // DEBUG turns on gRPC's frame logger (FINE), whose lines pass the redacting filter, then the JUL bridge.
        Process process = start(Map.of("GRPC_PORT", "0", "LOG_FORMAT", "plain", "LOG_LEVEL", "debug"));
        Lines out = new Lines(process.getInputStream(), "server process stdout");
        Lines err = new Lines(process.getErrorStream(), "server process stderr");
        String key;
        IssuedToken issued;
        try {
            Matcher port = PORT.matcher(err.await(l -> PORT.matcher(l).find(), "the listening line"));
            assertThat(port.find()).isTrue();
            Matcher keyLine = KEY_LINE.matcher(out.await(l -> KEY_LINE.matcher(l).matches(), "the key"));
            assertThat(keyLine.matches()).isTrue();
            key = TestSecrets.register(keyLine.group(1));

            ManagedChannel channel = Grpc.newChannelBuilderForAddress("localhost", Integer.parseInt(port.group(1)),
                    InsecureChannelCredentials.create()).build();
            try {
                assertThat(HealthGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                        .check(HealthCheckRequest.getDefaultInstance()).getStatus())
                        .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
                IssueRtcTokenRequest request = IssueRtcTokenRequest.newBuilder().setChannel("demo").setUid(1234)
                        .setRole(RtcRole.RTC_ROLE_PUBLISHER).build();
                assertUnauthenticated(() -> TokenServiceGrpc.newBlockingStub(channel)
                        .withDeadlineAfter(10, TimeUnit.SECONDS).issueRtcToken(request));
                issued = TokenServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                        .withCallCredentials(BearerHeader.bearer(key)).issueRtcToken(request);
                assertThat(issued.getToken()).startsWith("007");
            } finally {
                channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
            }
            out.await(l -> l.startsWith("{\"time\":") && l.contains("\"outcome\":\"UNAUTHENTICATED\""), "audit: refused");
            out.await(l -> l.startsWith("{\"time\":") && l.contains("\"caller\":\"dev\"")
                    && l.contains("\"outcome\":\"OK\""), "audit: issued");
            err.await(l -> l.contains("INBOUND HEADERS") && l.contains("authorization: [redacted]"),
                    "the frame log of the authenticated request");
        } finally {
            // SIGTERM: graceful shutdown. (Process.destroy() would also close our ends of its pipes, and the
            // shutdown lines would be lost.)
            process.toHandle().destroy();
            assertThat(process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
        }
        out.finish();
        err.finish();

        assertThat(err.all).anySatisfy(l -> assertThat(l).contains("DEVELOPMENT MODE"))
                .anySatisfy(l -> assertThat(l).contains("Main - shutting down: draining in-flight calls"))
                .anySatisfy(l -> assertThat(l).endsWith("Main - stopped"))
                .noneSatisfy(l -> assertThat(l).contains(key))
                .noneSatisfy(l -> assertThat(l).contains(issued.getToken()))
                .noneSatisfy(l -> assertThat(l).startsWith("{\"time\":"));
        assertThat(out.all.stream().filter(l -> l.contains(key))).as("stdout lines with the key").hasSize(1);
        assertThat(out.all.stream().filter(l -> l.contains("tsk_"))).hasSize(1);
        assertThat(out.all).noneSatisfy(l -> assertThat(l).contains(issued.getToken()));
    }
}
