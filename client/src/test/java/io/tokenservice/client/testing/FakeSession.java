package io.tokenservice.client.testing;

import io.tokenservice.client.renew.AgoraSession;
import io.tokenservice.client.renew.TokenEventListener;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** An {@link AgoraSession} that records what it is handed and lets the test fire SDK events. */
public final class FakeSession implements AgoraSession {
    public final List<String> renewed = new CopyOnWriteArrayList<>();
    public final List<String> rejoined = new CopyOnWriteArrayList<>();
    /** Every non-null listener ever registered (an SDK may keep calling an old one). */
    public final List<TokenEventListener> registered = new CopyOnWriteArrayList<>();
    private volatile TokenEventListener listener;
    public volatile RuntimeException failOnRenew;
    /** Runs inside renewToken before it records the token (e.g. to block the renewer's thread). */
    public volatile Runnable duringRenew;

    @Override
    public void renewToken(String token) {
        Runnable hook = duringRenew;
        if (hook != null) {
            hook.run();
        }
        RuntimeException f = failOnRenew;
        if (f != null) {
            throw f;
        }
        renewed.add(token);
    }

    @Override
    public void rejoin(String token) {
        rejoined.add(token);
    }

    @Override
    public void setTokenEventListener(TokenEventListener listener) {
        if (listener != null) {
            registered.add(listener);
        }
        this.listener = listener;
    }

    public TokenEventListener listener() {
        return listener;
    }

    /** Fires "will expire" naming no token (RTM / Chat style); no-op when nobody listens. */
    public void fireWillExpire() {
        TokenEventListener l = listener;
        if (l != null) {
            l.onTokenWillExpire();
        }
    }

    /** Fires "will expire" naming the token (RTC style). */
    public void fireWillExpire(String token) {
        TokenEventListener l = listener;
        if (l != null) {
            l.onTokenWillExpire(token);
        }
    }

    public void fireExpired() {
        TokenEventListener l = listener;
        if (l != null) {
            l.onTokenExpired();
        }
    }

    public void fireRequestToken() {
        TokenEventListener l = listener;
        if (l != null) {
            l.onRequestToken();
        }
    }

    public int handovers() {
        return renewed.size() + rejoined.size();
    }
}
