package io.tokenservice.client.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RenewalDemoOptionsTest {
    @Test
    void defaultsAndEnvironment() {
        RenewalDemo.Options o = RenewalDemo.Options.parse(new String[0], Map.of());
        assertThat(o.target()).isEqualTo("localhost:50051");
        assertThat(o.apiKey()).isNull();
        assertThat(o.tls()).isFalse();
        assertThat(o.ttlSeconds()).isEqualTo(60);
        assertThat(o.renewals()).isEqualTo(3);

        o = RenewalDemo.Options.parse(new String[0],
                Map.of("TOKEN_SERVICE_TARGET", "tokens:443", "TOKEN_SERVICE_API_KEY", "tsk_abc"));
        assertThat(o.target()).isEqualTo("tokens:443");
        assertThat(o.apiKey()).isEqualTo("tsk_abc");
        assertThat(o.toString()).doesNotContain("tsk_abc");
    }

    @Test
    void argumentsWinOverEnvironment() {
        RenewalDemo.Options o = RenewalDemo.Options.parse(
                new String[] {"--target", "h:1", "--api-key", "k", "--ttl", "40", "--renewals", "2", "--tls",
                    "--channel", "c", "--uid", "9"},
                Map.of("TOKEN_SERVICE_TARGET", "ignored:1"));
        assertThat(o).isEqualTo(new RenewalDemo.Options("h:1", "k", true, null, "c", 9, "", 40, 2));
    }

    @Test
    void rejectsBadArguments() {
        assertThatIllegalArgumentException().isThrownBy(() -> RenewalDemo.Options.parse(new String[] {"--ttl", "30"}, Map.of()))
                .withMessageContaining("between 31");
        assertThatIllegalArgumentException().isThrownBy(() -> RenewalDemo.Options.parse(new String[] {"--bogus"}, Map.of()));
        assertThatIllegalArgumentException().isThrownBy(() -> RenewalDemo.Options.parse(new String[] {"--target"}, Map.of()));
    }

    @Test
    void helpPrintsTheUsageAndSucceeds() throws InterruptedException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int status = RenewalDemo.launch(new String[] {"--ttl", "60", "--help"}, Map.of(),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));

        assertThat(status).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("usage: RenewalDemo").contains("--renewals");
        assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void badArgumentsPrintTheErrorAndTheUsageAndExit2() throws InterruptedException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int status = RenewalDemo.launch(new String[] {"--bogus"}, Map.of(),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));

        assertThat(status).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("error: unknown argument: --bogus")
                .contains("usage: RenewalDemo");
        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
    }
}
