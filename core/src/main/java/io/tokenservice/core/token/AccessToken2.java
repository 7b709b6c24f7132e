package io.tokenservice.core.token;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The signed content of an AccessToken2 ("007"): who it is for and what it grants. {@code expire}
 * and every privilege value are seconds relative to {@code issueTs}; {@code issueTs} and
 * {@code salt} are unsigned 32-bit values held in a {@code long}.
 */
public record AccessToken2(String appId, long issueTs, long expire, long salt, List<Service> services) {
    public AccessToken2 {
        Objects.requireNonNull(appId, "appId");
        requireU32("issueTs", issueTs);
        requireU32("expire", expire);
        requireU32("salt", salt);
        services = List.copyOf(services);
    }

    public Instant issuedAt() {
        return Instant.ofEpochSecond(issueTs);
    }

    public Instant expiresAt() {
        return Instant.ofEpochSecond(issueTs + expire);
    }

    /** When privilege {@code value} (relative seconds) ends; 0 means "when the token ends". */
    public Instant privilegeExpiresAt(long value) {
        return value == 0 ? expiresAt() : Instant.ofEpochSecond(issueTs + value);
    }

    /** The first service of the given type, if any. */
    public <S extends Service> Optional<S> service(Class<S> type) {
        for (Service service : services) {
            if (type.isInstance(service)) {
                return Optional.of(type.cast(service));
            }
        }
        return Optional.empty();
    }

    private static void requireU32(String name, long value) {
        if (value < 0 || value > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException(name + " must fit in an unsigned 32-bit integer: " + value);
        }
    }
}
