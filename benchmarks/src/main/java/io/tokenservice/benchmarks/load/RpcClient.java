package io.tokenservice.benchmarks.load;

/** Starts calls of one kind; each call reports its outcome exactly once, on any thread. */
interface RpcClient extends AutoCloseable {
    String OK = "OK";

    /** Receives {@link #OK} or the failed call's status code (e.g. {@code UNAVAILABLE}, {@code HTTP_502}). */
    @FunctionalInterface
    interface Completion {
        void done(String outcome);
    }

    void start(Completion completion);

    @Override
    void close();
}
