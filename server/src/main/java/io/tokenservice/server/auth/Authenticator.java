package io.tokenservice.server.auth;

import io.tokenservice.server.access.Caller;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Turns a call's credentials into a {@link Caller}: an {@code authorization: Bearer <key>} value if
 * present (it then decides alone), otherwise the verified client certificate of the TLS session.
 *
 * <p>The key registry and certificate mapping form one immutable snapshot, read once per call from the
 * configuration in force, so a reload affects the next call and never an open connection.
 */
public final class Authenticator {
    /** Why authentication failed; for the audit log only, never sent to the client. */
    public enum Failure {
        NO_CREDENTIALS("no credentials: neither an authorization header nor a client certificate"),
        MALFORMED_AUTHORIZATION("authorization metadata is not of the form 'Bearer <key>'"),
        DUPLICATE_AUTHORIZATION("more than one authorization field"),
        UNKNOWN_API_KEY("unknown or revoked API key"),
        UNKNOWN_CERTIFICATE("client certificate subject is not mapped to any caller");

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

    /** The credentials in force. */
    public record Snapshot(ApiKeyRegistry apiKeys, ClientCertificateMapping certificates) {
        public Snapshot {
            Objects.requireNonNull(apiKeys, "apiKeys");
            Objects.requireNonNull(certificates, "certificates");
        }
    }

    /** SSLSession application-value name under which a session's verdict is cached. */
    static final String SESSION_CACHE_KEY = "io.tokenservice.server.auth.caller";

    private static final String BEARER = "bearer";

    private final Supplier<Snapshot> snapshot;

    /** With fixed credentials. */
    public Authenticator(ApiKeyRegistry apiKeys, ClientCertificateMapping certificates) {
        Snapshot fixed = new Snapshot(apiKeys, certificates);
        this.snapshot = () -> fixed;
    }

    /** With the credentials in force when each call arrives (revocation = a key left out of the next ones). */
    public Authenticator(Supplier<Snapshot> credentials) {
        this.snapshot = Objects.requireNonNull(credentials, "credentials");
    }

    /**
     * @param authorization the {@code authorization} metadata value, or null
     * @param session the call's TLS session, or null for plaintext
     */
    public Result authenticate(String authorization, SSLSession session) {
        Snapshot s = snapshot.get();
        if (authorization != null) {
            String key = bearerKey(authorization);
            if (key == null) {
                return Result.failed(Failure.MALFORMED_AUTHORIZATION);
            }
            return Result.of(s.apiKeys().authenticate(key), Failure.UNKNOWN_API_KEY);
        }
        if (session == null) {
            return Result.failed(Failure.NO_CREDENTIALS);
        }
        Object cached = session.getValue(SESSION_CACHE_KEY);
        if (cached instanceof SessionVerdict v && v.mapping() == s.certificates()) {
            return v.result();
        }
        Result result = byCertificate(s.certificates(), session);
        try {
            session.putValue(SESSION_CACHE_KEY, new SessionVerdict(s.certificates(), result));
        } catch (RuntimeException ignored) {
            // a session implementation without application values: no cache, same result
        }
        return result;
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
