package io.tokenservice.server.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

class TransportLogThrottleTest {
    private static final String STREAM = "io.grpc.netty.shaded.io.grpc.netty.NettyServerStream";
    private final AtomicLong now = new AtomicLong(5_000_000_000L);
    private final List<LogRecord> passedOn = new ArrayList<>();
    private final TransportLogThrottle throttle = new TransportLogThrottle(r -> passedOn.add(r), now::get);

    private static LogRecord record(Level level, String message, Throwable thrown) {
        LogRecord r = new LogRecord(level, message);
        r.setLoggerName(STREAM);
        r.setThrown(thrown);
        return r;
    }

    private static Throwable tooLarge() {
        return Status.RESOURCE_EXHAUSTED.withDescription("gRPC message exceeds maximum size 65536: 70007")
                .asRuntimeException();
    }

    @Test
    void oneLineWithoutStackTracePerCauseAndIntervalThenTheCountOfTheRest() {
        List<LogRecord> logged = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            LogRecord r = record(Level.WARNING, "Exception processing message", tooLarge());
            if (throttle.isLoggable(r)) {
                logged.add(r);
            }
        }
        assertThat(logged).singleElement().satisfies(r -> {
            assertThat(r.getThrown()).isNull();
            assertThat(r.getMessage()).isEqualTo("Exception processing message: StatusRuntimeException: "
                    + "RESOURCE_EXHAUSTED: gRPC message exceeds maximum size 65536: 70007 (logged once a minute at "
                    + "most, without stack trace)");
        });

        now.addAndGet(TransportLogThrottle.INTERVAL_NANOS - 1);
        assertThat(throttle.isLoggable(record(Level.WARNING, "Exception processing message", tooLarge()))).isFalse();
        now.addAndGet(1);
        LogRecord next = record(Level.WARNING, "Exception processing message", tooLarge());
        assertThat(throttle.isLoggable(next)).isTrue();
        assertThat(next.getMessage()).endsWith("(logged once a minute at most, without stack trace; 100 more since "
                + "the last such line)");
        assertThat(passedOn).hasSize(2);
    }

    @Test
    void causesAreToldApartByLoggerMessageAndExceptionClass() {
        assertThat(throttle.isLoggable(record(Level.WARNING, "Exception processing message", tooLarge()))).isTrue();
        assertThat(throttle.isLoggable(record(Level.WARNING, "Stream Error", tooLarge()))).isTrue();
        assertThat(throttle.isLoggable(record(Level.WARNING, "Stream Error", new IllegalStateException("x")))).isTrue();
        assertThat(throttle.isLoggable(record(Level.WARNING, "Stream Error", new IllegalStateException("y")))).isFalse();
        LogRecord other = record(Level.WARNING, "Stream Error", new IllegalStateException("x"));
        other.setLoggerName("io.grpc.netty.shaded.io.grpc.netty.NettyServerHandler");
        assertThat(throttle.isLoggable(other)).isTrue();
    }

    @Test
    void whatAClientPutsIntoAMessageCreatesNoNewCauseAndNoExtraLines() {
        for (int i = 0; i < 1000; i++) {
            throttle.isLoggable(record(Level.WARNING, "Expected header TE: trailers, but value-" + i
                    + "\u0007 is received.\r\nFAKE LOG LINE", null));
        }
        assertThat(passedOn).singleElement().satisfies(r -> assertThat(r.getMessage())
                .isEqualTo("Expected header TE: trailers, but value-0? is received. (logged once a minute at most, "
                        + "without stack trace)"));
    }

    @Test
    void fineRecordsPassUnchanged() {
        Throwable cause = tooLarge();
        for (int i = 0; i < 3; i++) {
            LogRecord r = record(Level.FINE, "Connection Error", cause);
            assertThat(throttle.isLoggable(r)).isTrue();
            assertThat(r.getThrown()).isSameAs(cause);
            assertThat(r.getMessage()).isEqualTo("Connection Error");
        }
    }

    @Test
    void theNextFilterStillDecides() {
        TransportLogThrottle refusing = new TransportLogThrottle(r -> false, now::get);
        assertThat(refusing.isLoggable(record(Level.WARNING, "Stream Error", tooLarge()))).isFalse();
        assertThat(refusing.isLoggable(record(Level.FINE, "frame", null))).isFalse();
    }

    @Test
    void longMessagesAreCut() {
        LogRecord r = record(Level.INFO, "Transport failed", new IllegalStateException("z".repeat(5000)));
        assertThat(throttle.isLoggable(r)).isTrue();
        assertThat(r.getMessage()).hasSizeLessThan(400).contains("z".repeat(200) + "...");
    }
}
