package io.tokenservice.server.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Headers;
import io.tokenservice.proto.v1.IssueRtcTokenRequest;
import io.tokenservice.proto.v1.IssuedToken;
import io.tokenservice.proto.v1.RtcRole;
import io.tokenservice.proto.v1.TokenServiceGrpc;
import io.tokenservice.server.audit.JsonAuditSink;
import io.tokenservice.server.testing.Launched;
import io.tokenservice.server.testing.LogCapture;
import io.tokenservice.server.testing.RawHttp2;
import io.tokenservice.server.testing.TestSecrets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The transport limits of issue 9 on the server {@code java -jar} runs, over Netty, each set through its
 * environment variable: streams per connection, the first-message timeout, health and reflection calls per
 * connection, idle and maximum connection age, keepalive enforcement.
 */
class TransportLimitsServerTest {
    static final String KEY = TestSecrets.register("tsk_transport_limits_key_0123456789abc");
    static final String ISSUE_RTC = TokenServiceGrpc.getIssueRtcTokenMethod().getFullMethodName();
    static final String HEALTH_WATCH = HealthGrpc.getWatchMethod().getFullMethodName();
    static final int DEADLINE_EXCEEDED = Status.Code.DEADLINE_EXCEEDED.value();

    @TempDir
    Path dir;

    private Launched start(String... variables) throws Exception {
        return LimitedServer.start(dir, KEY, variables);
    }

    static IssueRtcTokenRequest rtc() {
        return IssueRtcTokenRequest.newBuilder().setChannel("room").setUid(7).setRole(RtcRole.RTC_ROLE_PUBLISHER).build();
    }

    static Http2Headers issueWithKey() {
        return RawHttp2.grpcRequest(ISSUE_RTC, "authorization", "Bearer " + KEY);
    }

    @Test
    void aCallThatSendsNoRequestEndsWithDeadlineExceededAndIsAudited() throws Exception {
        try (LogCapture audit = LogCapture.of(JsonAuditSink.LOGGER_NAME);
                Launched server = start("FIRST_MESSAGE_TIMEOUT_SECONDS", "1");
                RawHttp2 client = RawHttp2.connect("127.0.0.1", server.server.port())) {
            int silent = client.open(issueWithKey());
            int unfinished = client.open(issueWithKey());
            client.sendData(unfinished, new byte[] {0, 0, 0, 0, 10, 1, 2}, false); // 2 of 10 bytes, no end

            long started = System.nanoTime();
            RawHttp2.Response first = client.await(silent);
            RawHttp2.Response second = client.await(unfinished);
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

            for (RawHttp2.Response r : List.of(first, second)) {
                assertThat(r.httpStatus()).hasValue("200");
                assertThat(r.grpcStatus()).as("%s", r).hasValue(DEADLINE_EXCEEDED);
                assertThat(r.grpcMessage().orElseThrow()).isEqualTo("no request within 1 s of the call's start: "
                        + "send the request message and end the request stream right after the headers");
            }
            assertThat(tookMillis).isBetween(500L, 5_000L);
            assertThat(audit.awaitMessages(Level.INFO, l -> l.contains("DEADLINE_EXCEEDED"), 2))
                    .hasSize(2).allSatisfy(l -> assertThat(l).contains("\"caller\":\"web\"")
                            .contains("\"rpc\":\"IssueRtcToken\"").contains("no request within 1 s"));

            // The connection stays usable.
            RawHttp2.Response ok = client.call(issueWithKey(), rtc());
            assertThat(ok.grpcStatus()).hasValue(0);
            assertThat(ok.message(IssuedToken.parser()).getToken()).startsWith("007");
        }
    }

    @Test
    void aConnectionGetsNoMoreStreamsThanItsLimitAndTheOthersAreRefused() throws Exception {
        try (Launched server = start("MAX_CONCURRENT_CALLS_PER_CONNECTION", "20", "FIRST_MESSAGE_TIMEOUT_SECONDS", "30");
                RawHttp2 client = RawHttp2.connect("127.0.0.1", server.server.port())) {
            client.settingsReceived().get(10, TimeUnit.SECONDS);
            int first = client.openMany(client.encode(issueWithKey()), 50);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (client.rstStreamsReceived() < 30 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            List<Integer> open = new ArrayList<>();
            for (int id = first; id < first + 100; id += 2) {
                if (!client.ended(id)) {
                    open.add(id);
                }
            }
            assertThat(client.rstStreamsReceived()).as("streams refused").isEqualTo(30);
            assertThat(open).as("streams still open").hasSize(20);
            // A refused stream costs nothing: another connection is served at once.
            assertThat(server.as(KEY).issueRtcToken(rtc()).getToken()).startsWith("007");
        }
    }

    @Test
    void aConnectionHoldsAFewHealthAndReflectionCallsAtMost() throws Exception {
        try (Launched server = start("MAX_PUBLIC_CALLS_PER_CONNECTION", "3");
                RawHttp2 client = RawHttp2.connect("127.0.0.1", server.server.port())) {
            List<Integer> watches = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                int id = client.open(RawHttp2.grpcRequest(HEALTH_WATCH));
                client.sendMessage(id, HealthCheckRequest.getDefaultInstance());
                watches.add(id);
            }
            for (int id : watches.subList(3, 5)) {
                RawHttp2.Response refused = client.await(id);
                assertThat(refused.grpcStatus()).hasValue(Status.Code.RESOURCE_EXHAUSTED.value());
                assertThat(refused.grpcMessage().orElseThrow())
                        .isEqualTo("this connection has 3 health or reflection calls open, as many as allowed: end one first");
            }
            assertThat(watches.subList(0, 3)).noneMatch(client::ended);
            // Token calls are not counted against the health and reflection calls.
            assertThat(client.call(issueWithKey(), rtc()).grpcStatus()).hasValue(0);
            // Health checks still work on other connections.
            assertThat(HealthGrpc.newBlockingStub(server.channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .check(HealthCheckRequest.getDefaultInstance()).getStatus().name()).isEqualTo("SERVING");
        }
    }

    @Test
    void idleAndOldConnectionsAreClosedGracefully() throws Exception {
        try (Launched server = start("MAX_CONNECTION_IDLE_SECONDS", "1");
                RawHttp2 client = RawHttp2.connect("127.0.0.1", server.server.port())) {
            assertThat(client.call(issueWithKey(), rtc()).grpcStatus()).hasValue(0);
            assertThat(client.goAway().get(10, TimeUnit.SECONDS)).as("GOAWAY error code").isEqualTo(0L);
        }
        try (Launched server = start("MAX_CONNECTION_AGE_SECONDS", "1", "MAX_CONNECTION_AGE_GRACE_SECONDS", "0");
                RawHttp2 client = RawHttp2.connect("127.0.0.1", server.server.port())) {
            int held = client.open(RawHttp2.grpcRequest(HEALTH_WATCH));
            client.sendMessage(held, HealthCheckRequest.getDefaultInstance());
            assertThat(client.goAway().get(10, TimeUnit.SECONDS)).isEqualTo(0L);
            assertThat(client.await(held).grpcStatus()).as("the call still open when the grace ran out")
                    .isNotEqualTo(java.util.Optional.of(0));
        }
    }

    @Test
    void aClientPingingMoreOftenThanAllowedIsToldToCalmDown() throws Exception {
        try (Launched server = start("PERMIT_KEEPALIVE_TIME_SECONDS", "60");
                RawHttp2 client = RawHttp2.connect("127.0.0.1", server.server.port())) {
            client.settingsReceived().get(10, TimeUnit.SECONDS);
            for (int i = 0; i < 5 && !client.goAway().isDone(); i++) {
                client.ping();
                Thread.sleep(50);
            }
            assertThat(client.goAway().get(10, TimeUnit.SECONDS)).as("GOAWAY ENHANCE_YOUR_CALM").isEqualTo(0xbL);
        }
    }
}
