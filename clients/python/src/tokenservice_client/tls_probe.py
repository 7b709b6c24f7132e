"""Tells a plaintext client pointed at a TLS port apart from a network failure.

A TLS server drops an HTTP/2 connection that starts in plaintext without a word: gRPC core then reports
"Socket closed", as it would for a server that crashed. A failure of that shape is confirmed by sending the
server a TLS ClientHello: a TLS server answers with a TLS record (a handshake or an alert), a plaintext one does
not. Nothing else is sent, and no certificate is looked at.
"""

from __future__ import annotations

import socket
import ssl
from typing import Optional, Tuple

#: Long enough for a server on the same network; the probe runs only after a call has already failed.
TIMEOUT = 1.0

_TLS_HANDSHAKE = 0x16
_TLS_ALERT = 0x15
_TLS_MAJOR_VERSION = 0x03


def host_and_port(target: str) -> Optional[Tuple[str, int]]:
    """The host and port of a ``host:port`` or ``[v6 address]:port`` target; None for other target forms."""
    host, colon, port = target.rpartition(":")
    if not colon or not host or "/" in target:
        return None
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    elif ":" in host:
        return None
    if not port.isdigit() or not 0 < int(port) <= 0xFFFF:
        return None
    return host, int(port)


def may_be_tls_server(details: str) -> bool:
    """Whether an UNAVAILABLE's details allow a connection that was made and then dropped (not refused or
    unresolved)."""
    text = details.lower()
    return not any(word in text for word in ("refused", "dns", "resolve", "unreachable"))


def speaks_tls(host: str, port: int) -> bool:
    """Whether the server answers a TLS ClientHello with a TLS record; False on any failure to find out."""
    try:
        incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
        tls = ssl.create_default_context().wrap_bio(incoming, outgoing, server_hostname=host)
        try:
            tls.do_handshake()
        except ssl.SSLWantReadError:
            pass  # the ClientHello is written; the answer is read from the socket below
        with socket.create_connection((host, port), timeout=TIMEOUT) as connection:
            connection.sendall(outgoing.read())
            header = connection.recv(2)
        return len(header) == 2 and header[0] in (_TLS_HANDSHAKE, _TLS_ALERT) and header[1] == _TLS_MAJOR_VERSION
    except (OSError, ValueError):
        return False
