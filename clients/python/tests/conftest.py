"""The real token server for the tests, and fake time.

The server is ``java -jar server/target/token-server.jar`` as a process on a free loopback port, with a
throw-away app (random App ID and certificate) and random API keys, in an empty working directory (no
developer .env); it is ready when the gRPC health check says SERVING.
"""

from __future__ import annotations

import base64
import hashlib
import heapq
import hmac
import itertools
import os
import secrets
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import threading
import time
import zlib
from typing import Dict, List, Optional

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

READY_WITHIN = 60.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RealServer:
    def __init__(self, callers=("py-tests",), extra_env: Optional[Dict[str, str]] = None) -> None:
        self.port = free_port()
        self.app_id = secrets.token_hex(16)
        self.certificate = secrets.token_hex(16)
        self.keys = {c: "tsk_" + secrets.token_urlsafe(24) for c in callers}
        self._extra_env = extra_env or {}
        self._dir = tempfile.mkdtemp(prefix="token-server-")
        self._out = open(os.path.join(self._dir, "output.log"), "w+b")
        self._process: Optional[subprocess.Popen] = None

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.port}"

    def key(self, caller: Optional[str] = None) -> str:
        return self.keys[caller] if caller else next(iter(self.keys.values()))

    def output(self) -> str:
        self._out.flush()
        with open(self._out.name, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def start(self, channel_credentials: Optional[grpc.ChannelCredentials] = None, server_name: Optional[str] = None) -> "RealServer":
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "GRPC_PORT": str(self.port),
            "APP_ID": self.app_id,
            "APP_CERTIFICATE": self.certificate,
            "TOKEN_SERVICE_API_KEYS": ",".join(f"{c}={k}" for c, k in self.keys.items()),
            "SHUTDOWN_GRACE_SECONDS": "1",
            # The rate-limit test needs a limit a few hundred calls exceed (the default is 500/s, burst 1000).
            "TOKEN_SERVICE_RATE_LIMIT": "50/100",
            **self._extra_env,
        }
        jar = os.environ.get("TOKEN_SERVER_JAR")
        if not jar:
            raise RuntimeError("TOKEN_SERVER_JAR is not set: run the tests through Maven (./mvnw verify -pl clients/python -am)")
        java = os.environ.get("JAVA", "java")
        self._process = subprocess.Popen(
            [java, "-XX:TieredStopAtLevel=1", "-Xmx256m", "-jar", jar],
            cwd=self._dir, env=env, stdin=subprocess.DEVNULL, stdout=self._out, stderr=subprocess.STDOUT,
        )
        self._wait_until_serving(channel_credentials, server_name)
        return self

    def _wait_until_serving(self, credentials, server_name) -> None:
        # A fresh channel (and subchannel) per probe: a reused one waits out gRPC's reconnect backoff, seconds
        # after the server started listening.
        options = [("grpc.use_local_subchannel_pool", 1)]
        if server_name:
            options.append(("grpc.ssl_target_name_override", server_name))
        until = time.monotonic() + READY_WITHIN
        while True:
            if self._process.poll() is not None:
                raise RuntimeError(f"token server exited with {self._process.returncode}:\n{self.output()}")
            channel = (grpc.secure_channel(self.target, credentials, options) if credentials
                       else grpc.insecure_channel(self.target, options))
            try:
                answer = health_pb2_grpc.HealthStub(channel).Check(
                    health_pb2.HealthCheckRequest(service="tokenservice.v1.TokenService"), timeout=1.0)
                if answer.status == health_pb2.HealthCheckResponse.SERVING:
                    return
            except grpc.RpcError:
                pass  # not listening yet
            finally:
                channel.close()
            if time.monotonic() > until:
                self._process.kill()
                raise RuntimeError(f"token server not SERVING within {READY_WITHIN} s:\n{self.output()}")
            time.sleep(0.1)

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.send_signal(signal.SIGTERM)
            try:
                self._process.wait(10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._out.close()
        shutil.rmtree(self._dir, ignore_errors=True)


@pytest.fixture(scope="session")
def server():
    s = RealServer(callers=("py-tests", "flood")).start()
    yield s
    try:
        for secret in [*s.keys.values(), s.certificate]:
            assert secret not in s.output(), "a secret appeared in the server's output"
    finally:
        s.stop()


class FakeClock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class FakeScheduler:
    """Runs tasks only when the test advances the fake clock."""

    def __init__(self, clock: FakeClock) -> None:
        self._clock = clock
        self._tasks: List[list] = []
        self._seq = itertools.count()
        self._lock = threading.Lock()

    def schedule(self, delay, task):
        entry = [self._clock.now + max(0.0, delay), next(self._seq), task]
        with self._lock:
            heapq.heappush(self._tasks, entry)

        class _Handle:
            def cancel(_self):
                entry[2] = None

        return _Handle()

    def pending(self) -> List[float]:
        with self._lock:
            return sorted(e[0] for e in self._tasks if e[2] is not None)

    def advance(self, seconds: float) -> None:
        until = self._clock.now + seconds
        while True:
            with self._lock:
                while self._tasks and self._tasks[0][2] is None:
                    heapq.heappop(self._tasks)
                if not self._tasks or self._tasks[0][0] > until:
                    break
                at, _, task = heapq.heappop(self._tasks)
            self._clock.now = max(self._clock.now, at)
            task()
        self._clock.now = max(self._clock.now, until)


def wait_until(condition, what: str, within: float = 10.0) -> None:
    """Waits (real time, bounded) until ``condition()`` holds, e.g. until a real RPC has come back."""
    end = time.monotonic() + within
    while not condition():
        if time.monotonic() > end:
            raise AssertionError(f"timed out after {within} s waiting until {what}")
        time.sleep(0.005)


def mint_rtc_token(app_id: str, certificate: str, channel: str, uid: str, issue_ts: int, expire: int, salt: int = 12345) -> str:
    """A 007 RTC publisher token minted the way any other holder of the certificate would (Agora's builders)."""
    u16 = lambda n: struct.pack("<H", n)  # noqa: E731
    u32 = lambda n: struct.pack("<I", n & 0xFFFFFFFF)  # noqa: E731
    string = lambda b: u16(len(b)) + b  # noqa: E731
    info = (string(app_id.encode()) + u32(issue_ts) + u32(expire) + u32(salt) + u16(1) + u16(1) + u16(4)
            + b"".join(u16(k) + u32(expire) for k in (1, 2, 3, 4)) + string(channel.encode()) + string(uid.encode()))
    k1 = hmac.new(u32(issue_ts), certificate.encode("ascii"), hashlib.sha256).digest()
    k2 = hmac.new(u32(salt), k1, hashlib.sha256).digest()
    signature = hmac.new(k2, info, hashlib.sha256).digest()
    return "007" + base64.b64encode(zlib.compress(string(signature) + info)).decode("ascii")
