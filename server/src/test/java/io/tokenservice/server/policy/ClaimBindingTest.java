package io.tokenservice.server.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tokenservice.core.issue.RtcRole;
import io.tokenservice.core.issue.Rtm2TokenRequest;
import io.tokenservice.server.access.Caller;
import io.tokenservice.server.access.EndUser;
import io.tokenservice.server.access.GrantRequest;
import io.tokenservice.server.access.RequestedService;
import io.tokenservice.server.access.Rpc;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Claim bindings as the policy gate applies them to end users (JWT callers). */
class ClaimBindingTest {
    private static final String APP = PolicyGateTest.APP;

    private static Caller user(String sub, Map<String, Object> claims) {
        Map<String, Object> all = new java.util.HashMap<>(claims);
        all.put("sub", sub);
        return new Caller("end-user", Caller.AuthMethod.JWT, Optional.of(new EndUser("https://idp/", sub, all)));
    }

    private static PolicyGate gate(ClaimBinding binding) {
        return new PolicyGate(Map.of("end-user", CallerPolicy.endUserQuickStart()), Map.of("end-user", binding));
    }

    private static ClaimBinding channels(String... templates) {
        return new ClaimBinding(Optional.of("sub"), java.util.Arrays.stream(templates)
                .map(ClaimBinding.ChannelTemplate::parse).toList(), Optional.empty());
    }

    private static GrantRequest rtc(String channel, String identity) {
        return new GrantRequest(Rpc.ISSUE_RTC_TOKEN, APP, List.of(RequestedService.rtc(channel, identity,
                RtcRole.PUBLISHER)), 600);
    }

    private static GrantRequest rtm(String userId) {
        return new GrantRequest(Rpc.ISSUE_RTM_TOKEN, APP, List.of(RequestedService.rtm(userId)), 600);
    }

    private static String denial(PolicyGate gate, Caller caller, GrantRequest request) {
        StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, () -> gate.check(caller, request));
        assertThat(e).as("expected a refusal").isNotNull();
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        return e.getStatus().getDescription();
    }

    private static void allowed(PolicyGate gate, Caller caller, GrantRequest request) {
        assertThatCode(() -> gate.check(caller, request)).doesNotThrowAnyException();
    }

    @Test
    void theIdentityMustBeTheSubject() {
        PolicyGate gate = gate(ClaimBinding.identityIsSubject());
        Caller alice = user("alice", Map.of());
        allowed(gate, alice, rtc("any", "alice"));
        allowed(gate, alice, rtm("alice"));
        assertThat(denial(gate, alice, rtc("any", "bob"))).isEqualTo("policy of caller 'end-user': bind.identity: "
                + "RTC uid/account 'bob' is not the token's 'sub' claim");
        assertThat(denial(gate, alice, rtm("bob"))).contains("RTM user id 'bob' is not the token's 'sub' claim");
        GrantRequest chat = new GrantRequest(Rpc.ISSUE_CHAT_TOKEN, APP, List.of(RequestedService.chat("bob")), 600);
        assertThat(denial(gate, alice, chat)).contains("Chat user id 'bob'");
        GrantRequest both = new GrantRequest(Rpc.ISSUE_RTC_TOKEN, APP, List.of(RequestedService.rtc("c", "alice",
                RtcRole.PUBLISHER), RequestedService.rtm("bob")), 600);
        assertThat(denial(gate, alice, both)).as("every service of the grant").contains("RTM user id 'bob'");
    }

    @Test
    void aNumericUidComparesAsItsDecimalString() {
        PolicyGate gate = gate(ClaimBinding.identityIsSubject());
        allowed(gate, user("42", Map.of()), rtc("c", "42"));
        assertThat(denial(gate, user("042", Map.of()), rtc("c", "42"))).contains("'42' is not the token's 'sub'");
        assertThat(denial(gate, user("42.0", Map.of()), rtc("c", "42"))).contains("is not the token's");
        PolicyGate byUid = gate(new ClaimBinding(Optional.of("uid"), List.of(), Optional.empty()));
        allowed(byUid, user("alice", Map.of("uid", 4294967295L)), rtc("c", "4294967295"));
        assertThat(denial(byUid, user("alice", Map.of("uid", 42.5)), rtc("c", "42")))
                .contains("the token has no text claim 'uid'");
        assertThat(denial(byUid, user("alice", Map.of()), rtc("c", "42"))).contains("no text claim 'uid'");
    }

    @Test
    void neitherTheWildcardNorAChatAppTokenIsTheUsersOwn() {
        CallerPolicy wide = new CallerPolicy(GlobList.any(), java.util.EnumSet.allOf(
                io.tokenservice.server.access.ServiceKind.class), GlobList.any(), GlobList.any(),
                java.util.EnumSet.allOf(RtcRole.class), 3600, true, true, false, false);
        PolicyGate gate = new PolicyGate(Map.of("end-user", wide), Map.of("end-user", ClaimBinding.identityIsSubject()));
        Caller alice = user("alice", Map.of());
        assertThat(denial(gate, alice, rtc("c", "0"))).contains("bind.identity: sub allows only the user's own");
        assertThat(denial(gate, alice, rtc("c", ""))).contains("bind.identity");
        assertThat(denial(gate, alice, new GrantRequest(Rpc.ISSUE_CHAT_TOKEN, APP, List.of(RequestedService.chat("")),
                600))).contains("bind.identity");
    }

    @Test
    void anEndUsersRtm2ResourcesAndApaasGrantsAreBoundLikeChannelsAndIdentities() {
        PolicyGate gate = gate(channels("room-{sub}-*"));
        Caller alice = user("alice", Map.of());
        GrantRequest own = new GrantRequest(Rpc.ISSUE_RTM_TOKEN, APP, List.of(RequestedService.rtm("alice", List.of(
                Rtm2TokenRequest.permission(Rtm2TokenRequest.ResourceType.STREAM_CHANNELS, Rtm2TokenRequest.Access.WRITE,
                        List.of("room-alice-1")),
                Rtm2TokenRequest.permission(Rtm2TokenRequest.ResourceType.USERS, Rtm2TokenRequest.Access.READ,
                        List.of("alice"))))), 600);
        allowed(gate, alice, own);
        GrantRequest othersChannel = new GrantRequest(Rpc.ISSUE_RTM_TOKEN, APP, List.of(RequestedService.rtm("alice",
                List.of(Rtm2TokenRequest.permission(Rtm2TokenRequest.ResourceType.MESSAGE_CHANNELS,
                        Rtm2TokenRequest.Access.READ, List.of("room-bob-1"))))), 600);
        assertThat(denial(gate, alice, othersChannel)).contains("bind.channels: channel 'room-bob-1'");
        GrantRequest othersMessages = new GrantRequest(Rpc.ISSUE_RTM_TOKEN, APP, List.of(RequestedService.rtm("alice",
                List.of(Rtm2TokenRequest.permission(Rtm2TokenRequest.ResourceType.USERS, Rtm2TokenRequest.Access.READ,
                        List.of("bob"))))), 600);
        assertThat(denial(gate, alice, othersMessages)).contains("bind.identity: RTM2 user resource 'bob'");

        allowed(gate, alice, new GrantRequest(Rpc.ISSUE_APAAS_TOKEN, APP,
                List.of(RequestedService.apaasRoomUser("room-alice-1", "alice", 2)), 600));
        assertThat(denial(gate, alice, new GrantRequest(Rpc.ISSUE_APAAS_TOKEN, APP,
                List.of(RequestedService.apaasRoomUser("room-bob-1", "alice", 2)), 600))).contains("bind.channels");
        assertThat(denial(gate, alice, new GrantRequest(Rpc.ISSUE_APAAS_TOKEN, APP,
                List.of(RequestedService.apaas("bob")), 600))).contains("APaaS user uuid 'bob'");
        assertThat(denial(gate, alice, new GrantRequest(Rpc.ISSUE_APAAS_TOKEN, APP,
                List.of(RequestedService.apaas("")), 600))).as("an app token is nobody's own")
                .contains("not allowed (allow_apaas_app_token: false)");
    }

    @Test
    void channelsFromATemplate() {
        PolicyGate gate = gate(channels("room-{sub}-*", "dm-{sub}"));
        Caller alice = user("alice", Map.of());
        allowed(gate, alice, rtc("room-alice-1", "alice"));
        allowed(gate, alice, rtc("dm-alice", "alice"));
        assertThat(denial(gate, alice, rtc("room-bob-1", "alice"))).isEqualTo("policy of caller 'end-user': "
                + "bind.channels: channel 'room-bob-1' matches none of [room-{sub}-*, dm-{sub}]");
        assertThat(denial(gate, alice, rtc("dm-alice2", "alice"))).contains("bind.channels");
    }

    @Test
    void aClaimNeverWidensATemplate() {
        PolicyGate gate = new PolicyGate(Map.of("end-user", CallerPolicy.endUserQuickStart()), Map.of("end-user",
                new ClaimBinding(Optional.empty(), List.of(ClaimBinding.ChannelTemplate.parse("team-{team}")),
                        Optional.empty())));
        allowed(gate, user("a", Map.of("team", "red")), rtc("team-red", "a"));
        for (Object team : List.of("*", "r?d", "", 7.5, List.of("red"))) {
            assertThat(denial(gate, user("a", Map.of("team", team)), rtc("team-red", "a"))).contains("bind.channels");
        }
        allowed(gate, user("a", Map.of("team", 7L)), rtc("team-7", "a"));
        assertThat(denial(gate, user("a", Map.of()), rtc("team-red", "a"))).contains("bind.channels");
    }

    @Test
    void channelsFromAListClaim() {
        PolicyGate gate = gate(new ClaimBinding(Optional.of("sub"), List.of(ClaimBinding.ChannelTemplate.parse(
                "own-{sub}")), Optional.of("rooms")));
        Caller alice = user("alice", Map.of("rooms", List.of("math-101", "chem-7")));
        allowed(gate, alice, rtc("math-101", "alice"));
        allowed(gate, alice, rtc("own-alice", "alice"));
        assertThat(denial(gate, alice, rtc("math-*", "alice"))).as("listed names are exact, not globs")
                .isEqualTo("policy of caller 'end-user': bind.channels: channel 'math-*' matches none of [own-{sub}]"
                        + " and is not listed in the token's 'rooms' claim");
        allowed(gate, user("bob", Map.of("rooms", "solo")), rtc("solo", "bob"));
    }

    @Test
    void theBindingOnlyNarrowsThePolicy() {
        CallerPolicy teamOnly = CallerPolicy.endUserQuickStart().withChannels(GlobList.of(List.of("room-*")));
        PolicyGate gate = new PolicyGate(Map.of("end-user", teamOnly), Map.of("end-user", channels("{sub}")));
        assertThat(denial(gate, user("alice", Map.of()), rtc("alice", "alice"))).contains("matches none of [room-*]");
        assertThat(denial(gate, user("alice", Map.of()), rtc("room-x", "alice"))).contains("bind.channels");
        allowed(gate, user("room-x", Map.of()), rtc("room-x", "room-x"));
    }

    @Test
    void aBoundCallerWithoutAnEndUserIsRefused() {
        assertThat(denial(gate(ClaimBinding.identityIsSubject()), new Caller("end-user", Caller.AuthMethod.API_KEY),
                rtc("c", "alice"))).contains("carries no end user's token");
    }

    @Test
    void templatesAndClaimNamesAreCheckedAtLoad() {
        assertThatIllegalArgumentException().isThrownBy(() -> ClaimBinding.ChannelTemplate.parse("room-{sub"))
                .withMessageContaining("brace");
        assertThatIllegalArgumentException().isThrownBy(() -> ClaimBinding.ChannelTemplate.parse("room-}"))
                .withMessageContaining("brace");
        assertThatIllegalArgumentException().isThrownBy(() -> ClaimBinding.ChannelTemplate.parse("room-{}"))
                .withMessageContaining("not a claim name");
        assertThatIllegalArgumentException().isThrownBy(() -> ClaimBinding.ChannelTemplate.parse("room-{a b}"))
                .withMessageContaining("not a claim name");
        assertThat(ClaimBinding.ChannelTemplate.parse("r-{sub}-{org}").claims()).containsExactly("sub", "org");
    }
}
