"""TokenRenewer: the renewal logic on a hand-driven provider and fake time, then end to end with a fake Agora
session on fake time against the real server jar."""

from __future__ import annotations

import time
from concurrent.futures import Future
from typing import List, Optional

import grpc
import pytest
from google.protobuf import duration_pb2
from tokenservice.v1 import token_service_pb2 as pb

from conftest import FakeClock, FakeScheduler, RealServer, free_port, mint_rtc_token, wait_until
from tokenservice_client import (
    Backoff, HandoverMode, Kind, RenewalListener, State, Token, TokenClient, TokenRenewer, TokenServiceError, Trigger,
    TriggerOutcome, chat_provider, decode_token, rtc_provider, rtm_provider,
)
from tokenservice_client import token_format

T0 = 1_900_000_000.0
TTL = 60.0


class FakeSession:
    """Stands for an Agora session (e.g. the Python server SDK's RTC connection) and records hand-overs."""

    def __init__(self) -> None:
        self.listener = None
        self.renewed: List[str] = []
        self.rejoined: List[str] = []

    def renew_token(self, token: str) -> None:
        self.renewed.append(token)

    def rejoin(self, token: str) -> None:
        self.rejoined.append(token)

    def set_token_event_listener(self, listener) -> None:
        self.listener = listener


class Recording(RenewalListener):
    def __init__(self) -> None:
        self.triggers, self.renewals, self.failures = [], [], []

    def on_trigger(self, trigger, outcome):
        self.triggers.append((trigger, outcome))

    def on_renewed(self, renewal):
        self.renewals.append(renewal)

    def on_failure(self, failure):
        self.failures.append(failure)


class ManualProvider:
    def __init__(self) -> None:
        self.calls: List[tuple] = []

    def renew(self, current: Token) -> Future:
        return self._record("renew", current)

    def issue(self) -> Future:
        return self._record("issue", None)

    def _record(self, rpc: str, current: Optional[Token]) -> Future:
        f: Future = Future()
        self.calls.append((rpc, current, f))
        return f

    @property
    def last(self) -> tuple:
        return self.calls[-1]


def status_error(code: grpc.StatusCode, retry_delay: Optional[float] = None, error_reason: Optional[str] = None):
    return TokenServiceError("RenewToken", code, "refused", error_reason=error_reason, retry_delay=retry_delay)


@pytest.fixture
def world():
    clock = FakeClock(T0)
    scheduler = FakeScheduler(clock)
    session, provider, listener = FakeSession(), ManualProvider(), Recording()
    serial = iter(range(1, 1000))

    def token(offset: float = 0.0, lifetime: float = TTL) -> Token:
        n = next(serial)
        server_now = clock.now + offset
        return Token(f"007token-{n}", "0" * 32, server_now, server_now + lifetime, (), f"sha{n}", clock.now)

    def renewer(**options) -> TokenRenewer:
        settings = dict(clock=clock, scheduler=scheduler, listener=listener, random=lambda: 0.0)
        settings.update(options)
        return TokenRenewer(session, provider, **settings)

    class World:
        pass

    w = World()
    w.clock, w.scheduler, w.session, w.provider, w.listener, w.token, w.renewer = (
        clock, scheduler, session, provider, listener, token, renewer)
    return w


def test_renews_on_the_event_and_by_its_own_timer(world):
    r = world.renewer()
    initial = world.token()
    r.start(initial)
    world.clock.now = T0 + 25
    world.session.listener.on_token_will_expire()
    rpc, current, call = world.provider.last
    assert (rpc, current) == ("renew", initial)
    renewed = world.token()
    call.set_result(renewed)
    assert world.session.renewed == [renewed.value]
    assert world.listener.renewals[0].trigger == Trigger.WILL_EXPIRE_EVENT and r.current is renewed
    assert world.scheduler.pending() == [T0 + 25 + 30]
    world.scheduler.advance(30)
    assert world.listener.triggers[-1] == (Trigger.TIMER, TriggerOutcome.STARTED)
    r.close()


def test_timer_is_corrected_for_the_clock_offset_and_privilege_expiry(world):
    r = world.renewer()
    r.start(world.token(offset=600))
    assert world.scheduler.pending() == [T0 + 30]
    r.close()


def test_one_renewal_at_a_time_and_stale_events(world):
    r = world.renewer()
    r.start(world.token())
    world.scheduler.advance(30)
    world.session.listener.on_token_will_expire()
    assert len(world.provider.calls) == 1
    assert world.listener.triggers == [(Trigger.TIMER, TriggerOutcome.STARTED),
                                       (Trigger.WILL_EXPIRE_EVENT, TriggerOutcome.ALREADY_RENEWING)]
    world.provider.last[2].set_result(world.token())
    world.clock.now += 1
    world.session.listener.on_token_will_expire()
    assert world.listener.triggers[-1] == (Trigger.WILL_EXPIRE_EVENT, TriggerOutcome.STALE)
    r.close()


def test_backoff_stays_at_its_cap_however_many_retries():
    backoff = Backoff(initial=1.0, max=30.0, multiplier=2.0, jitter=0.0)
    assert [backoff.delay(n, lambda: 0.5) for n in (1, 2, 5, 6, 1100, 100_000)] == [1.0, 2.0, 16.0, 30.0, 30.0, 30.0]


def test_backoff_with_jitter_and_retry_info(world):
    r = world.renewer()
    r.start(world.token(lifetime=600))
    r.renew_now()
    for expected in (0.8, 1.6, 3.2):
        world.provider.last[2].set_exception(status_error(grpc.StatusCode.UNAVAILABLE))
        assert world.listener.failures[-1].retry_in == pytest.approx(expected)
        world.scheduler.advance(expected)
    world.provider.last[2].set_exception(status_error(grpc.StatusCode.RESOURCE_EXHAUSTED, retry_delay=7.0))
    assert world.listener.failures[-1].retry_in == 7.0
    world.scheduler.advance(7)
    world.provider.last[2].set_result(world.token())
    assert world.listener.renewals[0].attempts == 5
    r.close()


@pytest.mark.parametrize("code", [grpc.StatusCode.UNAUTHENTICATED, grpc.StatusCode.PERMISSION_DENIED,
                                  grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.RESOURCE_EXHAUSTED])
def test_permanent_failures_stop_the_renewer(world, code):
    r = world.renewer()
    r.start(world.token())
    world.scheduler.advance(30)
    world.provider.last[2].set_exception(status_error(code))
    assert r.state == State.FAILED
    assert world.listener.failures[0].gave_up
    assert world.scheduler.pending() == []
    world.session.listener.on_token_will_expire()
    assert world.listener.triggers[-1] == (Trigger.WILL_EXPIRE_EVENT, TriggerOutcome.IGNORED_FAILED)
    assert len(world.provider.calls) == 1


def test_expiry_rejoins_with_a_fresh_token_and_token_expired_falls_back_to_issue(world):
    r = world.renewer()
    r.start(world.token())
    world.session.listener.on_token_expired()
    assert world.provider.last[0] == "issue"
    world.provider.last[2].set_result(world.token())
    assert len(world.session.rejoined) == 1
    world.clock.now += 10
    r.renew_now()
    world.provider.last[2].set_exception(status_error(grpc.StatusCode.FAILED_PRECONDITION, error_reason="TOKEN_EXPIRED"))
    assert world.listener.failures[-1].retry_in == 0
    assert world.provider.last[0] == "issue"
    world.provider.last[2].set_result(world.token())
    assert len(world.session.rejoined) == 2
    r.close()


def test_at_most_two_hand_overs_per_second(world):
    r = world.renewer(stale_event_window=0)
    r.start(world.token())
    for _ in range(3):
        r.renew_now()
        world.provider.last[2].set_result(world.token())
    assert len(world.session.renewed) == 2
    world.scheduler.advance(1)
    assert len(world.session.renewed) == 3
    r.close()


def test_close_cancels_the_call_and_nothing_happens_afterwards(world):
    r = world.renewer()
    r.start(world.token())
    r.renew_now()
    call = world.provider.last[2]
    events = world.session.listener
    r.close()
    assert call.cancelled()
    assert world.session.listener is None
    events.on_token_will_expire()
    world.scheduler.advance(10 * TTL)
    assert world.session.renewed == [] and world.listener.failures == [] and world.scheduler.pending() == []
    assert r.state == State.CLOSED
    with pytest.raises(RuntimeError):
        r.start(world.token())


def test_starts_from_a_token_string_with_unknown_offset(world):
    value = mint_rtc_token("0123456789abcdef0123456789abcdef", "f" * 32, "c", "9", int(T0) - 3600, 60)
    r = world.renewer()
    r.start(value)
    assert not r.current.clock_offset_known and r.current.expires_at == T0 - 3540
    world.scheduler.advance(0)
    assert world.provider.last[0] == "renew", "with the offset unknown an expired-looking token is renewed"
    r.close()


# ---------------------------------------------------------------------- against the real server


def real_renewer(server_or_target, clock, scheduler, listener, session, request, **client_options):
    target = server_or_target if isinstance(server_or_target, str) else server_or_target.target
    client = TokenClient(target, **{"tls": False, "deadline": 5.0, "clock": clock, **client_options})
    return client, TokenRenewer(session, rtc_provider(client, request), clock=clock, scheduler=scheduler,
                                listener=listener, random=lambda: 0.0)


STAGE = pb.IssueRtcTokenRequest(channel="stage", uid=1001, role=pb.RTC_ROLE_PUBLISHER, ttl_seconds=120)


def assert_grant(server, token: str, channel: str, uid: str) -> None:
    decoded = decode_token(token)
    assert decoded.app_id == server.app_id
    assert [(s.type, s.channel, s.uid) for s in decoded.services] == [(token_format.RTC, channel, uid)]


def test_real_server_renewal_on_the_event_and_rejoin_after_expiry(server):
    clock = FakeClock(time.time())
    scheduler, session, listener = FakeScheduler(clock), FakeSession(), Recording()
    client, r = real_renewer(server, clock, scheduler, listener, session, STAGE, api_key=server.key())
    with client, r:
        first = client.issue_rtc_token(STAGE)
        r.start(first)
        scheduler.advance(90)
        session.listener.on_token_will_expire()  # the SDK's warning, 30 s before expiry, with the timer
        wait_until(lambda: len(session.renewed) == 1, "the renewal reached the session")
        assert_grant(server, session.renewed[0], "stage", "1001")
        assert session.renewed[0] != first.value
        scheduler.advance(10)
        session.listener.on_token_expired()
        wait_until(lambda: len(session.rejoined) == 1, "the session rejoined")
        assert_grant(server, session.rejoined[0], "stage", "1001")
        assert [x.mode for x in listener.renewals] == [HandoverMode.RENEW, HandoverMode.REJOIN]


def test_real_server_token_string_expired_long_ago_is_reissued(server):
    clock = FakeClock(time.time())
    scheduler, session, listener = FakeScheduler(clock), FakeSession(), Recording()
    request = pb.IssueRtcTokenRequest(channel="ext", uid=78, role=pb.RTC_ROLE_SUBSCRIBER)
    client, r = real_renewer(server, clock, scheduler, listener, session, request, api_key=server.key())
    minted = mint_rtc_token(server.app_id, server.certificate, "ext", "78", int(time.time()) - 3600, 60)
    with client, r:
        r.start(minted)
        scheduler.advance(0)
        wait_until(lambda: len(session.rejoined) == 1, "rejoined with a fresh token")
        assert listener.failures[0].error.kind == Kind.TOKEN_EXPIRED
        assert_grant(server, session.rejoined[0], "ext", "78")
        assert [p.key for p in decode_token(session.rejoined[0]).services[0].privileges] == [1]


def test_real_server_tls_client_at_the_plaintext_server_stops_the_renewer_for_good(server):
    clock = FakeClock(time.time())
    scheduler, session, listener = FakeScheduler(clock), FakeSession(), Recording()
    client, r = real_renewer(server, clock, scheduler, listener, session, STAGE, api_key=server.key(), tls=True)
    first = mint_rtc_token(server.app_id, server.certificate, "stage", "1001", int(time.time()), 120)
    with client, r:
        r.start(first)
        scheduler.advance(90)
        wait_until(lambda: r.state == State.FAILED and listener.failures, "the renewer gave up and said so")
        assert listener.failures[0].error.kind == Kind.TLS_MISMATCH
        assert listener.failures[0].gave_up
        assert scheduler.pending() == [], "no retry scheduled"
        session.listener.on_token_will_expire()
        assert listener.triggers[-1] == (Trigger.WILL_EXPIRE_EVENT, TriggerOutcome.IGNORED_FAILED)
        assert len(listener.failures) == 1 and session.renewed == [] and session.rejoined == []


STAGE_006 = pb.IssueRtcTokenRequest(channel="stage", uid=1001, role=pb.RTC_ROLE_PUBLISHER, ttl_seconds=60,
                                    token_version=pb.TOKEN_VERSION_006)


def test_real_server_renews_a_006_rtc_token_with_the_channel_and_uid_of_its_request(server):
    clock = FakeClock(time.time())
    scheduler, session, listener = FakeScheduler(clock), FakeSession(), Recording()
    client, r = real_renewer(server, clock, scheduler, listener, session, STAGE_006, api_key=server.key())
    with client, r:
        first = client.issue_rtc_token(STAGE_006)
        assert first.is_legacy
        r.start(first)
        session.listener.on_token_will_expire(first.value)
        wait_until(lambda: len(session.renewed) == 1, "the renewal reached the session")
        renewed = session.renewed[0]
        assert renewed.startswith("006") and renewed != first.value
        verdict = client.inspect_token(pb.InspectTokenRequest(token=renewed, app_id=server.app_id, channel="stage",
                                                              uid=1001))
        assert verdict.signature == pb.SIGNATURE_STATUS_VALID
        assert verdict.accepted, verdict.summary


def test_real_server_renews_a_006_rtm_token_with_the_user_id_of_its_request(server):
    clock = FakeClock(time.time())
    scheduler, session, listener = FakeScheduler(clock), FakeSession(), Recording()
    request = pb.IssueRtmTokenRequest(user_id="rtm-user", ttl_seconds=60, token_version=pb.TOKEN_VERSION_006)
    with TokenClient(server.target, api_key=server.key(), tls=False, deadline=5.0, clock=clock) as client:
        first = client.issue_rtm_token(request)
        with TokenRenewer(session, rtm_provider(client, request), clock=clock, scheduler=scheduler,
                          listener=listener) as r:
            r.start(first)
            scheduler.advance(30)
            wait_until(lambda: len(session.renewed) == 1, "the timer's renewal reached the session")
            assert session.renewed[0].startswith("006") and session.renewed[0] != first.value
            assert r.state == State.ACTIVE


def test_real_server_a_provider_without_the_channel_and_uid_refuses_a_006_token_at_start(server):
    clock = FakeClock(time.time())
    scheduler, session = FakeScheduler(clock), FakeSession()
    with TokenClient(server.target, api_key=server.key(), tls=False, deadline=5.0, clock=clock) as client:
        first = client.issue_rtc_token(STAGE_006)
        provider = chat_provider(client, pb.IssueChatTokenRequest(user_id="chat-user"))
        with TokenRenewer(session, provider, clock=clock, scheduler=scheduler) as r:
            with pytest.raises(ValueError, match="006 token.*rtc_provider"):
                r.start(first)
            assert r.state == State.NEW
            assert session.listener is None
            assert scheduler.pending() == []


def test_real_server_a_006_token_string_is_renewed_through_the_real_renew_token(server):
    clock = FakeClock(time.time())
    scheduler, session, listener = FakeScheduler(clock), FakeSession(), Recording()
    client, r = real_renewer(server, clock, scheduler, listener, session, STAGE_006, api_key=server.key())
    with client, r:
        first = client.issue_rtc_token(STAGE_006)
        from_string = Token.from_string(first.value)
        assert (from_string.app_id, from_string.issued_at, from_string.expires_at) == (
            first.app_id, first.issued_at, first.expires_at)
        assert [(s.service, s.channel, s.uid) for s in from_string.services] == [(pb.SERVICE_TYPE_RTC, "", "")], \
            "only the CRC32s of the channel and uid are in the token"
        assert [(p.agora_key, p.expires_at.seconds) for p in from_string.services[0].privileges] == [
            (p.agora_key, p.expires_at.seconds) for p in first.services[0].privileges]
        r.start(first.value)
        session.listener.on_token_will_expire(first.value)
        wait_until(lambda: len(session.renewed) == 1, "the renewal reached the session")
        renewed = session.renewed[0]
        assert renewed.startswith("006") and renewed != first.value
        verdict = client.inspect_token(pb.InspectTokenRequest(token=renewed, app_id=server.app_id, channel="stage",
                                                              uid=1001))
        assert verdict.accepted, verdict.summary


def test_real_server_a_006_token_string_for_another_channel_uid_or_user_is_refused_at_start(server):
    clock = FakeClock(time.time())
    scheduler, session = FakeScheduler(clock), FakeSession()
    rtm_request = pb.IssueRtmTokenRequest(user_id="rtm-user", ttl_seconds=60, token_version=pb.TOKEN_VERSION_006)
    with TokenClient(server.target, api_key=server.key(), tls=False, deadline=5.0, clock=clock) as client:
        rtc = client.issue_rtc_token(STAGE_006).value
        rtm = client.issue_rtm_token(rtm_request).value
        other_channel, other_uid, as_account = (pb.IssueRtcTokenRequest(), pb.IssueRtcTokenRequest(),
                                                pb.IssueRtcTokenRequest())
        for wrong, change in ((other_channel, {"channel": "other"}), (other_uid, {"uid": 1002}),
                              (as_account, {"account": "alice"})):
            wrong.CopyFrom(STAGE_006)
            for field_name, value in change.items():
                setattr(wrong, field_name, value)
        cases = [(rtc_provider(client, w), rtc, "channel and uid/account are not") for w in
                 (other_channel, other_uid, as_account)]
        cases.append((rtm_provider(client, pb.IssueRtmTokenRequest(user_id="someone-else", ttl_seconds=60,
                                                                   token_version=pb.TOKEN_VERSION_006)),
                      rtm, "user id is not"))
        for provider, token, message in cases:
            with TokenRenewer(session, provider, clock=clock, scheduler=scheduler) as r:
                with pytest.raises(ValueError, match=message + ".*CRC32"):
                    r.start(token)
                assert r.state == State.NEW
                assert session.listener is None
        assert scheduler.pending() == []


@pytest.mark.parametrize("malformed", [
    "006abc",  # truncated inside the app id
    "0060123456789abcdef0123456789abcdef",  # nothing after the app id
    "0060123456789abcdef0123456789abcdefIACx!!",  # not base64
    "0060123456789abcdef0123456789abcdeIAAAAAAA",  # a 31-character app id: the content starts one character early
])
def test_a_malformed_006_string_is_refused_at_start(world, malformed):
    r = world.renewer()
    with pytest.raises(token_format.MalformedTokenError):
        r.start(malformed)
    assert r.state == State.NEW
    r.close()


def test_real_server_outage_backs_off_then_recovers(server):
    """The renewer's client points at a port where the server comes up only after a few failed attempts."""
    outage = RealServer()
    clock = FakeClock(time.time())
    scheduler, session, listener = FakeScheduler(clock), FakeSession(), Recording()
    client, r = real_renewer(outage, clock, scheduler, listener, session, STAGE, api_key=outage.key(), max_attempts=1)
    try:
        with client, r:
            issuer = TokenClient(server.target, api_key=server.key(), tls=False, clock=clock)
            with issuer:
                first = issuer.issue_rtc_token(STAGE)
            r.start(first)
            scheduler.advance(90)
            for attempt in range(1, 4):
                wait_until(lambda: len(listener.failures) == attempt, f"attempt {attempt} failed")
                assert listener.failures[-1].error.kind == Kind.UNAVAILABLE
                scheduler.advance(listener.failures[-1].retry_in)
            wait_until(lambda: len(listener.failures) == 4, "attempt 4 failed")
            outage.app_id, outage.certificate = server.app_id, server.certificate
            outage.start()
            started = time.monotonic()
            while not session.renewed:
                # Retries spaced in real time: the client's channel reconnects on its own schedule, and retries
                # in quick succession would all meet the old, refused connection.
                time.sleep(0.1)
                seen = len(listener.failures)
                scheduler.advance(listener.failures[-1].retry_in)
                wait_until(lambda: session.renewed or len(listener.failures) > seen, "the next attempt ended")
                assert time.monotonic() - started < 20, "recovered within 20 s of the server's return"
            assert_grant(server, session.renewed[0], "stage", "1001")
            assert r.state == State.ACTIVE
    finally:
        outage.stop()
