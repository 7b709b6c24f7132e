package io.tokenservice.server.transport;

import static io.tokenservice.server.testing.TestApps.APP_ID;
import static io.tokenservice.server.testing.TestApps.CERT;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.tokenservice.proto.v1.IssueRtcTokenRequest;
import io.tokenservice.proto.v1.RtcRole;
import io.tokenservice.proto.v1.TokenServiceGrpc;
import io.tokenservice.server.auth.BearerHeader;
import io.tokenservice.server.testing.RawHttp2;
import io.tokenservice.server.testing.ServerProcess;
import io.tokenservice.server.testing.TestSecrets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9, point 1: an authenticated caller opening tens of thousands of TokenService streams that send
 * headers and never a message, against the real server process with a 96 MiB heap. Before the transport
 * limits, each such stream held about 1.6 KB until the heap ran out and the process answered no one, for
 * good. Now the server admits at most {@code MAX_CONCURRENT_CALLS_PER_CONNECTION} streams per connection,
 * charges the caller's rate limit when a call starts, and ends a call whose request has not arrived within
 * {@code FIRST_MESSAGE_TIMEOUT_SECONDS}; another caller keeps getting tokens during and after the attack.
 */
class IdleStreamFloodIT {
    private static final String ATTACKER_KEY = TestSecrets.register("tsk_flood_attacker_key_0123456789abc");
    private static final String VICTIM_KEY = TestSecrets.register("tsk_flood_victim_key_0123456789abcde");
    private static final String ISSUE_RTC = TokenServiceGrpc.getIssueRtcTokenMethod().getFullMethodName();
    private static final int CALL_DEADLINE_SECONDS = 20;

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void oneConnectionWithSixtyThousandIdleStreamsTakesNoTokenFromAnotherCaller() throws Exception {
        flood(1, 60_000);
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void eightConnectionsWithTenThousandIdleStreamsEachTakeNoTokenFromAnotherCaller() throws Exception {
        flood(8, 10_000);
    }

    private void flood(int connections, int streamsPerConnection) throws Exception {
        Map<String, String> env = Map.of("APP_ID", APP_ID, "APP_CERTIFICATE", CERT, "GRPC_PORT", "0",
                "TOKEN_SERVICE_API_KEYS", "attacker=" + ATTACKER_KEY + ",victim=" + VICTIM_KEY,
                "FIRST_MESSAGE_TIMEOUT_SECONDS", "2");
        try (ServerProcess server = ServerProcess.start(dir, env, "-Xmx96m")) {
            int port = server.awaitPort();
            ManagedChannel channel = Grpc.newChannelBuilderForAddress("127.0.0.1", port,
                    InsecureChannelCredentials.create()).build();
            Victim victim = new Victim(channel);
            try {
                victim.issue();
                victim.start();
                List<RawHttp2> attackers = new ArrayList<>();
                for (int i = 0; i < connections; i++) {
                    RawHttp2 attacker = RawHttp2.connect("127.0.0.1", port);
                    attacker.settingsReceived().get(10, TimeUnit.SECONDS);
                    attackers.add(attacker);
                }
                byte[] block = attackers.get(0).encode(RawHttp2.grpcRequest(ISSUE_RTC,
                        "authorization", "Bearer " + ATTACKER_KEY));
                int batch = 2_000;
                for (int sent = 0; sent < streamsPerConnection; sent += batch) {
                    for (RawHttp2 attacker : attackers) {
                        attacker.openMany(block, Math.min(batch, streamsPerConnection - sent));
                    }
                }
                int during = victim.successes.get();
                victim.awaitMore(during, 3);

                // No attacker stream outlives the first-message timeout (2 s) by much.
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                for (RawHttp2 attacker : attackers) {
                    for (int id = 1; id < 2 * streamsPerConnection; id += 2) {
                        while (!attacker.ended(id) && System.nanoTime() < deadline) {
                            Thread.sleep(10);
                        }
                        assertThat(attacker.ended(id)).as("attacker stream %d ended by the server", id).isTrue();
                    }
                }
                for (RawHttp2 attacker : attackers) {
                    attacker.close();
                }
                int after = victim.successes.get();
                victim.awaitMore(after, 3);
            } finally {
                victim.stop();
                channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
            }
            assertThat(victim.failures).as("the victim's failed calls").isEmpty();
            assertThat(server.process.isAlive()).as("server process alive").isTrue();
            assertThat(server.err.all).noneSatisfy(l -> assertThat(l).contains("OutOfMemoryError"));
        }
    }

    /**
     * Another caller asking for a token every 50 ms. The deadline is generous because the test machine is
     * shared (2 cores, other builds): what is proved is that the server answers, not how fast.
     */
    private static final class Victim {
        final TokenServiceGrpc.TokenServiceBlockingStub stub;
        final AtomicInteger successes = new AtomicInteger();
        final List<StatusRuntimeException> failures = new CopyOnWriteArrayList<>();
        final AtomicBoolean running = new AtomicBoolean(true);
        final Thread thread = new Thread(this::run, "victim");

        Victim(ManagedChannel channel) {
            stub = TokenServiceGrpc.newBlockingStub(channel).withCallCredentials(BearerHeader.bearer(VICTIM_KEY));
        }

        void issue() {
            assertThat(stub.withDeadlineAfter(CALL_DEADLINE_SECONDS, TimeUnit.SECONDS).issueRtcToken(IssueRtcTokenRequest.newBuilder()
                    .setChannel("victim-room").setUid(42).setRole(RtcRole.RTC_ROLE_PUBLISHER).build()).getToken())
                    .startsWith("007");
            successes.incrementAndGet();
        }

        void start() {
            thread.setDaemon(true);
            thread.start();
        }

        void run() {
            while (running.get()) {
                try {
                    issue();
                    Thread.sleep(50);
                } catch (StatusRuntimeException e) {
                    failures.add(e);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        /** Waits until {@code n} more tokens than {@code from} were issued (60 s at most). */
        void awaitMore(int from, int n) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (successes.get() < from + n && failures.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(failures).as("the victim's failed calls").isEmpty();
            assertThat(successes.get()).as("tokens issued to the victim").isGreaterThanOrEqualTo(from + n);
        }

        void stop() throws InterruptedException {
            running.set(false);
            thread.interrupt();
            thread.join(10_000);
        }
    }
}
