"""Reads an Agora AccessToken2 ("007") or legacy AccessToken ("006") without verifying it: what it grants and
when it expires.

Used when an app starts the renewer from a token string it got elsewhere, and by the tests to compare an
issued token with the request. 007: "007" + base64(zlib(bytes(signature) + string(app_id) + u32 issue_ts
+ u32 expire + u32 salt + u16 count + services)), little-endian; expire and privilege values are seconds
after issue_ts. 006: "006" + app_id (32 characters) + base64(bytes(signature) + u32 crc_channel + u32 crc_uid
+ bytes(u32 salt + u32 ts + u16 count + (u16 key + u32 value)*)), little-endian, not compressed; ts (the
token's expiry) and privilege values are absolute Unix seconds, 0 = never; the channel and uid are there only
as CRC32s.
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
    """Anything that is not a well-formed 007 (or 006) token. The message never contains the token."""


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
    #: APaaS: the role in the room (-1 in user and app tokens)
    role: Optional[int] = None
    #: RTM2: access to resources, in the token's order, with Agora's numbers
    permissions: Tuple["DecodedRtm2Permission", ...] = ()


@dataclass(frozen=True)
class DecodedRtm2Permission:
    """RTM2: one access (Agora: 0 read, 1 write) to resources of one type (Agora: 0 message channels ... 4 users)."""
    resource_type: int
    access: int
    resources: Tuple[str, ...]


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


#: 006 privilege keys: 1 join, 2/3/4 publish audio/video/data, 1000 RTM login
RTM_LOGIN_006 = 1000
_APP_ID_LENGTH_006 = 32


@dataclass(frozen=True)
class DecodedToken006:
    app_id: str
    salt: int
    #: the token's own expiry, Unix seconds (0 = none)
    expire_ts: int
    #: (key, absolute end in Unix seconds, 0 = never), as encoded
    privileges: Tuple[Tuple[int, int], ...]
    #: CRC32 of the channel (of the user id for RTM)
    crc_channel: int
    #: CRC32 of the uid string (decimal uid, account, or "" for uid 0 and for RTM)
    crc_uid: int

    def issued_for(self, channel: str, uid: str) -> bool:
        """Whether the token was made for ``channel`` and the uid string ``uid`` (by CRC32 only)."""
        return crc32(channel) == self.crc_channel and crc32(uid) == self.crc_uid


def crc32(text: str) -> int:
    """The IEEE CRC-32 of ``text``'s UTF-8 bytes, as a 006 token records its channel and uid."""
    return zlib.crc32(text.encode("utf-8"))


def decode_token006(token: str) -> DecodedToken006:
    """Decodes a 006 token; raises MalformedTokenError for anything else."""
    if not token.startswith("006"):
        raise MalformedTokenError("not a 006 token")
    if len(token) < 3 + _APP_ID_LENGTH_006:
        raise MalformedTokenError('token is truncated: a 006 token carries a 32-character app id after "006"')
    app_id = token[3 : 3 + _APP_ID_LENGTH_006]
    try:
        content = base64.b64decode(token[3 + _APP_ID_LENGTH_006 :], validate=True)
    except (binascii.Error, ValueError):
        raise MalformedTokenError("token is not base64 after the app id") from None
    reader = _Reader(content)
    if len(reader.bytes()) != 32:
        raise MalformedTokenError("signature is not 32 bytes")
    crc_channel, crc_uid = reader.u32(), reader.u32()
    message = _Reader(reader.bytes())
    if not reader.at_end():
        raise MalformedTokenError("trailing bytes after the message")
    salt, expire_ts = message.u32(), message.u32()
    privileges = []
    for _ in range(message.u16()):
        key = message.u16()
        if any(k == key for k, _ in privileges):
            raise MalformedTokenError(f"privilege {key} appears twice")
        privileges.append((key, message.u32()))
    if not message.at_end():
        raise MalformedTokenError("trailing bytes after the privileges")
    return DecodedToken006(app_id, salt, expire_ts, tuple(privileges), crc_channel, crc_uid)


def _service(r: "_Reader") -> DecodedService:
    kind = r.u16()
    privileges = tuple(DecodedPrivilege(r.u16(), r.u32()) for _ in range(r.u16()))
    if kind in (RTC, STREAMING, FCDN):
        return DecodedService(kind, privileges, channel=r.string(), uid=r.string())
    if kind in (RTM, CHAT):
        return DecodedService(kind, privileges, user_id=r.string())
    if kind == RTM2:
        user_id = r.string()
        permissions = []
        for _ in range(r.u16()):
            resource_type = r.u16()
            for _ in range(r.u16()):
                access = r.u16()
                permissions.append(DecodedRtm2Permission(resource_type, access, tuple(r.string() for _ in range(r.u16()))))
        return DecodedService(kind, privileges, user_id=user_id, permissions=tuple(permissions))
    if kind == APAAS:
        channel, uid, role = r.string(), r.string(), r.u16()
        return DecodedService(kind, privileges, channel=channel, uid=uid, role=role - 0x10000 if role > 0x7FFF else role)
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
