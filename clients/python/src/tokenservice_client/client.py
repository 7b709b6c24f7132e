"""Typed, thread-safe client of tokenservice.v1.TokenService."""

from __future__ import annotations

import random
import threading
import time
from concurrent.futures import Future
from typing import Callable, Optional, Sequence, TypeVar, Union

import grpc
from tokenservice.v1 import token_service_pb2 as pb
from tokenservice.v1 import token_service_pb2_grpc

from . import tls_probe
from .errors import TokenServiceError, answered_in_plaintext
from .token import Token

T = TypeVar("T")


class TokenClient:
    """Every RPC has a blocking form (returns the result or raises TokenServiceError) and a ``*_async`` form
    (a concurrent.futures.Future; cancelling it cancels the call). Each call gets the client's deadline
    (default 10 s), covering all attempts; UNAVAILABLE is retried (at most ``max_attempts`` attempts, random
    exponential backoff as in gRPC's retry policy), nothing else is.

    Transport security: TLS by default (the system's roots, or ``root_certificates``; with
    ``private_key``/``certificate_chain`` mutual TLS). ``tls=False`` is plaintext, for a server on localhost or
    behind a trusted proxy only; the API key is then sent in the clear, as you asked.
    """

    def __init__(
        self,
        target: str,
        *,
        api_key: Optional[str] = None,
        tls: bool = True,
        root_certificates: Optional[bytes] = None,
        private_key: Optional[bytes] = None,
        certificate_chain: Optional[bytes] = None,
        server_name: Optional[str] = None,
        deadline: float = 10.0,
        max_attempts: int = 4,
        initial_backoff: float = 0.2,
        max_backoff: float = 2.0,
        backoff_multiplier: float = 2.0,
        clock: Callable[[], float] = time.time,
        interceptors: Sequence[grpc.UnaryUnaryClientInterceptor] = (),
    ) -> None:
        if deadline <= 0:
            raise ValueError(f"deadline must be positive: {deadline}")
        if max_attempts < 1:
            raise ValueError(f"max_attempts must be at least 1: {max_attempts}")
        if initial_backoff <= 0 or max_backoff <= 0 or backoff_multiplier <= 0:
            raise ValueError("backoff values must be positive")
        if api_key is not None and not (api_key and all(0x21 <= ord(c) <= 0x7E for c in api_key)):
            raise ValueError("api_key must be non-empty printable ASCII without spaces")
        options = [("grpc.enable_retries", 0), ("grpc.primary_user_agent", "token-client-python/0.1")]
        if server_name:
            options.append(("grpc.ssl_target_name_override", server_name))
        if tls:
            credentials = grpc.ssl_channel_credentials(root_certificates, private_key, certificate_chain)
            channel = grpc.secure_channel(target, credentials, options)
        else:
            if root_certificates or private_key or certificate_chain:
                raise ValueError("tls=False contradicts root_certificates/private_key/certificate_chain")
            channel = grpc.insecure_channel(target, options)
        self._channel = channel
        # For a plaintext client of a host:port target: tells a TLS server from a network failure.
        self._plaintext_target = None if tls else tls_probe.host_and_port(target)
        self._stub = token_service_pb2_grpc.TokenServiceStub(grpc.intercept_channel(channel, *interceptors))
        self._metadata = (("authorization", f"Bearer {api_key}"),) if api_key is not None else ()
        self._deadline = deadline
        self._max_attempts = max_attempts
        self._initial_backoff = initial_backoff
        self._max_backoff = max_backoff
        self._multiplier = backoff_multiplier
        self.clock = clock

    # ------------------------------------------------------------------ blocking

    def issue_rtc_token(self, request: pb.IssueRtcTokenRequest) -> Token:
        """IssueRtcToken: a token for one identity in one RTC channel (optionally also RTM login)."""
        return self.issue_rtc_token_async(request).result()

    def issue_rtm_token(self, request: pb.IssueRtmTokenRequest) -> Token:
        """IssueRtmToken: RTM login for one user, with RTM 2.x resource permissions if the request names any."""
        return self.issue_rtm_token_async(request).result()

    def issue_chat_token(self, request: pb.IssueChatTokenRequest) -> Token:
        return self.issue_chat_token_async(request).result()

    def issue_apaas_token(self, request: pb.IssueApaasTokenRequest) -> Token:
        """IssueApaasToken: a Flexible Classroom (APaaS) room-user, user or app token."""
        return self.issue_apaas_token_async(request).result()

    def renew_token(self, request: Union[str, pb.RenewTokenRequest]) -> Token:
        """RenewToken (a token string: with its original lifetime). Kind TOKEN_EXPIRED: issue a new one instead."""
        return self.renew_token_async(request).result()

    def inspect_token(self, request: pb.InspectTokenRequest) -> pb.InspectTokenResponse:
        return self.inspect_token_async(request).result()

    # ------------------------------------------------------------------ asynchronous

    def issue_rtc_token_async(self, request: pb.IssueRtcTokenRequest) -> "Future[Token]":
        return self._call("IssueRtcToken", self._stub.IssueRtcToken, request, self._to_token)

    def issue_rtm_token_async(self, request: pb.IssueRtmTokenRequest) -> "Future[Token]":
        return self._call("IssueRtmToken", self._stub.IssueRtmToken, request, self._to_token)

    def issue_chat_token_async(self, request: pb.IssueChatTokenRequest) -> "Future[Token]":
        return self._call("IssueChatToken", self._stub.IssueChatToken, request, self._to_token)

    def issue_apaas_token_async(self, request: pb.IssueApaasTokenRequest) -> "Future[Token]":
        return self._call("IssueApaasToken", self._stub.IssueApaasToken, request, self._to_token)

    def renew_token_async(self, request: Union[str, pb.RenewTokenRequest]) -> "Future[Token]":
        message = pb.RenewTokenRequest(token=request) if isinstance(request, str) else request
        return self._call("RenewToken", self._stub.RenewToken, message, self._to_token)

    def inspect_token_async(self, request: pb.InspectTokenRequest) -> "Future[pb.InspectTokenResponse]":
        return self._call("InspectToken", self._stub.InspectToken, request, lambda r: r)

    # ------------------------------------------------------------------ channel

    def close(self) -> None:
        self._channel.close()

    def __enter__(self) -> "TokenClient":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"TokenClient[deadline={self._deadline}s]"

    # ------------------------------------------------------------------ internals

    def _to_token(self, response: pb.IssuedToken) -> Token:
        return Token.from_issued(response, self.clock())

    def _tls_server(self, error: grpc.RpcError) -> bool:
        """Whether an UNAVAILABLE of this plaintext client came from a TLS server dropping the connection (a probe,
        on this failure path only, of at most tls_probe.TIMEOUT)."""
        return (self._plaintext_target is not None and error.code() == grpc.StatusCode.UNAVAILABLE
                and tls_probe.may_be_tls_server(error.details() or "")
                and tls_probe.speaks_tls(*self._plaintext_target))

    def _call(self, rpc: str, method, request, convert: Callable[[object], T]) -> "Future[T]":
        result: "Future[T]" = Future()
        deadline = time.monotonic() + self._deadline
        lock = threading.Lock()
        in_flight: list = [None]  # the grpc future or retry timer to cancel

        def attempt(number: int) -> None:
            remaining = deadline - time.monotonic()
            with lock:
                if result.done():
                    return
                if remaining <= 0:
                    _settle(result, error=TokenServiceError(rpc, grpc.StatusCode.DEADLINE_EXCEEDED,
                                                            "deadline exceeded while retrying UNAVAILABLE"))
                    return
                call = method.future(request, timeout=remaining, metadata=self._metadata)
                in_flight[0] = call
            call.add_done_callback(lambda c: done(c, number))

        def done(call, number: int) -> None:
            if result.done():
                return
            try:
                value = call.result()
            except grpc.FutureCancelledError:
                _settle(result, error=TokenServiceError(rpc, grpc.StatusCode.CANCELLED, "cancelled by the caller"))
                return
            except grpc.RpcError as e:
                if self._tls_server(e):
                    _settle(result, error=TokenServiceError.tls_server(rpc))
                    return
                if (e.code() == grpc.StatusCode.UNAVAILABLE and number < self._max_attempts
                        and not answered_in_plaintext(e.details() or "")):
                    cap = min(self._initial_backoff * self._multiplier ** (number - 1), self._max_backoff)
                    timer = threading.Timer(min(random.random() * cap, max(0.0, deadline - time.monotonic())),
                                            attempt, (number + 1,))
                    timer.daemon = True
                    with lock:
                        in_flight[0] = timer
                        if result.done():
                            return
                    timer.start()
                    return
                _settle(result, error=TokenServiceError.from_rpc_error(rpc, e))
                return
            try:
                _settle(result, value=convert(value))
            except Exception as e:  # a response that cannot be converted
                _settle(result, error=e)

        def on_cancel(f: "Future[T]") -> None:
            if f.cancelled():
                with lock:
                    pending = in_flight[0]
                if pending is not None:
                    pending.cancel()

        result.add_done_callback(on_cancel)
        attempt(1)
        return result


def _settle(future: Future, value=None, error: Optional[BaseException] = None) -> None:
    """Completes the future unless it was cancelled meanwhile."""
    try:
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(value)
    except Exception:  # InvalidStateError: cancelled or completed already
        pass
