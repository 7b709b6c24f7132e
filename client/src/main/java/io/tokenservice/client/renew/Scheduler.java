package io.tokenservice.client.renew;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs tasks after a delay. The renewer takes one of these instead of sleeping or owning threads, so that
 * tests can drive time with a fake implementation and an app can share one timer thread among sessions.
 */
@FunctionalInterface
public interface Scheduler {
    /** A scheduled task that has not necessarily run yet. */
    @FunctionalInterface
    interface Cancellable {
        /** Prevents the task from running if it has not started; does nothing otherwise. */
        void cancel();
    }

    /** Runs {@code task} once, {@code delay} from now (zero or negative = as soon as possible). */
    Cancellable schedule(Duration delay, Runnable task);

    /** A scheduler backed by a {@link ScheduledExecutorService} (which the caller owns and shuts down). */
    static Scheduler of(ScheduledExecutorService executor) {
        Objects.requireNonNull(executor, "executor");
        return (delay, task) -> {
            long nanos = Math.max(0, delay.toNanos());
            ScheduledFuture<?> future = executor.schedule(task, nanos, TimeUnit.NANOSECONDS);
            return () -> future.cancel(false);
        };
    }
}
