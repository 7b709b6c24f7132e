package io.tokenservice.server.access;

/** The Agora products a caller's policy can allow, as named in configuration. */
public enum ServiceKind {
    RTC,
    RTM,
    CHAT
}
