package io.tokenservice.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class H2loadTest {
    @TempDir
    Path dir;

    @Test
    void h2loadsLogBecomesTheGeneratorsLineWithTheServersGrpcErrors() throws Exception {
        // start (µs since the epoch), HTTP status, µs to the end of the response; in order of completion.
        StringBuilder log = new StringBuilder();
        for (int i = 1000; i >= 1; i--) {
            log.append(1_796_000_000_000_000L + i).append('\t').append(200).append('\t').append(i).append('\n');
        }
        log.append("1796000000002000\t503\t7\n").append("1796000000002001\t-1\t0\n")
                .append("1795999999999000\t0\t6367\n");
        Path file = Files.writeString(dir.resolve("h2load.log"), log);

        LoadResult r = H2load.summarize(new String[] {"--log", file.toString(), "--seconds", "2", "--description",
            "rpc=IssueRtcToken transport=grpc mode=closed concurrency=64 loader=h2load", "--loader-cpu", "0.31",
            "--grpc-errors", "RESOURCE_EXHAUSTED:3,UNAVAILABLE:0"});

        assertThat(r.line()).isEqualTo("rpc=IssueRtcToken transport=grpc mode=closed concurrency=64 loader=h2load"
                + " seconds=2 ok=1000 rps=500 p50_ms=0.500 p90_ms=0.900 p99_ms=0.990 p99.9_ms=0.999 max_ms=1.000"
                + " loader_cpu=0.31 errors=5 by_status=HTTP_-1:1,HTTP_503:1,RESOURCE_EXHAUSTED:3");
    }

    @Test
    void aSummaryWithoutItsLogOrLengthIsRefusedWithTheUsage() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int code = H2load.run(new String[] {"summarize", "--seconds", "2"}, Map.of(), System.out,
                new PrintStream(err, true, StandardCharsets.UTF_8));

        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("usage: ");
    }

    @Test
    void theRequestFileIsTheGrpcFramedRequestOfTheRun() throws Exception {
        Path file = dir.resolve("issue.bin");

        int code = H2load.run(new String[] {"request", file.toString(), "--channel", "team-a", "--uid", "42"}, Map.of(),
                System.out, System.err);

        byte[] body = Files.readAllBytes(file);
        byte[] message = io.tokenservice.proto.v1.IssueRtcTokenRequest.newBuilder().setChannel("team-a").setUid(42)
                .setRole(io.tokenservice.proto.v1.RtcRole.RTC_ROLE_PUBLISHER).setTtlSeconds(600).build().toByteArray();
        assertThat(code).isZero();
        assertThat(body[0]).isZero();
        assertThat(java.nio.ByteBuffer.wrap(body, 1, 4).getInt()).isEqualTo(message.length);
        assertThat(java.util.Arrays.copyOfRange(body, 5, body.length)).isEqualTo(message);
    }
}
