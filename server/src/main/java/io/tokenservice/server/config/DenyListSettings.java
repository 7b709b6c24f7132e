package io.tokenservice.server.config;

import io.tokenservice.server.denylist.DenyList;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The deny-list in force ({@code security.deny_list}): the file it was read from, if any, its entries as read
 * with the rest of the configuration, and how often the file is checked for changes.
 */
public record DenyListSettings(Optional<Path> file, DenyList entries, Duration pollInterval) {
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(5);
    public static final Duration MAX_POLL_INTERVAL = Duration.ofDays(1);

    /** No deny-list. */
    public static final DenyListSettings NONE = new DenyListSettings(Optional.empty(), DenyList.empty(),
            DEFAULT_POLL_INTERVAL);

    public DenyListSettings {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(entries, "entries");
        if (pollInterval.compareTo(Duration.ofSeconds(1)) < 0 || pollInterval.compareTo(MAX_POLL_INTERVAL) > 0) {
            throw new ConfigException("deny-list poll interval must be from 1 s to 1 day, got " + pollInterval);
        }
    }

    @Override
    public String toString() {
        return file.map(f -> f + " (" + entries.size() + " entries)").orElse("none");
    }
}
