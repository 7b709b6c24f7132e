package io.tokenservice.server.security;

import static io.tokenservice.server.testing.TestApps.APP_ID;
import static io.tokenservice.server.testing.TestApps.CERT;
import static org.assertj.core.api.Assertions.assertThat;

import io.tokenservice.server.auth.ApiKeyRegistry;
import io.tokenservice.server.config.ConfigLoader;
import io.tokenservice.server.config.Configuration;
import io.tokenservice.server.testing.LogCapture;
import io.tokenservice.server.testing.TestSecrets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The watcher of the configuration and deny-list files, driven by calling {@link ConfigWatcher#poll()} directly:
 * a change is loaded once it has held still for one poll, applied whole or not at all, and a refusal is one log
 * line per change.
 */
class ConfigWatcherTest {
    private static final String KEY = TestSecrets.register("tsk_config_watcher_test_key_001");

    @TempDir
    Path dir;

    private Path config;
    private Path denyList;
    private final List<Configuration> applied = new ArrayList<>();
    private LogCapture log;
    private ConfigWatcher watcher;

    static String yaml(String channels, String denyListPath) {
        return """
                apps:
                  - app_id: %s
                    primary_certificate: %s
                security:
                  callers:
                    web:
                      api_keys: ["%s"]
                      apps: ["*"]
                      services: [rtc]
                      channels: [%s]
                      roles: [subscriber]
                  deny_list: {path: %s}
                """.formatted(APP_ID, CERT, ApiKeyRegistry.configHash(KEY), channels, denyListPath);
    }

    /** Replaces a file in one step (write elsewhere, then rename), as deployment tools and ConfigMaps do. */
    static void replace(Path file, String content) throws Exception {
        Path tmp = Files.createTempFile(file.getParent(), "replace", ".tmp");
        Files.writeString(tmp, content);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    @BeforeEach
    void start() throws Exception {
        config = dir.resolve("token-service.yaml");
        denyList = dir.resolve("deny.txt");
        replace(config, yaml("\"team-*\"", "deny.txt"));
        replace(denyList, "channel:team-x\n");
        log = LogCapture.of(ConfigWatcher.class.getName());
        ConfigLoader loader = ConfigLoader.of(Map.of("TOKEN_SERVICE_CONFIG", config.toString()), dir);
        watcher = new ConfigWatcher(loader, loader.load(), applied::add);
    }

    @AfterEach
    void stop() {
        watcher.close();
        log.close();
    }

    private String channelsOfWeb() {
        return watcher.current().security().policies().get("web").channels().toString();
    }

    @Test
    void aChangedFileIsAppliedOnceItHeldStillForOnePoll() throws Exception {
        watcher.poll();
        assertThat(applied).as("nothing changed").isEmpty();

        replace(config, yaml("\"lobby\"", "deny.txt"));
        watcher.poll();
        assertThat(applied).as("changed since the last poll: wait one more").isEmpty();
        watcher.poll();
        assertThat(applied).hasSize(1);
        assertThat(channelsOfWeb()).isEqualTo("[lobby]");
        watcher.poll();
        assertThat(applied).as("applied once").hasSize(1);
        assertThat(log.messages(Level.INFO)).containsExactly("configuration reloaded from [" + config + ", " + denyList
                + "]: callers [web], 1 API key(s), 0 certificate subject(s), deny-list " + denyList + " (1 entries)");
    }

    @Test
    void aFileCaughtHalfWrittenIsNeverApplied() throws Exception {
        // An editor that rewrites in place: first the start of the file (valid YAML without the deny-list) ...
        String whole = yaml("\"lobby\"", "deny.txt");
        Files.writeString(config, whole.substring(0, whole.indexOf("  deny_list")));
        watcher.poll();
        // ... then the rest, before the next poll.
        Files.writeString(config, whole);
        watcher.poll();
        watcher.poll();

        assertThat(applied).hasSize(1);
        assertThat(applied.get(0).security().denyList().entries().deniesChannel("team-x")).isTrue();
    }

    @Test
    void aBrokenFileKeepsEverythingInForceAndIsReportedOncePerChange() throws Exception {
        replace(config, yaml("\"lobby\"", "deny.txt").replace("roles:", "rolez:"));
        for (int i = 0; i < 5; i++) {
            watcher.poll();
        }
        assertThat(applied).isEmpty();
        assertThat(channelsOfWeb()).isEqualTo("[team-*]");
        assertThat(log.messages(Level.WARNING)).containsExactly("configuration not reloaded, keeping the one in force: "
                + "TOKEN_SERVICE_CONFIG " + config + ": security.callers.web.rolez (line 11): unknown key; expected one of "
                + "[allow_apaas_app_token, allow_chat_app_token, allow_wildcard, api_keys, apps, bind, channels, "
                + "client_certificates, identities, jwt, max_ttl_seconds, may_inspect, may_renew, rate_limit, roles, services]");

        replace(config, yaml("\"lobby\"", "deny.txt"));
        watcher.poll();
        watcher.poll();
        assertThat(channelsOfWeb()).isEqualTo("[lobby]");
    }

    @Test
    void theDenyListIsAppliedWithTheConfigurationOrNotAtAll() throws Exception {
        replace(denyList, "channel:team-x\naccount:bob\n");
        watcher.poll();
        watcher.poll();
        assertThat(watcher.current().security().denyList().entries().deniesIdentity("bob")).isTrue();

        // A deny-list that does not parse is refused like a broken configuration file.
        replace(denyList, "account:bob\nnot an entry\n");
        watcher.poll();
        watcher.poll();
        assertThat(watcher.current().security().denyList().entries().deniesChannel("team-x")).isTrue();
        assertThat(log.messages(Level.WARNING)).singleElement().asString()
                .endsWith("security.deny_list.path (line 12): " + denyList + ": line 2: expected <type>:<value>, e.g. "
                        + "uid:123, account:bob or channel:room");

        // A good deny-list with a broken configuration file: neither is applied.
        replace(config, "apps: [");
        replace(denyList, "channel:other\n");
        watcher.poll();
        watcher.poll();
        assertThat(watcher.current().security().denyList().entries().deniesChannel("team-x")).isTrue();
        assertThat(watcher.current().security().denyList().entries().deniesChannel("other")).isFalse();
        assertThat(applied).hasSize(1);
    }

    @Test
    void anAtomicReplacementIsSeenEvenWithTheOldModificationTime() throws Exception {
        FileTime before = Files.getLastModifiedTime(config);
        replace(config, yaml("\"lobby\"", "deny.txt"));
        Files.setLastModifiedTime(config, before);
        watcher.poll();
        watcher.poll();
        assertThat(channelsOfWeb()).isEqualTo("[lobby]");
    }

    @Test
    void aReloadNamesTheChangesThatNeedARestart() throws Exception {
        replace(config, yaml("\"lobby\"", "deny.txt") + "grpc_port: 6001\n");
        assertThat(watcher.reload()).isTrue();
        assertThat(log.messages(Level.INFO)).singleElement().asString().endsWith(
                "; grpc_port/renew_grace_seconds/shutdown_grace_seconds changed too, which takes effect at the next start");
    }

    @Test
    void itPollsEveryFiveSecondsOrAsOftenAsTheDenyListAsks() throws Exception {
        List<Long> intervals = new ArrayList<>();
        ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1) {
            @Override
            public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay,
                    TimeUnit unit) {
                intervals.add(unit.toMillis(delay));
                return schedule(() -> { }, 1, TimeUnit.DAYS);
            }
        };
        try {
            watcher.start(scheduler);
            replace(config, yaml("\"lobby\"", "deny.txt").replace("{path: deny.txt}",
                    "{path: deny.txt, poll_interval_seconds: 2}"));
            watcher.reload();
            watcher.reload();
            assertThat(intervals).containsExactly(5000L, 2000L);
            assertThat(ConfigWatcher.pollInterval(watcher.current())).contains(Duration.ofSeconds(2));
        } finally {
            scheduler.shutdownNow();
        }
    }
}
