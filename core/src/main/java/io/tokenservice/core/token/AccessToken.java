package io.tokenservice.core.token;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The content of a legacy AccessToken ("006"). Only the CRC-32 of the channel and of the uid string
 * are in the token; {@code expireTs} and privilege values are absolute Unix seconds (0 = never).
 */
public record AccessToken(String appId, long salt, long expireTs, List<Privilege> privileges,
        long crcChannel, long crcUid) {
    public static final int JOIN_CHANNEL = 1;
    public static final int PUBLISH_AUDIO_STREAM = 2;
    public static final int PUBLISH_VIDEO_STREAM = 3;
    public static final int PUBLISH_DATA_STREAM = 4;
    public static final int RTM_LOGIN = 1000;

    public AccessToken {
        Objects.requireNonNull(appId, "appId");
        List<Privilege> sorted = new ArrayList<>(privileges);
        sorted.sort(null);
        privileges = List.copyOf(sorted);
    }

    public Instant expiresAt() {
        return Instant.ofEpochSecond(expireTs);
    }

    public Optional<Long> privilege(int key) {
        for (Privilege p : privileges) {
            if (p.key() == key) {
                return Optional.of(p.value());
            }
        }
        return Optional.empty();
    }
}
