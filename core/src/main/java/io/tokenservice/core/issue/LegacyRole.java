package io.tokenservice.core.issue;

/**
 * AccessToken (006) RTC roles. Attendee, publisher and admin get the publish privileges; subscriber
 * gets join only (the npm, Python and Go behaviour, not the Java reference's swapped one).
 */
public enum LegacyRole {
    ATTENDEE(0, true),
    PUBLISHER(1, true),
    SUBSCRIBER(2, false),
    ADMIN(101, true);

    private final int agoraValue;
    private final boolean publishes;

    LegacyRole(int agoraValue, boolean publishes) {
        this.agoraValue = agoraValue;
        this.publishes = publishes;
    }

    public int agoraValue() {
        return agoraValue;
    }

    public boolean publishes() {
        return publishes;
    }
}
