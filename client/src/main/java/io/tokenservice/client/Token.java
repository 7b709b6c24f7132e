package io.tokenservice.client;

import com.google.protobuf.Timestamp;
import io.tokenservice.core.token.AccessTokenCodec;
import io.tokenservice.proto.v1.IssuedToken;
import io.tokenservice.proto.v1.PrivilegeGrant;
import io.tokenservice.proto.v1.ServiceGrant;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A token the service issued, as received by this client.
 *
 * <p>{@code issuedAt}, {@code expiresAt} and the privilege expiries in {@code services} are on the
 * <em>server's</em> clock; {@code receivedAt} is this client's clock when the response arrived. Device
 * clocks are often wrong by minutes, so never compare {@code expiresAt} with the local clock directly: use
 * {@link #localExpiresAt()} (= {@code receivedAt + lifetime}), which corrects for the offset between the
 * two clocks ({@link #clockOffset()}).
 *
 * <p>The offset is measured as {@code issuedAt - receivedAt}. Because {@code issuedAt} has whole-second
 * precision and the response spends time on the network, the measured offset is at most about one second
 * plus one network trip behind the true one, so the local expiry estimate is at most that much late;
 * renewal is always scheduled tens of seconds ahead of it.
 *
 * <p>{@link #toString()} never shows the token itself (it is a credential), only its SHA-256 prefix.
 *
 * @param value        the "007..." (or "006...") token to hand to the Agora SDK
 * @param appId        the App ID the token is for
 * @param issuedAt     issue time (server clock, whole seconds)
 * @param expiresAt    expiry of the token as a whole (server clock)
 * @param services     what the token grants, service by service, with per-privilege expiries
 * @param sha256Prefix first 12 hex characters of the token's SHA-256, for logs
 * @param receivedAt   when this client received the token (local clock)
 * @param clockOffsetKnown false for a token read from a string ({@link #fromString}): its times are taken as
 *                     local (offset 0) until the first renewal measures the offset
 */
public record Token(String value, String appId, Instant issuedAt, Instant expiresAt, List<ServiceGrant> services,
        String sha256Prefix, Instant receivedAt, boolean clockOffsetKnown) {

    public Token {
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(appId, "appId");
        Objects.requireNonNull(issuedAt, "issuedAt");
        Objects.requireNonNull(expiresAt, "expiresAt");
        services = List.copyOf(services);
        Objects.requireNonNull(sha256Prefix, "sha256Prefix");
        Objects.requireNonNull(receivedAt, "receivedAt");
        if (expiresAt.isBefore(issuedAt)) {
            throw new IllegalArgumentException("expiresAt " + expiresAt + " is before issuedAt " + issuedAt);
        }
    }

    /** A token received from the service at {@code receivedAt} (local clock): its clock offset is known. */
    public Token(String value, String appId, Instant issuedAt, Instant expiresAt, List<ServiceGrant> services,
            String sha256Prefix, Instant receivedAt) {
        this(value, appId, issuedAt, expiresAt, services, sha256Prefix, receivedAt, true);
    }

    /** Converts an IssuedToken response received at {@code receivedAt} (local clock). */
    public static Token fromProto(IssuedToken proto, Instant receivedAt) {
        return new Token(proto.getToken(), proto.getAppId(), instant(proto.getIssuedAt()),
                instant(proto.getExpiresAt()), proto.getServicesList(), proto.getTokenSha256Prefix(), receivedAt);
    }

    /**
     * A 007 or 006 token obtained elsewhere (the app's own backend, a cache, a push message), read from the token
     * itself: app, issue time, lifetime and grants. Nothing tells the offset between the issuer's clock and
     * this one, so it is taken as 0 ({@link #clockOffsetKnown()} false) until the first renewal measures it.
     *
     * <p>A 006 token holds its channel and uid only as CRC32s, so its grants name neither; it states no issue
     * time, so that is taken as its expiry ({@code ts}) minus the 24 h every 006 builder writes; it ends at the
     * earlier of {@code ts} and its latest privilege end (0 = never).
     *
     * @throws IllegalArgumentException if {@code value} is not a decodable 007 or 006 token
     */
    public static Token fromString(String value) {
        Objects.requireNonNull(value, "value");
        return TokenStrings.read(value);
    }

    /**
     * Whether this is a legacy AccessToken ("006"). It records only the CRC32 of its channel and uid, so
     * renewing it needs them ({@link io.tokenservice.client.renew.TokenProvider#rtc}, {@code rtm}).
     */
    public boolean isLegacy() {
        return value.startsWith(AccessTokenCodec.VERSION);
    }

    /** The token's lifetime as encoded ({@code expiresAt - issuedAt}). */
    public Duration lifetime() {
        return Duration.between(issuedAt, expiresAt);
    }

    /** Server clock minus local clock, as measured when the token arrived. Positive = the local clock is behind. */
    public Duration clockOffset() {
        return Duration.between(receivedAt, issuedAt);
    }

    /** Converts an instant on the server's clock to the local clock. */
    public Instant toLocal(Instant serverInstant) {
        return serverInstant.minus(clockOffset());
    }

    /** When the token as a whole expires, on the local clock. */
    public Instant localExpiresAt() {
        return toLocal(expiresAt);
    }

    /**
     * The earliest moment (server clock) at which the token or any of its privileges ends. Agora warns
     * ("token privilege will expire") before each of them, and a renewal restores each privilege's
     * original lifetime, so this is the moment renewal is needed by.
     */
    public Instant earliestExpiry() {
        Instant earliest = expiresAt;
        for (ServiceGrant service : services) {
            for (PrivilegeGrant privilege : service.getPrivilegesList()) {
                if (privilege.hasExpiresAt()) {
                    Instant end = instant(privilege.getExpiresAt());
                    if (end.isAfter(issuedAt) && end.isBefore(earliest)) {
                        earliest = end;
                    }
                }
            }
        }
        return earliest;
    }

    /** {@link #earliestExpiry()} on the local clock. */
    public Instant localEarliestExpiry() {
        return toLocal(earliestExpiry());
    }

    @Override
    public String toString() {
        return "Token[sha256Prefix=" + sha256Prefix + ", appId=" + appId + ", issuedAt=" + issuedAt
                + ", expiresAt=" + expiresAt + ", receivedAt=" + receivedAt + "]";
    }

    private static Instant instant(Timestamp ts) {
        return Instant.ofEpochSecond(ts.getSeconds(), ts.getNanos());
    }
}
