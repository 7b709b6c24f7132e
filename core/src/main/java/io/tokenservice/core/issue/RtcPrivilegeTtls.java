package io.tokenservice.core.issue;

/** A lifetime in seconds for each RTC privilege; each must be positive and at most the token's. */
public record RtcPrivilegeTtls(long joinChannel, long publishAudio, long publishVideo, long publishData) {
    public static RtcPrivilegeTtls uniform(long seconds) {
        return new RtcPrivilegeTtls(seconds, seconds, seconds, seconds);
    }
}
