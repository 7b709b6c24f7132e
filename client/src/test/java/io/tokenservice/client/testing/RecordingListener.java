package io.tokenservice.client.testing;

import io.tokenservice.client.renew.Renewal;
import io.tokenservice.client.renew.RenewalFailure;
import io.tokenservice.client.renew.RenewalListener;
import io.tokenservice.client.renew.Trigger;
import io.tokenservice.client.renew.TriggerOutcome;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Records every callback; integration tests wait for renewals and failures that arrive on gRPC threads. */
public final class RecordingListener implements RenewalListener {
    public record TriggerRecord(Trigger trigger, TriggerOutcome outcome) {}

    public final List<TriggerRecord> triggers = new CopyOnWriteArrayList<>();
    public final List<Renewal> renewals = new CopyOnWriteArrayList<>();
    public final List<RenewalFailure> failures = new CopyOnWriteArrayList<>();
    /** Every callback in order: TriggerRecord, Renewal or RenewalFailure. */
    public final List<Object> all = new CopyOnWriteArrayList<>();
    private final BlockingQueue<Object> results = new LinkedBlockingQueue<>();

    @Override
    public void onTrigger(Trigger trigger, TriggerOutcome outcome) {
        TriggerRecord r = new TriggerRecord(trigger, outcome);
        triggers.add(r);
        all.add(r);
    }

    @Override
    public void onRenewed(Renewal renewal) {
        renewals.add(renewal);
        all.add(renewal);
        results.add(renewal);
    }

    @Override
    public void onFailure(RenewalFailure failure) {
        failures.add(failure);
        all.add(failure);
        results.add(failure);
    }

    /** Waits (up to 10 s of real time, for an RPC to complete) for the next renewal or failure. */
    public Object awaitResult() {
        try {
            Object r = results.poll(10, TimeUnit.SECONDS);
            if (r == null) {
                throw new AssertionError("no renewal or failure reported within 10 s; so far: " + all);
            }
            return r;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    public Renewal awaitRenewal() {
        Object r = awaitResult();
        if (r instanceof Renewal renewal) {
            return renewal;
        }
        throw new AssertionError("expected a renewal, got " + r, r instanceof RenewalFailure f ? f.error() : null);
    }

    public RenewalFailure awaitFailure() {
        Object r = awaitResult();
        if (r instanceof RenewalFailure failure) {
            return failure;
        }
        throw new AssertionError("expected a failure, got " + r);
    }

    /** Asserts that no result arrives within {@code wait} of real time (for "nothing else happens" checks). */
    public void assertNoResultWithin(Duration wait) {
        try {
            Object r = results.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
            if (r != null) {
                throw new AssertionError("unexpected " + r);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
