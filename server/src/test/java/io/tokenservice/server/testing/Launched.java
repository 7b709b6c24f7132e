package io.tokenservice.server.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ClientInterceptor;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.tokenservice.proto.v1.TokenServiceGrpc;
import io.tokenservice.server.SecuredServer;
import io.tokenservice.server.StartupException;
import io.tokenservice.server.auth.BearerHeader;
import io.tokenservice.server.config.EnvironmentVariables;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A server started exactly the way {@code Main} starts it ({@link SecuredServer#start}, Netty, port 0
 * unless {@code GRPC_PORT} is given), without polling the configuration files on a schedule (tests call
 * {@code server.watcher().poll()} or {@code server.reload()}),
 * plus a plaintext channel to it and what it printed on its console. The App Certificates it holds and
 * the keys of {@code TOKEN_SERVICE_API_KEYS} are registered with {@link TestSecrets}.
 */
public final class Launched implements AutoCloseable {
    private static final Pattern DEVELOPMENT_KEY = Pattern.compile("export TOKEN_SERVICE_API_KEY=(\\S+)");

    public final SecuredServer server;
    public final ManagedChannel channel;
    private final String console;

    private Launched(SecuredServer server, String console, ClientInterceptor... interceptors) {
        this.server = server;
        this.console = console;
        this.channel = Grpc.newChannelBuilderForAddress("localhost", server.port(), InsecureChannelCredentials.create())
                .intercept(interceptors)
                .build();
    }

    /** Starts with {@code env} (plus {@code GRPC_PORT=0} unless set) in {@code workingDir}. */
    public static Launched start(Map<String, String> env, Path workingDir, ClientInterceptor... interceptors)
            throws StartupException {
        Map<String, String> withPort = new HashMap<>(env);
        withPort.putIfAbsent("GRPC_PORT", "0");
        String keys = env.get(EnvironmentVariables.TOKEN_SERVICE_API_KEYS);
        if (keys != null) {
            for (String pair : keys.split(",")) {
                TestSecrets.register(pair.substring(pair.indexOf('=') + 1).strip());
            }
        }
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        SecuredServer server = SecuredServer.start(withPort, workingDir,
                new PrintStream(console, true, StandardCharsets.UTF_8), false);
        server.config().apps().all().forEach(app -> TestSecrets.registerAll(app.certificates()));
        String printed = console.toString(StandardCharsets.UTF_8);
        Matcher key = DEVELOPMENT_KEY.matcher(printed);
        if (key.find()) {
            TestSecrets.register(key.group(1));
        }
        return new Launched(server, printed, interceptors);
    }

    /** What the server printed on its console (standard output in production). */
    /** Waits (up to 10 s) until the audit records of the calls made so far are written. */
    public void awaitAudit() throws InterruptedException {
        if (!server.auditQueue().awaitWritten(java.time.Duration.ofSeconds(10))) {
            throw new AssertionError("the audit records were not written within 10 s");
        }
    }

    public String console() {
        return console;
    }

    /** The development key printed on the console; fails if there is none. */
    public String developmentKey() {
        Matcher key = DEVELOPMENT_KEY.matcher(console);
        assertThat(key.find()).as("a development key on the console").isTrue();
        return key.group(1);
    }

    /** A stub without credentials (fresh deadline). */
    public TokenServiceGrpc.TokenServiceBlockingStub anonymous() {
        return TokenServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    /** A stub sending {@code authorization: Bearer <key>} (fresh deadline). */
    public TokenServiceGrpc.TokenServiceBlockingStub as(String apiKey) {
        return anonymous().withCallCredentials(BearerHeader.bearer(apiKey));
    }

    @Override
    public void close() {
        channel.shutdownNow();
        server.close();
    }
}
