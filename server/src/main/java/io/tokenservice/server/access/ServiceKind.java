package io.tokenservice.server.access;

/** The Agora products a caller's policy can allow, as named in configuration. */
public enum ServiceKind {
    RTC,
    /** RTM login, with or without RTM 2.x resource permissions. */
    RTM,
    CHAT,
    /** Flexible Classroom (APaaS); a room-user token also logs in to RTM and Chat. */
    APAAS
}
