package io.tokenservice.server.denylist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tokenservice.core.issue.RtcRole;
import io.tokenservice.server.access.Caller;
import io.tokenservice.server.access.GrantRequest;
import io.tokenservice.server.access.RequestedService;
import io.tokenservice.server.access.Rpc;
import io.tokenservice.server.testing.LogCapture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DenyListGateTest {
    private static final Caller WEB = new Caller("web", Caller.AuthMethod.API_KEY);

    @TempDir
    Path dir;

    static GrantRequest rtc(Rpc rpc, String channel, String identity) {
        return new GrantRequest(rpc, "app", List.of(RequestedService.rtc(channel, identity, RtcRole.PUBLISHER)), 60);
    }

    static String denial(DenyListGate gate, GrantRequest request) {
        StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, () -> gate.check(WEB, request));
        assertThat(e).as("expected a deny-list refusal").isNotNull();
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        return e.getStatus().getDescription();
    }

    @Test
    void parsesTheDocumentedFormat() {
        DenyList list = DenyList.parse("""
                # soft revocations
                uid:123
                  uid:000456\r
                account:bob
                user:alice smith
                channel:evil-room
                channel:#with hash

                """);
        assertThat(list.identities()).containsExactlyInAnyOrder("123", "456", "bob", "alice smith");
        assertThat(list.channels()).containsExactlyInAnyOrder("evil-room", "#with hash");
        assertThat(DenyList.parse("").size()).isZero();
        assertThat(DenyList.parse("# only a comment\n\n")).isSameAs(DenyList.empty());
    }

    @Test
    void rejectsInvalidLinesNamingThem() {
        assertThatThrownBy(() -> DenyList.parse("uid:1\nfoo:bar")).hasMessage(
                "line 2: unknown entry type 'foo' (use uid, account, user or channel)");
        assertThatThrownBy(() -> DenyList.parse("uid:abc")).hasMessage("line 1: uid is not a number");
        assertThatThrownBy(() -> DenyList.parse("uid:0")).hasMessage("line 1: uid must be between 1 and 4294967295");
        assertThatThrownBy(() -> DenyList.parse("uid:4294967296")).hasMessageContaining("between 1 and");
        assertThatThrownBy(() -> DenyList.parse("\n\nbob")).hasMessageStartingWith("line 3: expected <type>:<value>");
        assertThatThrownBy(() -> DenyList.parse("channel:")).hasMessageStartingWith("line 1: expected");
    }

    @Test
    void refusesIssueAndRenewButNotInspect() {
        DenyListGate gate = DenyListGate.of(DenyList.parse("uid:123\naccount:bob\nchannel:evil-room"));
        assertThat(denial(gate, rtc(Rpc.ISSUE_RTC_TOKEN, "evil-room", "7"))).isEqualTo("deny-list: channel 'evil-room' is denied");
        assertThat(denial(gate, rtc(Rpc.RENEW_TOKEN, "ok", "123"))).isEqualTo("deny-list: uid '123' is denied");
        assertThat(denial(gate, rtc(Rpc.ISSUE_RTC_TOKEN, "ok", "bob"))).isEqualTo("deny-list: account 'bob' is denied");
        assertThat(denial(gate, new GrantRequest(Rpc.ISSUE_RTM_TOKEN, "app", List.of(RequestedService.rtm("bob")), 60)))
                .isEqualTo("deny-list: RTM user id 'bob' is denied");
        assertThat(denial(gate, new GrantRequest(Rpc.ISSUE_CHAT_TOKEN, "app", List.of(RequestedService.chat("123")), 60)))
                .isEqualTo("deny-list: Chat user id '123' is denied");
        assertThat(denial(gate, new GrantRequest(Rpc.RENEW_TOKEN, "app", List.of(
                RequestedService.rtc("ok", "7", RtcRole.PUBLISHER), RequestedService.rtm("bob")), 60)))
                .contains("RTM user id 'bob'");
        assertThatCode(() -> gate.check(WEB, rtc(Rpc.ISSUE_RTC_TOKEN, "ok", "7"))).doesNotThrowAnyException();
        assertThatCode(() -> gate.check(WEB, rtc(Rpc.ISSUE_RTC_TOKEN, "ok", ""))).doesNotThrowAnyException();
        assertThatCode(() -> gate.check(WEB, new GrantRequest(Rpc.INSPECT_TOKEN, "app", List.of(), 0)))
                .doesNotThrowAnyException();
        assertThatCode(() -> DenyListGate.disabled().check(WEB, rtc(Rpc.ISSUE_RTC_TOKEN, "evil-room", "123")))
                .doesNotThrowAnyException();
    }

    @Test
    void explicitReloadPicksUpChangesAndKeepsTheListOnBrokenFiles() throws IOException {
        Path file = dir.resolve("deny.txt");
        Files.writeString(file, "channel:evil-room\n");
        try (DenyListGate gate = DenyListGate.load(file); LogCapture logs = LogCapture.all()) {
            assertThat(denial(gate, rtc(Rpc.ISSUE_RTC_TOKEN, "evil-room", "7"))).contains("evil-room");
            assertThatCode(() -> gate.check(WEB, rtc(Rpc.ISSUE_RTC_TOKEN, "ok", "42"))).doesNotThrowAnyException();

            replace(file, "channel:evil-room\nuid:42\n");
            assertThat(gate.reload()).isTrue();
            assertThat(denial(gate, rtc(Rpc.ISSUE_RTC_TOKEN, "ok", "42"))).isEqualTo("deny-list: uid '42' is denied");

            replace(file, "uid:42\nthis is not an entry\n");
            assertThat(gate.reload()).isFalse();
            assertThat(gate.current().channels()).containsExactly("evil-room");
            assertThat(denial(gate, rtc(Rpc.ISSUE_RTC_TOKEN, "evil-room", "7"))).contains("evil-room");

            Files.delete(file);
            assertThat(gate.reload()).isFalse();
            assertThat(gate.current().size()).isEqualTo(2);

            List<String> warnings = logs.lines().stream().filter(l -> l.contains("not reloaded")).toList();
            assertThat(warnings).hasSize(2);
            assertThat(warnings.get(0)).contains("line 2: expected <type>:<value>").contains("keeping the previous list");
            assertThat(warnings.get(1)).contains("file not found");
        }
    }

    @Test
    void startupRefusesABrokenOrMissingFile() {
        assertThatThrownBy(() -> DenyListGate.load(dir.resolve("missing.txt"))).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> {
            Path broken = dir.resolve("broken.txt");
            Files.writeString(broken, "nonsense");
            DenyListGate.load(broken);
        }).isInstanceOf(IOException.class).hasMessageContaining("line 1");
    }

    @Test
    void pollingPicksUpAChangedFileWithoutRestartAndLogsABrokenOneOnce() throws Exception {
        Path file = dir.resolve("deny.txt");
        Files.writeString(file, "# nothing yet\n");
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        try (DenyListGate gate = DenyListGate.load(file); LogCapture logs = LogCapture.all()) {
            gate.startWatching(scheduler, Duration.ofMillis(20));
            assertThatCode(() -> gate.check(WEB, rtc(Rpc.ISSUE_RTC_TOKEN, "room", "bob"))).doesNotThrowAnyException();

            replace(file, "account:bob\n");
            awaitUntil(() -> gate.current().deniesIdentity("bob"));
            assertThat(denial(gate, rtc(Rpc.ISSUE_RTC_TOKEN, "room", "bob"))).isEqualTo("deny-list: account 'bob' is denied");

            replace(file, "garbage\n");
            awaitUntil(() -> logs.lines().stream().anyMatch(l -> l.contains("not reloaded")));
            Thread.sleep(200); // ten more polls of the unchanged broken file
            assertThat(logs.lines().stream().filter(l -> l.contains("not reloaded"))).hasSize(1);
            assertThat(gate.current().deniesIdentity("bob")).isTrue();

            replace(file, "channel:room\n");
            awaitUntil(() -> gate.current().deniesChannel("room"));
            assertThat(gate.current().deniesIdentity("bob")).isFalse();
        } finally {
            scheduler.shutdownNow();
        }
    }

    @Test
    void switchingFilesIsStrict() throws IOException {
        Path a = dir.resolve("a.txt");
        Path b = dir.resolve("b.txt");
        Files.writeString(a, "channel:a\n");
        Files.writeString(b, "channel:b\n");
        try (DenyListGate gate = DenyListGate.load(a)) {
            gate.switchTo(Optional.of(b));
            assertThat(gate.current().channels()).containsExactly("b");
            assertThatThrownBy(() -> gate.switchTo(Optional.of(dir.resolve("missing"))))
                    .isInstanceOf(IOException.class);
            assertThat(gate.file()).contains(b);
            gate.switchTo(Optional.empty());
            assertThat(gate.current().size()).isZero();
            assertThat(gate.reload()).isTrue();
        }
    }

    /** Atomic replacement, as the documentation asks operators to do. */
    static void replace(Path file, String content) throws IOException {
        Path tmp = Files.createTempFile(file.getParent(), "deny", ".tmp");
        Files.writeString(tmp, content);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    static void awaitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 10 s");
            }
            Thread.sleep(10);
        }
    }
}
