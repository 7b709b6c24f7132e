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
import java.util.List;
import org.junit.jupiter.api.Test;

class DenyListGateTest {
    private static final Caller WEB = new Caller("web", Caller.AuthMethod.API_KEY);

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
        DenyListGate digits = DenyListGate.of(DenyList.parse("account:007"));
        assertThat(denial(digits, rtc(Rpc.ISSUE_RTC_TOKEN, "ok", "007")))
                .as("digits with a leading zero are an account, never uid 7").isEqualTo("deny-list: account '007' is denied");
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
        assertThatCode(() -> DenyListGate.of(DenyList.empty()).check(WEB, rtc(Rpc.ISSUE_RTC_TOKEN, "evil-room", "123")))
                .doesNotThrowAnyException();
    }
}
