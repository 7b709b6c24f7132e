package io.tokenservice.benchmarks;

import io.tokenservice.core.issue.RtcIdentity;
import io.tokenservice.core.issue.RtcRole;
import io.tokenservice.core.issue.RtcTokenRequest;
import io.tokenservice.core.issue.SaltSource;
import io.tokenservice.core.issue.TokenIssuer;
import io.tokenservice.core.issue.TokenLimits;
import io.tokenservice.core.token.AppCredentials;
import io.tokenservice.core.wire.Zlib;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Base64;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.zip.Deflater;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The deflate step of a 007 build on its own: token-core's fixed-Huffman deflater against the JDK's
 * {@link Deflater} (reset and reused, the cheapest way to use it), over {@value #CONTENTS} different
 * RTC publisher contents (random salts, so random signatures), which the two compress identically.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar CompressionBenchmarks -f 1 -wi 3 -w 2s -i 5 -r 2s -bm avgt -tu ns}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CompressionBenchmarks {
    static final int CONTENTS = 256;

    private final byte[][] contents = new byte[CONTENTS][];
    private final Deflater jdk = new Deflater();
    private final byte[] jdkOutput = new byte[1024];
    private int next;

    @Setup
    public void setUp() {
        SplittableRandom random = new SplittableRandom(11);
        AppCredentials app = new AppCredentials(TokenBenchmarks.APP_ID, TokenBenchmarks.APP_CERTIFICATE);
        int identical = 0;
        for (int i = 0; i < CONTENTS; i++) {
            TokenIssuer issuer = new TokenIssuer(Clock.fixed(Instant.now(), ZoneOffset.UTC),
                    SaltSource.fixed(1 + random.nextLong(0xFFFF_FFFEL)), TokenLimits.agoraDefault());
            String token = issuer.issueRtc(app, RtcTokenRequest.of(TokenBenchmarks.CHANNEL,
                    RtcIdentity.uid(TokenBenchmarks.UID), RtcRole.PUBLISHER, TokenBenchmarks.TTL)).token();
            byte[] compressed = Base64.getDecoder().decode(token.substring(3));
            contents[i] = Zlib.inflate(compressed);
            if (Arrays.equals(compressed, jdkDeflate(contents[i]))) {
                identical++;
            }
        }
        System.out.printf("%n%d of %d contents compress to the JDK's bytes%n", identical, CONTENTS);
    }

    private byte[] nextContent() {
        byte[] content = contents[next];
        next = (next + 1) & (CONTENTS - 1);
        return content;
    }

    @Benchmark
    public byte[] tokenCoreDeflate() {
        byte[] content = nextContent();
        return Zlib.deflate(content, content.length);
    }

    @Benchmark
    public byte[] jdkDeflater() {
        return jdkDeflate(nextContent());
    }

    private byte[] jdkDeflate(byte[] content) {
        jdk.reset();
        jdk.setInput(content);
        jdk.finish();
        int length = jdk.deflate(jdkOutput);
        return Arrays.copyOf(jdkOutput, length);
    }
}
