package io.tokenservice.server.testing;

import java.time.Instant;
import java.util.List;

/** App IDs and certificates used across the server tests. */
public final class TestApps {
    public static final String APP_ID = "970ca35de60c44645bbae8a215061b33";
    public static final String CERT = "5cfd2fd1755d40ecb72977518be15d3b";
    /** The certificate APP_ID used before a rotation (configured as its secondary). */
    public static final String OLD_CERT = "a1b2c3d4e5f60718293a4b5c6d7e8f90";
    public static final String OTHER_APP_ID = "0123456789abcdef0123456789abcdef";
    public static final String OTHER_CERT = "fedcba9876543210fedcba9876543210";
    /** A certificate no test server holds: "another environment's". */
    public static final String FOREIGN_CERT = "00112233445566778899aabbccddeeff";
    public static final String UNKNOWN_APP_ID = "deadbeefdeadbeefdeadbeefdeadbeef";

    /** Every secret a test server holds, for "never in a log or error" assertions. */
    public static final List<String> SECRETS =
            TestSecrets.registerAll(List.of(CERT, OLD_CERT, OTHER_CERT, FOREIGN_CERT));

    /** The tests' "now": issued tokens carry this issue time. */
    public static final Instant T0 = Instant.parse("2025-06-01T12:00:00Z");

    private TestApps() {}
}
