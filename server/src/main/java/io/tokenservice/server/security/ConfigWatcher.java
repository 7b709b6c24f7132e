package io.tokenservice.server.security;

import io.tokenservice.server.config.ConfigException;
import io.tokenservice.server.config.ConfigLoader;
import io.tokenservice.server.config.Configuration;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * The one watcher of a running server's files: the configuration file and the deny-list file. When either has
 * changed, and then held still for one more poll (so that a file caught half-written is never read), it loads
 * the whole configuration again with the same {@link ConfigLoader} as the start-up and hands the new value to
 * {@code apply}, or keeps everything in force and says why in one WARNING line: when the files do not load, and
 * when they load into what a file cut short would ({@link Configuration#reloadRefusal}). A refused file is
 * reported once per change, not once per poll.
 *
 * <p>{@link #poll()} is what the schedule runs, every {@link #pollInterval} ({@value #CONFIG_FILE_POLL_SECONDS}
 * s, or the deny-list's {@code poll_interval_seconds} if shorter); {@link #reload()} loads at once.
 */
public final class ConfigWatcher implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ConfigWatcher.class.getName());
    static final long CONFIG_FILE_POLL_SECONDS = 5;

    /** What a file looked like: changes to content show in at least one of these. */
    private record Stamp(long modifiedNanos, long size, Object fileKey) {
        static final Stamp MISSING = new Stamp(-1, -1, null);

        static Stamp of(Path file) {
            try {
                BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
                return new Stamp(a.lastModifiedTime().to(TimeUnit.NANOSECONDS), a.size(), a.fileKey());
            } catch (IOException e) {
                return MISSING;
            }
        }
    }

    private final ConfigLoader loader;
    private final Consumer<Configuration> apply;
    private final Consumer<ReloadOutcome> outcomes;
    private Configuration current;
    /** The files as they were when last loaded (whether the load was applied or refused). */
    private Map<Path, Stamp> loaded;
    /** The files as the previous poll saw them. */
    private Map<Path, Stamp> seen;
    private ScheduledExecutorService scheduler;
    private ScheduledFuture<?> polling;
    private Duration scheduledInterval;

    /**
     * @param current the configuration in force (what {@code loader} loaded at start-up)
     * @param apply swaps a newly loaded configuration in; called only with one that loaded without error
     */
    public ConfigWatcher(ConfigLoader loader, Configuration current, Consumer<Configuration> apply) {
        this(loader, current, apply, outcome -> { });
    }

    /** What became of one reload: for the metrics. */
    public enum ReloadOutcome {
        /** The new configuration is in force. */
        APPLIED,
        /** It did not load (an error in a file); the one in force stays. */
        INVALID,
        /** It loaded into what a file cut short would ({@link Configuration#reloadRefusal}); the one in force stays. */
        REFUSED
    }

    /** @param outcomes told the outcome of every reload (from the polling thread, or the caller of {@link #reload}) */
    public ConfigWatcher(ConfigLoader loader, Configuration current, Consumer<Configuration> apply,
            Consumer<ReloadOutcome> outcomes) {
        this.loader = Objects.requireNonNull(loader, "loader");
        this.current = Objects.requireNonNull(current, "current");
        this.apply = Objects.requireNonNull(apply, "apply");
        this.outcomes = Objects.requireNonNull(outcomes, "outcomes");
        this.loaded = stamps(current.watchedFiles());
        this.seen = loaded;
    }

    /** How often {@code configuration}'s files are checked; empty if it has none to watch. */
    public static Optional<Duration> pollInterval(Configuration configuration) {
        if (configuration.watchedFiles().isEmpty()) {
            return Optional.empty();
        }
        Duration configFile = Duration.ofSeconds(CONFIG_FILE_POLL_SECONDS);
        Duration denyList = configuration.security().denyList().pollInterval();
        return Optional.of(denyList.compareTo(configFile) < 0 ? denyList : configFile);
    }

    /** Polls on {@code scheduler} from now on (at the interval the configuration in force asks for). */
    public synchronized void start(ScheduledExecutorService scheduler) {
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        schedule();
    }

    private void schedule() {
        Optional<Duration> interval = pollInterval(current);
        if (scheduler == null || interval.equals(Optional.ofNullable(scheduledInterval))) {
            return;
        }
        if (polling != null) {
            polling.cancel(false);
            polling = null;
        }
        scheduledInterval = interval.orElse(null);
        if (interval.isPresent()) {
            long nanos = interval.get().toNanos();
            polling = scheduler.scheduleWithFixedDelay(this::poll, nanos, nanos, TimeUnit.NANOSECONDS);
        }
    }

    /**
     * Reloads if a watched file changed since it was last loaded and has not changed since the previous poll;
     * otherwise only remembers what it saw. Never throws.
     */
    public synchronized void poll() {
        try {
            Map<Path, Stamp> now = stamps(current.watchedFiles());
            if (now.equals(loaded) || !now.equals(seen)) {
                seen = now;
                return;
            }
            reload();
        } catch (RuntimeException e) {
            LOG.warning("configuration poll failed: " + e.getClass().getName());
        }
    }

    /**
     * Loads the configuration now and applies it if it loads, as a start-up with these files would; otherwise
     * keeps the one in force and logs why, in one line.
     *
     * @return whether a new configuration was applied
     */
    public synchronized boolean reload() {
        Map<Path, Stamp> before = stamps(current.watchedFiles());
        Configuration next;
        try {
            next = loader.load();
        } catch (ConfigException e) {
            return refuse(before, e.getMessage(), ReloadOutcome.INVALID);
        }
        Optional<String> refusal = current.reloadRefusal(next);
        if (refusal.isPresent()) {
            return refuse(before, refusal.get(), ReloadOutcome.REFUSED);
        }
        List<String> restartOnly = current.restartOnlyChanges(next);
        apply.accept(next);
        current = next;
        Map<Path, Stamp> after = stamps(next.watchedFiles());
        before.forEach((file, stamp) -> after.replace(file, stamp));
        loaded = after;
        seen = after;
        LOG.info("configuration reloaded from " + next.watchedFiles() + ": " + next.security()
                + (restartOnly.isEmpty() ? "" : "; " + String.join(", ", restartOnly)
                        + " changed too, which takes effect at the next start"));
        next.warnings().forEach(LOG::warning);
        schedule();
        outcomes.accept(ReloadOutcome.APPLIED);
        return true;
    }

    private boolean refuse(Map<Path, Stamp> files, String why, ReloadOutcome outcome) {
        loaded = files;
        seen = files;
        LOG.warning("configuration not reloaded, keeping the one in force: " + why);
        outcomes.accept(outcome);
        return false;
    }

    /** The configuration in force. */
    public synchronized Configuration current() {
        return current;
    }

    private static Map<Path, Stamp> stamps(List<Path> files) {
        Map<Path, Stamp> stamps = new HashMap<>();
        for (Path file : files) {
            stamps.put(file, Stamp.of(file));
        }
        return stamps;
    }

    /** Stops polling (the scheduler is the caller's). */
    @Override
    public synchronized void close() {
        if (polling != null) {
            polling.cancel(false);
            polling = null;
        }
        scheduler = null;
    }
}
