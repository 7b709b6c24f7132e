package io.tokenservice.server.auth;

import com.nimbusds.jose.JWSAlgorithm;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.StringJoiner;

/**
 * What makes a JWT from one identity provider acceptable: its exact {@code iss}, at least one of the
 * {@code audiences} in its {@code aud}, a signature by one of the {@code jwks} keys with one of the
 * {@code algorithms}, and {@code exp} (required) and {@code nbf} (if present) within {@code clockSkew} of now.
 */
public record JwtIssuer(String issuer, Set<String> audiences, Set<JWSAlgorithm> algorithms, Duration clockSkew,
        JwksSource jwks) {
    /** The asymmetric algorithms a JWT may be signed with; HMAC and {@code none} are never among them. */
    public static final List<JWSAlgorithm> SUPPORTED_ALGORITHMS = List.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384,
            JWSAlgorithm.RS512, JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512, JWSAlgorithm.ES256,
            JWSAlgorithm.ES384, JWSAlgorithm.ES512);
    public static final Set<JWSAlgorithm> DEFAULT_ALGORITHMS = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256);
    public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofSeconds(60);
    public static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(10);

    public JwtIssuer {
        Objects.requireNonNull(issuer, "issuer");
        if (issuer.isBlank()) {
            throw new IllegalArgumentException("the issuer must not be empty");
        }
        if (audiences.isEmpty()) {
            throw new IllegalArgumentException("at least one audience is required");
        }
        audiences = Collections.unmodifiableSet(new LinkedHashSet<>(audiences));
        if (algorithms.isEmpty()) {
            throw new IllegalArgumentException("at least one algorithm is required");
        }
        for (JWSAlgorithm alg : algorithms) {
            if (!SUPPORTED_ALGORITHMS.contains(alg)) {
                throw new IllegalArgumentException("algorithm " + alg + " is not allowed (use " + supported() + ")");
            }
        }
        algorithms = Set.copyOf(algorithms);
        if (clockSkew.isNegative() || clockSkew.compareTo(MAX_CLOCK_SKEW) > 0) {
            throw new IllegalArgumentException("the clock skew must be between 0 and " + MAX_CLOCK_SKEW.toSeconds()
                    + " s");
        }
        Objects.requireNonNull(jwks, "jwks");
    }

    /** The algorithm named {@code name} (case-insensitive) if it is allowed here. */
    public static JWSAlgorithm algorithm(String name) {
        for (JWSAlgorithm alg : SUPPORTED_ALGORITHMS) {
            if (alg.getName().equalsIgnoreCase(name)) {
                return alg;
            }
        }
        throw new IllegalArgumentException("algorithm '" + name + "' is not allowed (use " + supported()
                + "; HMAC and 'none' are never accepted)");
    }

    private static String supported() {
        StringJoiner j = new StringJoiner(", ");
        SUPPORTED_ALGORITHMS.forEach(a -> j.add(a.getName()));
        return j.toString();
    }

    @Override
    public String toString() {
        return "issuer " + issuer + " (audiences " + audiences + ", keys from " + jwks + ", algorithms "
                + algorithms.toString().toUpperCase(Locale.ROOT) + ")";
    }
}
