package io.tokenservice.server.security;

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
import io.tokenservice.server.auth.ApiKeyRegistry;
import io.tokenservice.server.auth.ClientCertificateMapping;
import io.tokenservice.server.config.DenyListSettings;
import io.tokenservice.server.config.SecuritySettings;
import io.tokenservice.server.policy.CallerPolicy;
import io.tokenservice.server.policy.GlobList;
import io.tokenservice.server.ratelimit.RateLimit;
import io.tokenservice.server.testing.TestSecrets;
import java.time.Clock;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The order in which {@link CallerSecurity} judges a call: when it starts, the rate limit (one token per call,
 * charged there and nowhere else), then whether the caller may call the RPC at all; then the app; then the whole
 * grant.
 */
class CallerSecurityTest {
    private static final String APP = "0123456789abcdef0123456789abcdef";
    private static final Caller RTM_ONLY = new Caller("rtm-only", Caller.AuthMethod.API_KEY);
    private static final GrantRequest RTM_GRANT = new GrantRequest(Rpc.ISSUE_RTM_TOKEN, APP,
            List.of(RequestedService.rtm("user-1")), 600);

    private final AtomicLong nanos = new AtomicLong();
    private final CallerSecurity security = new CallerSecurity(new SecuritySettings(
            ApiKeyRegistry.builder().addKey("rtm-only", TestSecrets.register("tsk_caller_security_test_key_01")).build(),
            ClientCertificateMapping.empty(),
            Map.of("rtm-only", new CallerPolicy(GlobList.of(List.of(APP)), EnumSet.of(ServiceKind.RTM), GlobList.any(),
                    GlobList.any(), EnumSet.allOf(RtcRole.class), 3600, false, false, false, false)),
            Map.of("rtm-only", new RateLimit(0.001, 3)), RateLimit.DEFAULT, DenyListSettings.NONE),
            event -> { }, Clock.systemUTC(), nanos::get);

    private static Status.Code refusal(Runnable step) {
        StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, step::run);
        assertThat(e).as("expected a refusal").isNotNull();
        return e.getStatus().getCode();
    }

    @Test
    void aCallIsChargedWhenItIsAdmittedAndNeverAgain() {
        for (int i = 0; i < 3; i++) {
            security.admit(RTM_ONLY, Rpc.ISSUE_RTM_TOKEN);
            security.admitApp(RTM_ONLY, Rpc.ISSUE_RTM_TOKEN, APP);
            security.check(RTM_ONLY, RTM_GRANT);
        }
        assertThatCode(() -> security.check(RTM_ONLY, RTM_GRANT)).as("the grant alone costs nothing")
                .doesNotThrowAnyException();
        assertThat(refusal(() -> security.admit(RTM_ONLY, Rpc.ISSUE_RTM_TOKEN)))
                .isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    }

    @Test
    void theRateLimitComesBeforeThePolicyAndARefusedCallStillCostsAToken() {
        for (int i = 0; i < 3; i++) {
            assertThat(refusal(() -> security.admit(RTM_ONLY, Rpc.INSPECT_TOKEN)))
                    .as("may_inspect: false").isEqualTo(Status.Code.PERMISSION_DENIED);
        }
        assertThat(refusal(() -> security.admit(RTM_ONLY, Rpc.INSPECT_TOKEN)))
                .as("over its limit, the caller learns nothing about its policy")
                .isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    }

    @Test
    void theAppIsJudgedOnItsOwnBeforeTheRestOfTheRequest() {
        security.admit(RTM_ONLY, Rpc.ISSUE_RTM_TOKEN);
        assertThat(refusal(() -> security.admitApp(RTM_ONLY, Rpc.ISSUE_RTM_TOKEN, "another app")))
                .isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(refusal(() -> security.admit(RTM_ONLY, Rpc.ISSUE_RTC_TOKEN)))
                .as("a service the policy does not allow, before the request is read")
                .isEqualTo(Status.Code.PERMISSION_DENIED);
    }
}
