"""Reads an Agora AccessToken2 ("007") without verifying it: what it grants and when it expires.

Used when an app starts the renewer from a token string it got elsewhere, and by the tests to compare an
issued token with the request. Layout: "007" + base64(zlib(bytes(signature) + string(app_id) + u32 issue_ts
+ u32 expire + u32 salt + u16 count + services)), little-endian; expire and privilege values are seconds
after issue_ts.
"""

from __future__ import annotations

import base64
import binascii
import struct
import zlib
from dataclasses import dataclass
from typing import Optional, Tuple

RTC, RTM, STREAMING, FPA, CHAT, FCDN, APAAS, RTM2, CONVOAI, STT = range(1, 11)


class MalformedTokenError(ValueError):
    """Anything that is not a well-formed 007 token. The message never contains the token."""


@dataclass(frozen=True)
class DecodedPrivilege:
    key: int
    #: lifetime after issue_ts in seconds; 0 = the token's
    seconds: int


@dataclass(frozen=True)
class DecodedService:
    type: int
    privileges: Tuple[DecodedPrivilege, ...]
    #: RTC, Streaming, FCDN: the channel; APaaS: the room uuid
    channel: Optional[str] = None
    #: RTC: the uid string ("" = wildcard); Streaming, FCDN: the account; APaaS: the user uuid
    uid: Optional[str] = None
    #: RTM, RTM2, Chat: the user id ("" for a Chat app token)
    user_id: Optional[str] = None


@dataclass(frozen=True)
class DecodedToken:
    app_id: str
    #: issue time, Unix seconds, on the issuer's clock
    issue_ts: int
    #: lifetime in seconds after issue_ts
    expire: int
    salt: int
    services: Tuple[DecodedService, ...]


def decode_token(token: str) -> DecodedToken:
    """Decodes a 007 token; raises MalformedTokenError for anything else."""
    if not token.startswith("007"):
        raise MalformedTokenError("not a 007 token")
    try:
        compressed = base64.b64decode(token[3:], validate=True)
    except (binascii.Error, ValueError):
        raise MalformedTokenError("token is not base64") from None
    try:
        content = zlib.decompress(compressed)
    except zlib.error:
        raise MalformedTokenError("token payload is not a zlib stream") from None
    reader = _Reader(content)
    reader.bytes()  # signature
    app_id = reader.string()
    issue_ts, expire, salt = reader.u32(), reader.u32(), reader.u32()
    services = tuple(_service(reader) for _ in range(reader.u16()))
    if not reader.at_end():
        raise MalformedTokenError("trailing bytes after the last service")
    return DecodedToken(app_id, issue_ts, expire, salt, services)


def _service(r: "_Reader") -> DecodedService:
    kind = r.u16()
    privileges = tuple(DecodedPrivilege(r.u16(), r.u32()) for _ in range(r.u16()))
    if kind in (RTC, STREAMING, FCDN):
        return DecodedService(kind, privileges, channel=r.string(), uid=r.string())
    if kind in (RTM, CHAT):
        return DecodedService(kind, privileges, user_id=r.string())
    if kind == RTM2:
        user_id = r.string()
        for _ in range(r.u16()):  # resource types
            r.u16()
            for _ in range(r.u16()):  # permissions
                r.u16()
                for _ in range(r.u16()):
                    r.bytes()
        return DecodedService(kind, privileges, user_id=user_id)
    if kind == APAAS:
        channel, uid = r.string(), r.string()
        r.u16()  # role
        return DecodedService(kind, privileges, channel=channel, uid=uid)
    if kind in (FPA, CONVOAI, STT):
        return DecodedService(kind, privileges)
    # Service blocks carry no length, so nothing after an unknown one can be read.
    raise MalformedTokenError(f"unknown service type {kind}")


class _Reader:
    def __init__(self, data: bytes) -> None:
        self._data = data
        self._offset = 0

    def at_end(self) -> bool:
        return self._offset == len(self._data)

    def _take(self, n: int) -> bytes:
        if self._offset + n > len(self._data):
            raise MalformedTokenError("token is truncated")
        chunk = self._data[self._offset : self._offset + n]
        self._offset += n
        return chunk

    def u16(self) -> int:
        return struct.unpack("<H", self._take(2))[0]

    def u32(self) -> int:
        return struct.unpack("<I", self._take(4))[0]

    def bytes(self) -> bytes:
        return self._take(self.u16())

    def string(self) -> str:
        try:
            return self.bytes().decode("utf-8")
        except UnicodeDecodeError:
            raise MalformedTokenError("a string in the token is not UTF-8") from None
