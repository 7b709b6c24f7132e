"""The 006 reader against the 16 006 cases of Agora's builders (token-vectors.json): the fields of each token,
the CRC32 of the channel and uid it was signed for, what Token.from_string makes of it, and malformed strings."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from tokenservice.v1 import token_service_pb2 as pb

from tokenservice_client import MalformedTokenError, Token, decode_token006
from tokenservice_client import token_format

VECTORS = [v for v in json.loads((Path(__file__).resolve().parents[3] / "core/src/test/resources/token-vectors.json")
                                 .read_text("utf-8")) if v["version"] == "006"]


def by_name(name: str) -> dict:
    return next(v for v in VECTORS if v["name"] == name)


def test_has_the_16_cases():
    assert len(VECTORS) == 16


@pytest.mark.parametrize("vector", VECTORS, ids=lambda v: v["name"])
def test_fields_and_crcs(vector):
    d, expected = decode_token006(vector["expectedToken"]), vector["decoded"]
    assert (d.app_id, d.salt, d.expire_ts, d.crc_channel, d.crc_uid) == (
        expected["appId"], expected["salt"], expected["ts"], expected["crcChannel"], expected["crcUid"])
    assert {str(k): v for k, v in d.privileges} == expected["privileges"]
    assert token_format.crc32(expected["signedChannel"]) == expected["crcChannel"]
    assert d.issued_for(expected["signedChannel"], expected["signedUid"])
    assert not d.issued_for(expected["signedChannel"] + "x", expected["signedUid"])


@pytest.mark.parametrize("vector", VECTORS, ids=lambda v: v["name"])
def test_truncated_anywhere_in_its_content_is_malformed(vector):
    for cut in (4, 8, 12):
        with pytest.raises(MalformedTokenError):
            decode_token006(vector["expectedToken"][:-cut])


def test_token_from_string():
    rtc = by_name("v006_rtc_uid_small_publisher")
    t = Token.from_string(rtc["expectedToken"])
    assert (t.app_id, t.expires_at, t.issued_at) == (rtc["decoded"]["appId"], 1700003600, rtc["decoded"]["ts"] - 86400)
    assert not t.clock_offset_known and t.is_legacy
    assert [(s.service, s.channel, s.uid) for s in t.services] == [(pb.SERVICE_TYPE_RTC, "", "")]
    assert [(p.privilege, p.agora_key, p.expires_at.seconds) for p in t.services[0].privileges] == [
        (pb.PRIVILEGE_RTC_JOIN_CHANNEL, 1, 1700003600), (pb.PRIVILEGE_RTC_PUBLISH_AUDIO_STREAM, 2, 1700003600),
        (pb.PRIVILEGE_RTC_PUBLISH_VIDEO_STREAM, 3, 1700003600), (pb.PRIVILEGE_RTC_PUBLISH_DATA_STREAM, 4, 1700003600)]

    rtm = Token.from_string(by_name("v006_rtm_user")["expectedToken"])
    assert [(s.service, [p.privilege for p in s.privileges]) for s in rtm.services] == [
        (pb.SERVICE_TYPE_RTM, [pb.PRIVILEGE_RTM_LOGIN])]

    never = by_name("v006_rtc_uid_privilege_never")
    n = Token.from_string(never["expectedToken"])
    assert n.expires_at == never["decoded"]["ts"], "a privilege that never ends: the token's ts"
    assert not n.services[0].privileges[0].HasField("expires_at")


def test_malformed():
    good = VECTORS[0]["expectedToken"]
    for bad in ("007" + good[3:], good[:20], good[:35] + "!!!!" + good[39:], "006" + good[4:],
                "006" + good[3:35] + base64.b64encode(b"\x01\x00x").decode()):
        with pytest.raises(MalformedTokenError):
            decode_token006(bad)
