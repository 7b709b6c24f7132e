"""One exception type for every failed TokenService call; its kind says what to do."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Optional, Sequence

import grpc
from google.rpc import error_details_pb2, status_pb2

#: ErrorInfo reason of RenewToken's FAILED_PRECONDITION for a token past the server's renewal grace.
TOKEN_EXPIRED_REASON = "TOKEN_EXPIRED"

_STATUS_DETAILS_KEY = "grpc-status-details-bin"

_PLAINTEXT_SERVER = (
    "the server answered in plaintext, but this client speaks TLS (the default). For a server without TLS, such as "
    "the local development server, build the client with TokenClient(target, tls=False, ...); otherwise check that "
    "the target is the server's TLS port"
)

_TLS_SERVER = (
    "the server speaks TLS, but this client was built with tls=False: drop tls=False to use TLS (with "
    "root_certificates=... if the server's certificate is not publicly trusted), or point the client at a port "
    "without TLS"
)


class Kind(enum.Enum):
    """What went wrong, in terms of what the caller can do about it (the Java and TypeScript clients' kinds)."""

    #: INVALID_ARGUMENT: the request is malformed; fix it (see field_violations), do not retry it unchanged.
    INVALID_REQUEST = False
    #: UNAUTHENTICATED: missing, unknown or revoked API key, or untrusted client certificate.
    AUTHENTICATION = False
    #: PERMISSION_DENIED: the caller's policy forbids the request; the reason names the rule.
    PERMISSION_DENIED = False
    #: NOT_FOUND: the server holds no certificate for the requested app id.
    UNKNOWN_APP = False
    #: FAILED_PRECONDITION with ErrorInfo TOKEN_EXPIRED: the token is too old to renew; issue a new one.
    TOKEN_EXPIRED = False
    #: RESOURCE_EXHAUSTED with a google.rpc.RetryInfo: the caller's rate limit; wait at least retry_delay.
    RATE_LIMITED = True
    #: RESOURCE_EXHAUSTED without RetryInfo: the request (message or metadata) is too large; waiting does not help.
    REQUEST_TOO_LARGE = False
    #: UNAVAILABLE, DEADLINE_EXCEEDED or ABORTED: transient; retry with backoff.
    UNAVAILABLE = True
    #: INTERNAL, UNKNOWN or DATA_LOSS: a server bug, worth reporting; a retry may succeed.
    SERVER_ERROR = True
    #: The call was cancelled on this side (e.g. the renewer was closed).
    CANCELLED = False
    #: UNAVAILABLE because this client speaks TLS (the default) and the server answered in plaintext (the local
    #: development server runs without TLS): build the client with ``tls=False`` for such a server, or point it
    #: at the TLS port. Or the reverse: the client has ``tls=False`` and the server speaks TLS; drop
    #: ``tls=False``. Retrying does not help.
    TLS_MISMATCH = False
    #: Any other status (e.g. UNIMPLEMENTED: the target is not a TokenService).
    OTHER = False

    def __new__(cls, retryable: bool):
        member = object.__new__(cls)
        member._value_ = len(cls.__members__)
        member.retryable = retryable
        return member


@dataclass(frozen=True)
class FieldViolation:
    """One offending request field of an INVALID_ARGUMENT, by proto field path (e.g. "channel")."""

    field: str
    description: str

    def __str__(self) -> str:
        return f"{self.field}: {self.description}"


class TokenServiceError(Exception):
    """A failed TokenService call, with what the server said about it.

    ``kind`` says what to do; ``reason`` is the server's status message (for PERMISSION_DENIED it names the
    policy rule); ``field_violations`` the offending fields of an INVALID_ARGUMENT and ``error_reason`` /
    ``retry_delay`` (seconds) the google.rpc.ErrorInfo / RetryInfo, all decoded from the
    ``grpc-status-details-bin`` trailer.
    """

    def __init__(
        self,
        rpc: str,
        code: grpc.StatusCode,
        reason: str,
        field_violations: Sequence[FieldViolation] = (),
        error_reason: Optional[str] = None,
        retry_delay: Optional[float] = None,
        kind: Optional[Kind] = None,
    ) -> None:
        self.rpc = rpc
        self.code = code
        self.reason = reason
        self.field_violations = tuple(field_violations)
        self.error_reason = error_reason
        self.retry_delay = retry_delay
        self.kind = kind or _kind_of(code, error_reason, retry_delay is not None)
        super().__init__(self._describe())

    @property
    def retryable(self) -> bool:
        """Whether repeating the same call later may succeed."""
        return self.kind.retryable

    @classmethod
    def tls_server(cls, rpc: str) -> "TokenServiceError":
        """UNAVAILABLE TLS_MISMATCH for a plaintext client whose server speaks TLS."""
        return cls(rpc, grpc.StatusCode.UNAVAILABLE, _TLS_SERVER, kind=Kind.TLS_MISMATCH)

    @classmethod
    def from_rpc_error(cls, rpc: str, error: grpc.RpcError) -> "TokenServiceError":
        """Converts a failed gRPC call, decoding the rich error details of its trailers."""
        code = error.code() if hasattr(error, "code") else grpc.StatusCode.UNKNOWN
        reason = (error.details() if hasattr(error, "details") else None) or ""
        if code == grpc.StatusCode.UNAVAILABLE and answered_in_plaintext(reason):
            return cls(rpc, code, _PLAINTEXT_SERVER, kind=Kind.TLS_MISMATCH)
        violations = []
        error_reason = None
        retry_delay = None
        trailers = error.trailing_metadata() if hasattr(error, "trailing_metadata") else None
        for key, value in trailers or ():
            if key != _STATUS_DETAILS_KEY:
                continue
            try:
                status = status_pb2.Status.FromString(value)
            except Exception:  # a detail we cannot decode is simply not reported
                continue
            for detail in status.details:
                if detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
                    bad_request = error_details_pb2.BadRequest()
                    detail.Unpack(bad_request)
                    violations += [FieldViolation(v.field, v.description) for v in bad_request.field_violations]
                elif detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
                    info = error_details_pb2.ErrorInfo()
                    detail.Unpack(info)
                    error_reason = info.reason
                elif detail.Is(error_details_pb2.RetryInfo.DESCRIPTOR):
                    info = error_details_pb2.RetryInfo()
                    detail.Unpack(info)
                    retry_delay = info.retry_delay.ToTimedelta().total_seconds()
        return cls(rpc, code, reason, violations, error_reason, retry_delay)

    def _describe(self) -> str:
        text = f"{self.rpc} failed: {self.code.name}"
        if self.error_reason:
            text += f" ({self.error_reason})"
        if self.reason:
            text += f": {self.reason}"
        if self.field_violations:
            text += " [" + ", ".join(str(v) for v in self.field_violations) + "]"
        if self.retry_delay is not None:
            text += f" [retry after {self.retry_delay:g} s]"
        return text


def answered_in_plaintext(details: str) -> bool:
    """Whether an UNAVAILABLE's details say the TLS handshake read a first record that was not TLS.

    gRPC core reports it as OpenSSL's "wrong version number" (BoringSSL spells it WRONG_VERSION_NUMBER): a gRPC
    server without TLS answers a ClientHello with an HTTP/2 frame.
    """
    return "wrong version number" in details.lower().replace("_", " ")


def _kind_of(code: grpc.StatusCode, error_reason: Optional[str], has_retry_info: bool) -> Kind:
    s = grpc.StatusCode
    if code in (s.INVALID_ARGUMENT, s.OUT_OF_RANGE):
        return Kind.INVALID_REQUEST
    if code == s.UNAUTHENTICATED:
        return Kind.AUTHENTICATION
    if code == s.PERMISSION_DENIED:
        return Kind.PERMISSION_DENIED
    if code == s.NOT_FOUND:
        return Kind.UNKNOWN_APP
    if code == s.FAILED_PRECONDITION:
        return Kind.TOKEN_EXPIRED if error_reason == TOKEN_EXPIRED_REASON else Kind.OTHER
    if code == s.RESOURCE_EXHAUSTED:
        # The server attaches RetryInfo to its rate limit only; without it the request itself is too big.
        return Kind.RATE_LIMITED if has_retry_info else Kind.REQUEST_TOO_LARGE
    if code in (s.UNAVAILABLE, s.DEADLINE_EXCEEDED, s.ABORTED):
        return Kind.UNAVAILABLE
    if code in (s.INTERNAL, s.UNKNOWN, s.DATA_LOSS):
        return Kind.SERVER_ERROR
    if code == s.CANCELLED:
        return Kind.CANCELLED
    return Kind.OTHER
