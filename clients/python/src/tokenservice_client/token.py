"""A token the service issued, as received by this client, with its clock-offset arithmetic."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from typing import Tuple

from google.protobuf import timestamp_pb2
from tokenservice.v1 import token_service_pb2 as pb

from . import token_format

#: The lifetime every 006 builder (Agora's and this service's) gives the token itself: ts = issue time + 24 h.
_LEGACY_TOKEN_LIFETIME_SECONDS = 24 * 60 * 60
#: The farthest end a 006 token can state (u32 seconds): what "never expires" becomes.
_NEVER_006 = 0xFFFFFFFF


def _seconds(ts: timestamp_pb2.Timestamp) -> float:
    return ts.seconds + ts.nanos / 1e9


@dataclass(frozen=True)
class Token:
    """A token and what the server said about it.

    ``issued_at``, ``expires_at`` and the privilege expiries in ``services`` are Unix seconds on the SERVER's
    clock; ``received_at`` is this client's clock when the response arrived. Device clocks are often wrong, so
    compare expiries with the local clock only through ``local_expires_at()``, which corrects for the offset
    (``clock_offset()`` = issued_at - received_at, at most about a second plus one network trip off).

    A token read from a string (``Token.from_string``) has no known offset (``clock_offset_known`` False): its
    times count as local until the first renewal measures it. ``repr``/``str`` never show the token itself.
    """

    value: str = field(repr=False)
    app_id: str
    issued_at: float
    expires_at: float
    services: Tuple[pb.ServiceGrant, ...] = field(repr=False)
    sha256_prefix: str
    received_at: float
    clock_offset_known: bool = True

    def __post_init__(self) -> None:
        if self.expires_at < self.issued_at:
            raise ValueError("expires_at is before issued_at")

    @classmethod
    def from_issued(cls, proto: pb.IssuedToken, received_at: float) -> "Token":
        """Converts an IssuedToken response received at ``received_at`` (local clock, Unix seconds)."""
        return cls(
            value=proto.token,
            app_id=proto.app_id,
            issued_at=_seconds(proto.issued_at),
            expires_at=_seconds(proto.expires_at),
            services=tuple(proto.services),
            sha256_prefix=proto.token_sha256_prefix,
            received_at=received_at,
        )

    @classmethod
    def from_string(cls, value: str) -> "Token":
        """Reads a 007 or 006 token obtained elsewhere: expiry and grants come from the token, the offset is unknown.

        A 006 token holds its channel and uid only as CRC32s, so its grants name neither; it states no issue time,
        so that is taken as its expiry (ts) minus the 24 h every 006 builder writes; it ends at the earlier of ts
        and its latest privilege end (0 = never). Raises MalformedTokenError for anything else.
        """
        if value.startswith("006"):
            return cls._from006(value, token_format.decode_token006(value))
        decoded = token_format.decode_token(value)
        return cls(
            value=value,
            app_id=decoded.app_id,
            issued_at=float(decoded.issue_ts),
            expires_at=float(decoded.issue_ts + decoded.expire),
            services=tuple(_service_grant(s, decoded.issue_ts) for s in decoded.services),
            sha256_prefix=hashlib.sha256(value.encode("utf-8")).hexdigest()[:12],
            received_at=float(decoded.issue_ts),
            clock_offset_known=False,
        )

    @classmethod
    def _from006(cls, value: str, decoded: token_format.DecodedToken006) -> "Token":
        latest_privilege = max((end or _NEVER_006 for _, end in decoded.privileges), default=_NEVER_006)
        end = min(decoded.expire_ts or _NEVER_006, latest_privilege)
        issued = end if decoded.expire_ts == 0 else max(0, min(end, decoded.expire_ts - _LEGACY_TOKEN_LIFETIME_SECONDS))
        return cls(
            value=value,
            app_id=decoded.app_id,
            issued_at=float(issued),
            expires_at=float(end),
            services=_services006(decoded),
            sha256_prefix=hashlib.sha256(value.encode("utf-8")).hexdigest()[:12],
            received_at=float(issued),
            clock_offset_known=False,
        )

    @property
    def is_legacy(self) -> bool:
        """Whether this is a legacy AccessToken ("006"). It records only the CRC32 of its channel and uid, so renewing
        it needs them (``rtc_provider``, ``rtm_provider``)."""
        return self.value.startswith("006")

    def lifetime(self) -> float:
        return self.expires_at - self.issued_at

    def clock_offset(self) -> float:
        """Server clock minus local clock, as measured when the token arrived. Positive = the local clock is behind."""
        return self.issued_at - self.received_at

    def to_local(self, server_time: float) -> float:
        return server_time - self.clock_offset()

    def local_expires_at(self) -> float:
        return self.to_local(self.expires_at)

    def earliest_expiry(self) -> float:
        """The earliest moment (server clock) at which the token or one of its privileges ends."""
        earliest = self.expires_at
        for service in self.services:
            for privilege in service.privileges:
                if privilege.HasField("expires_at"):
                    end = _seconds(privilege.expires_at)
                    if self.issued_at < end < earliest:
                        earliest = end
        return earliest

    def local_earliest_expiry(self) -> float:
        return self.to_local(self.earliest_expiry())

    def with_received_at(self, received_at: float) -> "Token":
        return replace(self, received_at=received_at, clock_offset_known=True)


def _privilege(service: int, key: int) -> int:
    if service == token_format.RTC and 1 <= key <= 4:
        return (pb.PRIVILEGE_RTC_JOIN_CHANNEL, pb.PRIVILEGE_RTC_PUBLISH_AUDIO_STREAM,
                pb.PRIVILEGE_RTC_PUBLISH_VIDEO_STREAM, pb.PRIVILEGE_RTC_PUBLISH_DATA_STREAM)[key - 1]
    if service in (token_format.RTM, token_format.RTM2) and key == 1:
        return pb.PRIVILEGE_RTM_LOGIN
    if service == token_format.CHAT and key in (1, 2):
        return pb.PRIVILEGE_CHAT_USER if key == 1 else pb.PRIVILEGE_CHAT_APP
    if service == token_format.APAAS and 1 <= key <= 3:
        return (pb.PRIVILEGE_APAAS_ROOM_USER, pb.PRIVILEGE_APAAS_USER, pb.PRIVILEGE_APAAS_APP)[key - 1]
    return pb.PRIVILEGE_OTHER


def _services006(decoded: token_format.DecodedToken006) -> Tuple[pb.ServiceGrant, ...]:
    """As InspectToken reports a 006 token: RTC for its RTC privileges, RTM for RTM login, no channel or uid."""
    rtc = pb.ServiceGrant(service=token_format.RTC)
    rtm = pb.ServiceGrant(service=token_format.RTM)
    for key, end in decoded.privileges:
        login = key == token_format.RTM_LOGIN_006
        privilege = (rtm if login else rtc).privileges.add(
            privilege=pb.PRIVILEGE_RTM_LOGIN if login else _privilege(token_format.RTC, key), agora_key=key)
        if end:
            privilege.expires_at.seconds = end
    return tuple(g for g in (rtc, rtm) if g.privileges or (g is rtc and not rtm.privileges))


def _service_grant(s: token_format.DecodedService, issue_ts: int) -> pb.ServiceGrant:
    if s.type == token_format.APAAS:
        # As the server answers: the room and role in fields of their own, the user uuid as the user id.
        grant = pb.ServiceGrant(service=s.type, apaas_room_uuid=s.channel or "", user_id=s.uid or "",
                                apaas_role=s.role or 0)
    else:
        grant = pb.ServiceGrant(service=s.type, channel=s.channel or "", uid=s.uid or "", user_id=s.user_id or "")
    for p in s.permissions:
        # The contract numbers from 1 (0 = unspecified); Agora from 0.
        grant.rtm2_permissions.add(
            resource_type=p.resource_type + 1 if p.resource_type <= 4 else pb.RTM2_RESOURCE_TYPE_UNSPECIFIED,
            access=p.access + 1 if p.access <= 1 else pb.RTM2_ACCESS_UNSPECIFIED, resources=p.resources)
    for p in s.privileges:
        privilege = grant.privileges.add(privilege=_privilege(s.type, p.key), agora_key=p.key)
        if p.seconds:
            privilege.expires_at.seconds = issue_ts + p.seconds
    return grant
