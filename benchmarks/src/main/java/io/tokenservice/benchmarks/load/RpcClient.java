package io.tokenservice.benchmarks.load;

import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;

/** Starts calls of one kind; each call reports its outcome exactly once, on any thread. */
interface RpcClient extends AutoCloseable {
    String OK = "OK";

    /** Receives {@link #OK} or the failed call's status code (e.g. {@code UNAVAILABLE}, {@code HTTP_502}). */
    @FunctionalInterface
    interface Completion {
        void done(String outcome);
    }

    void start(Completion completion);

    /**
     * The one thread this client's connections run on, when it has one: an open loop that sends from it starts
     * each call without waking another thread (a wake-up and two context switches per call, on a loader with one
     * core, cost more than the call).
     */
    default Optional<ScheduledExecutorService> connectionThread() {
        return Optional.empty();
    }

    @Override
    void close();
}
