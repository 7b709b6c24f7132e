package io.tokenservice.server.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.SignedJWT;
import io.tokenservice.server.access.Caller;
import io.tokenservice.server.access.EndUser;
import io.tokenservice.server.auth.Authenticator.Failure;
import io.tokenservice.server.auth.Authenticator.Result;
import java.text.ParseException;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Verifies end users' JWTs against the configured issuers and maps each to its caller. The {@code iss} claim
 * picks the issuer (each issuer belongs to exactly one caller); the header's {@code alg} must be one of that
 * issuer's algorithms (so {@code none} and HMAC never are), a key of the issuer's JWK set fitting the
 * algorithm (and the {@code kid}, when the header names one) must verify the signature, and only then are the
 * time and audience claims judged, with time from the caller of {@link #verify}. Immutable apart from the
 * keys, which come from a supplier (a file's keys, or the latest fetch of a URL; never fetched here), and the
 * cache.
 *
 * <p>A signature check costs tens of microseconds (RS256) to milliseconds (ES256 in the JDK's pure-Java EC), and
 * an app sends the same login token with every call until it expires, so verified tokens are remembered, by
 * their exact text, together with the key set that verified them: a hit skips parsing and the signature and
 * still judges {@code exp} against the clock, and a key set swapped since (a rotated file, a refreshed URL, a
 * reload, which also makes a new verifier) is a miss. Only verified tokens enter, so refused ones cannot fill
 * it; at {@value #DEFAULT_CACHE_SIZE} entries, expired ones are dropped, and if that is not enough, all.
 */
public final class JwtVerifier {
    /** Longest JWT accepted; gRPC metadata is limited to 8 KiB anyway. */
    public static final int MAX_TOKEN_LENGTH = 8 * 1024;
    private static final JwtVerifier NONE = new JwtVerifier(Map.of(), 0);

    /** Verified tokens remembered at most. */
    public static final int DEFAULT_CACHE_SIZE = 4096;

    /** One issuer's rules, its keys and the caller its users become. */
    public record Issuer(String callerName, JwtIssuer rules, Supplier<JwksKeys> keys) {}

    /** A verified token: who it authenticates, until when, and by which issuer's keys. */
    private record Verified(Result result, long expiresAtMillis, Issuer issuer, JwksKeys keys) {}

    private final Map<String, Issuer> byIssuer;
    private final int cacheSize;
    private final ConcurrentHashMap<String, Verified> verified = new ConcurrentHashMap<>();

    private JwtVerifier(Map<String, Issuer> byIssuer, int cacheSize) {
        this.byIssuer = Map.copyOf(byIssuer);
        this.cacheSize = cacheSize;
    }

    /** Accepts no JWT. */
    public static JwtVerifier none() {
        return NONE;
    }

    /** @throws IllegalArgumentException if two issuers have the same {@code iss} */
    public static JwtVerifier of(List<Issuer> issuers) {
        return of(issuers, DEFAULT_CACHE_SIZE);
    }

    /** With a cache of {@code cacheSize} verified tokens (0: none). */
    public static JwtVerifier of(List<Issuer> issuers, int cacheSize) {
        if (issuers.isEmpty()) {
            return NONE;
        }
        Map<String, Issuer> byIssuer = new HashMap<>();
        for (Issuer i : issuers) {
            Issuer other = byIssuer.putIfAbsent(i.rules().issuer(), i);
            if (other != null) {
                throw new IllegalArgumentException("callers '" + other.callerName() + "' and '" + i.callerName()
                        + "' both accept issuer " + i.rules().issuer());
            }
        }
        return new JwtVerifier(byIssuer, cacheSize);
    }

    /** How many verified tokens are remembered. */
    int cached() {
        return verified.size();
    }

    public boolean isEmpty() {
        return byIssuer.isEmpty();
    }

    /** The caller and end user of {@code token}, or why it is refused. */
    public Result verify(String token, Instant now) {
        if (byIssuer.isEmpty()) {
            return Result.failed(Failure.JWT_NOT_ACCEPTED);
        }
        if (token.length() > MAX_TOKEN_LENGTH) {
            return Result.failed(Failure.JWT_MALFORMED);
        }
        long nowMillis = now.toEpochMilli();
        Verified known = cacheSize == 0 ? null : verified.get(token);
        if (known != null && known.keys() == known.issuer().keys().get()) {
            return nowMillis > known.expiresAtMillis() ? Result.failed(Failure.JWT_EXPIRED) : known.result();
        }
        JWT parsed;
        JWTClaimsSet claims;
        try {
            parsed = JWTParser.parse(token);
            claims = parsed.getJWTClaimsSet();
        } catch (ParseException e) {
            return Result.failed(Failure.JWT_MALFORMED);
        }
        if (!(parsed instanceof SignedJWT signed)) {
            return Result.failed(Failure.JWT_ALGORITHM_NOT_ALLOWED);
        }
        Issuer issuer = claims.getIssuer() == null ? null : byIssuer.get(claims.getIssuer());
        if (issuer == null) {
            return Result.failed(Failure.JWT_UNKNOWN_ISSUER);
        }
        JwtIssuer rules = issuer.rules();
        JWSHeader header = signed.getHeader();
        JWSAlgorithm alg = header.getAlgorithm();
        if (!rules.algorithms().contains(alg)) {
            return Result.failed(Failure.JWT_ALGORITHM_NOT_ALLOWED);
        }
        JwksKeys keys = issuer.keys().get();
        List<JwksKeys.Entry> candidates = keys.candidates(alg, header.getKeyID());
        if (candidates.isEmpty()) {
            return Result.failed(Failure.JWT_UNKNOWN_KEY);
        }
        if (!verifiedByOneOf(signed, candidates)) {
            return Result.failed(Failure.JWT_BAD_SIGNATURE);
        }
        long skew = rules.clockSkew().toMillis();
        Date exp = claims.getExpirationTime();
        if (exp == null || nowMillis > exp.getTime() + skew) {
            return Result.failed(Failure.JWT_EXPIRED);
        }
        Date nbf = claims.getNotBeforeTime();
        if (nbf != null && nowMillis + skew < nbf.getTime()) {
            return Result.failed(Failure.JWT_NOT_YET_VALID);
        }
        List<String> aud = claims.getAudience();
        if (aud == null || aud.stream().noneMatch(rules.audiences()::contains)) {
            return Result.failed(Failure.JWT_WRONG_AUDIENCE);
        }
        String subject = claims.getSubject();
        if (subject == null || subject.isEmpty()) {
            return Result.failed(Failure.JWT_NO_SUBJECT);
        }
        EndUser user = new EndUser(rules.issuer(), subject, claims.getClaims());
        Result result = Result.of(Optional.of(new Caller(issuer.callerName(), Caller.AuthMethod.JWT,
                Optional.of(user))), Failure.JWT_BAD_SIGNATURE);
        remember(token, new Verified(result, exp.getTime() + skew, issuer, keys), nowMillis);
        return result;
    }

    private void remember(String token, Verified entry, long nowMillis) {
        if (cacheSize == 0) {
            return;
        }
        if (verified.size() >= cacheSize) {
            verified.values().removeIf(v -> v.expiresAtMillis() < nowMillis);
            if (verified.size() >= cacheSize) {
                verified.clear();
            }
        }
        verified.put(token, entry);
    }

    private static boolean verifiedByOneOf(SignedJWT jwt, List<JwksKeys.Entry> candidates) {
        for (JwksKeys.Entry key : candidates) {
            try {
                if (jwt.verify(key.verifier())) {
                    return true;
                }
            } catch (JOSEException | IllegalStateException e) {
                // this key cannot judge the signature: try the next
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return byIssuer.values().stream().map(i -> i.callerName() + ": " + i.rules()).toList().toString();
    }
}
