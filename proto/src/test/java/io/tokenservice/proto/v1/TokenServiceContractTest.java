package io.tokenservice.proto.v1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.api.AnnotationsProto;
import com.google.api.HttpRule;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.OneofDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Pins the parts of the generated contract that clients rely on. */
class TokenServiceContractTest {

  private static final Map<String, String> EXPECTED_POST_PATHS = new LinkedHashMap<>();

  static {
    EXPECTED_POST_PATHS.put("IssueRtcToken", "/v1/tokens/rtc");
    EXPECTED_POST_PATHS.put("IssueRtmToken", "/v1/tokens/rtm");
    EXPECTED_POST_PATHS.put("IssueChatToken", "/v1/tokens/chat");
    EXPECTED_POST_PATHS.put("IssueApaasToken", "/v1/tokens/apaas");
    EXPECTED_POST_PATHS.put("RenewToken", "/v1/tokens:renew");
    EXPECTED_POST_PATHS.put("InspectToken", "/v1/tokens:inspect");
  }

  private static ServiceDescriptor service() {
    return TokenServiceProto.getDescriptor().findServiceByName("TokenService");
  }

  @Test
  void serviceHasFixedNameAndExactlyTheSixRpcs() {
    ServiceDescriptor service = service();
    assertNotNull(service);
    assertEquals("tokenservice.v1.TokenService", service.getFullName());
    assertEquals("tokenservice.v1", TokenServiceProto.getDescriptor().getPackage());

    List<String> names =
        service.getMethods().stream().map(MethodDescriptor::getName).collect(Collectors.toList());
    assertEquals(List.copyOf(EXPECTED_POST_PATHS.keySet()), names);

    // The grpc-java stub agrees with the descriptor.
    assertEquals("tokenservice.v1.TokenService", TokenServiceGrpc.SERVICE_NAME);
    io.grpc.ServiceDescriptor grpcDescriptor = TokenServiceGrpc.getServiceDescriptor();
    List<String> grpcMethods =
        grpcDescriptor.getMethods().stream()
            .map(io.grpc.MethodDescriptor::getFullMethodName)
            .sorted()
            .collect(Collectors.toList());
    List<String> expected =
        EXPECTED_POST_PATHS.keySet().stream()
            .map(n -> "tokenservice.v1.TokenService/" + n)
            .sorted()
            .collect(Collectors.toList());
    assertEquals(expected, grpcMethods);
    assertEquals(
        "tokenservice.v1.TokenService/IssueRtcToken",
        TokenServiceGrpc.getIssueRtcTokenMethod().getFullMethodName());
  }

  @Test
  void everyRpcHasItsHttpPostBindingWithBodyStar() {
    for (MethodDescriptor method : service().getMethods()) {
      assertTrue(
          method.getOptions().hasExtension(AnnotationsProto.http),
          () -> method.getName() + " lacks google.api.http");
      HttpRule rule = method.getOptions().getExtension(AnnotationsProto.http);
      assertEquals(HttpRule.PatternCase.POST, rule.getPatternCase(), method.getName());
      assertEquals(EXPECTED_POST_PATHS.get(method.getName()), rule.getPost(), method.getName());
      assertEquals("*", rule.getBody(), method.getName());
    }
  }

  @Test
  void rpcsUseTheDocumentedMessages() {
    ServiceDescriptor service = service();
    assertEquals(
        IssueRtcTokenRequest.getDescriptor(),
        service.findMethodByName("IssueRtcToken").getInputType());
    for (String rpc :
        List.of("IssueRtcToken", "IssueRtmToken", "IssueChatToken", "IssueApaasToken", "RenewToken")) {
      assertEquals(IssuedToken.getDescriptor(), service.findMethodByName(rpc).getOutputType(), rpc);
    }
    assertEquals(
        InspectTokenResponse.getDescriptor(),
        service.findMethodByName("InspectToken").getOutputType());
  }

  @Test
  void issueRtcTokenIdentityOneofHoldsUint32UidAndStringAccount() {
    Descriptor request = IssueRtcTokenRequest.getDescriptor();
    OneofDescriptor identity =
        request.getOneofs().stream()
            .filter(o -> o.getName().equals("identity"))
            .findFirst()
            .orElseThrow();
    List<String> fields =
        identity.getFields().stream().map(FieldDescriptor::getName).collect(Collectors.toList());
    assertEquals(List.of("uid", "account"), fields);

    FieldDescriptor uid = request.findFieldByName("uid");
    assertEquals(FieldDescriptor.Type.UINT32, uid.getType());
    assertEquals(identity, uid.getContainingOneof());
    FieldDescriptor account = request.findFieldByName("account");
    assertEquals(FieldDescriptor.Type.STRING, account.getType());

    // uid 0 is a meaningful (wildcard) choice and must be distinguishable from "unset".
    IssueRtcTokenRequest wildcard = IssueRtcTokenRequest.newBuilder().setUid(0).build();
    assertEquals(IssueRtcTokenRequest.IdentityCase.UID, wildcard.getIdentityCase());
    assertEquals(
        IssueRtcTokenRequest.IdentityCase.IDENTITY_NOT_SET,
        IssueRtcTokenRequest.getDefaultInstance().getIdentityCase());
  }

  @Test
  void fieldsAddedLaterKeepTheNumbersClientsWereBuiltWith() {
    assertEquals(5, IssueRtmTokenRequest.getDescriptor().findFieldByName("permissions").getNumber());
    assertEquals(6, ServiceGrant.getDescriptor().findFieldByName("rtm2_permissions").getNumber());
    assertEquals(7, ServiceGrant.getDescriptor().findFieldByName("apaas_room_uuid").getNumber());
    assertEquals(8, ServiceGrant.getDescriptor().findFieldByName("apaas_role").getNumber());
    assertEquals(
        List.of("room_user", "user", "app"),
        IssueApaasTokenRequest.getDescriptor().getOneofs().get(0).getFields().stream()
            .map(FieldDescriptor::getName)
            .collect(Collectors.toList()));
  }

  @Test
  void rtcRoleNumbersMatchAgora() {
    assertEquals(0, RtcRole.RTC_ROLE_UNSPECIFIED.getNumber());
    assertEquals(1, RtcRole.RTC_ROLE_PUBLISHER.getNumber());
    assertEquals(2, RtcRole.RTC_ROLE_SUBSCRIBER.getNumber());
  }
}
