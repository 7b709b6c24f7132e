package io.tokenservice.server.auth;

import static io.tokenservice.server.testing.TestIdentityProvider.claims;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.tokenservice.server.auth.Authenticator.Failure;
import io.tokenservice.server.testing.LogCapture;
import io.tokenservice.server.testing.TestIdentityProvider;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A JWK set served by a local HTTP server on a loopback port: fetched once when configured, refreshed when
 * {@link RemoteJwks#refresh()} runs (the pool schedules it; here it is called directly), and a failed refresh
 * (server error, garbage, a private key, the server gone) keeps the keys in force with one WARNING line each.
 */
class RemoteJwksTest {
    private static final TestIdentityProvider IDP = TestIdentityProvider.get();
    private static final TestIdentityProvider NEXT = TestIdentityProvider.other();

    private final AtomicReference<String> body = new AtomicReference<>(IDP.jwks());
    private final AtomicInteger status = new AtomicInteger(200);
    private final AtomicInteger requests = new AtomicInteger();
    private HttpServer http;
    private URI uri;
    private LogCapture log;

    @BeforeEach
    void serve() throws IOException {
        http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.createContext("/jwks.json", exchange -> {
            requests.incrementAndGet();
            byte[] bytes = body.get().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("content-type", "application/json");
            exchange.sendResponseHeaders(status.get(), bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        http.start();
        uri = URI.create("http://127.0.0.1:" + http.getAddress().getPort() + "/jwks.json");
        log = LogCapture.of(RemoteJwks.class.getName());
    }

    @AfterEach
    void stop() {
        log.close();
        if (http != null) {
            http.stop(0);
        }
    }

    private static Authenticator.Result verify(RemoteJwks keys, String token) {
        JwtIssuer rules = new JwtIssuer(TestIdentityProvider.ISSUER, Set.of(TestIdentityProvider.AUDIENCE),
                JwtIssuer.DEFAULT_ALGORITHMS, Duration.ofSeconds(60), new JwksSource.File(Path.of("unused"),
                        JwksKeys.empty()));
        return JwtVerifier.of(List.of(new JwtVerifier.Issuer("end-user", rules, keys))).verify(token, Instant.now());
    }

    @Test
    void fetchedOnceWhenConfiguredThenRefreshedInTheBackgroundOnly() {
        try (RemoteJwksPool pool = new RemoteJwksPool()) {
            RemoteJwks keys = pool.keysOf(new JwksSource.Url(uri, Duration.ofHours(1)));
            assertThat(requests.get()).isEqualTo(1);
            String token = IDP.rs256(claims("alice", Instant.now()).build());
            for (int i = 0; i < 5; i++) {
                assertThat(verify(keys, token).authenticated()).isTrue();
            }
            assertThat(verify(keys, NEXT.rs256(claims("alice", Instant.now()).build())).failure())
                    .as("an unknown kid does not trigger a fetch").contains(Failure.JWT_UNKNOWN_KEY);
            assertThat(requests.get()).as("no fetch on the call path").isEqualTo(1);
            assertThat(pool.keysOf(new JwksSource.Url(uri, Duration.ofHours(1)))).as("a reload keeps it").isSameAs(keys);
            assertThat(requests.get()).isEqualTo(1);
        }
    }

    @Test
    void aRefreshAppliesRotatedKeys() {
        RemoteJwks keys = new RemoteJwks(uri, RemoteJwks.defaultClient());
        assertThat(keys.refresh()).isTrue();
        body.set(NEXT.jwks());
        assertThat(keys.refresh()).isTrue();
        assertThat(verify(keys, NEXT.es256(claims("alice", Instant.now()).build())).authenticated()).isTrue();
        assertThat(verify(keys, IDP.es256(claims("alice", Instant.now()).build())).failure())
                .contains(Failure.JWT_UNKNOWN_KEY);
    }

    @Test
    void aFailedRefreshKeepsTheKeysInForceAndLogsOneLine() {
        RemoteJwks keys = new RemoteJwks(uri, RemoteJwks.defaultClient());
        assertThat(keys.refresh()).isTrue();
        String token = IDP.rs256(claims("alice", Instant.now()).build());

        status.set(500);
        assertThat(keys.refresh()).isFalse();
        status.set(200);
        body.set("<html>maintenance</html>");
        assertThat(keys.refresh()).isFalse();
        body.set(new com.nimbusds.jose.jwk.JWKSet(IDP.rsa).toString(false));
        assertThat(keys.refresh()).isFalse();
        body.set("{\"keys\":[]}".repeat(1) + " ".repeat(RemoteJwks.MAX_BYTES));
        assertThat(keys.refresh()).isFalse();
        http.stop(0);
        http = null;
        assertThat(keys.refresh()).isFalse();

        assertThat(verify(keys, token).authenticated()).as("the keys in force still verify").isTrue();
        List<String> warnings = log.messages(Level.WARNING);
        assertThat(warnings).hasSize(5).allSatisfy(w -> assertThat(w).startsWith("JWK set " + uri
                + " not refreshed, keeping the 2 key(s) in force: "));
        assertThat(warnings.get(0)).endsWith("HTTP status 500");
        assertThat(warnings.get(2)).contains("private key material");
        assertThat(String.join("\n", warnings)).doesNotContain("\"d\"");
    }

    @Test
    void anUnreachableUrlAtStartLeavesItsIssuerWithoutKeys() {
        http.stop(0);
        http = null;
        try (RemoteJwksPool pool = new RemoteJwksPool()) {
            RemoteJwks keys = pool.keysOf(new JwksSource.Url(uri, Duration.ofHours(1)));
            assertThat(keys.get().size()).isZero();
            assertThat(verify(keys, IDP.rs256(claims("alice", Instant.now()).build())).failure())
                    .contains(Failure.JWT_UNKNOWN_KEY);
        }
        assertThat(log.messages(Level.WARNING)).hasSize(1);
    }
}
