"""TokenClient against the real server jar."""

from __future__ import annotations

import os
import socket
import struct
import subprocess
import threading
import time

import grpc
import pytest
from tokenservice.v1 import token_service_pb2 as pb

from conftest import RealServer, free_port
from tokenservice_client import Kind, Token, TokenClient, TokenServiceError, decode_token
from tokenservice_client import token_format


def client(server, **options) -> TokenClient:
    settings = dict(api_key=server.key("py-tests"), tls=False, deadline=5.0)
    settings.update(options)
    return TokenClient(server.target, **settings)


class CountingInterceptor(grpc.UnaryUnaryClientInterceptor):
    """Counts the attempts that leave the client."""

    def __init__(self) -> None:
        self.attempts = 0

    def intercept_unary_unary(self, continuation, details, request):
        self.attempts += 1
        return continuation(details, request)


def test_issues_an_rtc_token_whose_content_matches_the_request(server):
    before = time.time()
    with client(server) as c:
        token = c.issue_rtc_token(pb.IssueRtcTokenRequest(channel="lobby", uid=4242, role=pb.RTC_ROLE_PUBLISHER, ttl_seconds=600))
    assert token.app_id == server.app_id
    assert token.lifetime() == 600
    assert abs(token.clock_offset()) < 2
    assert token.received_at >= before
    assert [(s.service, s.channel, s.uid) for s in token.services] == [(pb.SERVICE_TYPE_RTC, "lobby", "4242")]
    decoded = decode_token(token.value)
    assert decoded.app_id == server.app_id
    assert decoded.issue_ts == token.issued_at
    assert decoded.expire == 600
    assert decoded.services == (token_format.DecodedService(
        token_format.RTC, tuple(token_format.DecodedPrivilege(k, 600) for k in (1, 2, 3, 4)), channel="lobby", uid="4242"),)
    assert token.value not in repr(token) and token.sha256_prefix in repr(token)


def test_issues_rtm_and_chat_tokens_and_renews_with_the_same_grants(server):
    with client(server) as c:
        rtm = c.issue_rtm_token(pb.IssueRtmTokenRequest(user_id="alice", ttl_seconds=120))
        assert [(s.type, s.user_id) for s in decode_token(rtm.value).services] == [(token_format.RTM, "alice")]
        chat = c.issue_chat_token(pb.IssueChatTokenRequest(user_id="bob"))
        assert [(s.type, s.user_id) for s in decode_token(chat.value).services] == [(token_format.CHAT, "bob")]
        renewed = c.renew_token(rtm.value)
        assert renewed.value != rtm.value
        assert decode_token(renewed.value).services == decode_token(rtm.value).services
        assert decode_token(c.renew_token(pb.RenewTokenRequest(token=rtm.value, ttl_seconds=60)).value).expire == 60


def test_issues_apaas_and_rtm2_tokens(server):
    with client(server) as c:
        room = c.issue_apaas_token(pb.IssueApaasTokenRequest(
            room_user=pb.ApaasRoomUser(room_uuid="room-1", user_uuid="student-7", role=2), ttl_seconds=600))
        assert [s.service for s in room.services] == [pb.SERVICE_TYPE_RTM, pb.SERVICE_TYPE_CHAT, pb.SERVICE_TYPE_APAAS]
        assert (room.services[2].apaas_room_uuid, room.services[2].apaas_role) == ("room-1", 2)
        assert decode_token(room.value).services[2] == token_format.DecodedService(
            token_format.APAAS, (token_format.DecodedPrivilege(1, 600),), channel="room-1", uid="student-7", role=2)
        # A token read from its string shows the grants the server answered with.
        assert list(Token.from_string(room.value).services) == list(room.services)

        rtm2 = c.issue_rtm_token(pb.IssueRtmTokenRequest(user_id="alice", permissions=[pb.Rtm2Permission(
            resource_type=pb.RTM2_RESOURCE_TYPE_STREAM_CHANNELS, access=pb.RTM2_ACCESS_WRITE, resources=["stage"])]))
        assert rtm2.services[0].service == pb.SERVICE_TYPE_RTM2
        assert [(p.resource_type, p.access, list(p.resources)) for p in rtm2.services[0].rtm2_permissions] == [
            (pb.RTM2_RESOURCE_TYPE_STREAM_CHANNELS, pb.RTM2_ACCESS_WRITE, ["stage"])]
        assert decode_token(rtm2.value).services[0].type == token_format.RTM2
        assert list(Token.from_string(rtm2.value).services) == list(rtm2.services)

        denied = raised(lambda: c.issue_apaas_token(pb.IssueApaasTokenRequest(app=pb.ApaasAppToken())))
        assert denied.kind == Kind.PERMISSION_DENIED and "allow_apaas_app_token: false" in denied.reason


def test_inspects_a_token(server):
    with client(server) as c:
        token = c.issue_rtc_token(pb.IssueRtcTokenRequest(channel="a", uid=7, role=pb.RTC_ROLE_PUBLISHER))
        assert c.inspect_token(pb.InspectTokenRequest(token=token.value, channel="a", uid=7)).accepted
        wrong = c.inspect_token(pb.InspectTokenRequest(token=token.value, channel="b", uid=7))
        assert [p.code for p in wrong.problems] == [pb.PROBLEM_CODE_WRONG_CHANNEL]


def raised(call) -> TokenServiceError:
    with pytest.raises(TokenServiceError) as info:
        call()
    return info.value


def test_invalid_input_is_invalid_request_with_field_violations_and_is_not_retried(server):
    counter = CountingInterceptor()
    with client(server, interceptors=[counter]) as c:
        e = raised(lambda: c.issue_rtc_token(pb.IssueRtcTokenRequest(channel="no/slash", uid=1, role=pb.RTC_ROLE_PUBLISHER)))
    assert e.kind == Kind.INVALID_REQUEST and e.code == grpc.StatusCode.INVALID_ARGUMENT and not e.retryable
    assert [v.field for v in e.field_violations] == ["channel"]
    assert str(e).startswith("IssueRtcToken failed: INVALID_ARGUMENT: ")
    assert counter.attempts == 1


@pytest.mark.parametrize("key", ["tsk_not-a-key-of-this-server", None])
def test_wrong_or_missing_api_key_is_authentication(server, key):
    with client(server, api_key=key) as c:
        e = raised(lambda: c.issue_rtm_token(pb.IssueRtmTokenRequest(user_id="x")))
    assert e.kind == Kind.AUTHENTICATION
    assert "tsk_not-a-key" not in str(e)


def test_policy_denial_and_unknown_app(server):
    with client(server) as c:
        denied = raised(lambda: c.issue_rtc_token(pb.IssueRtcTokenRequest(channel="c", uid=0, role=pb.RTC_ROLE_PUBLISHER)))
        assert denied.kind == Kind.PERMISSION_DENIED and "wildcard" in denied.reason
        unknown = raised(lambda: c.issue_rtm_token(pb.IssueRtmTokenRequest(app_id="0123456789abcdef0123456789abcdef", user_id="x")))
        assert unknown.kind == Kind.UNKNOWN_APP


def test_rate_limit_is_rate_limited_with_the_retry_delay(server):
    with client(server, api_key=server.key("flood"), max_attempts=1) as c:
        calls = [c.issue_rtm_token_async(pb.IssueRtmTokenRequest(user_id="f")) for _ in range(400)]
        errors = [f.exception() for f in calls if f.exception() is not None]
    assert errors, "400 calls at once exceed the quick-start burst of 100 (refilled at 50/s)"
    for e in errors:
        assert e.kind == Kind.RATE_LIMITED, str(e)
        assert e.retry_delay > 0 and e.retryable


def test_too_large_is_request_too_large_not_rate_limited(server):
    counter = CountingInterceptor()
    with client(server, interceptors=[counter]) as c:
        e = raised(lambda: c.renew_token("007" + "A" * 100_000))
    assert e.code == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert e.kind == Kind.REQUEST_TOO_LARGE and e.retry_delay is None and not e.retryable
    assert counter.attempts == 1


def test_unavailable_is_retried_up_to_max_attempts(server):
    counter = CountingInterceptor()
    c = TokenClient(f"127.0.0.1:{free_port()}", api_key="k", tls=False, max_attempts=3,
                    initial_backoff=0.005, max_backoff=0.01, interceptors=[counter])
    with c:
        e = raised(lambda: c.issue_rtm_token(pb.IssueRtmTokenRequest(user_id="x")))
    assert e.kind == Kind.UNAVAILABLE
    assert counter.attempts == 3


def test_a_tls_client_at_the_plaintext_server_is_told_to_use_tls_false_not_to_retry(server):
    counter = CountingInterceptor()
    with client(server, tls=True, max_attempts=3, initial_backoff=0.005, max_backoff=0.01,
                interceptors=[counter]) as c:
        e = raised(lambda: c.issue_rtm_token(pb.IssueRtmTokenRequest(user_id="x")))
    assert e.kind == Kind.TLS_MISMATCH and e.code == grpc.StatusCode.UNAVAILABLE and not e.retryable
    assert counter.attempts == 1, "not retried"
    assert str(e).startswith("IssueRtmToken failed: UNAVAILABLE: the server answered in plaintext")
    assert "tls=False" in str(e)
    assert "SSL" not in str(e) and "ipv4" not in str(e) and "\n" not in str(e), "no transport internals"


def test_a_plaintext_server_dropping_connections_is_unavailable_and_retried_not_a_tls_mismatch():
    """A TLS server drops a plaintext connection at once; so does this plaintext one, which must stay transient."""
    dropping = socket.socket()
    dropping.bind(("127.0.0.1", 0))
    dropping.listen()

    def drop_all() -> None:
        while True:
            try:
                conn, _ = dropping.accept()
            except OSError:
                return
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # a reset, as TLS sends
            conn.close()

    threading.Thread(target=drop_all, daemon=True).start()
    counter = CountingInterceptor()
    try:
        with TokenClient(f"127.0.0.1:{dropping.getsockname()[1]}", api_key="k", tls=False, max_attempts=3,
                         initial_backoff=0.005, max_backoff=0.01, interceptors=[counter]) as c:
            e = raised(lambda: c.issue_rtm_token(pb.IssueRtmTokenRequest(user_id="x")))
        assert e.kind == Kind.UNAVAILABLE and e.retryable
        assert counter.attempts == 3
    finally:
        dropping.close()


def test_a_server_that_never_answers_ends_in_the_deadline():
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen()
    accepted = []
    threading.Thread(target=lambda: accepted.append(silent.accept()), daemon=True).start()
    started = time.monotonic()
    try:
        with TokenClient(f"127.0.0.1:{silent.getsockname()[1]}", api_key="k", tls=False, deadline=0.3) as c:
            e = raised(lambda: c.issue_rtm_token(pb.IssueRtmTokenRequest(user_id="x")))
        assert e.code == grpc.StatusCode.DEADLINE_EXCEEDED and e.kind == Kind.UNAVAILABLE
        assert time.monotonic() - started < 5
    finally:
        for conn, _ in accepted:
            conn.close()
        silent.close()


def test_cancelling_the_future_cancels_the_call(server):
    with client(server) as c:
        call = c.issue_rtm_token_async(pb.IssueRtmTokenRequest(user_id="x"))
        call.cancel()
        assert call.cancelled() or call.result().app_id == server.app_id  # a call may finish before the cancel


def test_tls_with_a_private_ca_and_a_plaintext_client_told_to_drop_tls_false(tmp_path):
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-keyout", str(key), "-out", str(cert), "-days", "1", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"], check=True, capture_output=True)
    tls_server = RealServer(extra_env={"TLS_CERT_FILE": str(cert), "TLS_KEY_FILE": str(key)})
    ca = cert.read_bytes()
    try:
        tls_server.start(grpc.ssl_channel_credentials(ca), server_name="localhost")
        with TokenClient(f"localhost:{tls_server.port}", api_key=tls_server.key(), root_certificates=ca) as c:
            token = c.issue_rtm_token(pb.IssueRtmTokenRequest(user_id="secure"))
        assert decode_token(token.value).services[0].user_id == "secure"
        with TokenClient(f"localhost:{tls_server.port}", api_key=tls_server.key(), deadline=3, max_attempts=1) as untrusting:
            e = raised(lambda: untrusting.issue_rtm_token(pb.IssueRtmTokenRequest(user_id="x")))
        assert e.kind == Kind.UNAVAILABLE, "a server certificate the client does not trust fails the handshake"
        counter = CountingInterceptor()
        with TokenClient(f"127.0.0.1:{tls_server.port}", api_key=tls_server.key(), tls=False, max_attempts=3,
                         initial_backoff=0.005, max_backoff=0.01, interceptors=[counter]) as plaintext:
            e = raised(lambda: plaintext.issue_rtm_token(pb.IssueRtmTokenRequest(user_id="x")))
        assert e.kind == Kind.TLS_MISMATCH and e.code == grpc.StatusCode.UNAVAILABLE and not e.retryable
        assert counter.attempts == 1, "not retried"
        assert str(e).startswith("IssueRtmToken failed: UNAVAILABLE: the server speaks TLS") and "drop tls=False" in str(e)
        assert tls_server.key() not in tls_server.output()
    finally:
        tls_server.stop()
