package io.tokenservice.benchmarks;

import io.agora.media.RtcTokenBuilder2;
import io.tokenservice.core.issue.RtcIdentity;
import io.tokenservice.core.issue.RtcRole;
import io.tokenservice.core.issue.RtcTokenRequest;
import io.tokenservice.core.issue.RtmTokenRequest;
import io.tokenservice.core.issue.SaltSource;
import io.tokenservice.core.issue.TokenIssuer;
import io.tokenservice.core.issue.TokenLimits;
import io.tokenservice.core.token.AccessToken2Codec;
import io.tokenservice.core.token.AppCredentials;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * token-core against Agora's own Java builder ({@code io.agora:authentication}), same inputs, same
 * JMH run. Build benchmarks use each library as a service would: the system clock and SecureRandom
 * salts ({@link TokenIssuer#createDefault()}; Agora reads the clock and draws a salt itself).
 *
 * <p>Parse+verify cycles through {@value #TOKENS} distinct tokens (different issue seconds, salts and
 * uids), so no per-token work can be cached between calls. Agora's library has no verify: its
 * {@code AccessToken2.parse} keeps no signature and no signed bytes. The closest a user of it can get
 * is {@code agoraParseRebuildCompare}: parse, set the certificate, {@code build()} again (which
 * recomputes the signature over a re-serialisation) and compare the strings; that only works for
 * tokens whose bytes the JDK Deflater reproduces, as it does for nearly all (set-up checks one).
 * {@code agoraParseOnly} is parsing alone.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar -f 1 -wi 3 -w 2s -i 5 -r 2s -t 1 -bm thrpt -tu s}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class TokenBenchmarks {
    /** Throw-away credentials made up per run: signing cost does not depend on their value. */
    static final String APP_ID = randomHex32();
    static final String APP_CERTIFICATE = randomHex32();
    static final String CHANNEL = "7d72365eb983485397e3e3f9d460bdda";
    static final long UID = 2882341273L;
    static final String ACCOUNT = "alice_01";
    static final int TTL = 3600;
    static final int TOKENS = 1024;

    private final AppCredentials app = new AppCredentials(APP_ID, APP_CERTIFICATE);
    private final TokenIssuer issuer = TokenIssuer.createDefault();
    private final RtcTokenRequest rtcByUid =
            RtcTokenRequest.of(CHANNEL, RtcIdentity.uid(UID), RtcRole.PUBLISHER, TTL);
    private final RtcTokenRequest rtcWithRtm =
            RtcTokenRequest.of(CHANNEL, RtcIdentity.account(ACCOUNT), RtcRole.PUBLISHER, TTL)
                    .withRtm(new RtmTokenRequest(ACCOUNT, TTL));
    private final RtcTokenBuilder2 agora = new RtcTokenBuilder2();

    private final String[] tokens = new String[TOKENS];
    private int next;

    @Setup
    public void setUp() {
        SplittableRandom random = new SplittableRandom(7);
        long now = Instant.now().getEpochSecond();
        for (int i = 0; i < TOKENS; i++) {
            Clock clock = Clock.fixed(Instant.ofEpochSecond(now - random.nextInt(3600)), ZoneOffset.UTC);
            TokenIssuer fixed = new TokenIssuer(clock, SaltSource.fixed(1 + random.nextLong(0xFFFF_FFFEL)),
                    TokenLimits.agoraDefault());
            tokens[i] = fixed.issueRtc(app, RtcTokenRequest.of(CHANNEL,
                    RtcIdentity.uid(1 + random.nextLong(0xFFFF_FFFEL)), RtcRole.PUBLISHER, TTL)).token();
        }
        // Both libraries must accept what the other produced, or the comparison means nothing.
        if (!AccessToken2Codec.decode(agoraRtcPublisherByUid()).verify(APP_CERTIFICATE)
                || !AccessToken2Codec.decode(agoraRtcWithRtm()).verify(APP_CERTIFICATE)
                || !agoraParseRebuildCompare()
                || !oursParseVerify()) {
            throw new IllegalStateException("benchmark set-up: tokens do not verify");
        }
    }

    private String nextToken() {
        String token = tokens[next];
        next = (next + 1) & (TOKENS - 1);
        return token;
    }

    @Benchmark
    public String oursRtcPublisherByUid() {
        return issuer.issueRtc(app, rtcByUid).token();
    }

    @Benchmark
    public String agoraRtcPublisherByUid() {
        return agora.buildTokenWithUid(APP_ID, APP_CERTIFICATE, CHANNEL, (int) UID,
                RtcTokenBuilder2.Role.ROLE_PUBLISHER, TTL, TTL);
    }

    @Benchmark
    public String oursRtcWithRtm() {
        return issuer.issueRtc(app, rtcWithRtm).token();
    }

    @Benchmark
    public String agoraRtcWithRtm() {
        return agora.buildTokenWithRtm(APP_ID, APP_CERTIFICATE, CHANNEL, ACCOUNT,
                RtcTokenBuilder2.Role.ROLE_PUBLISHER, TTL, TTL);
    }

    @Benchmark
    public boolean oursParseVerify() {
        return AccessToken2Codec.decode(nextToken()).verify(APP_CERTIFICATE);
    }

    @Benchmark
    public boolean agoraParseRebuildCompare() {
        String token = nextToken();
        io.agora.media.AccessToken2 parsed = new io.agora.media.AccessToken2();
        if (!parsed.parse(token)) {
            return false;
        }
        parsed.appCert = APP_CERTIFICATE;
        try {
            return parsed.build().equals(token);
        } catch (Exception e) {
            return false;
        }
    }

    @Benchmark
    public boolean agoraParseOnly() {
        return new io.agora.media.AccessToken2().parse(nextToken());
    }

    private static String randomHex32() {
        byte[] bytes = new byte[16];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
