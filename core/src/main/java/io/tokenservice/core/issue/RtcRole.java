package io.tokenservice.core.issue;

/** AccessToken2 RTC roles, numbered as Agora numbers them. */
public enum RtcRole {
    /** Join the channel and publish audio, video and data streams. */
    PUBLISHER(1),
    /** Join only. Agora enforces this only with co-host authentication enabled for the project. */
    SUBSCRIBER(2);

    private final int agoraValue;

    RtcRole(int agoraValue) {
        this.agoraValue = agoraValue;
    }

    public int agoraValue() {
        return agoraValue;
    }
}
