package io.tokenservice.server.inspect;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokenservice.proto.v1.ApaasAppToken;
import io.tokenservice.proto.v1.ApaasRoomUser;
import io.tokenservice.proto.v1.InspectTokenRequest;
import io.tokenservice.proto.v1.InspectTokenResponse;
import io.tokenservice.proto.v1.IssueApaasTokenRequest;
import io.tokenservice.proto.v1.IssueRtmTokenRequest;
import io.tokenservice.proto.v1.IssuedToken;
import io.tokenservice.proto.v1.Privilege;
import io.tokenservice.proto.v1.ProblemCode;
import io.tokenservice.proto.v1.Rtm2Access;
import io.tokenservice.proto.v1.Rtm2Permission;
import io.tokenservice.proto.v1.Rtm2ResourceType;
import io.tokenservice.proto.v1.ServiceType;
import io.tokenservice.proto.v1.SignatureStatus;
import io.tokenservice.server.testing.TokenServerExtension;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** InspectToken explains RTM 2.x and APaaS tokens: their grants in the response and in words. */
class InspectRtm2AndApaasTokenTest {
    @RegisterExtension
    static final TokenServerExtension server = new TokenServerExtension();

    private static InspectTokenResponse inspect(IssuedToken token) {
        return server.stub().inspectToken(InspectTokenRequest.newBuilder().setToken(token.getToken()).build());
    }

    @Test
    void anRtm2TokenShowsItsPermissions() {
        IssuedToken token = server.stub().issueRtmToken(IssueRtmTokenRequest.newBuilder().setUserId("alice")
                .addPermissions(Rtm2Permission.newBuilder()
                        .setResourceType(Rtm2ResourceType.RTM2_RESOURCE_TYPE_STREAM_CHANNELS)
                        .setAccess(Rtm2Access.RTM2_ACCESS_WRITE).addResources("stage").addResources("lobby"))
                .build());

        InspectTokenResponse response = inspect(token);

        assertThat(response.getSignature()).isEqualTo(SignatureStatus.SIGNATURE_STATUS_VALID);
        assertThat(response.getAccepted()).isTrue();
        assertThat(response.getServicesList()).isEqualTo(token.getServicesList());
        assertThat(response.getServices(0).getService()).isEqualTo(ServiceType.SERVICE_TYPE_RTM2);
        assertThat(response.getSummary()).contains("RTM 2.x as user \"alice\" with write stream channels "
                + "[\"stage\", \"lobby\"] (RTM login until 2025-06-01T13:00:00Z)");
    }

    @Test
    void anApaasRoomUserTokenShowsItsRoomUserAndRole() {
        IssuedToken token = server.stub().issueApaasToken(IssueApaasTokenRequest.newBuilder()
                .setRoomUser(ApaasRoomUser.newBuilder().setRoomUuid("room-1").setUserUuid("student-7").setRole(2))
                .build());

        InspectTokenResponse response = inspect(token);

        assertThat(response.getAccepted()).isTrue();
        assertThat(response.getServicesList()).isEqualTo(token.getServicesList());
        assertThat(response.getServices(2).getApaasRoomUuid()).isEqualTo("room-1");
        assertThat(response.getServices(2).getApaasRole()).isEqualTo(2);
        assertThat(response.getServices(2).getPrivileges(0).getPrivilege())
                .isEqualTo(Privilege.PRIVILEGE_APAAS_ROOM_USER);
        assertThat(response.getSummary())
                .contains("Flexible Classroom (APaaS) room \"room-1\" as user \"student-7\" with role 2 "
                        + "(APaaS room user until");
    }

    @Test
    void anExpiredApaasPrivilegeIsNamedAndPreventsAcceptance() {
        IssuedToken token = server.stub().issueApaasToken(IssueApaasTokenRequest.newBuilder()
                .setApp(ApaasAppToken.getDefaultInstance()).setTtlSeconds(60).build());
        server.clock.advance(Duration.ofSeconds(61));

        InspectTokenResponse response = inspect(token);

        assertThat(response.getAccepted()).isFalse();
        assertThat(response.getProblemsList()).extracting(p -> p.getCode()).contains(ProblemCode.PROBLEM_CODE_EXPIRED);
        assertThat(response.getSummary()).contains("Flexible Classroom (APaaS) app token");
    }
}
