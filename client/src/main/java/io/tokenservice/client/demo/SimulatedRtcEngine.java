package io.tokenservice.client.demo;

import io.tokenservice.client.renew.AgoraSession;
import io.tokenservice.client.renew.TokenEventListener;
import io.tokenservice.core.token.AccessToken2Codec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Stands in for an Agora RTC engine joined to one channel: it reads the expiry of the token it is given
 * (as the real SDK does), fires "token privilege will expire" {@code warningLead} (30 s) before it and
 * "request token" (the token expired, the engine left the channel) at it, on a real scheduler.
 */
final class SimulatedRtcEngine implements AgoraSession {
    private final ScheduledExecutorService timer;
    private final Clock clock;
    private final Duration warningLead;
    private final Consumer<String> log;

    private TokenEventListener listener;
    private String token;
    private String channel;
    private long uid;
    private boolean joined;
    private ScheduledFuture<?> willExpire;
    private ScheduledFuture<?> expired;

    SimulatedRtcEngine(ScheduledExecutorService timer, Clock clock, Duration warningLead, Consumer<String> log) {
        this.timer = timer;
        this.clock = clock;
        this.warningLead = warningLead;
        this.log = log;
    }

    /** joinChannel(token, channel, uid). */
    synchronized void joinChannel(String token, String channel, long uid) {
        this.channel = channel;
        this.uid = uid;
        this.joined = true;
        log.accept("engine: joined channel \"" + channel + "\" as uid " + uid + "; " + describe(token));
        useToken(token);
    }

    synchronized void leaveChannel() {
        cancelTimers();
        if (joined) {
            log.accept("engine: left channel \"" + channel + "\"");
        }
        joined = false;
    }

    @Override
    public synchronized void renewToken(String newToken) {
        if (!joined) {
            log.accept("engine: renewToken ignored: not in a channel");
            return;
        }
        log.accept("engine: renewToken -> " + describe(newToken));
        useToken(newToken);
    }

    @Override
    public synchronized void rejoin(String newToken) {
        log.accept("engine: rejoining with a fresh token");
        joinChannel(newToken, channel, uid);
    }

    @Override
    public synchronized void setTokenEventListener(TokenEventListener listener) {
        this.listener = listener;
    }

    private void useToken(String newToken) {
        cancelTimers();
        this.token = newToken;
        Instant expiry = AccessToken2Codec.decode(newToken).expiresAt();
        long untilWarning = Duration.between(clock.instant(), expiry.minus(warningLead)).toMillis();
        long untilExpiry = Duration.between(clock.instant(), expiry).toMillis();
        willExpire = timer.schedule(() -> fireWillExpire(newToken), Math.max(0, untilWarning), TimeUnit.MILLISECONDS);
        expired = timer.schedule(() -> fireExpired(newToken), Math.max(0, untilExpiry), TimeUnit.MILLISECONDS);
    }

    private void fireWillExpire(String forToken) {
        TokenEventListener l;
        synchronized (this) {
            if (!joined || !forToken.equals(token)) {
                return;
            }
            l = listener;
        }
        log.accept("engine: EVENT onTokenPrivilegeWillExpire (token expires in " + warningLead.toSeconds() + " s)");
        if (l != null) {
            l.onTokenWillExpire(forToken);
        }
    }

    private void fireExpired(String forToken) {
        TokenEventListener l;
        synchronized (this) {
            if (!joined || !forToken.equals(token)) {
                return;
            }
            joined = false;
            cancelTimers();
            l = listener;
        }
        log.accept("engine: EVENT onRequestToken (token expired, dropped out of the channel)");
        if (l != null) {
            l.onRequestToken();
        }
    }

    private void cancelTimers() {
        if (willExpire != null) {
            willExpire.cancel(false);
        }
        if (expired != null) {
            expired.cancel(false);
        }
    }

    private String describe(String t) {
        Instant expiry = AccessToken2Codec.decode(t).expiresAt();
        return "token expires at " + expiry + " (in " + Duration.between(clock.instant(), expiry).toSeconds() + " s)";
    }
}
