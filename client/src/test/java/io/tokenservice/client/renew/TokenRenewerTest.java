package io.tokenservice.client.renew;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Any;
import com.google.protobuf.Timestamp;
import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import com.google.rpc.RetryInfo;
import io.grpc.Status;
import io.grpc.protobuf.StatusProto;
import io.tokenservice.client.Token;
import io.tokenservice.client.TokenServiceException;
import io.tokenservice.client.testing.FakeClock;
import io.tokenservice.client.testing.FakeScheduler;
import io.tokenservice.client.testing.FakeSession;
import io.tokenservice.client.testing.ManualProvider;
import io.tokenservice.client.testing.RecordingListener;
import io.tokenservice.core.issue.RtcIdentity;
import io.tokenservice.core.issue.RtcTokenRequest;
import io.tokenservice.core.issue.SaltSource;
import io.tokenservice.core.issue.TokenIssuer;
import io.tokenservice.core.issue.TokenLimits;
import io.tokenservice.core.token.AppCredentials;
import io.tokenservice.proto.v1.Privilege;
import io.tokenservice.proto.v1.PrivilegeGrant;
import io.tokenservice.proto.v1.ServiceGrant;
import io.tokenservice.proto.v1.ServiceType;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The renewal logic against a hand-driven provider: every RPC result, event and instant is chosen by the
 * test, so each interleaving is exercised exactly.
 */
class TokenRenewerTest {
    private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
    private static final Duration TTL = Duration.ofSeconds(60);
    /** nextDouble() == 0: jitter factor exactly 1 - jitter (0.8 with the default backoff). */
    private static final RandomGenerator LOWEST = () -> 0L;

    private final FakeClock clock = new FakeClock(T0);
    private final FakeScheduler scheduler = new FakeScheduler(clock);
    private final FakeSession session = new FakeSession();
    private final ManualProvider provider = new ManualProvider();
    private final RecordingListener listener = new RecordingListener();
    private int serial;

    private TokenRenewer.Builder renewer() {
        return TokenRenewer.builder(session, provider).clock(clock).scheduler(scheduler).listener(listener)
                .random(LOWEST);
    }

    /** A token the server issued "now" (server clock = local clock + offset) with the given lifetime. */
    private Token token(Duration offset, Duration lifetime, List<ServiceGrant> services) {
        Instant local = clock.instant();
        Instant serverNow = local.plus(offset);
        serial++;
        return new Token("007token-" + serial, "0123456789abcdef0123456789abcdef", serverNow, serverNow.plus(lifetime),
                services, "sha" + serial, local);
    }

    private Token token() {
        return token(Duration.ZERO, TTL, List.of());
    }

    private static TokenServiceException unavailable() {
        return TokenServiceException.from("RenewToken", Status.UNAVAILABLE.withDescription("server down").asRuntimeException());
    }

    private static TokenServiceException status(Code code, String message, com.google.protobuf.Message... details) {
        com.google.rpc.Status.Builder s = com.google.rpc.Status.newBuilder().setCode(code.getNumber()).setMessage(message);
        for (com.google.protobuf.Message d : details) {
            s.addDetails(Any.pack(d));
        }
        return TokenServiceException.from("RenewToken", StatusProto.toStatusRuntimeException(s.build()));
    }

    // ------------------------------------------------------------------ the three triggers

    @Test
    void renewsOnTheWillExpireEventAndHandsTheTokenToTheSession() {
        Token initial = token();
        TokenRenewer r = renewer().build();
        r.start(initial);
        assertThat(session.listener()).as("registered for events").isNotNull();

        clock.advance(Duration.ofSeconds(25));
        session.fireWillExpire(initial.value());
        assertThat(provider.calls).hasSize(1);
        assertThat(provider.last().rpc()).isEqualTo("renew");
        assertThat(provider.last().current()).isEqualTo(initial);

        Token renewed = token();
        provider.last().result().complete(renewed);

        assertThat(session.renewed).containsExactly(renewed.value());
        assertThat(session.rejoined).isEmpty();
        assertThat(r.current()).isEqualTo(renewed);
        assertThat(listener.renewals).singleElement().satisfies(rn -> {
            assertThat(rn.trigger()).isEqualTo(Trigger.WILL_EXPIRE_EVENT);
            assertThat(rn.mode()).isEqualTo(HandoverMode.RENEW);
            assertThat(rn.previous()).isEqualTo(initial);
            assertThat(rn.current()).isEqualTo(renewed);
            assertThat(rn.attempts()).isEqualTo(1);
        });
        // The old token's timer is gone; the new one is set 30 s before the new expiry.
        assertThat(scheduler.pending()).containsExactly(T0.plusSeconds(25 + 30));
    }

    @Test
    void renewsByTheTimerAloneWhenNoEventComes() {
        TokenRenewer r = renewer().build();
        r.start(token());

        scheduler.advance(Duration.ofSeconds(30).minusMillis(1));
        assertThat(provider.calls).isEmpty();
        scheduler.advance(Duration.ofMillis(1));
        assertThat(provider.calls).hasSize(1);
        assertThat(clock.instant()).isEqualTo(T0.plusSeconds(30));

        Token renewed = token();
        provider.last().result().complete(renewed);
        assertThat(session.renewed).containsExactly(renewed.value());
        assertThat(listener.renewals).singleElement().extracting(Renewal::trigger).isEqualTo(Trigger.TIMER);

        // And again for the renewed token, without any event.
        scheduler.advance(Duration.ofSeconds(30));
        assertThat(provider.calls).hasSize(2);
        assertThat(provider.last().current()).isEqualTo(renewed);
        r.close();
    }

    /** A real 007 token signed "elsewhere" at {@code issuedAt} with {@code ttl}. */
    private static String tokenString(Instant issuedAt, long ttl) {
        TokenIssuer elsewhere = new TokenIssuer(Clock.fixed(issuedAt, ZoneOffset.UTC), SaltSource.fixed(1),
                TokenLimits.agoraDefault());
        return elsewhere.issueRtc(new AppCredentials("0123456789abcdef0123456789abcdef",
                "fedcba9876543210fedcba9876543210"), RtcTokenRequest.of("room", RtcIdentity.uid(7),
                io.tokenservice.core.issue.RtcRole.PUBLISHER, ttl)).token();
    }

    @Test
    void startsFromATokenStringReadingItsExpiryFromTheToken() {
        TokenRenewer r = renewer().build();
        String fromElsewhere = tokenString(T0, 60);
        r.start(fromElsewhere);

        assertThat(r.current().value()).isEqualTo(fromElsewhere);
        assertThat(r.current().clockOffsetKnown()).isFalse();
        assertThat(r.current().expiresAt()).isEqualTo(T0.plusSeconds(60));
        scheduler.advance(Duration.ofSeconds(30).minusMillis(1));
        assertThat(provider.calls).isEmpty();
        scheduler.advance(Duration.ofMillis(1));
        assertThat(provider.last().rpc()).isEqualTo("renew");
        assertThat(provider.last().current().value()).isEqualTo(fromElsewhere);

        Token renewed = token(Duration.ofMinutes(5), TTL, List.of());
        provider.last().result().complete(renewed);
        assertThat(session.renewed).containsExactly(renewed.value());
        assertThat(r.current().clockOffsetKnown()).as("measured by the first renewal").isTrue();
        assertThat(r.current().clockOffset()).isEqualTo(Duration.ofMinutes(5));
        r.close();
    }

    @Test
    void aTokenStringWithAnUnknownOffsetIsRenewedNotReissuedWhenTheLocalClockSaysExpired() {
        TokenRenewer r = renewer().build();
        r.start(tokenString(T0.minusSeconds(600), 60));
        scheduler.runDue();
        assertThat(provider.last().rpc()).as("the server, not the local clock, says whether it expired")
                .isEqualTo("renew");
        r.close();
    }

    @Test
    void aStringThatIsNotA007TokenIsRefusedAtStart() {
        TokenRenewer r = renewer().build();
        assertThatThrownBy(() -> r.start("007abc")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("not a 007 token");
        r.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "006abc", // truncated inside the app id
        "0060123456789abcdef0123456789abcdef", // nothing after the app id
        "0060123456789abcdef0123456789abcdefIACx!!", // not base64
        "0060123456789abcdef0123456789abcdeIAAAAAAA", // a 31-character app id: the content starts one character early
    })
    void aMalformed006StringIsRefusedAtStart(String malformed) {
        TokenRenewer r = renewer().build();
        assertThatThrownBy(() -> r.start(malformed)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("not a valid 006 token: ");
        assertThat(r.state()).isEqualTo(TokenRenewer.State.NEW);
        r.close();
    }

    @Test
    void aTruncated006TokenIsRefusedAtStart() {
        String valid = new TokenIssuer(Clock.fixed(T0, ZoneOffset.UTC), SaltSource.fixed(1), TokenLimits.agoraDefault())
                .issueLegacyRtc(new AppCredentials("0123456789abcdef0123456789abcdef",
                        "fedcba9876543210fedcba9876543210"), "room", RtcIdentity.uid(7),
                        io.tokenservice.core.issue.LegacyRole.PUBLISHER, T0.getEpochSecond() + 60);
        TokenRenewer r = renewer().build();
        assertThatThrownBy(() -> r.start(valid.substring(0, valid.length() - 8)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("not a valid 006 token: ");
        r.close();
    }

    @Test
    void timerIsCorrectedForTheServerClockRunningAhead() {
        // The server's clock is 10 minutes ahead of ours: its expires_at, read on our clock, lies 10:60 away,
        // but the token really ends 60 s after we received it.
        TokenRenewer r = renewer().build();
        Token initial = token(Duration.ofMinutes(10), TTL, List.of());
        r.start(initial);
        assertThat(initial.clockOffset()).isEqualTo(Duration.ofMinutes(10));
        assertThat(initial.localExpiresAt()).isEqualTo(T0.plus(TTL));
        assertThat(scheduler.pending()).containsExactly(T0.plusSeconds(30));
        r.close();
    }

    @Test
    void timerIsCorrectedForTheServerClockRunningBehind() {
        // Server 10 minutes behind: read naively, the token would look expired already and be renewed at once.
        TokenRenewer r = renewer().build();
        r.start(token(Duration.ofMinutes(-10), TTL, List.of()));
        scheduler.runDue();
        assertThat(provider.calls).isEmpty();
        assertThat(scheduler.pending()).containsExactly(T0.plusSeconds(30));
        r.close();
    }

    @Test
    void timerFollowsTheEarliestPrivilegeExpiry() {
        // Publishing video ends after 100 s while the token lasts 600 s: renew 30 s before the privilege ends.
        Instant serverNow = clock.instant();
        ServiceGrant rtc = ServiceGrant.newBuilder().setService(ServiceType.SERVICE_TYPE_RTC).setChannel("c").setUid("1")
                .addPrivileges(PrivilegeGrant.newBuilder().setPrivilege(Privilege.PRIVILEGE_RTC_JOIN_CHANNEL).setAgoraKey(1))
                .addPrivileges(PrivilegeGrant.newBuilder().setPrivilege(Privilege.PRIVILEGE_RTC_PUBLISH_VIDEO_STREAM)
                        .setAgoraKey(3).setExpiresAt(Timestamp.newBuilder().setSeconds(serverNow.getEpochSecond() + 100)))
                .build();
        TokenRenewer r = renewer().build();
        r.start(token(Duration.ZERO, Duration.ofSeconds(600), List.of(rtc)));
        assertThat(scheduler.pending()).containsExactly(T0.plusSeconds(70));
        r.close();
    }

    @Test
    void shortLivedTokensAreRenewedHalfWayRatherThanContinuously() {
        TokenRenewer r = renewer().build();
        r.start(token(Duration.ZERO, Duration.ofSeconds(20), List.of()));
        assertThat(scheduler.pending()).containsExactly(T0.plusSeconds(10));
        r.close();
    }

    // ------------------------------------------------------------------ single flight

    @Test
    void eventAndTimerAtTheSameInstantRenewOnce_timerFirst() {
        Token initial = token();
        TokenRenewer r = renewer().build();
        r.start(initial);

        scheduler.advance(Duration.ofSeconds(30)); // timer fires
        session.fireWillExpire(initial.value()); // SDK event at the same instant
        assertThat(provider.calls).hasSize(1);
        assertThat(listener.triggers).containsExactly(
                new RecordingListener.TriggerRecord(Trigger.TIMER, TriggerOutcome.STARTED),
                new RecordingListener.TriggerRecord(Trigger.WILL_EXPIRE_EVENT, TriggerOutcome.ALREADY_RENEWING));

        provider.last().result().complete(token());
        assertThat(session.renewed).hasSize(1);
        assertThat(listener.renewals).hasSize(1);
    }

    @Test
    void eventAndTimerAtTheSameInstantRenewOnce_eventFirst() {
        TokenRenewer r = renewer().build();
        r.start(token());

        clock.advance(Duration.ofSeconds(30));
        session.fireWillExpire(); // event first (no token named, RTM style) ...
        scheduler.runDue(); // ... then the timer due at the same instant: it was cancelled when the renewal began
        assertThat(provider.calls).hasSize(1);

        provider.last().result().complete(token());
        scheduler.runDue();
        assertThat(provider.calls).hasSize(1);
        assertThat(session.renewed).hasSize(1);
        assertThat(listener.triggers).extracting(RecordingListener.TriggerRecord::trigger)
                .containsExactly(Trigger.WILL_EXPIRE_EVENT);
    }

    @Test
    void eventArrivingJustAfterTheTimersRenewalIsRecognisedAsStale() {
        Token initial = token();
        TokenRenewer r = renewer().build();
        r.start(initial);

        scheduler.advance(Duration.ofSeconds(30));
        provider.last().result().complete(token()); // renewed before the SDK's event got to us

        session.fireWillExpire(initial.value()); // RTC names the token: exact
        session.fireWillExpire(); // RTM/Chat don't: within 5 s of our hand-over
        assertThat(provider.calls).hasSize(1);
        assertThat(session.renewed).hasSize(1);
        assertThat(listener.triggers).extracting(RecordingListener.TriggerRecord::outcome)
                .containsExactly(TriggerOutcome.STARTED, TriggerOutcome.STALE, TriggerOutcome.STALE);

        // Outside the window an unnamed event is taken at its word.
        clock.advance(Duration.ofSeconds(6));
        session.fireWillExpire();
        assertThat(provider.calls).hasSize(2);
    }

    @Test
    void eventsDuringAnInFlightRenewalJoinIt() {
        Token initial = token();
        TokenRenewer r = renewer().build();
        r.start(initial);
        session.fireWillExpire(initial.value());
        session.fireWillExpire(initial.value());
        session.fireWillExpire();
        r.renewNow();
        assertThat(provider.calls).hasSize(1);
        provider.last().result().complete(token());
        assertThat(session.renewed).hasSize(1);
    }

    // ------------------------------------------------------------------ failures and retries

    @Test
    void retriesWithExponentialBackoffAndSucceedsBeforeExpiry() {
        Token initial = token();
        TokenRenewer r = renewer().build();
        r.start(initial);
        scheduler.advance(Duration.ofSeconds(30));

        provider.last().result().completeExceptionally(unavailable());
        RenewalFailure first = listener.failures.get(0);
        assertThat(first.attempt()).isEqualTo(1);
        assertThat(first.retryIn()).contains(Duration.ofMillis(800)); // 1 s * (1 - 0.2)
        assertThat(first.serviceError()).hasValueSatisfying(
                e -> assertThat(e.kind()).isEqualTo(TokenServiceException.Kind.UNAVAILABLE));

        scheduler.advance(Duration.ofMillis(799));
        assertThat(provider.calls).hasSize(1);
        scheduler.advance(Duration.ofMillis(1));
        assertThat(provider.calls).hasSize(2);
        assertThat(provider.beforeRetry).hasValue(1);

        provider.last().result().completeExceptionally(unavailable());
        assertThat(listener.failures.get(1).retryIn()).contains(Duration.ofMillis(1600)); // 2 s * 0.8
        scheduler.advance(Duration.ofMillis(1600));
        assertThat(provider.calls).hasSize(3);

        Token renewed = token();
        provider.last().result().complete(renewed);
        assertThat(clock.instant()).isBefore(initial.localExpiresAt());
        assertThat(session.renewed).containsExactly(renewed.value());
        assertThat(listener.renewals).singleElement().extracting(Renewal::attempts).isEqualTo(3);
    }

    @Test
    void jitterSpreadsRetries() {
        Backoff b = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30), 2.0, 0.2);
        RandomGenerator highest = () -> -1L; // nextDouble() just below 1
        assertThat(b.delay(1, LOWEST)).isEqualTo(Duration.ofMillis(800));
        assertThat(b.delay(1, highest)).isBetween(Duration.ofMillis(1199), Duration.ofMillis(1200));
        assertThat(b.delay(3, LOWEST)).isEqualTo(Duration.ofMillis(3200));
        assertThat(b.delay(10, LOWEST)).isEqualTo(Duration.ofSeconds(24)); // capped at 30 s, * 0.8
    }

    @Test
    void retryNeverWaitsPastHalfTheRemainingLifetime() {
        Token initial = token();
        TokenRenewer r = renewer().backoff(new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(5), 10.0, 0.0)).build();
        r.start(initial);
        scheduler.advance(Duration.ofSeconds(30)); // 30 s left
        provider.last().result().completeExceptionally(unavailable());
        assertThat(listener.failures.get(0).retryIn()).contains(Duration.ofSeconds(1));
        scheduler.advance(Duration.ofSeconds(1)); // 29 s left; backoff says 10 s: fine
        provider.last().result().completeExceptionally(unavailable());
        assertThat(listener.failures.get(1).retryIn()).contains(Duration.ofSeconds(10));
        scheduler.advance(Duration.ofSeconds(10)); // 19 s left; backoff says 100 s: capped at 9.5 s
        provider.last().result().completeExceptionally(unavailable());
        assertThat(listener.failures.get(2).retryIn()).contains(Duration.ofMillis(9500));
        r.close();
    }

    @Test
    void rateLimitedByTheServerWaitsAtLeastTheRetryInfoDelay() {
        TokenRenewer r = renewer().build();
        r.start(token());
        scheduler.advance(Duration.ofSeconds(30));
        provider.last().result().completeExceptionally(status(Code.RESOURCE_EXHAUSTED, "slow down",
                RetryInfo.newBuilder().setRetryDelay(com.google.protobuf.Duration.newBuilder().setSeconds(7)).build()));
        assertThat(listener.failures.get(0).retryIn()).contains(Duration.ofSeconds(7));
        scheduler.advance(Duration.ofMillis(6999));
        assertThat(provider.calls).hasSize(1);
        scheduler.advance(Duration.ofMillis(1));
        assertThat(provider.calls).hasSize(2);
        r.close();
    }

    @Test
    void permanentFailureIsReportedOnceAndNotRetried() {
        TokenRenewer r = renewer().build();
        r.start(token());
        scheduler.advance(Duration.ofSeconds(30));
        provider.last().result().completeExceptionally(status(Code.UNAUTHENTICATED, "unknown API key"));

        assertThat(r.state()).isEqualTo(TokenRenewer.State.FAILED);
        assertThat(listener.failures).singleElement().satisfies(f -> {
            assertThat(f.gaveUp()).isTrue();
            assertThat(f.serviceError()).hasValueSatisfying(e -> {
                assertThat(e.kind()).isEqualTo(TokenServiceException.Kind.AUTHENTICATION);
                assertThat(e.reason()).isEqualTo("unknown API key");
            });
        });
        assertThat(scheduler.pending()).isEmpty();
        scheduler.advance(Duration.ofHours(2));
        session.fireWillExpire();
        session.fireExpired();
        assertThat(provider.calls).hasSize(1);
        assertThat(listener.failures).hasSize(1);
        assertThat(listener.triggers).extracting(RecordingListener.TriggerRecord::outcome)
                .containsExactly(TriggerOutcome.STARTED, TriggerOutcome.IGNORED_FAILED, TriggerOutcome.IGNORED_FAILED);
    }

    @Test
    void permissionDeniedAndInvalidArgumentAreNotRetriedEither() {
        for (Code code : List.of(Code.PERMISSION_DENIED, Code.INVALID_ARGUMENT, Code.NOT_FOUND)) {
            FakeSession s = new FakeSession();
            ManualProvider p = new ManualProvider();
            RecordingListener l = new RecordingListener();
            TokenRenewer r = TokenRenewer.builder(s, p).clock(clock).scheduler(scheduler).listener(l).build();
            r.start(token());
            s.fireWillExpire();
            p.last().result().completeExceptionally(status(code, "no"));
            scheduler.advance(Duration.ofMinutes(5));
            assertThat(p.calls).as(code.name()).hasSize(1);
            assertThat(l.failures).as(code.name()).singleElement().extracting(RenewalFailure::gaveUp).isEqualTo(true);
            r.close();
        }
    }

    // ------------------------------------------------------------------ expiry

    @Test
    void expiredTokenGetsAFreshOneThroughIssueAndTheSessionRejoins() {
        TokenRenewer r = renewer().build();
        r.start(token());
        clock.advance(Duration.ofSeconds(61));
        session.fireExpired();
        assertThat(provider.last().rpc()).isEqualTo("issue");

        Token fresh = token();
        provider.last().result().complete(fresh);
        assertThat(session.rejoined).containsExactly(fresh.value());
        assertThat(session.renewed).isEmpty();
        assertThat(listener.renewals).singleElement().satisfies(rn -> {
            assertThat(rn.mode()).isEqualTo(HandoverMode.REJOIN);
            assertThat(rn.trigger()).isEqualTo(Trigger.EXPIRED_EVENT);
        });
        assertThat(scheduler.pending()).containsExactly(clock.instant().plusSeconds(30));
    }

    @Test
    void aDuplicateExpiryEventRightAfterTheRejoinDoesNotIssueAgain() {
        TokenRenewer r = renewer().build();
        r.start(token());
        clock.advance(Duration.ofSeconds(61));
        session.fireRequestToken();
        provider.last().result().complete(token());
        session.fireExpired(); // the same expiry, reported a second way
        assertThat(provider.calls).hasSize(1);
        assertThat(listener.triggers.get(1).outcome()).isEqualTo(TriggerOutcome.STALE);
        clock.advance(Duration.ofSeconds(6));
        session.fireExpired(); // later: taken at its word
        assertThat(provider.calls).hasSize(2);
        r.close();
    }

    @Test
    void anExpiryEventRightAfterARenewTokenHandOverStillRejoins() {
        // The session lost the old token just before renewToken reached it: it must rejoin.
        TokenRenewer r = renewer().build();
        r.start(token());
        scheduler.advance(Duration.ofSeconds(30));
        provider.last().result().complete(token());
        session.fireExpired();
        assertThat(provider.calls).extracting(ManualProvider.Call::rpc).containsExactly("renew", "issue");
        r.close();
    }

    @Test
    void requestTokenEventAlsoRejoinsWithAFreshToken() {
        TokenRenewer r = renewer().build();
        r.start(token());
        session.fireRequestToken();
        assertThat(provider.last().rpc()).isEqualTo("issue");
        provider.last().result().complete(token());
        assertThat(session.rejoined).hasSize(1);
        r.close();
    }

    @Test
    void renewRefusedAsTokenExpiredFallsBackToIssueAndRejoin() {
        TokenRenewer r = renewer().build();
        r.start(token());
        scheduler.advance(Duration.ofSeconds(30));
        provider.last().result().completeExceptionally(status(Code.FAILED_PRECONDITION, "expired 400 s ago",
                ErrorInfo.newBuilder().setReason("TOKEN_EXPIRED").setDomain("tokenservice").build()));

        assertThat(listener.failures).singleElement().satisfies(f -> {
            assertThat(f.retryIn()).contains(Duration.ZERO);
            assertThat(f.mode()).isEqualTo(HandoverMode.RENEW);
            assertThat(f.serviceError().orElseThrow().kind()).isEqualTo(TokenServiceException.Kind.TOKEN_EXPIRED);
        });
        assertThat(provider.calls).extracting(ManualProvider.Call::rpc).containsExactly("renew", "issue");
        Token fresh = token();
        provider.last().result().complete(fresh);
        assertThat(session.rejoined).containsExactly(fresh.value());
        assertThat(listener.renewals).singleElement().extracting(Renewal::attempts).isEqualTo(2);
    }

    @Test
    void expiryDuringAnInFlightRenewalSendsTheRenewedTokenToRejoin() {
        TokenRenewer r = renewer().build();
        r.start(token());
        scheduler.advance(Duration.ofSeconds(30));
        session.fireExpired();
        assertThat(provider.calls).hasSize(1);
        Token renewed = token();
        provider.last().result().complete(renewed);
        assertThat(session.rejoined).containsExactly(renewed.value());
        assertThat(session.renewed).isEmpty();
        r.close();
    }

    @Test
    void expiryWhileWaitingToRetrySwitchesTheRetryToIssue() {
        TokenRenewer r = renewer().build();
        r.start(token());
        scheduler.advance(Duration.ofSeconds(30));
        provider.last().result().completeExceptionally(unavailable());
        session.fireExpired();
        assertThat(provider.calls).hasSize(1); // keeps its backoff
        scheduler.runNext();
        assertThat(provider.last().rpc()).isEqualTo("issue");
        provider.last().result().complete(token());
        assertThat(session.rejoined).hasSize(1);
        r.close();
    }

    @Test
    void timerFindingTheTokenAlreadyExpiredIssuesAndRejoins() {
        // E.g. the device slept through the renewal time and the SDK said nothing.
        TokenRenewer r = renewer().build();
        r.start(token());
        clock.advance(Duration.ofSeconds(90));
        scheduler.runDue();
        assertThat(provider.last().rpc()).isEqualTo("issue");
        provider.last().result().complete(token());
        assertThat(session.rejoined).hasSize(1);
        r.close();
    }

    // ------------------------------------------------------------------ rate limit

    @Test
    void handsOverAtMostTwoTokensPerSecond() {
        TokenRenewer r = renewer().build();
        Token t = token();
        r.start(t);
        for (int i = 0; i < 2; i++) {
            session.fireWillExpire(t.value());
            t = token();
            provider.last().result().complete(t);
        }
        assertThat(session.renewed).hasSize(2);

        session.fireWillExpire(t.value());
        Token third = token();
        provider.last().result().complete(third);
        assertThat(session.renewed).as("third within the same second is held back").hasSize(2);
        session.fireWillExpire(third.value());
        assertThat(listener.triggers.get(listener.triggers.size() - 1).outcome()).isEqualTo(TriggerOutcome.ALREADY_RENEWING);

        scheduler.advance(Duration.ofMillis(999));
        assertThat(session.renewed).hasSize(2);
        scheduler.advance(Duration.ofMillis(1));
        assertThat(session.renewed).hasSize(3).last().isEqualTo(third.value());
        assertThat(provider.calls).hasSize(3);
        r.close();
    }

    @Test
    void rateLimitCanBeDisabled() {
        TokenRenewer r = renewer().noRateLimit().build();
        Token t = token();
        r.start(t);
        for (int i = 0; i < 5; i++) {
            session.fireWillExpire(t.value());
            t = token();
            provider.last().result().complete(t);
        }
        assertThat(session.renewed).hasSize(5);
        r.close();
    }

    // ------------------------------------------------------------------ close

    @Test
    void nothingHappensAfterClose() {
        Token initial = token();
        TokenRenewer r = renewer().build();
        r.start(initial);
        scheduler.advance(Duration.ofSeconds(30));
        ManualProvider.Call inFlight = provider.last();
        int callbacks = listener.all.size();

        r.close();
        assertThat(r.state()).isEqualTo(TokenRenewer.State.CLOSED);
        assertThat(session.listener()).as("unregistered from the session").isNull();
        assertThat(inFlight.result()).as("call in flight cancelled").isCancelled();
        assertThat(scheduler.pending()).isEmpty();

        // Late result, late events (through a listener reference kept by the SDK) and hours of time.
        TokenEventListener stale = session.registered.get(0);
        inFlight.result().complete(token());
        stale.onTokenWillExpire(initial.value());
        stale.onTokenExpired();
        stale.onRequestToken();
        r.renewNow();
        scheduler.advance(Duration.ofHours(3));

        assertThat(provider.calls).hasSize(1);
        assertThat(session.handovers()).isZero();
        assertThat(listener.all).hasSize(callbacks);
        assertThat(scheduler.pending()).isEmpty();
        r.close(); // idempotent
    }

    @Test
    void closeFromAnotherThreadWhileTheRenewerIsBusyTakesEffectBeforeItReturns() throws Exception {
        TokenRenewer r = renewer().build();
        r.start(token());
        session.fireWillExpire();
        java.util.concurrent.CountDownLatch inSession = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        session.duringRenew = () -> {
            inSession.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        // The RPC result arrives on another thread, which runs the hand-over and blocks inside the session.
        Thread grpcThread = new Thread(() -> provider.last().result().complete(token()));
        grpcThread.start();
        assertThat(inSession.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(scheduler.pending()).as("the new token's timer").hasSize(1);

        r.close();
        assertThat(session.listener()).as("unregistered before close() returned").isNull();
        assertThat(scheduler.pending()).as("timer cancelled before close() returned").isEmpty();

        release.countDown();
        grpcThread.join(10_000);
        assertThat(listener.renewals).as("no listener call after close").isEmpty();
        scheduler.advance(Duration.ofHours(1));
        assertThat(provider.calls).hasSize(1);
    }

    @Test
    void closeDuringBackoffCancelsTheRetry() {
        TokenRenewer r = renewer().build();
        r.start(token());
        scheduler.advance(Duration.ofSeconds(30));
        provider.last().result().completeExceptionally(unavailable());
        assertThat(scheduler.pending()).hasSize(1);
        r.close();
        assertThat(scheduler.pending()).isEmpty();
        scheduler.advance(Duration.ofMinutes(1));
        assertThat(provider.calls).hasSize(1);
    }

    @Test
    void closeFromInsideAListenerCallbackStopsEverything() {
        TokenRenewer[] holder = new TokenRenewer[1];
        RenewalListener closing = new RenewalListener() {
            @Override
            public void onRenewed(Renewal renewal) {
                holder[0].close();
            }
        };
        TokenRenewer r = TokenRenewer.builder(session, provider).clock(clock).scheduler(scheduler).listener(closing).build();
        holder[0] = r;
        r.start(token());
        session.fireWillExpire();
        provider.last().result().complete(token());
        assertThat(r.state()).isEqualTo(TokenRenewer.State.CLOSED);
        assertThat(scheduler.pending()).isEmpty();
        scheduler.advance(Duration.ofHours(1));
        assertThat(provider.calls).hasSize(1);
    }

    @Test
    void cannotStartTwiceOrAfterClose() {
        TokenRenewer r = renewer().build();
        r.start(token());
        org.assertj.core.api.Assertions.assertThatIllegalStateException().isThrownBy(() -> r.start(token()));
        TokenRenewer closed = renewer().build();
        closed.close();
        org.assertj.core.api.Assertions.assertThatIllegalStateException().isThrownBy(() -> closed.start(token()));
        r.close();
    }

    // ------------------------------------------------------------------ robustness

    @Test
    void aThrowingListenerDoesNotStopRenewal() {
        RenewalListener throwing = new RenewalListener() {
            @Override
            public void onTrigger(Trigger trigger, TriggerOutcome outcome) {
                throw new IllegalStateException("listener bug");
            }

            @Override
            public void onRenewed(Renewal renewal) {
                throw new IllegalStateException("listener bug");
            }
        };
        TokenRenewer r = TokenRenewer.builder(session, provider).clock(clock).scheduler(scheduler).listener(throwing).build();
        r.start(token());
        scheduler.advance(Duration.ofSeconds(30));
        provider.last().result().complete(token());
        scheduler.advance(Duration.ofSeconds(30));
        provider.last().result().complete(token());
        assertThat(session.renewed).hasSize(2);
        r.close();
    }

    @Test
    void aSessionRejectingTheTokenIsReportedAndTheTimerStillRuns() {
        TokenRenewer r = renewer().build();
        r.start(token());
        session.failOnRenew = new IllegalStateException("engine not initialised");
        scheduler.advance(Duration.ofSeconds(30));
        provider.last().result().complete(token());
        assertThat(listener.failures).singleElement().satisfies(f -> {
            assertThat(f.error()).hasMessage("engine not initialised");
            assertThat(f.retryIn()).contains(Duration.ofSeconds(30));
        });
        session.failOnRenew = null;
        scheduler.advance(Duration.ofSeconds(30));
        assertThat(provider.calls).hasSize(2);
        r.close();
    }

    @Test
    void aProviderThatThrowsIsAFailureNotACrash() {
        TokenProvider broken = new TokenProvider() {
            @Override
            public java.util.concurrent.CompletableFuture<Token> renew(Token current) {
                throw new IllegalStateException("bug");
            }

            @Override
            public java.util.concurrent.CompletableFuture<Token> issue() {
                throw new IllegalStateException("bug");
            }
        };
        TokenRenewer r = TokenRenewer.builder(session, broken).clock(clock).scheduler(scheduler).listener(listener).build();
        r.start(token());
        session.fireWillExpire();
        assertThat(listener.failures).singleElement().extracting(RenewalFailure::gaveUp).isEqualTo(true);
        r.close();
    }

    @Test
    void cancelledCallAfterCloseIsNotReportedAsFailure() {
        TokenRenewer r = renewer().build();
        r.start(token());
        session.fireWillExpire();
        r.close();
        assertThat(provider.last().result()).isCancelled();
        assertThat(listener.failures).isEmpty();
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> provider.last().result().join()))
                .isInstanceOf(CancellationException.class);
    }

}
