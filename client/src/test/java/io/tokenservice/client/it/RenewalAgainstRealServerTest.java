package io.tokenservice.client.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tokenservice.client.Token;
import io.tokenservice.client.TokenClient;
import io.tokenservice.client.TokenServiceException;
import io.tokenservice.client.renew.HandoverMode;
import io.tokenservice.client.renew.Renewal;
import io.tokenservice.client.renew.RenewalFailure;
import io.tokenservice.client.renew.TokenProvider;
import io.tokenservice.client.renew.TokenRenewer;
import io.tokenservice.client.renew.Trigger;
import io.tokenservice.client.renew.TriggerOutcome;
import io.tokenservice.client.testing.FakeClock;
import io.tokenservice.client.testing.FakeScheduler;
import io.tokenservice.client.testing.FakeSession;
import io.tokenservice.client.testing.RecordingListener;
import io.tokenservice.proto.v1.InspectTokenRequest;
import io.tokenservice.proto.v1.InspectTokenResponse;
import io.tokenservice.proto.v1.IssueRtcTokenRequest;
import io.tokenservice.proto.v1.IssueRtmTokenRequest;
import io.tokenservice.proto.v1.RtcRole;
import io.tokenservice.proto.v1.SignatureStatus;
import io.tokenservice.proto.v1.TokenVersion;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The renewer driving the real server, in-process and over Netty. Time is the fake clock's (shared by the
 * server, the client and the renewer's scheduler); nothing sleeps: the tests advance the clock and wait only
 * for RPC results to come back.
 */
class RenewalAgainstRealServerTest {
    private static final Instant T0 = Instant.parse("2030-06-01T12:00:00Z");
    private static final Duration GRACE = Duration.ofSeconds(60);

    private final FakeClock clock = new FakeClock(T0);
    private final FakeScheduler scheduler = new FakeScheduler(clock);
    private final FakeSession session = new FakeSession();
    private final RecordingListener listener = new RecordingListener();
    private RealServer server;
    private TokenClient client;
    private TokenRenewer renewer;

    private IssueRtcTokenRequest request;

    private void startServer(RealServer.Transport transport, Duration serverClockOffset) {
        server = new RealServer(transport, clock, serverClockOffset, GRACE);
        client = server.client(server.apiKey, clock);
        request = IssueRtcTokenRequest.newBuilder().setAppId(server.appId).setChannel("lobby").setUid(4242)
                .setRole(RtcRole.RTC_ROLE_PUBLISHER).setTtlSeconds(60).build();
    }

    private void startServer(RealServer.Transport transport) {
        startServer(transport, Duration.ZERO);
    }

    /** Joins with a freshly issued 60 s token and starts the renewer on it. */
    private Token join(TokenClient renewingClient) {
        Token initial = client.issueRtcToken(request);
        renewer = TokenRenewer.builder(session, TokenProvider.rtc(renewingClient, request))
                .clock(clock).scheduler(scheduler).listener(listener)
                .random(() -> 0L) // jitter at its lowest: retry delays are exact
                .build();
        renewer.start(initial);
        return initial;
    }

    @AfterEach
    void tearDown() {
        if (renewer != null) {
            renewer.close();
        }
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private void assertAcceptedByServer(Token token) {
        InspectTokenResponse verdict = client.inspectToken(InspectTokenRequest.newBuilder().setToken(token.value())
                .setAppId(server.appId).setChannel("lobby").setUid(4242).build());
        assertThat(verdict.getSignature()).isEqualTo(SignatureStatus.SIGNATURE_STATUS_VALID);
        assertThat(verdict.getAccepted()).as(verdict.getSummary()).isTrue();
    }

    @ParameterizedTest
    @EnumSource(RealServer.Transport.class)
    void renewsOnTheWillExpireEvent(RealServer.Transport transport) {
        startServer(transport);
        Token initial = join(client);

        clock.advance(Duration.ofSeconds(30)); // the SDK warns 30 s ahead
        session.fireWillExpire(initial.value());

        Renewal renewal = listener.awaitRenewal();
        assertThat(renewal.trigger()).isEqualTo(Trigger.WILL_EXPIRE_EVENT);
        assertThat(renewal.mode()).isEqualTo(HandoverMode.RENEW);
        Token renewed = renewal.current();
        assertThat(session.renewed).containsExactly(renewed.value());
        assertThat(renewed.value()).isNotEqualTo(initial.value());
        assertThat(renewed.issuedAt()).isEqualTo(T0.plusSeconds(30));
        assertThat(renewed.expiresAt()).isEqualTo(T0.plusSeconds(90));
        assertThat(withoutExpiries(renewed)).as("same grants").isEqualTo(withoutExpiries(initial)).isNotEmpty();
        assertThat(server.calls("RenewToken")).isEqualTo(1);
        assertAcceptedByServer(renewed);
        // The next renewal is set from the new expiry.
        assertThat(scheduler.nextDue()).contains(T0.plusSeconds(60));
    }

    @ParameterizedTest
    @EnumSource(RealServer.Transport.class)
    void renewsByTheTimerAloneWhenNoEventComes(RealServer.Transport transport) {
        startServer(transport);
        join(client);

        scheduler.advance(Duration.ofSeconds(29));
        assertThat(server.calls("RenewToken")).isZero();
        scheduler.advance(Duration.ofSeconds(1));
        Renewal first = listener.awaitRenewal();
        assertThat(first.trigger()).isEqualTo(Trigger.TIMER);
        assertThat(first.current().expiresAt()).isEqualTo(T0.plusSeconds(90));

        scheduler.advance(Duration.ofSeconds(30));
        Renewal second = listener.awaitRenewal();
        assertThat(second.trigger()).isEqualTo(Trigger.TIMER);
        assertThat(second.previous()).isEqualTo(first.current());
        assertThat(second.current().expiresAt()).isEqualTo(T0.plusSeconds(120));
        assertThat(session.renewed).containsExactly(first.current().value(), second.current().value());
        assertThat(server.calls("RenewToken")).isEqualTo(2);
    }

    @ParameterizedTest
    @EnumSource(RealServer.Transport.class)
    void timerUsesTheServerClockOffset(RealServer.Transport transport) {
        // The server's clock runs 7 minutes ahead of this device's: its expires_at, read naively on the
        // local clock, would put the renewal 7 minutes too late, long after the token died.
        startServer(transport, Duration.ofMinutes(7));
        Token initial = join(client);
        assertThat(initial.clockOffset()).isEqualTo(Duration.ofMinutes(7));
        assertThat(scheduler.nextDue()).contains(T0.plusSeconds(30));

        scheduler.advance(Duration.ofSeconds(30));
        Renewal renewal = listener.awaitRenewal();
        assertThat(renewal.current().issuedAt()).isEqualTo(T0.plus(Duration.ofMinutes(7)).plusSeconds(30));
        assertThat(renewal.current().localExpiresAt()).isEqualTo(T0.plusSeconds(90));
    }

    @ParameterizedTest
    @EnumSource(RealServer.Transport.class)
    void noDoubleRenewalWhenEventAndTimerCoincide(RealServer.Transport transport) {
        startServer(transport);
        Token initial = join(client);

        scheduler.advance(Duration.ofSeconds(30)); // timer: renewal starts
        session.fireWillExpire(initial.value()); // the SDK's event, same instant
        session.fireWillExpire(); // and an RTM-style one that names no token

        Renewal renewal = listener.awaitRenewal();
        listener.assertNoResultWithin(Duration.ofMillis(300));
        assertThat(renewal.trigger()).isEqualTo(Trigger.TIMER);
        assertThat(server.calls("RenewToken")).isEqualTo(1);
        assertThat(session.renewed).hasSize(1);
        // Whether the RPC was still in flight when the events came or had already finished, they were absorbed.
        assertThat(listener.triggers).hasSize(3);
        assertThat(listener.triggers.subList(1, 3)).allSatisfy(t -> assertThat(t.outcome())
                .isIn(TriggerOutcome.ALREADY_RENEWING, TriggerOutcome.STALE));
    }

    @ParameterizedTest
    @EnumSource(RealServer.Transport.class)
    void serverDownDuringRenewalThenBack_renewsAfterBackoffBeforeExpiry(RealServer.Transport transport) {
        startServer(transport);
        Token initial = join(client);

        server.stop();
        scheduler.advance(Duration.ofSeconds(30)); // timer fires while the server is down
        RenewalFailure failure = listener.awaitFailure();
        assertThat(failure.serviceError()).hasValueSatisfying(e -> {
            assertThat(e.kind()).isEqualTo(TokenServiceException.Kind.UNAVAILABLE);
            assertThat(e.isRetryable()).isTrue();
        });
        assertThat(failure.retryIn()).contains(Duration.ofMillis(800)); // 1 s backoff, jitter at its lowest

        scheduler.advance(Duration.ofMillis(800)); // still down: second attempt fails, backoff grows
        RenewalFailure second = listener.awaitFailure();
        assertThat(second.attempt()).isEqualTo(2);
        assertThat(second.retryIn()).contains(Duration.ofMillis(1600));

        server.start(); // back on the same port / name
        scheduler.advance(Duration.ofMillis(1600));
        Renewal renewal = listener.awaitRenewal();
        assertThat(renewal.attempts()).isEqualTo(3);
        assertThat(clock.instant()).isBefore(initial.localExpiresAt());
        assertThat(session.renewed).containsExactly(renewal.current().value());
        assertThat(renewal.current().expiresAt()).isEqualTo(clock.instant().plusSeconds(60).truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
        assertAcceptedByServer(renewal.current());
    }

    @ParameterizedTest
    @EnumSource(RealServer.Transport.class)
    void expiredTokenGetsAFreshOneAndTheSessionRejoins(RealServer.Transport transport) {
        startServer(transport);
        join(client);
        int issuedBefore = server.calls("IssueRtcToken");

        clock.advance(Duration.ofSeconds(61)); // e.g. the app was suspended; the SDK dropped out
        session.fireExpired();

        Renewal renewal = listener.awaitRenewal();
        assertThat(renewal.mode()).isEqualTo(HandoverMode.REJOIN);
        assertThat(renewal.trigger()).isEqualTo(Trigger.EXPIRED_EVENT);
        assertThat(session.rejoined).containsExactly(renewal.current().value());
        assertThat(session.renewed).isEmpty();
        assertThat(server.calls("IssueRtcToken")).isEqualTo(issuedBefore + 1);
        assertThat(server.calls("RenewToken")).isZero();
        assertThat(renewal.current().expiresAt()).isEqualTo(T0.plusSeconds(61 + 60));
        assertAcceptedByServer(renewal.current());
    }

    @ParameterizedTest
    @EnumSource(RealServer.Transport.class)
    void renewalRefusedAsTooOldFallsBackToIssueAndRejoin(RealServer.Transport transport) {
        startServer(transport);
        Token old = client.issueRtcToken(request);
        clock.advance(Duration.ofMinutes(10)); // 9 minutes past expiry, beyond the server's 60 s grace
        // The app restored the token from storage and (wrongly) stamps it as just received, so the renewer
        // believes it is still valid and asks RenewToken; the server's TOKEN_EXPIRED must not strand it.
        Token restored = new Token(old.value(), old.appId(), old.issuedAt(), old.expiresAt(), old.services(),
                old.sha256Prefix(), clock.instant());
        renewer = TokenRenewer.builder(session, TokenProvider.rtc(client, request))
                .clock(clock).scheduler(scheduler).listener(listener).build();
        renewer.start(restored);
        session.fireWillExpire();

        RenewalFailure refused = listener.awaitFailure();
        assertThat(refused.serviceError()).hasValueSatisfying(e -> {
            assertThat(e.kind()).isEqualTo(TokenServiceException.Kind.TOKEN_EXPIRED);
            assertThat(e.errorReason()).contains("TOKEN_EXPIRED");
        });
        assertThat(refused.retryIn()).contains(Duration.ZERO);
        Renewal renewal = listener.awaitRenewal();
        assertThat(renewal.mode()).isEqualTo(HandoverMode.REJOIN);
        assertThat(session.rejoined).containsExactly(renewal.current().value());
        assertThat(renewal.current().expiresAt()).isEqualTo(T0.plus(Duration.ofMinutes(10)).plusSeconds(60));
    }

    @ParameterizedTest
    @EnumSource(RealServer.Transport.class)
    void noActivityAfterClose(RealServer.Transport transport) {
        startServer(transport);
        Token initial = join(client);
        scheduler.advance(Duration.ofSeconds(30));
        listener.awaitRenewal();
        int renewCalls = server.calls("RenewToken");
        int issueCalls = server.calls("IssueRtcToken");
        int callbacks = listener.all.size();

        renewer.close();
        assertThat(session.listener()).isNull();
        assertThat(scheduler.pending()).isEmpty();

        scheduler.advance(Duration.ofHours(2));
        session.registered.get(0).onTokenWillExpire(initial.value()); // an SDK still holding the old listener
        session.registered.get(0).onTokenExpired();
        session.registered.get(0).onRequestToken();
        renewer.renewNow();
        listener.assertNoResultWithin(Duration.ofMillis(300));

        assertThat(server.calls("RenewToken")).isEqualTo(renewCalls);
        assertThat(server.calls("IssueRtcToken")).isEqualTo(issueCalls);
        assertThat(session.handovers()).isEqualTo(1);
        assertThat(listener.all).hasSize(callbacks);
        assertThat(scheduler.pending()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(RealServer.Transport.class)
    void wrongApiKeyIsAClearAuthenticationErrorNotARetryLoop(RealServer.Transport transport) {
        startServer(transport);
        try (TokenClient wrongKey = server.client("tsk_not-the-right-key-0000000000000000000", clock)) {
            join(wrongKey); // the initial token came from a correctly configured client

            session.fireWillExpire();
            RenewalFailure failure = listener.awaitFailure();
            assertThat(failure.gaveUp()).isTrue();
            assertThat(failure.serviceError()).hasValueSatisfying(e -> {
                assertThat(e.kind()).isEqualTo(TokenServiceException.Kind.AUTHENTICATION);
                assertThat(e.code()).isEqualTo(io.grpc.Status.Code.UNAUTHENTICATED);
                assertThat(e.reason()).isEqualTo("missing or invalid credentials");
                assertThat(e.getMessage()).contains("RenewToken", "UNAUTHENTICATED");
            });
            assertThat(renewer.state()).isEqualTo(TokenRenewer.State.FAILED);
            assertThat(scheduler.pending()).as("no timer, no retry").isEmpty();

            scheduler.advance(Duration.ofHours(1));
            session.fireWillExpire();
            listener.assertNoResultWithin(Duration.ofMillis(300));
            assertThat(server.calls("RenewToken")).as("one attempt, no gRPC retry, no renewer retry").isEqualTo(1);
            assertThat(session.handovers()).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(RealServer.Transport.class)
    void renewsA006RtcTokenWithTheChannelAndUidOfItsRequest(RealServer.Transport transport) {
        startServer(transport);
        request = request.toBuilder().setTokenVersion(TokenVersion.TOKEN_VERSION_006).build();
        Token initial = join(client);
        assertThat(initial.isLegacy()).isTrue();

        clock.advance(Duration.ofSeconds(30));
        session.fireWillExpire(initial.value());

        Renewal renewal = listener.awaitRenewal();
        Token renewed = renewal.current();
        assertThat(renewed.value()).startsWith("006").isNotEqualTo(initial.value());
        assertThat(renewed.expiresAt()).isEqualTo(T0.plusSeconds(90));
        assertThat(session.renewed).containsExactly(renewed.value());
        assertThat(server.calls("RenewToken")).isEqualTo(1);
        assertAcceptedByServer(renewed);
    }

    @Test
    void renewsA006RtmTokenWithTheUserIdOfItsRequest() {
        startServer(RealServer.Transport.IN_PROCESS);
        IssueRtmTokenRequest rtm = IssueRtmTokenRequest.newBuilder().setAppId(server.appId).setUserId("alice")
                .setTtlSeconds(60).setTokenVersion(TokenVersion.TOKEN_VERSION_006).build();
        Token initial = client.issueRtmToken(rtm);
        renewer = TokenRenewer.builder(session, TokenProvider.rtm(client, rtm))
                .clock(clock).scheduler(scheduler).listener(listener).build();
        renewer.start(initial);

        scheduler.advance(Duration.ofSeconds(30));

        Token renewed = listener.awaitRenewal().current();
        assertThat(renewed.value()).startsWith("006").isNotEqualTo(initial.value());
        assertThat(renewed.expiresAt()).isEqualTo(T0.plusSeconds(90));
        assertThat(session.renewed).containsExactly(renewed.value());
    }

    @Test
    void startsRenewingA006RtcTokenGivenAsAString() {
        startServer(RealServer.Transport.IN_PROCESS);
        request = request.toBuilder().setTokenVersion(TokenVersion.TOKEN_VERSION_006).build();
        Token issued = client.issueRtcToken(request);
        Token fromString = Token.fromString(issued.value());
        assertThat(fromString.isLegacy()).isTrue();
        assertThat(fromString.appId()).isEqualTo(issued.appId());
        assertThat(fromString.issuedAt()).isEqualTo(issued.issuedAt());
        assertThat(fromString.expiresAt()).isEqualTo(issued.expiresAt());
        assertThat(fromString.services()).singleElement().satisfies(rtc -> {
            assertThat(rtc.getChannel()).as("only its CRC32 is in the token").isEmpty();
            assertThat(rtc.getUid()).isEmpty();
            assertThat(rtc.getPrivilegesList()).isEqualTo(issued.services().get(0).getPrivilegesList());
        });
        renewer = TokenRenewer.builder(session, TokenProvider.rtc(client, request))
                .clock(clock).scheduler(scheduler).listener(listener).build();
        renewer.start(issued.value());

        clock.advance(Duration.ofSeconds(30));
        session.fireWillExpire(issued.value());

        Token renewed = listener.awaitRenewal().current();
        assertThat(renewed.value()).startsWith("006").isNotEqualTo(issued.value());
        assertThat(renewed.expiresAt()).isEqualTo(T0.plusSeconds(90));
        assertThat(session.renewed).containsExactly(renewed.value());
        assertAcceptedByServer(renewed);
    }

    @Test
    void a006TokenStringIssuedForAnotherChannelOrUidOrUserIsRefusedAtStart() {
        startServer(RealServer.Transport.IN_PROCESS);
        request = request.toBuilder().setTokenVersion(TokenVersion.TOKEN_VERSION_006).build();
        String rtcToken = client.issueRtcToken(request).value();
        IssueRtmTokenRequest rtm = IssueRtmTokenRequest.newBuilder().setAppId(server.appId).setUserId("alice")
                .setTtlSeconds(60).setTokenVersion(TokenVersion.TOKEN_VERSION_006).build();
        String rtmToken = client.issueRtmToken(rtm).value();

        for (TokenProvider wrong : java.util.List.of(
                TokenProvider.rtc(client, request.toBuilder().setChannel("other").build()),
                TokenProvider.rtc(client, request.toBuilder().setUid(4243).build()),
                TokenProvider.rtc(client, request.toBuilder().setAccount("alice").build()))) {
            TokenRenewer r = TokenRenewer.builder(session, wrong).clock(clock).scheduler(scheduler).build();
            assertThatThrownBy(() -> r.start(rtcToken)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("channel and uid/account are not the one(s) the 006 token was issued for");
            assertThat(r.state()).isEqualTo(TokenRenewer.State.NEW);
        }
        TokenRenewer r = TokenRenewer.builder(session, TokenProvider.rtm(client, rtm.toBuilder().setUserId("bob").build()))
                .clock(clock).scheduler(scheduler).build();
        assertThatThrownBy(() -> r.start(rtmToken)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("user id is not the one(s) the 006 token was issued for");
        assertThat(session.listener()).isNull();
        assertThat(scheduler.pending()).isEmpty();
        assertThat(server.calls("RenewToken")).isZero();
    }

    @Test
    void a006TokenWithAProviderThatCannotRenewItFailsAtStart() {
        startServer(RealServer.Transport.IN_PROCESS);
        request = request.toBuilder().setTokenVersion(TokenVersion.TOKEN_VERSION_006).build();
        Token initial = client.issueRtcToken(request);
        renewer = TokenRenewer.builder(session, TokenProvider.of(client, () -> client.issueRtcTokenAsync(request)))
                .clock(clock).scheduler(scheduler).listener(listener).build();

        assertThatThrownBy(() -> renewer.start(initial))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("006")
                .hasMessageContaining("TokenProvider.rtc");
        assertThat(renewer.state()).isEqualTo(TokenRenewer.State.NEW);
        assertThat(session.listener()).isNull();
        assertThat(scheduler.pending()).isEmpty();
        assertThat(server.calls("RenewToken")).isZero();
    }

    private static java.util.List<io.tokenservice.proto.v1.ServiceGrant> withoutExpiries(Token token) {
        return token.services().stream().map(s -> {
            io.tokenservice.proto.v1.ServiceGrant.Builder b = s.toBuilder();
            b.getPrivilegesBuilderList().forEach(p -> p.clearExpiresAt());
            return b.build();
        }).toList();
    }
}
