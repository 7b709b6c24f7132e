"""Keeps one Agora session supplied with valid tokens: the Java and TypeScript clients' TokenRenewer.

Threads, not asyncio: Agora's server-side SDKs call their observers on their own threads, and most server
code that holds an Agora session (a recording or AI-agent worker, a Flask or Django app) runs no event loop.
A thread-safe renewer takes events from any thread and works the same under asyncio (call it from a loop
thread freely: nothing blocks). Everything it does runs one task at a time, so the session and listener are
never called concurrently.
"""

from __future__ import annotations

import collections
import enum
import heapq
import itertools
import logging
import random as _random
import threading
import time
from concurrent.futures import CancelledError, Future
from dataclasses import dataclass
from typing import Callable, Deque, List, Optional, Protocol, Tuple, Union

from tokenservice.v1 import token_service_pb2 as pb

from . import token_format
from .client import TokenClient
from .errors import Kind, TokenServiceError
from .token import Token

_log = logging.getLogger(__name__)


class Trigger(enum.Enum):
    """What started a renewal."""

    WILL_EXPIRE_EVENT = "WILL_EXPIRE_EVENT"
    TIMER = "TIMER"
    EXPIRED_EVENT = "EXPIRED_EVENT"
    REQUEST_TOKEN_EVENT = "REQUEST_TOKEN_EVENT"
    MANUAL = "MANUAL"


class TriggerOutcome(enum.Enum):
    """What the renewer did with a trigger."""

    STARTED = "STARTED"
    ALREADY_RENEWING = "ALREADY_RENEWING"
    STALE = "STALE"
    IGNORED_FAILED = "IGNORED_FAILED"


class HandoverMode(enum.Enum):
    """RENEW: the session's renew_token (still connected); REJOIN: the old token expired, join again."""

    RENEW = "RENEW"
    REJOIN = "REJOIN"


class State(enum.Enum):
    NEW = "NEW"
    ACTIVE = "ACTIVE"
    #: stopped after a permanent failure (reported to the listener); close it and fix the cause
    FAILED = "FAILED"
    CLOSED = "CLOSED"


@dataclass(frozen=True)
class Renewal:
    """A token handed to the session."""

    trigger: Trigger
    mode: HandoverMode
    previous: Token
    current: Token
    #: RPC attempts it took (1 = first try)
    attempts: int


@dataclass(frozen=True)
class RenewalFailure:
    """A failed attempt; ``retry_in`` (seconds) is None if the renewer gave up for good."""

    trigger: Trigger
    mode: HandoverMode
    attempt: int
    error: BaseException
    retry_in: Optional[float]

    @property
    def gave_up(self) -> bool:
        return self.retry_in is None


class TokenEventListener(Protocol):
    """The token events an Agora SDK emits, as a session forwards them; safe from any thread."""

    def on_token_will_expire(self, token: Optional[str] = None) -> None: ...
    def on_token_expired(self) -> None: ...
    def on_request_token(self) -> None: ...


class AgoraSession(Protocol):
    """One Agora session whose token must be kept valid (an RTC connection, an RTM client...)."""

    def renew_token(self, token: str) -> None: ...
    def rejoin(self, token: str) -> None: ...
    def set_token_event_listener(self, listener: Optional[TokenEventListener]) -> None: ...


class RenewalListener:
    """Observes a renewer (logs, metrics). Never called after close(); exceptions are logged and ignored."""

    def on_trigger(self, trigger: Trigger, outcome: TriggerOutcome) -> None:
        pass

    def on_renewed(self, renewal: Renewal) -> None:
        pass

    def on_failure(self, failure: RenewalFailure) -> None:
        pass


class TokenProvider(Protocol):
    """Where the renewer gets tokens; failures should be TokenServiceErrors. Cancelling a future cancels the call.

    A provider may also define ``require_renewable(initial)``: ``TokenRenewer.start`` calls it with the session's
    first token, so that a token the provider could never renew is refused there (ValueError) rather than at the
    first renewal.
    """

    def renew(self, current: Token) -> "Future[Token]": ...
    def issue(self) -> "Future[Token]": ...


class _ClientProvider:
    """RenewToken through ``client``. A 006 token records only the CRC32 of its channel and uid, so it is renewed
    only with ``legacy_identity``: the RenewTokenRequest fields that name them. ``legacy_slots`` are the channel
    and uid strings the token's CRC32s cover (for RTM the user id and ""), checked at start, and what they are
    called in the refusal."""

    def __init__(self, client: TokenClient, issue: Callable[[], "Future[Token]"],
                 legacy_identity: Optional[dict] = None,
                 legacy_slots: Optional[Tuple[str, str, str]] = None) -> None:
        self._client = client
        self._issue = issue
        self._legacy_identity = legacy_identity
        self._legacy_slots = legacy_slots

    def renew(self, current: Token) -> "Future[Token]":
        if self._legacy_identity is not None and current.is_legacy:
            return self._client.renew_token_async(pb.RenewTokenRequest(token=current.value, **self._legacy_identity))
        return self._client.renew_token_async(current.value)

    def issue(self) -> "Future[Token]":
        return self._issue()

    def require_renewable(self, initial: Token) -> None:
        if self._legacy_identity is None and initial.is_legacy:
            raise ValueError("cannot renew a 006 token without its channel and uid (RTC) or user id (RTM), of which it "
                             "records only the CRC32: use rtc_provider or rtm_provider with the request the token was "
                             "issued for")
        if self._legacy_slots is not None and initial.is_legacy:
            channel, uid, named = self._legacy_slots
            # Caught here, the mistake is named; at the first renewal it would be the server's refusal.
            if not token_format.decode_token006(initial.value).issued_for(channel, uid):
                raise ValueError(f"this provider's {named} not the one(s) the 006 token was issued for (a CRC32 "
                                 "differs): use the request the token was issued for")


def rtc_provider(client: TokenClient, request: pb.IssueRtcTokenRequest) -> TokenProvider:
    """An RTC session: fresh tokens by IssueRtcToken with ``request``; a 006 token is renewed with the request's
    channel and uid or account."""
    identity = {"channel": request.channel}
    which = request.WhichOneof("identity")
    if which is not None:
        identity[which] = getattr(request, which)
    # The uid string a 006 token signs: decimal uid, the account, or "" for uid 0 (the wildcard).
    uid = str(request.uid or "") if which == "uid" else request.account if which == "account" else ""
    return _ClientProvider(client, lambda: client.issue_rtc_token_async(request), identity,
                           (request.channel, uid, "channel and uid/account are"))


def rtm_provider(client: TokenClient, request: pb.IssueRtmTokenRequest) -> TokenProvider:
    """An RTM session: fresh tokens by IssueRtmToken with ``request``; a 006 token is renewed with its user id."""
    return _ClientProvider(client, lambda: client.issue_rtm_token_async(request), {"rtm_user_id": request.user_id},
                           (request.user_id, "", "user id is"))


def chat_provider(client: TokenClient, request: pb.IssueChatTokenRequest) -> TokenProvider:
    return _ClientProvider(client, lambda: client.issue_chat_token_async(request))


# ---------------------------------------------------------------------- time


class Cancellable(Protocol):
    def cancel(self) -> None: ...


class Scheduler(Protocol):
    def schedule(self, delay: float, task: Callable[[], None]) -> Cancellable: ...


class ThreadScheduler:
    """One daemon thread running tasks at their time; shut down by the renewer that owns it."""

    def __init__(self, name: str = "token-renewer") -> None:
        self._queue: List[tuple] = []
        self._seq = itertools.count()
        self._cv = threading.Condition()
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def schedule(self, delay: float, task: Callable[[], None]) -> Cancellable:
        entry = [time.monotonic() + max(0.0, delay), next(self._seq), task]
        with self._cv:
            heapq.heappush(self._queue, entry)
            self._cv.notify()

        class _Handle:
            def cancel(_self) -> None:
                entry[2] = None

        return _Handle()

    def shutdown(self) -> None:
        with self._cv:
            self._stopped = True
            self._cv.notify()

    def _run(self) -> None:
        while True:
            with self._cv:
                while not self._stopped and (not self._queue or self._queue[0][0] > time.monotonic()):
                    self._cv.wait(None if not self._queue else self._queue[0][0] - time.monotonic())
                if self._stopped:
                    return
                _, _, task = heapq.heappop(self._queue)
            if task is not None:
                try:
                    task()
                except Exception:
                    _log.exception("scheduled task failed")


@dataclass(frozen=True)
class Backoff:
    """Retry n waits initial * multiplier^(n-1), capped at max, times a random factor in [1-jitter, 1+jitter)."""

    initial: float = 1.0
    max: float = 30.0
    multiplier: float = 2.0
    jitter: float = 0.2

    def __post_init__(self) -> None:
        if not self.initial > 0 or self.max < self.initial or self.multiplier < 1 or not 0 <= self.jitter <= 1:
            raise ValueError(f"invalid backoff {self}")

    def delay(self, retry: int, rnd: Callable[[], float]) -> float:
        try:
            base = min(self.initial * self.multiplier ** (retry - 1), self.max)
        except OverflowError:  # a float power overflows after ~1000 retries: long past the cap
            base = self.max
        return base * (1 - self.jitter + 2 * self.jitter * rnd()) if self.jitter else base


class RateLimiter:
    """At most ``permits`` events per ``window`` seconds (Agora RTM: two renewals per second)."""

    def __init__(self, permits: int, window: float) -> None:
        if permits < 1 or window <= 0:
            raise ValueError("permits must be at least 1 and window positive")
        self.permits = permits
        self.window = window
        self._recent: Deque[float] = collections.deque()

    def delay(self, now: float) -> float:
        while self._recent and self._recent[0] + self.window <= now:
            self._recent.popleft()
        return 0.0 if len(self._recent) < self.permits else self._recent[0] + self.window - now

    def record(self, now: float) -> None:
        self._recent.append(now)
        while len(self._recent) > self.permits:
            self._recent.popleft()


# ---------------------------------------------------------------------- the renewer


class _Operation:
    def __init__(self, trigger: Trigger, mode: HandoverMode) -> None:
        self.trigger = trigger
        self.mode = mode
        self.attempts = 0
        self.in_flight: Optional[Future] = None
        self.pending: Optional[Cancellable] = None
        self.ready: Optional[Token] = None

    def cancel(self) -> None:
        pending, call = self.pending, self.in_flight
        if pending is not None:
            pending.cancel()
        if call is not None:
            call.cancel()


class TokenRenewer:
    """Keeps one AgoraSession supplied with valid tokens for as long as it is open.

    - On the session's will-expire event it renews through RenewToken and hands the token to renew_token.
    - Its own timer, from the token's expiry corrected for the clock offset, ``renew_before`` seconds ahead
      (never more than half the remaining lifetime), covers an event that never comes.
    - One renewal at a time: events during one join it; events about a replaced token are ignored.
    - Transient failures are retried with exponential backoff and jitter, never past half the remaining
      lifetime, never sooner than a RetryInfo asks; permanent ones stop the renewer (reported once).
    - After expiry (the session says so, RenewToken answers TOKEN_EXPIRED, or the timer finds it expired) a
      fresh token comes from the Issue RPC and goes to the session's rejoin.
    - At most ``rate_limit`` hand-overs per second (default two); close() stops everything at once.
    """

    def __init__(
        self,
        session: AgoraSession,
        provider: TokenProvider,
        *,
        listener: Optional[RenewalListener] = None,
        clock: Callable[[], float] = time.time,
        scheduler: Optional[Scheduler] = None,
        backoff: Backoff = Backoff(),
        random: Callable[[], float] = _random.random,
        renew_before: float = 30.0,
        stale_event_window: float = 5.0,
        rate_limit: Optional[tuple] = (2, 1.0),
    ) -> None:
        if renew_before < 0 or stale_event_window < 0:
            raise ValueError("renew_before and stale_event_window must not be negative")
        self._session = session
        self._provider = provider
        self._listener = listener or RenewalListener()
        self._clock = clock
        self._owned_scheduler = ThreadScheduler() if scheduler is None else None
        self._scheduler: Scheduler = scheduler or self._owned_scheduler
        self._backoff = backoff
        self._random = random
        self._renew_before = renew_before
        self._stale_window = stale_event_window
        self._rate_limiter = RateLimiter(*rate_limit) if rate_limit else None

        self._queue: Deque[Callable[[], None]] = collections.deque()
        self._drain_lock = threading.Lock()
        self._start_lock = threading.Lock()
        self._started = False
        self._closed = False
        self._state = State.NEW
        self._current: Optional[Token] = None
        self._operation: Optional[_Operation] = None
        self._timer: Optional[Cancellable] = None
        self._last_handover_at: Optional[float] = None
        self._last_handover_mode: Optional[HandoverMode] = None
        self._events = _Events(self)

    # ------------------------------------------------------------------ public

    def start(self, initial: Union[Token, str]) -> None:
        """Starts: registers for the session's token events and sets the timer. ``initial`` is the token the
        session joined with, or a token string obtained elsewhere (expiry read from the token; the clock
        offset is measured at the first renewal, and until then the timer renews rather than re-issues).
        Raises ValueError if the provider cannot renew the token (a 006 token with a provider that lacks the
        channel and uid a 006 renewal needs).
        """
        token = Token.from_string(initial) if isinstance(initial, str) else initial
        require_renewable = getattr(self._provider, "require_renewable", None)
        if require_renewable is not None:
            require_renewable(token)
        with self._start_lock:
            if self._closed or self._started:
                raise RuntimeError("renewer already started or closed")
            self._started = True

        def begin() -> None:
            self._current = token
            self._state = State.ACTIVE
            self._session.set_token_event_listener(self._events)
            if self._closed:
                self._session.set_token_event_listener(None)
                self._state = State.CLOSED
                return
            self._schedule_timer()

        self._submit(begin)

    def renew_now(self) -> None:
        self._submit(lambda: self._on_trigger(Trigger.MANUAL, HandoverMode.RENEW, None))

    @property
    def current(self) -> Optional[Token]:
        return self._current

    @property
    def state(self) -> State:
        return self._state

    def close(self) -> None:
        """Stops on the calling thread: cancels timer, retry and call in flight, unregisters from the session.
        Afterwards no RPC starts and neither session nor listener is called. Idempotent."""
        if self._closed:
            return
        self._closed = True
        self._state = State.CLOSED
        timer, op = self._timer, self._operation
        if timer is not None:
            timer.cancel()
        if op is not None:
            op.cancel()
        try:
            self._session.set_token_event_listener(None)
        except Exception:
            _log.warning("session.set_token_event_listener(None) failed", exc_info=True)
        if self._owned_scheduler is not None:
            self._owned_scheduler.shutdown()

    def __enter__(self) -> "TokenRenewer":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------------ serialized handlers

    def _submit(self, task: Callable[[], None]) -> None:
        """Runs tasks one at a time, in order, on whichever thread finds the renewer idle."""
        self._queue.append(task)
        while self._queue and self._drain_lock.acquire(blocking=False):
            try:
                while self._queue:
                    next_task = self._queue.popleft()
                    if self._closed:
                        continue
                    try:
                        next_task()
                    except Exception:
                        _log.exception("token renewer task failed")
            finally:
                self._drain_lock.release()

    def _on_trigger(self, trigger: Trigger, wanted: HandoverMode, event_token: Optional[str]) -> None:
        if self._closed or self._state == State.NEW:
            return
        if self._state == State.FAILED:
            self._notify("on_trigger", trigger, TriggerOutcome.IGNORED_FAILED)
            return
        op = self._operation
        if op is not None:
            if wanted == HandoverMode.REJOIN:
                op.mode = HandoverMode.REJOIN  # the session lost its token meanwhile: the result goes to rejoin
            self._notify("on_trigger", trigger, TriggerOutcome.ALREADY_RENEWING)
            return
        if self._is_stale(trigger, event_token):
            self._notify("on_trigger", trigger, TriggerOutcome.STALE)
            return
        self._notify("on_trigger", trigger, TriggerOutcome.STARTED)
        self._cancel_timer()
        op = _Operation(trigger, wanted)
        self._operation = op
        self._attempt(op)

    def _is_stale(self, trigger: Trigger, event_token: Optional[str]) -> bool:
        recent = self._last_handover_at is not None and self._clock() < self._last_handover_at + self._stale_window
        if trigger == Trigger.WILL_EXPIRE_EVENT:
            return event_token != self._current.value if event_token is not None else recent
        if trigger in (Trigger.EXPIRED_EVENT, Trigger.REQUEST_TOKEN_EVENT):
            return recent and self._last_handover_mode == HandoverMode.REJOIN
        return False

    def _attempt(self, op: _Operation) -> None:
        if self._closed:
            return
        op.attempts += 1
        mode = op.mode
        try:
            call = self._provider.renew(self._current) if mode == HandoverMode.RENEW else self._provider.issue()
        except Exception as e:
            call = Future()
            call.set_exception(e)
        op.in_flight = call
        if self._closed:
            call.cancel()
            return
        call.add_done_callback(lambda f: self._submit(lambda: self._on_attempt_done(op, mode, f)))

    def _on_attempt_done(self, op: _Operation, mode: HandoverMode, call: Future) -> None:
        if self._closed or self._operation is not op:
            return
        op.in_flight = None
        try:
            token = call.result()
        except CancelledError:
            return
        except Exception as failure:
            self._on_attempt_failed(op, mode, failure)
            return
        self._hand_over(op, token)

    def _on_attempt_failed(self, op: _Operation, mode: HandoverMode, failure: Exception) -> None:
        error = failure
        kind = error.kind if isinstance(error, TokenServiceError) else Kind.OTHER
        if mode == HandoverMode.RENEW and kind == Kind.TOKEN_EXPIRED:
            # Past the server's renewal grace: get a fresh token and have the session rejoin, right away.
            op.mode = HandoverMode.REJOIN
            self._notify("on_failure", RenewalFailure(op.trigger, mode, op.attempts, error, 0.0))
            if not self._closed and self._operation is op:
                self._attempt(op)
            return
        if not kind.retryable:
            self._operation = None
            self._state = State.FAILED
            self._cancel_timer()
            _log.warning("token renewal stopped: %s", error)
            self._notify("on_failure", RenewalFailure(op.trigger, mode, op.attempts, error, None))
            return
        delay = self._retry_delay(op, error)
        op.pending = self._scheduler.schedule(delay, lambda: self._submit(lambda: self._on_retry_due(op)))
        if self._closed:
            op.pending.cancel()
        self._notify("on_failure", RenewalFailure(op.trigger, mode, op.attempts, error, delay))

    def _retry_delay(self, op: _Operation, error: Exception) -> float:
        delay = self._backoff.delay(op.attempts, self._random)
        if op.mode == HandoverMode.RENEW:
            left = self._current.local_earliest_expiry() - self._clock()
            if left >= 0 and delay > left / 2:
                # Never sleep through more than half of what is left, so a server that comes back is used in time.
                delay = max(left / 2, self._backoff.initial)
        asked = getattr(error, "retry_delay", None)
        return max(delay, asked) if asked is not None else delay

    def _on_retry_due(self, op: _Operation) -> None:
        if self._closed or self._operation is not op:
            return
        op.pending = None
        self._attempt(op)

    def _hand_over(self, op: _Operation, token: Token) -> None:
        now = self._clock()
        if self._rate_limiter is not None:
            wait = self._rate_limiter.delay(now)
            if wait > 0:
                op.ready = token
                op.pending = self._scheduler.schedule(wait, lambda: self._submit(lambda: self._on_hand_over_due(op)))
                return
            self._rate_limiter.record(now)
        previous, mode = self._current, op.mode
        self._current = token
        self._last_handover_at = now
        self._last_handover_mode = mode
        self._operation = None
        self._schedule_timer()
        try:
            if mode == HandoverMode.RENEW:
                self._session.renew_token(token.value)
            else:
                self._session.rejoin(token.value)
        except Exception as e:
            _log.warning("the session refused the new token", exc_info=True)
            self._notify("on_failure", RenewalFailure(op.trigger, mode, op.attempts, e, self._timer_time(now) - now))
            return
        self._notify("on_renewed", Renewal(op.trigger, mode, previous, token, op.attempts))

    def _on_hand_over_due(self, op: _Operation) -> None:
        if self._closed or self._operation is not op:
            return
        token, op.ready, op.pending = op.ready, None, None
        self._hand_over(op, token)

    def _on_timer(self, for_token: Token) -> None:
        if self._closed or self._current is not for_token:
            return
        self._timer = None
        # With an unknown clock offset the local clock cannot tell that the token expired: renew, and let the
        # server answer TOKEN_EXPIRED if it did.
        expired = for_token.clock_offset_known and self._clock() >= for_token.local_expires_at()
        self._on_trigger(Trigger.TIMER, HandoverMode.REJOIN if expired else HandoverMode.RENEW, None)

    def _timer_time(self, now: float) -> float:
        expiry = self._current.local_earliest_expiry()
        return max(expiry - self._renew_before, now + (expiry - now) / 2, now)

    def _schedule_timer(self) -> None:
        self._cancel_timer()
        now, for_token = self._clock(), self._current
        timer = self._scheduler.schedule(self._timer_time(now) - now, lambda: self._submit(lambda: self._on_timer(for_token)))
        self._timer = timer
        if self._closed:
            timer.cancel()

    def _cancel_timer(self) -> None:
        timer, self._timer = self._timer, None
        if timer is not None:
            timer.cancel()

    def _notify(self, method: str, *args) -> None:
        if self._closed:
            return
        try:
            getattr(self._listener, method)(*args)
        except Exception:
            _log.warning("RenewalListener.%s raised", method, exc_info=True)


class _Events:
    """The listener registered with the session; safe from any thread."""

    def __init__(self, renewer: TokenRenewer) -> None:
        self._r = renewer

    def on_token_will_expire(self, token: Optional[str] = None) -> None:
        self._r._submit(lambda: self._r._on_trigger(Trigger.WILL_EXPIRE_EVENT, HandoverMode.RENEW, token))

    def on_token_expired(self) -> None:
        self._r._submit(lambda: self._r._on_trigger(Trigger.EXPIRED_EVENT, HandoverMode.REJOIN, None))

    def on_request_token(self) -> None:
        self._r._submit(lambda: self._r._on_trigger(Trigger.REQUEST_TOKEN_EVENT, HandoverMode.REJOIN, None))
