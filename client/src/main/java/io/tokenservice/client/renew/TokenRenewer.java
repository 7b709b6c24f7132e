package io.tokenservice.client.renew;

import io.grpc.SynchronizationContext;
import io.tokenservice.client.Token;
import io.tokenservice.client.TokenServiceException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.random.RandomGenerator;

/**
 * Keeps one {@link AgoraSession} supplied with valid tokens, for as long as it is open.
 *
 * <ul>
 *   <li>On the session's will-expire event it renews the token through RenewToken and hands the new one to
 *       {@link AgoraSession#renewToken(String)}.</li>
 *   <li>It also sets its own timer from the token's expiry, corrected for the offset between the server's
 *       clock and the local one ({@link Token#localEarliestExpiry()}), {@code renewBefore} ahead (default
 *       30 s, never more than half the remaining lifetime), in case the event never arrives.</li>
 *   <li>At most one renewal runs at a time: an event or timer that comes while one is in flight, waiting to
 *       retry or held back by the rate limit joins it; an event about a token that was already replaced is
 *       ignored.</li>
 *   <li>Transient failures (UNAVAILABLE, deadline, the rate limit's RESOURCE_EXHAUSTED, server errors) are
 *       retried with exponential backoff and jitter, never waiting past half the token's remaining lifetime,
 *       and never sooner than the rate limit's RetryInfo asks. Permanent failures (UNAUTHENTICATED,
 *       PERMISSION_DENIED, INVALID_ARGUMENT, NOT_FOUND, a request too large) stop the renewer: they are
 *       reported once, not retried.</li>
 *   <li>When the token did expire (the session says so, the server refuses to renew it with TOKEN_EXPIRED,
 *       or the timer finds it past its expiry) it gets a fresh token through the Issue RPC and hands it to
 *       {@link AgoraSession#rejoin(String)}.</li>
 *   <li>Hand-overs are rate limited (default two per second, RTM's limit).</li>
 *   <li>{@link #close()} cancels timers and the call in flight and unregisters from the session; nothing
 *       happens afterwards.</li>
 * </ul>
 *
 * <p>All work runs in a serialized context (one task at a time, on whichever thread delivered the event,
 * RPC result or timer), so the session and listener are never called concurrently. The clock must be the
 * one the {@link io.tokenservice.client.TokenClient} stamps {@link Token#receivedAt()} with (both default
 * to the system clock).
 */
public final class TokenRenewer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(TokenRenewer.class.getName());

    /** Lifecycle of a renewer. */
    public enum State {
        /** Built, {@link #start(Token)} not called yet. */
        NEW,
        /** Keeping the session's token valid. */
        ACTIVE,
        /** Stopped after a permanent failure (reported to the listener); close it and fix the cause. */
        FAILED,
        /** Closed. */
        CLOSED
    }

    private final AgoraSession session;
    private final TokenProvider provider;
    private final Clock clock;
    private final Scheduler scheduler;
    private final ScheduledExecutorService ownedExecutor;
    private final RenewalListener listener;
    private final Backoff backoff;
    private final RandomGenerator random;
    private final Duration renewBefore;
    private final Duration staleEventWindow;
    private final RateLimiter rateLimiter;

    /**
     * Runs tasks one at a time in submission order, on the thread that submits when idle; a task submitted
     * while another runs (from any thread, or re-entrantly from the running task) is queued and run by the
     * thread already draining. A failing task is logged and does not stop the ones after it.
     */
    private final SynchronizationContext context = new SynchronizationContext(
            (thread, e) -> LOG.log(System.Logger.Level.ERROR, "token renewer task failed", e));
    private final AtomicBoolean started = new AtomicBoolean();
    private final Events events = new Events();
    private volatile boolean closed;
    private volatile State state = State.NEW;
    private volatile Token current;

    // Written only inside the serialized context; operation and renewTimer are also read by close(), which
    // cancels what they hold on the caller's thread. Whatever the serialized side schedules or starts, it
    // publishes first and then re-checks `closed` (all volatile), so one side or the other cancels it.
    private volatile Operation operation;
    private volatile Scheduler.Cancellable renewTimer;
    private Instant lastHandoverAt;
    private HandoverMode lastHandoverMode;

    private TokenRenewer(Builder b) {
        this.session = b.session;
        this.provider = b.provider;
        this.clock = b.clock;
        if (b.scheduler != null) {
            this.scheduler = b.scheduler;
            this.ownedExecutor = null;
        } else {
            this.ownedExecutor = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "token-renewer");
                t.setDaemon(true);
                return t;
            });
            this.scheduler = Scheduler.of(ownedExecutor);
        }
        this.listener = b.listener;
        this.backoff = b.backoff;
        this.random = b.random;
        this.renewBefore = b.renewBefore;
        this.staleEventWindow = b.staleEventWindow;
        this.rateLimiter = b.ratePermits == 0 ? null : new RateLimiter(b.ratePermits, b.rateWindow);
    }

    /**
     * A renewer for {@code session}, getting tokens from {@code provider} (e.g.
     * {@link TokenProvider#rtc(io.tokenservice.client.TokenClient, io.tokenservice.proto.v1.IssueRtcTokenRequest)}).
     */
    public static Builder builder(AgoraSession session, TokenProvider provider) {
        return new Builder(session, provider);
    }

    /**
     * Starts keeping the session's token valid. {@code initial} is the token the session joined with (as
     * returned by the {@link io.tokenservice.client.TokenClient}). Registers as the session's token event
     * listener and sets the renewal timer.
     *
     * @throws IllegalArgumentException if the provider cannot renew {@code initial} (a 006 token with a
     *         {@link TokenProvider#of} provider, which lacks the channel and uid a 006 renewal needs)
     * @throws IllegalStateException if already started or closed
     */
    public void start(Token initial) {
        startWith(Objects.requireNonNull(initial, "initial"));
    }

    /**
     * Starts with a token string obtained elsewhere (the app's own backend, a cache, a push message):
     * {@link Token#fromString(String)} reads its expiry from the token, and the clock offset is taken as 0
     * until the first renewal measures it. Otherwise as {@link #start(Token)}.
     *
     * @throws IllegalArgumentException if {@code initial} is not a 007 or 006 token, or the provider cannot renew it
     *         (a 006 token with a provider whose channel and uid, or user id, are not the ones it was issued for)
     * @throws IllegalStateException if already started or closed
     */
    public void start(String initial) {
        startWith(Token.fromString(Objects.requireNonNull(initial, "initial")));
    }

    private void startWith(Token initial) {
        provider.requireRenewable(initial);
        if (closed || !started.compareAndSet(false, true)) {
            throw new IllegalStateException("renewer already started or closed");
        }
        context.execute(() -> {
            if (closed) {
                return;
            }
            current = initial;
            state = State.ACTIVE;
            session.setTokenEventListener(events);
            if (closed) {
                session.setTokenEventListener(null); // close() ran meanwhile and may have missed it
                state = State.CLOSED;
                return;
            }
            scheduleTimer();
        });
    }

    /** Renews now, as if the session had reported that the token will expire (joins a renewal in progress). */
    public void renewNow() {
        context.execute(() -> onTrigger(Trigger.MANUAL, HandoverMode.RENEW, null));
    }

    /** The token the session currently holds (as far as this renewer knows); null before start. */
    public Token current() {
        return current;
    }

    public State state() {
        return state;
    }

    /**
     * Stops, on the calling thread: cancels the renewal timer, any retry and the call in flight, and
     * unregisters from the session ({@code setTokenEventListener(null)}). After this returns, the renewer
     * starts no RPC, sets no timer and calls neither the session nor the listener; only a session or
     * listener call already executing on another thread at that moment may still finish. Idempotent; may
     * be called from a listener callback.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        state = State.CLOSED;
        Scheduler.Cancellable timer = renewTimer;
        if (timer != null) {
            timer.cancel();
        }
        Operation op = operation;
        if (op != null) {
            op.cancel();
        }
        try {
            session.setTokenEventListener(null);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "session.setTokenEventListener(null) failed", e);
        }
        if (ownedExecutor != null) {
            ownedExecutor.shutdownNow();
        }
    }

    // ------------------------------------------------------------------ serialized handlers

    private void onTrigger(Trigger trigger, HandoverMode wanted, String eventToken) {
        if (closed || state == State.NEW) {
            return;
        }
        if (state == State.FAILED) {
            notifyTrigger(trigger, TriggerOutcome.IGNORED_FAILED);
            return;
        }
        Operation op = operation;
        if (op != null) {
            if (wanted == HandoverMode.REJOIN) {
                // The session lost its token while we were renewing: the result goes to rejoin instead.
                op.mode = HandoverMode.REJOIN;
            }
            notifyTrigger(trigger, TriggerOutcome.ALREADY_RENEWING);
            return;
        }
        if (isStale(trigger, eventToken)) {
            notifyTrigger(trigger, TriggerOutcome.STALE);
            return;
        }
        notifyTrigger(trigger, TriggerOutcome.STARTED);
        cancelTimer();
        op = new Operation(trigger, wanted);
        operation = op;
        attempt(op);
    }

    /**
     * A will-expire event is stale when it names a token other than the current one, or (when it names
     * none) arrives within staleEventWindow of our own hand-over: it was meant for the token just replaced.
     * An expiry event is stale only within staleEventWindow of a rejoin (a duplicate of the event that
     * caused it); after a renewToken hand-over it is not, since the session may have lost its token just
     * before the new one reached it, and then needs a rejoin.
     */
    private boolean isStale(Trigger trigger, String eventToken) {
        boolean recent = lastHandoverAt != null && clock.instant().isBefore(lastHandoverAt.plus(staleEventWindow));
        return switch (trigger) {
            case WILL_EXPIRE_EVENT -> eventToken != null ? !eventToken.equals(current.value()) : recent;
            case EXPIRED_EVENT, REQUEST_TOKEN_EVENT -> recent && lastHandoverMode == HandoverMode.REJOIN;
            default -> false;
        };
    }

    private void attempt(Operation op) {
        if (closed) {
            return;
        }
        op.attempts++;
        HandoverMode mode = op.mode;
        if (op.attempts > 1) {
            try {
                provider.beforeRetry();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "TokenProvider.beforeRetry failed", e);
            }
        }
        CompletableFuture<Token> call;
        try {
            call = mode == HandoverMode.RENEW ? provider.renew(current) : provider.issue();
            Objects.requireNonNull(call, "TokenProvider returned null");
        } catch (RuntimeException e) {
            call = CompletableFuture.failedFuture(e);
        }
        op.inFlight = call;
        if (closed) {
            call.cancel(true);
            return;
        }
        call.whenComplete((token, error) -> context.execute(() -> onAttemptDone(op, mode, token, error)));
    }

    private void onAttemptDone(Operation op, HandoverMode attemptedMode, Token token, Throwable error) {
        if (closed || operation != op) {
            return;
        }
        op.inFlight = null;
        if (error == null) {
            handOver(op, token);
            return;
        }
        String rpc = attemptedMode == HandoverMode.RENEW ? "RenewToken" : "Issue";
        TokenServiceException e = TokenServiceException.from(rpc, error);
        if (attemptedMode == HandoverMode.RENEW && e.kind() == TokenServiceException.Kind.TOKEN_EXPIRED) {
            // Past the server's renewal grace: get a fresh token and have the session rejoin, right away.
            op.mode = HandoverMode.REJOIN;
            notifyFailure(new RenewalFailure(op.trigger, attemptedMode, op.attempts, e, Optional.of(Duration.ZERO)));
            if (!closed && operation == op) {
                attempt(op);
            }
            return;
        }
        if (!e.isRetryable()) {
            operation = null;
            if (!closed) {
                state = State.FAILED;
            }
            cancelTimer();
            LOG.log(System.Logger.Level.WARNING, "token renewal stopped: {0}", e.getMessage());
            notifyFailure(new RenewalFailure(op.trigger, attemptedMode, op.attempts, e, Optional.empty()));
            return;
        }
        Duration delay = retryDelay(op, e);
        op.setPending(scheduler.schedule(delay, () -> context.execute(() -> onRetryDue(op))), this);
        notifyFailure(new RenewalFailure(op.trigger, attemptedMode, op.attempts, e, Optional.of(delay)));
    }

    private Duration retryDelay(Operation op, TokenServiceException e) {
        Duration delay = backoff.delay(op.attempts, random);
        if (op.mode == HandoverMode.RENEW) {
            Duration left = Duration.between(clock.instant(), current.localEarliestExpiry());
            if (!left.isNegative()) {
                // Never sleep through more than half of what is left, so a server that comes back is
                // used before the token runs out.
                Duration half = left.dividedBy(2);
                if (delay.compareTo(half) > 0) {
                    delay = half.compareTo(backoff.initial()) > 0 ? half : backoff.initial();
                }
            }
        }
        Optional<Duration> asked = e.retryDelay();
        if (asked.isPresent() && asked.get().compareTo(delay) > 0) {
            delay = asked.get();
        }
        return delay;
    }

    private void onRetryDue(Operation op) {
        if (closed || operation != op) {
            return;
        }
        op.pending = null;
        attempt(op);
    }

    private void handOver(Operation op, Token token) {
        Instant now = clock.instant();
        if (rateLimiter != null) {
            Duration wait = rateLimiter.delay(now);
            if (!wait.isZero()) {
                op.ready = token;
                op.setPending(scheduler.schedule(wait, () -> context.execute(() -> onHandOverDue(op))), this);
                return;
            }
            rateLimiter.record(now);
        }
        Token previous = current;
        HandoverMode mode = op.mode;
        current = token;
        lastHandoverAt = now;
        lastHandoverMode = mode;
        operation = null;
        scheduleTimer();
        try {
            if (mode == HandoverMode.RENEW) {
                session.renewToken(token.value());
            } else {
                session.rejoin(token.value());
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "the session refused the new token", e);
            notifyFailure(new RenewalFailure(op.trigger, mode, op.attempts, e,
                    Optional.of(Duration.between(now, timerTime(now)))));
            return;
        }
        notifyRenewed(new Renewal(op.trigger, mode, previous, token, op.attempts));
    }

    private void onHandOverDue(Operation op) {
        if (closed || operation != op) {
            return;
        }
        Token token = op.ready;
        op.ready = null;
        op.pending = null;
        handOver(op, token);
    }

    private void onTimer(Token forToken) {
        if (closed || current != forToken) {
            return; // a timer of a token already replaced
        }
        renewTimer = null;
        // With an unknown clock offset the local clock cannot tell that the token expired: renew, and let
        // the server say TOKEN_EXPIRED if it did (then the renewer rejoins).
        boolean expired = current.clockOffsetKnown() && !clock.instant().isBefore(current.localExpiresAt());
        onTrigger(Trigger.TIMER, expired ? HandoverMode.REJOIN : HandoverMode.RENEW, null);
    }

    /**
     * When to renew the current token: {@code renewBefore} ahead of its earliest (privilege) expiry on the
     * local clock, but no earlier than half-way through what is left, so that short-lived tokens are not
     * renewed continuously.
     */
    private Instant timerTime(Instant now) {
        Instant expiry = current.localEarliestExpiry();
        Instant byLead = expiry.minus(renewBefore);
        Instant halfway = now.plus(Duration.between(now, expiry).dividedBy(2));
        Instant at = byLead.isAfter(halfway) ? byLead : halfway;
        return at.isBefore(now) ? now : at;
    }

    private void scheduleTimer() {
        cancelTimer();
        Instant now = clock.instant();
        Token forToken = current;
        Scheduler.Cancellable timer = scheduler.schedule(Duration.between(now, timerTime(now)),
                () -> context.execute(() -> onTimer(forToken)));
        renewTimer = timer;
        if (closed) {
            timer.cancel();
        }
    }

    private void cancelTimer() {
        Scheduler.Cancellable timer = renewTimer;
        if (timer != null) {
            timer.cancel();
            renewTimer = null;
        }
    }

    // ------------------------------------------------------------------ listener calls

    private void notifyTrigger(Trigger trigger, TriggerOutcome outcome) {
        if (closed) {
            return;
        }
        try {
            listener.onTrigger(trigger, outcome);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "RenewalListener.onTrigger threw", e);
        }
    }

    private void notifyRenewed(Renewal renewal) {
        if (closed) {
            return;
        }
        try {
            listener.onRenewed(renewal);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "RenewalListener.onRenewed threw", e);
        }
    }

    private void notifyFailure(RenewalFailure failure) {
        if (closed) {
            return;
        }
        try {
            listener.onFailure(failure);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "RenewalListener.onFailure threw", e);
        }
    }

    // ------------------------------------------------------------------ internals

    /** One renewal, from its trigger to the hand-over, through any retries. */
    private static final class Operation {
        final Trigger trigger;
        HandoverMode mode;
        int attempts;
        volatile CompletableFuture<Token> inFlight;
        volatile Scheduler.Cancellable pending;
        Token ready;

        Operation(Trigger trigger, HandoverMode mode) {
            this.trigger = trigger;
            this.mode = mode;
        }

        void setPending(Scheduler.Cancellable task, TokenRenewer owner) {
            pending = task;
            if (owner.closed) {
                task.cancel();
            }
        }

        /** From close(), on any thread. */
        void cancel() {
            Scheduler.Cancellable p = pending;
            if (p != null) {
                p.cancel();
            }
            CompletableFuture<Token> f = inFlight;
            if (f != null) {
                f.cancel(true);
            }
        }
    }

    /** The listener registered with the session; safe from any thread. */
    private final class Events implements TokenEventListener {
        @Override
        public void onTokenWillExpire(String token) {
            if (!closed) {
                context.execute(() -> onTrigger(Trigger.WILL_EXPIRE_EVENT, HandoverMode.RENEW, token));
            }
        }

        @Override
        public void onTokenExpired() {
            if (!closed) {
                context.execute(() -> onTrigger(Trigger.EXPIRED_EVENT, HandoverMode.REJOIN, null));
            }
        }

        @Override
        public void onRequestToken() {
            if (!closed) {
                context.execute(() -> onTrigger(Trigger.REQUEST_TOKEN_EVENT, HandoverMode.REJOIN, null));
            }
        }
    }

    /** Configures a {@link TokenRenewer}. */
    public static final class Builder {
        private final AgoraSession session;
        private final TokenProvider provider;
        private Clock clock = Clock.systemUTC();
        private Scheduler scheduler;
        private RenewalListener listener = RenewalListener.NONE;
        private Backoff backoff = Backoff.DEFAULT;
        private RandomGenerator random = RandomGenerator.getDefault();
        private Duration renewBefore = Duration.ofSeconds(30);
        private Duration staleEventWindow = Duration.ofSeconds(5);
        private int ratePermits = 2;
        private Duration rateWindow = Duration.ofSeconds(1);

        private Builder(AgoraSession session, TokenProvider provider) {
            this.session = Objects.requireNonNull(session, "session");
            this.provider = Objects.requireNonNull(provider, "provider");
        }

        /** The local clock; must be the one the TokenClient stamps tokens with. Default: system UTC. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Where timers run. Default: a daemon thread owned by the renewer, stopped on close. */
        public Builder scheduler(Scheduler scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        public Builder listener(RenewalListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /** Backoff between failed attempts. Default {@link Backoff#DEFAULT}. */
        public Builder backoff(Backoff backoff) {
            this.backoff = Objects.requireNonNull(backoff, "backoff");
            return this;
        }

        /** Source of backoff jitter (tests inject a seeded one). */
        public Builder random(RandomGenerator random) {
            this.random = Objects.requireNonNull(random, "random");
            return this;
        }

        /**
         * How long before the token's (earliest privilege) expiry the renewer's own timer renews it. Default
         * 30 s, when Agora SDKs fire their will-expire event. Never earlier than half-way to expiry.
         */
        public Builder renewBefore(Duration renewBefore) {
            Objects.requireNonNull(renewBefore, "renewBefore");
            if (renewBefore.isNegative()) {
                throw new IllegalArgumentException("renewBefore must not be negative: " + renewBefore);
            }
            this.renewBefore = renewBefore;
            return this;
        }

        /**
         * A will-expire event that does not name its token and arrives within this time after a hand-over is
         * taken to be about the replaced token and ignored. Default 5 s.
         */
        public Builder staleEventWindow(Duration window) {
            Objects.requireNonNull(window, "window");
            if (window.isNegative()) {
                throw new IllegalArgumentException("window must not be negative: " + window);
            }
            this.staleEventWindow = window;
            return this;
        }

        /** At most {@code permits} hand-overs per {@code window}. Default 2 per second (Agora RTM's limit). */
        public Builder rateLimit(int permits, Duration window) {
            new RateLimiter(permits, window); // validates
            this.ratePermits = permits;
            this.rateWindow = window;
            return this;
        }

        /** No limit on hand-overs. */
        public Builder noRateLimit() {
            this.ratePermits = 0;
            return this;
        }

        public TokenRenewer build() {
            return new TokenRenewer(this);
        }
    }
}
