package io.tokenservice.benchmarks;

import io.tokenservice.core.issue.RtcIdentity;
import io.tokenservice.core.issue.RtcRole;
import io.tokenservice.core.issue.RtcTokenRequest;
import io.tokenservice.core.issue.Rtm2TokenRequest;
import io.tokenservice.core.issue.SaltSource;
import io.tokenservice.core.issue.TokenIssuer;
import io.tokenservice.core.issue.TokenLimits;
import io.tokenservice.core.token.AppCredentials;
import io.tokenservice.core.wire.Zlib;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.zip.Deflater;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The deflate step of a 007 build on its own: token-core's deflater against the JDK's {@link Deflater}
 * (reset and reused, the cheapest way to use it), over {@value #CONTENTS} different contents of one
 * kind, which the two compress to the same bytes:
 * <ul>
 *   <li>{@code rtcPublisher}: RTC publisher tokens (random salts, so random signatures), the common
 *       case, where zlib picks the fixed Huffman code;
 *   <li>{@code rtcAccount255}: RTC tokens for random 255-character user accounts, the longest RTC
 *       input, where zlib sometimes picks a dynamic block;
 *   <li>{@code rtm2Resources160}: RTM tokens with read access to 160 users (Agora's own large-token
 *       test), where zlib always picks a dynamic block.
 * </ul>
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar CompressionBenchmarks -f 1 -wi 3 -w 2s -i 5 -r 2s -bm avgt -tu ns}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CompressionBenchmarks {
    static final int CONTENTS = 256;
    private static final String AGORA_CHARSET =
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 !#$%&()+-:;<=.>?@[]^_{}|~,";

    @Param({"rtcPublisher", "rtcAccount255", "rtm2Resources160"})
    public String kind;

    private final byte[][] contents = new byte[CONTENTS][];
    private final Deflater jdk = new Deflater();
    private final byte[] jdkOutput = new byte[8192];
    private int next;

    @Setup
    public void setUp() {
        SplittableRandom random = new SplittableRandom(11);
        AppCredentials app = new AppCredentials(TokenBenchmarks.APP_ID, TokenBenchmarks.APP_CERTIFICATE);
        List<String> users = new ArrayList<>();
        for (int i = 0; i < 160; i++) {
            users.add(String.format("resource-%04d", i));
        }
        int identical = 0;
        for (int i = 0; i < CONTENTS; i++) {
            TokenIssuer issuer = new TokenIssuer(Clock.fixed(Instant.now(), ZoneOffset.UTC),
                    SaltSource.fixed(1 + random.nextLong(0xFFFF_FFFEL)), TokenLimits.agoraDefault());
            String token = switch (kind) {
                case "rtcPublisher" -> issuer.issueRtc(app, RtcTokenRequest.of(TokenBenchmarks.CHANNEL,
                        RtcIdentity.uid(TokenBenchmarks.UID), RtcRole.PUBLISHER, TokenBenchmarks.TTL)).token();
                case "rtcAccount255" -> issuer.issueRtc(app, RtcTokenRequest.of(TokenBenchmarks.CHANNEL,
                        RtcIdentity.account(account(random)), RtcRole.PUBLISHER, TokenBenchmarks.TTL)).token();
                case "rtm2Resources160" -> issuer.issueRtm2(app, new Rtm2TokenRequest("test_user", TokenBenchmarks.TTL,
                        List.of(Rtm2TokenRequest.permission(Rtm2TokenRequest.ResourceType.USERS,
                                Rtm2TokenRequest.Access.READ, users)))).token();
                default -> throw new IllegalArgumentException(kind);
            };
            byte[] compressed = Base64.getDecoder().decode(token.substring(3));
            contents[i] = Zlib.inflate(compressed);
            if (Arrays.equals(compressed, jdkDeflate(contents[i]))) {
                identical++;
            }
        }
        System.out.printf("%n%d of %d %s contents compress to the JDK's bytes%n", identical, CONTENTS, kind);
    }

    private static String account(SplittableRandom random) {
        StringBuilder account = new StringBuilder(255);
        for (int i = 0; i < 255; i++) {
            account.append(AGORA_CHARSET.charAt(random.nextInt(AGORA_CHARSET.length())));
        }
        return account.toString();
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
