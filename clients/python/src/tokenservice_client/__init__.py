"""Python client of the Agora token service (tokenservice.v1.TokenService): TokenClient, TokenServiceError
and TokenRenewer. The generated messages are in ``tokenservice.v1.token_service_pb2``."""

from .client import TokenClient
from .errors import FieldViolation, Kind, TOKEN_EXPIRED_REASON, TokenServiceError
from .renew import (
    AgoraSession,
    Backoff,
    HandoverMode,
    RateLimiter,
    Renewal,
    RenewalFailure,
    RenewalListener,
    State,
    ThreadScheduler,
    TokenEventListener,
    TokenProvider,
    TokenRenewer,
    Trigger,
    TriggerOutcome,
    chat_provider,
    rtc_provider,
    rtm_provider,
)
from .token import Token
from .token_format import DecodedToken, DecodedToken006, MalformedTokenError, decode_token, decode_token006

__all__ = [
    "AgoraSession", "Backoff", "DecodedToken", "DecodedToken006", "FieldViolation", "HandoverMode", "Kind", "MalformedTokenError",
    "RateLimiter", "Renewal", "RenewalFailure", "RenewalListener", "State", "TOKEN_EXPIRED_REASON",
    "ThreadScheduler", "Token", "TokenClient", "TokenEventListener", "TokenProvider", "TokenRenewer",
    "TokenServiceError", "Trigger", "TriggerOutcome", "chat_provider", "decode_token", "decode_token006", "rtc_provider",
    "rtm_provider",
]
