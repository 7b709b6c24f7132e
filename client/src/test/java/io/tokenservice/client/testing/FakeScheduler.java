package io.tokenservice.client.testing;

import io.tokenservice.client.renew.Scheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.PriorityQueue;

/**
 * A deterministic {@link Scheduler}: tasks run only when the test advances the {@link FakeClock} through
 * this scheduler, in due-time order (ties in scheduling order), on the test's thread, with the clock set to
 * each task's due time while it runs. Tasks may be scheduled from any thread.
 */
public final class FakeScheduler implements Scheduler {
    private final FakeClock clock;
    private final PriorityQueue<Task> tasks = new PriorityQueue<>(
            Comparator.comparing((Task t) -> t.due).thenComparingLong(t -> t.seq));
    private long nextSeq;

    public FakeScheduler(FakeClock clock) {
        this.clock = clock;
    }

    private static final class Task {
        final Instant due;
        final long seq;
        final Runnable runnable;
        volatile boolean cancelled;

        Task(Instant due, long seq, Runnable runnable) {
            this.due = due;
            this.seq = seq;
            this.runnable = runnable;
        }
    }

    @Override
    public synchronized Cancellable schedule(Duration delay, Runnable task) {
        Instant due = clock.instant().plus(delay.isNegative() ? Duration.ZERO : delay);
        Task t = new Task(due, nextSeq++, task);
        tasks.add(t);
        return () -> {
            t.cancelled = true;
            synchronized (FakeScheduler.this) {
                tasks.remove(t);
            }
        };
    }

    /** Runs every task due up to {@code now + d} (including ones they schedule), then sets the clock there. */
    public void advance(Duration d) {
        advanceTo(clock.instant().plus(d));
    }

    public void advanceTo(Instant target) {
        while (true) {
            Task next;
            synchronized (this) {
                next = tasks.peek();
                if (next == null || next.due.isAfter(target)) {
                    break;
                }
                tasks.poll();
            }
            if (next.due.isAfter(clock.instant())) {
                clock.set(next.due);
            }
            if (!next.cancelled) {
                next.runnable.run();
            }
        }
        if (target.isAfter(clock.instant())) {
            clock.set(target);
        }
    }

    /** Runs the tasks that are due now. */
    public void runDue() {
        advance(Duration.ZERO);
    }

    /** Moves the clock to the next task's due time and runs everything due then. */
    public Instant runNext() {
        Instant due = nextDue().orElseThrow(() -> new AssertionError("nothing scheduled"));
        advanceTo(due);
        return due;
    }

    public synchronized Optional<Instant> nextDue() {
        return tasks.stream().filter(t -> !t.cancelled).map(t -> t.due).min(Comparator.naturalOrder());
    }

    public synchronized List<Instant> pending() {
        List<Instant> due = new ArrayList<>();
        tasks.stream().filter(t -> !t.cancelled).sorted(Comparator.comparing((Task t) -> t.due)).forEach(t -> due.add(t.due));
        return due;
    }
}
