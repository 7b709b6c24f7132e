package io.tokenservice.server.auth;

import io.tokenservice.server.access.Caller;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Turns a call's credentials into a {@link Caller}: an {@code authorization: Bearer <credential>} value if
 * present (it then decides alone: a credential of the JWT compact form ({@link JwtShape}) is verified as an end
 * user's JWT, anything else is looked up as an API key), otherwise the verified client certificate of the TLS
 * session. A call with no credentials at all becomes the configured {@code anonymous} caller if there is one;
 * a call with wrong credentials never does.
 *
 * <p>The key registry, certificate mapping, JWT issuers and anonymous caller form one immutable snapshot, read
 * once per call from the configuration in force, so a reload affects the next call and never an open connection.
 */
public final class Authenticator {
    /** Why authentication failed; for the audit log only, never sent to the client. */
    public enum Failure {
        NO_CREDENTIALS("no credentials: neither an authorization header nor a client certificate"),
        MALFORMED_AUTHORIZATION("authorization metadata is not of the form 'Bearer <key>'"),
        DUPLICATE_AUTHORIZATION("more than one authorization field"),
        UNKNOWN_API_KEY("unknown or revoked API key"),
        UNKNOWN_CERTIFICATE("client certificate subject is not mapped to any caller"),
        JWT_NOT_ACCEPTED("a JWT, but no caller accepts JWTs"),
        JWT_MALFORMED("JWT cannot be parsed"),
        JWT_ALGORITHM_NOT_ALLOWED("JWT algorithm is not allowed for its issuer (or the JWT is unsigned)"),
        JWT_UNKNOWN_ISSUER("JWT issuer is not configured"),
        JWT_UNKNOWN_KEY("JWT names no key of its issuer's JWK set that fits its algorithm"),
        JWT_BAD_SIGNATURE("JWT signature does not verify"),
        JWT_EXPIRED("JWT has expired (or has no exp)"),
        JWT_NOT_YET_VALID("JWT is not valid yet (nbf)"),
        JWT_WRONG_AUDIENCE("JWT audience is none of the configured ones"),
        JWT_NO_SUBJECT("JWT has no sub");

        private final String reason;

        Failure(String reason) {
            this.reason = reason;
        }

        public String reason() {
            return reason;
        }
    }

    /** Either a caller or a failure. */
    public record Result(Optional<Caller> caller, Optional<Failure> failure) {
        private static final Result[] FAILURES = new Result[Failure.values().length];

        static {
            for (Failure f : Failure.values()) {
                FAILURES[f.ordinal()] = new Result(Optional.empty(), Optional.of(f));
            }
        }

        static Result of(Optional<Caller> caller, Failure ifEmpty) {
            return caller.isPresent() ? new Result(caller, Optional.empty()) : FAILURES[ifEmpty.ordinal()];
        }

        static Result failed(Failure failure) {
            return FAILURES[failure.ordinal()];
        }

        public boolean authenticated() {
            return caller.isPresent();
        }
    }

    /**
     * The credentials in force.
     *
     * @param anonymous the caller of calls without credentials; empty = such calls are refused
     */
    public record Snapshot(ApiKeyRegistry apiKeys, ClientCertificateMapping certificates, JwtVerifier jwt,
            Optional<Caller> anonymous) {
        public Snapshot {
            Objects.requireNonNull(apiKeys, "apiKeys");
            Objects.requireNonNull(certificates, "certificates");
            Objects.requireNonNull(jwt, "jwt");
            Objects.requireNonNull(anonymous, "anonymous");
        }

        /** API keys and certificates only. */
        public Snapshot(ApiKeyRegistry apiKeys, ClientCertificateMapping certificates) {
            this(apiKeys, certificates, JwtVerifier.none(), Optional.empty());
        }
    }

    /** SSLSession application-value name under which a session's verdict is cached. */
    static final String SESSION_CACHE_KEY = "io.tokenservice.server.auth.caller";

    private static final String BEARER = "bearer";

    private final Supplier<Snapshot> snapshot;
    private final Clock clock;

    /** With fixed credentials. */
    public Authenticator(ApiKeyRegistry apiKeys, ClientCertificateMapping certificates) {
        Snapshot fixed = new Snapshot(apiKeys, certificates);
        this.snapshot = () -> fixed;
        this.clock = Clock.systemUTC();
    }

    /** With the credentials in force when each call arrives (revocation = a key left out of the next ones). */
    public Authenticator(Supplier<Snapshot> credentials) {
        this(credentials, Clock.systemUTC());
    }

    /** The same, with the clock JWT lifetimes are judged by. */
    public Authenticator(Supplier<Snapshot> credentials, Clock clock) {
        this.snapshot = Objects.requireNonNull(credentials, "credentials");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * @param authorization the {@code authorization} metadata value, or null
     * @param session the call's TLS session, or null for plaintext
     */
    public Result authenticate(String authorization, SSLSession session) {
        Snapshot s = snapshot.get();
        if (authorization != null) {
            String credential = bearerKey(authorization);
            if (credential == null) {
                return Result.failed(Failure.MALFORMED_AUTHORIZATION);
            }
            if (JwtShape.matches(credential)) {
                return s.jwt().verify(credential, clock.instant());
            }
            return Result.of(s.apiKeys().authenticate(credential), Failure.UNKNOWN_API_KEY);
        }
        if (session == null) {
            return withoutCredentials(s);
        }
        Object cached = session.getValue(SESSION_CACHE_KEY);
        Result result;
        if (cached instanceof SessionVerdict v && v.mapping() == s.certificates()) {
            result = v.result();
        } else {
            result = byCertificate(s.certificates(), session);
            try {
                session.putValue(SESSION_CACHE_KEY, new SessionVerdict(s.certificates(), result));
            } catch (RuntimeException ignored) {
                // a session implementation without application values: no cache, same result
            }
        }
        return result.failure().orElse(null) == Failure.NO_CREDENTIALS ? withoutCredentials(s) : result;
    }

    private static Result withoutCredentials(Snapshot s) {
        return Result.of(s.anonymous(), Failure.NO_CREDENTIALS);
    }

    private static Result byCertificate(ClientCertificateMapping mapping, SSLSession session) {
        Certificate[] chain;
        try {
            chain = session.getPeerCertificates();
        } catch (SSLPeerUnverifiedException e) {
            return Result.failed(Failure.NO_CREDENTIALS);
        }
        if (chain == null || chain.length == 0) {
            return Result.failed(Failure.NO_CREDENTIALS);
        }
        if (!(chain[0] instanceof X509Certificate leaf)) {
            return Result.failed(Failure.UNKNOWN_CERTIFICATE);
        }
        return Result.of(mapping.callerFor(leaf), Failure.UNKNOWN_CERTIFICATE);
    }

    /** The key of {@code Bearer <key>} (scheme case-insensitive), or null if malformed. */
    static String bearerKey(String authorization) {
        int len = authorization.length();
        if (len <= BEARER.length() + 1
                || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())
                || authorization.charAt(BEARER.length()) != ' ') {
            return null;
        }
        int start = BEARER.length();
        while (start < len && authorization.charAt(start) == ' ') {
            start++;
        }
        int end = len;
        while (end > start && authorization.charAt(end - 1) == ' ') {
            end--;
        }
        if (start == end) {
            return null;
        }
        for (int i = start; i < end; i++) {
            if (authorization.charAt(i) == ' ') {
                return null;
            }
        }
        return authorization.substring(start, end);
    }

    private record SessionVerdict(ClientCertificateMapping mapping, Result result) {}
}
