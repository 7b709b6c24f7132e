package io.tokenservice.server.cli;

import picocli.CommandLine.Option;

/** {@code --uid N} or {@code --account A}: an RTC identity, for {@code issue rtc} and {@code inspect}. */
final class IdentityOptions {
    static final long MAX_UID = 0xFFFF_FFFFL;

    @Option(names = "--uid", description = "The numeric uid (0 to 4294967295; 0: any uid)")
    Long uid;

    @Option(names = "--account", description = "The user account (string uid)")
    String account;

    /** Whether {@code --uid} is in range (the proto's uint32); always true with {@code --account}. */
    boolean valid() {
        return uid == null || uid >= 0 && uid <= MAX_UID;
    }

    /** The uid as the proto's uint32 carries it. */
    int uint32() {
        return (int) (long) uid;
    }
}
