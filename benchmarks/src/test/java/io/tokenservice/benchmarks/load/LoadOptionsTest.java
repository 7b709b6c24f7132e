package io.tokenservice.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LoadOptionsTest {

    @Test
    void defaultsAreAClosedLoopOf64IssueRtcCallsWithTheKeyFromTheEnvironment() {
        LoadOptions o = LoadOptions.parse(new String[0], Map.of("TOKEN_SERVICE_API_KEY", "tsk_key"));

        assertThat(o.target()).isEqualTo("localhost:50051");
        assertThat(o.rpc()).isEqualTo(LoadOptions.Rpc.ISSUE_RTC);
        assertThat(o.transport()).isEqualTo(LoadOptions.Transport.GRPC);
        assertThat(o.openLoop()).isFalse();
        assertThat(o.concurrency()).isEqualTo(64);
        assertThat(o.warmup()).isEqualTo(Duration.ofSeconds(5));
        assertThat(o.duration()).isEqualTo(Duration.ofSeconds(10));
        assertThat(o.apiKey()).contains("tsk_key");
        assertThat(o.tls()).isFalse();
        assertThat(o.mode()).isEqualTo("closed concurrency=64");
    }

    @Test
    void anOpenLoopAtAFixedRate(@TempDir Path dir) throws Exception {
        Path key = Files.writeString(dir.resolve("key"), "tsk_from_file\n");
        Path ca = Files.writeString(dir.resolve("ca.pem"), "");
        LoadOptions o = LoadOptions.parse(new String[] {"--rate", "20000", "--rpc", "renew", "--transport", "grpc-web",
                "--target", "127.0.0.1:8080", "--warmup", "0", "--duration", "0.5", "--api-key-file", key.toString(),
                "--tls-ca", ca.toString(), "--connections", "4", "--max-outstanding", "500"}, Map.of());

        assertThat(o.openLoop()).isTrue();
        assertThat(o.mode()).isEqualTo("open rate=20000");
        assertThat(o.rpc()).isEqualTo(LoadOptions.Rpc.RENEW);
        assertThat(o.transport()).isEqualTo(LoadOptions.Transport.GRPC_WEB);
        assertThat(o.warmup()).isZero();
        assertThat(o.duration()).isEqualTo(Duration.ofMillis(500));
        assertThat(o.apiKey()).contains("tsk_from_file");
        assertThat(o.tls()).isTrue();
        assertThat(o.tlsCa()).contains(ca);
        assertThat(o.connections()).isEqualTo(4);
        assertThat(o.maxOutstanding()).isEqualTo(500);
    }

    @Test
    void noKeyIsSentWhenTheVariableIsUnsetOrBlank() {
        assertThat(LoadOptions.parse(new String[0], Map.of()).apiKey()).isEmpty();
        assertThat(LoadOptions.parse(new String[] {"--api-key-env", "K"}, Map.of("K", " ")).apiKey()).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--concurrency 0           | --concurrency must be from 1 to 100000, got 0",
        "--concurrency many        | --concurrency expects a whole number, got 'many'",
        "--rate 0                  | --rate must be above 0 and at most 10000000, got 0",
        "--rate NaN                | --rate must be above 0 and at most 10000000, got NaN",
        "--duration 0              | --duration must be above 0 to 86400 seconds, got 0",
        "--warmup -1               | --warmup must be from 0 to 86400 seconds, got -1",
        "--target localhost        | --target expects HOST:PORT, got 'localhost'",
        "--target localhost:99999  | --target port must be from 1 to 65535, got 99999",
        "--rpc inspect             | --rpc expects one of issue-rtc, renew, got 'inspect'",
        "--transport http          | --transport expects one of grpc, grpc-web, got 'http'",
        "--uid -1                  | --uid must be from 0 to 4294967295, got -1",
        "--bogus 1                 | unknown option '--bogus'",
        "--duration                | --duration needs a value",
        "extra                     | unexpected argument 'extra'",
        "--rate 10 --concurrency 8 | --rate (open loop) and --concurrency (closed loop) exclude each other",
        "--api-key-file /nonexistent/key | --api-key-file /nonexistent/key cannot be read: /nonexistent/key",
    })
    void badArgumentsAreNamedWithWhatTheyExpect(String args, String message) {
        assertThatThrownBy(() -> LoadOptions.parse(args.split(" "), Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message);
    }

    @Test
    void aBadCommandLineExitsWith2AndPrintsNoResult() throws Exception {
        var out = new java.io.ByteArrayOutputStream();
        var err = new java.io.ByteArrayOutputStream();
        int code = LoadGenerator.run(new String[] {"--rate", "-5"}, Map.of(), new java.io.PrintStream(out),
                new java.io.PrintStream(err));

        assertThat(code).isEqualTo(2);
        assertThat(out.toString()).isEmpty();
        assertThat(err.toString()).contains("--rate must be above 0").contains("--help");
    }
}
