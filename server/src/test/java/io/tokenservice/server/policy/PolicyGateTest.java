package io.tokenservice.server.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tokenservice.core.issue.RtcRole;
import io.tokenservice.server.access.Caller;
import io.tokenservice.server.access.GrantRequest;
import io.tokenservice.server.access.RequestedService;
import io.tokenservice.server.access.Rpc;
import io.tokenservice.server.access.ServiceKind;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PolicyGateTest {
    static final String APP = "0123456789abcdef0123456789abcdef";
    static final String OTHER_APP = "fedcba9876543210fedcba9876543210";
    static final Caller WEB = new Caller("web", Caller.AuthMethod.API_KEY);

    static CallerPolicy webPolicy() {
        return new CallerPolicy(GlobList.of(List.of(APP)), EnumSet.of(ServiceKind.RTC, ServiceKind.RTM),
                GlobList.of(List.of("team-*", "lobby")), GlobList.of(List.of("user-*", "1??")),
                EnumSet.of(RtcRole.SUBSCRIBER), 3600, false, false, true, false);
    }

    private PolicyGate gate = new PolicyGate(Map.of("web", webPolicy()));

    /** The gate of a configuration in which caller web has policy {@code p}. */
    private void use(CallerPolicy p) {
        gate = new PolicyGate(Map.of("web", p));
    }

    static GrantRequest rtc(String channel, String identity, RtcRole role, long ttl) {
        return new GrantRequest(Rpc.ISSUE_RTC_TOKEN, APP, List.of(RequestedService.rtc(channel, identity, role)), ttl);
    }

    private String denial(GrantRequest request) {
        return denial(WEB, request);
    }

    private String denial(Caller caller, GrantRequest request) {
        StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, () -> gate.check(caller, request));
        assertThat(e).as("expected a refusal").isNotNull();
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        return e.getStatus().getDescription();
    }

    private void allowed(GrantRequest request) {
        assertThatCode(() -> gate.check(WEB, request)).doesNotThrowAnyException();
    }

    @Test
    void withinPolicyIsAllowed() {
        allowed(rtc("team-red", "user-7", RtcRole.SUBSCRIBER, 3600));
        allowed(rtc("lobby", "123", RtcRole.SUBSCRIBER, 60));
        allowed(new GrantRequest(Rpc.ISSUE_RTM_TOKEN, APP, List.of(RequestedService.rtm("user-1")), 600));
        allowed(new GrantRequest(Rpc.ISSUE_RTC_TOKEN, APP, List.of(RequestedService.rtc("team-a", "user-1",
                RtcRole.SUBSCRIBER), RequestedService.rtm("user-1")), 600));
    }

    @Test
    void unknownCallerMayDoNothing() {
        assertThat(denial(new Caller("stranger", Caller.AuthMethod.API_KEY), rtc("team-a", "user-1",
                RtcRole.SUBSCRIBER, 60))).isEqualTo("no policy is configured for caller 'stranger'");
        assertThat(denial(new Caller("stranger", Caller.AuthMethod.MUTUAL_TLS),
                new GrantRequest(Rpc.INSPECT_TOKEN, APP, List.of(), 0))).contains("no policy");
    }

    @Test
    void appGlobsMatchAppIdsIgnoringLetterCase() {
        use(new CallerPolicy(CallerPolicy.appGlobs(List.of("0123456789ABCDEF*")), EnumSet.of(ServiceKind.RTC),
                GlobList.any(), GlobList.any(), EnumSet.of(RtcRole.SUBSCRIBER), 3600, false, false, false, false));

        allowed(rtc("team-a", "user-1", RtcRole.SUBSCRIBER, 60));
        allowed(new GrantRequest(Rpc.ISSUE_RTC_TOKEN, APP.toUpperCase(java.util.Locale.ROOT),
                List.of(RequestedService.rtc("team-a", "user-1", RtcRole.SUBSCRIBER)), 60));
        assertThat(denial(new GrantRequest(Rpc.ISSUE_RTC_TOKEN, OTHER_APP,
                List.of(RequestedService.rtc("team-a", "user-1", RtcRole.SUBSCRIBER)), 60))).contains("matches none");
    }

    @Test
    void appRule() {
        assertThat(denial(new GrantRequest(Rpc.ISSUE_RTC_TOKEN, OTHER_APP,
                List.of(RequestedService.rtc("team-a", "user-1", RtcRole.SUBSCRIBER)), 60)))
                .isEqualTo("policy of caller 'web': app '" + OTHER_APP + "' matches none of [" + APP + "]");
    }

    @Test
    void serviceRule() {
        assertThat(denial(new GrantRequest(Rpc.ISSUE_CHAT_TOKEN, APP, List.of(RequestedService.chat("user-1")), 60)))
                .isEqualTo("policy of caller 'web': service chat is not allowed (services: [rtc, rtm])");
    }

    @Test
    void channelRule() {
        assertThat(denial(rtc("x", "user-1", RtcRole.SUBSCRIBER, 60)))
                .isEqualTo("policy of caller 'web': channel 'x' matches none of [team-*, lobby]");
        assertThat(denial(rtc("lobby2", "user-1", RtcRole.SUBSCRIBER, 60))).contains("channel 'lobby2'");
    }

    @Test
    void identityRule() {
        assertThat(denial(rtc("lobby", "admin", RtcRole.SUBSCRIBER, 60)))
                .isEqualTo("policy of caller 'web': identity 'admin' matches none of [user-*, 1??]");
        assertThat(denial(rtc("lobby", "1234", RtcRole.SUBSCRIBER, 60))).contains("identity '1234'");
        assertThat(denial(new GrantRequest(Rpc.ISSUE_RTM_TOKEN, APP, List.of(RequestedService.rtm("admin")), 60)))
                .contains("RTM user id 'admin' matches none of");
    }

    @Test
    void uidZeroAndEmptyAccountAreRefusedByDefault() {
        String expected = "policy of caller 'web': the wildcard identity (uid 0 / empty account: anyone may join)"
                + " is not allowed (allow_wildcard: false)";
        assertThat(denial(rtc("lobby", "", RtcRole.SUBSCRIBER, 60))).isEqualTo(expected);
        assertThat(denial(rtc("lobby", "0", RtcRole.SUBSCRIBER, 60))).isEqualTo(expected);
        assertThat(CallerPolicy.quickStart().allowWildcard()).isFalse();
        assertThat(CallerPolicy.denyAll().allowWildcard()).isFalse();
    }

    @Test
    void wildcardWhenGranted() {
        CallerPolicy p = webPolicy();
        use(new CallerPolicy(p.apps(), p.services(), p.channels(), p.identities(), p.roles(),
                p.maxTtlSeconds(), true, false, true, false));
        allowed(rtc("lobby", "", RtcRole.SUBSCRIBER, 60));
        allowed(rtc("lobby", "0", RtcRole.SUBSCRIBER, 60));
    }

    @Test
    void roleRule() {
        assertThat(denial(rtc("lobby", "user-1", RtcRole.PUBLISHER, 60)))
                .isEqualTo("policy of caller 'web': role publisher is not allowed (roles: [subscriber])");
    }

    @Test
    void ttlRule() {
        allowed(rtc("lobby", "user-1", RtcRole.SUBSCRIBER, 3600));
        assertThat(denial(rtc("lobby", "user-1", RtcRole.SUBSCRIBER, 3601)))
                .isEqualTo("policy of caller 'web': ttl 3601 s exceeds max_ttl_seconds 3600");
        assertThat(denial(rtc("lobby", "user-1", RtcRole.SUBSCRIBER, 0)))
                .as("an unresolved ttl is judged as the maximum").contains("ttl 86400 s exceeds");
    }

    @Test
    void chatAppTokenRule() {
        CallerPolicy chat = new CallerPolicy(GlobList.any(), Set.of(ServiceKind.CHAT), GlobList.none(),
                GlobList.any(), Set.of(), 3600, false, false, false, false);
        use(chat);
        allowed(new GrantRequest(Rpc.ISSUE_CHAT_TOKEN, APP, List.of(RequestedService.chat("u1")), 60));
        assertThat(denial(new GrantRequest(Rpc.ISSUE_CHAT_TOKEN, APP, List.of(RequestedService.chat("")), 60)))
                .isEqualTo("policy of caller 'web': Chat app tokens are not allowed (allow_chat_app_token: false)");
        use(new CallerPolicy(GlobList.any(), Set.of(ServiceKind.CHAT), GlobList.none(),
                GlobList.any(), Set.of(), 3600, false, true, false, false));
        allowed(new GrantRequest(Rpc.ISSUE_CHAT_TOKEN, APP, List.of(RequestedService.chat("")), 60));
    }

    @Test
    void renewRuleAndTodaysPolicy() {
        GrantRequest renew = new GrantRequest(Rpc.RENEW_TOKEN, APP,
                List.of(RequestedService.rtc("team-red", "user-1", RtcRole.SUBSCRIBER)), 3600);
        allowed(renew);
        use(webPolicy().withChannels(GlobList.of(List.of("lobby"))));
        assertThat(denial(renew)).isEqualTo("policy of caller 'web': channel 'team-red' matches none of [lobby]");
        use(webPolicy().withMaxTtlSeconds(600));
        assertThat(denial(renew)).contains("ttl 3600 s exceeds max_ttl_seconds 600");
        CallerPolicy p = webPolicy();
        use(new CallerPolicy(p.apps(), p.services(), p.channels(), p.identities(), p.roles(),
                p.maxTtlSeconds(), false, false, false, false));
        assertThat(denial(renew)).isEqualTo("policy of caller 'web': RenewToken is not allowed (may_renew: false)");
    }

    @Test
    void inspectRule() {
        GrantRequest inspect = new GrantRequest(Rpc.INSPECT_TOKEN, OTHER_APP, List.of(), 0);
        assertThat(denial(inspect)).isEqualTo("policy of caller 'web': InspectToken is not allowed (may_inspect: false)");
        CallerPolicy p = webPolicy();
        use(new CallerPolicy(p.apps(), p.services(), p.channels(), p.identities(), p.roles(),
                p.maxTtlSeconds(), false, false, false, true));
        allowed(inspect);
    }

    @Test
    void denyAllDeniesEverything() {
        use(CallerPolicy.denyAll());
        assertThat(denial(rtc("lobby", "user-1", RtcRole.SUBSCRIBER, 60))).contains("service rtc is not allowed");
        assertThat(denial(new GrantRequest(Rpc.INSPECT_TOKEN, APP, List.of(), 0))).contains("may_inspect");
    }

    private String refusal(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
        StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, call);
        assertThat(e).as("expected a refusal").isNotNull();
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        return e.getStatus().getDescription();
    }

    @Test
    void beforeTheRequestIsReadOnlyTheRpcItselfIsJudged() {
        assertThat(refusal(() -> gate.admit(WEB, Rpc.INSPECT_TOKEN)))
                .isEqualTo("policy of caller 'web': InspectToken is not allowed (may_inspect: false)");
        assertThat(refusal(() -> gate.admit(WEB, Rpc.ISSUE_CHAT_TOKEN)))
                .isEqualTo("policy of caller 'web': service chat is not allowed (services: [rtc, rtm])");
        assertThat(refusal(() -> gate.admit(new Caller("stranger", Caller.AuthMethod.API_KEY), Rpc.ISSUE_RTC_TOKEN)))
                .isEqualTo("no policy is configured for caller 'stranger'");
        for (Rpc rpc : List.of(Rpc.ISSUE_RTC_TOKEN, Rpc.ISSUE_RTM_TOKEN, Rpc.RENEW_TOKEN)) {
            assertThatCode(() -> gate.admit(WEB, rpc)).doesNotThrowAnyException();
        }
        CallerPolicy p = webPolicy();
        use(new CallerPolicy(p.apps(), p.services(), p.channels(), p.identities(), p.roles(),
                p.maxTtlSeconds(), false, false, false, true));
        assertThat(refusal(() -> gate.admit(WEB, Rpc.RENEW_TOKEN)))
                .isEqualTo("policy of caller 'web': RenewToken is not allowed (may_renew: false)");
        assertThatCode(() -> gate.admit(WEB, Rpc.INSPECT_TOKEN)).doesNotThrowAnyException();
    }

    @Test
    void theAppARequestNamesIsJudgedBeforeTheRestOfIt() {
        assertThatCode(() -> gate.admitApp(WEB, Rpc.RENEW_TOKEN, APP)).doesNotThrowAnyException();
        assertThat(refusal(() -> gate.admitApp(WEB, Rpc.RENEW_TOKEN, OTHER_APP)))
                .isEqualTo("policy of caller 'web': app '" + OTHER_APP + "' matches none of [" + APP + "]");
        assertThat(refusal(() -> gate.admitApp(WEB, Rpc.ISSUE_RTC_TOKEN, "not an app\n" + "x".repeat(100))))
                .isEqualTo("policy of caller 'web': app 'not an app\n" + "x".repeat(53) + "... (111 characters)' "
                        + "matches none of [" + APP + "]");
        assertThatCode(() -> gate.admitApp(WEB, Rpc.INSPECT_TOKEN, OTHER_APP))
                .as("InspectToken explains tokens of any app").doesNotThrowAnyException();
    }

    @Test
    void maxTtlIsExposedForRenewDefaults() {
        assertThat(gate.maxTtlSeconds(WEB)).hasValue(3600);
        assertThat(gate.maxTtlSeconds(new Caller("nobody", Caller.AuthMethod.API_KEY))).isEmpty();
    }
}
