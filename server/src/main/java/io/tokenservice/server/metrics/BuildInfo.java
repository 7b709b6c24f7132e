package io.tokenservice.server.metrics;

/** The server's version, from the jar's manifest ({@code Implementation-Version}); "dev" when run from classes. */
public final class BuildInfo {
    private BuildInfo() {}

    public static String version() {
        String version = BuildInfo.class.getPackage().getImplementationVersion();
        return version == null ? "dev" : version;
    }
}
