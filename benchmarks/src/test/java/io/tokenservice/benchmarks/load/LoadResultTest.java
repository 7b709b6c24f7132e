package io.tokenservice.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class LoadResultTest {

    @Test
    void oneLineWithRatePercentilesAndErrorsByStatus() {
        Histogram h = new Histogram(3);
        for (int i = 1; i <= 1000; i++) {
            h.recordValue(i * 1_000L); // 1 µs .. 1 ms
        }
        LoadResult r = new LoadResult("rpc=IssueRtcToken transport=grpc mode=closed concurrency=64", 2.0, h,
                Map.of("UNAVAILABLE", 3L, "DEADLINE_EXCEEDED", 1L), 0.854);

        assertThat(r.line()).isEqualTo("rpc=IssueRtcToken transport=grpc mode=closed concurrency=64 seconds=2"
                + " ok=1000 rps=500 p50_ms=0.500 p90_ms=0.900 p99_ms=0.990 p99.9_ms=0.999 max_ms=1.000"
                + " loader_cpu=0.85 errors=4 by_status=DEADLINE_EXCEEDED:1,UNAVAILABLE:3");
    }

    @Test
    void noCallsAndNoErrors() {
        LoadResult r = new LoadResult("rpc=RenewToken transport=grpc-web mode=open rate=2.5", 0.5, new Histogram(3),
                Map.of(), 0);

        assertThat(r.line()).isEqualTo("rpc=RenewToken transport=grpc-web mode=open rate=2.5 seconds=0.5 ok=0 rps=0"
                + " p50_ms=0.000 p90_ms=0.000 p99_ms=0.000 p99.9_ms=0.000 max_ms=0.000 loader_cpu=0.00 errors=0 by_status=none");
    }
}
