package io.tokenservice.core.issue;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokenservice.core.token.AccessToken2Codec;
import io.tokenservice.core.token.AccessTokenCodec;
import io.tokenservice.core.token.AppCredentials;
import io.tokenservice.core.token.ParsedAccessToken2;
import io.tokenservice.core.token.Tokens;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The codecs keep per-thread state (buffers, Mac, Deflater, the cached first HMAC key). Signing and
 * verifying the same requests from several threads at once, each thread taking them in its own order,
 * must give exactly the single-threaded results.
 */
class ConcurrentSigningTest {
    private static final int THREADS = 6;
    private static final int REQUESTS = 3_000;
    private static final String HEX = "0123456789abcdefABCDEF";
    private static final String CHANNEL_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789_-";

    /** One request: its own clock and salt, so its token is fully determined whatever thread signs it. */
    private record Job(AppCredentials app, long issueTs, long salt, RtcTokenRequest request, boolean legacy) {
        String sign() {
            TokenIssuer issuer = new TokenIssuer(Clock.fixed(Instant.ofEpochSecond(issueTs), ZoneOffset.UTC),
                    SaltSource.fixed(salt), TokenLimits.agoraDefault());
            if (legacy) {
                return issuer.issueLegacyRtc(app, request.channel(), request.identity(), LegacyRole.PUBLISHER,
                        issueTs + request.ttlSeconds());
            }
            return issuer.issueRtc(app, request).token();
        }

        boolean verifies(String token) {
            if (legacy) {
                return AccessTokenCodec.decode(token).verify(app.appCertificate(), request.channel(),
                        request.identity().encoded());
            }
            ParsedAccessToken2 parsed = AccessToken2Codec.decode(token);
            return parsed.verify(app.appCertificate()) && parsed.content().issueTs() == issueTs
                    && parsed.content().salt() == salt;
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void concurrentSigningAndVerifyingGiveTheSingleThreadedResults() throws Exception {
        List<Job> jobs = jobs();
        List<String> expected = new ArrayList<>();
        for (Job job : jobs) {
            expected.add(job.sign());
        }
        assertThat(expected).doesNotHaveDuplicates();

        CyclicBarrier start = new CyclicBarrier(THREADS);
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<String[]>> results = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int seed = t;
                results.add(pool.submit(() -> {
                    // Each thread walks the jobs in its own order, so that neighbouring calls on one
                    // thread differ (app, certificate, issue second) and any leaked state would show.
                    int[] order = shuffled(jobs.size(), seed);
                    String[] tokens = new String[jobs.size()];
                    start.await();
                    for (int i : order) {
                        tokens[i] = jobs.get(i).sign();
                        if (!jobs.get(i).verifies(expected.get(i))) {
                            tokens[i] = "did not verify";
                        }
                    }
                    return tokens;
                }));
            }
            for (Future<String[]> result : results) {
                assertThat(result.get(50, TimeUnit.SECONDS)).containsExactlyElementsOf(expected);
            }
        } finally {
            pool.shutdownNow();
        }
        // A single shared issuer (fixed clock and salt) from many threads: every token equal and valid.
        AppCredentials app = jobs.get(0).app();
        TokenIssuer shared = new TokenIssuer(Clock.fixed(Instant.ofEpochSecond(1_700_000_000L), ZoneOffset.UTC),
                SaltSource.fixed(7), TokenLimits.agoraDefault());
        RtcTokenRequest request = RtcTokenRequest.of("room", RtcIdentity.uid(9), RtcRole.PUBLISHER, 600);
        String reference = shared.issueRtc(app, request).token();
        ExecutorService many = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<Boolean>> same = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                same.add(many.submit(() -> {
                    for (int i = 0; i < 2_000; i++) {
                        if (!shared.issueRtc(app, request).token().equals(reference)
                                || !((ParsedAccessToken2) Tokens.decode(reference)).verify(app.appCertificate())) {
                            return false;
                        }
                    }
                    return true;
                }));
            }
            for (Future<Boolean> result : same) {
                assertThat(result.get(50, TimeUnit.SECONDS)).isTrue();
            }
        } finally {
            many.shutdownNow();
        }
    }

    private static List<Job> jobs() {
        SplittableRandom random = new SplittableRandom(99);
        List<AppCredentials> apps = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            apps.add(new AppCredentials(text(random, HEX, 32, 32), text(random, HEX, 32, 32)));
        }
        List<Job> jobs = new ArrayList<>();
        for (int i = 0; i < REQUESTS; i++) {
            AppCredentials app = apps.get(random.nextInt(apps.size()));
            // Few distinct issue seconds, so the cached first key is both reused and replaced.
            long issueTs = 1_700_000_000L + random.nextInt(4);
            long salt = 1 + random.nextLong(0xFFFF_FFFEL);
            RtcIdentity identity = random.nextBoolean() ? RtcIdentity.uid(random.nextLong(0x1_0000_0000L))
                    : RtcIdentity.account(text(random, CHANNEL_CHARS, 1, 40));
            RtcTokenRequest request = RtcTokenRequest.of(text(random, CHANNEL_CHARS, 1, 64), identity,
                    random.nextBoolean() ? RtcRole.PUBLISHER : RtcRole.SUBSCRIBER, 1 + random.nextInt(86_400));
            if (random.nextInt(3) == 0) {
                request = request.withRtm(new RtmTokenRequest(text(random, CHANNEL_CHARS, 1, 64), 1 + random.nextInt(86_400)));
            }
            jobs.add(new Job(app, issueTs, salt, request, random.nextInt(5) == 0));
        }
        return jobs;
    }

    private static int[] shuffled(int size, int seed) {
        int[] order = new int[size];
        for (int i = 0; i < size; i++) {
            order[i] = i;
        }
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = size - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        return order;
    }

    private static String text(SplittableRandom random, String alphabet, int min, int max) {
        int length = min + random.nextInt(max - min + 1);
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return text.toString();
    }
}
