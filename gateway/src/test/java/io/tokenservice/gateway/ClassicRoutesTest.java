package io.tokenservice.gateway;

import static io.tokenservice.gateway.testing.RunningGateway.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tokenservice.core.token.AccessToken2;
import io.tokenservice.core.token.Service;
import io.tokenservice.gateway.testing.RunningGateway;
import io.tokenservice.gateway.testing.TokenServerProcess;
import io.tokenservice.gateway.testing.Tokens2;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The classic routes of Agora's Node and Go token servers against the real gateway and the real token
 * server: the answers (tokens decoded and compared with the request), the no-cache headers, one JSON
 * error shape naming the parameter for every bad input, and the server's authentication and policy.
 */
class ClassicRoutesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static TokenServerProcess server;
    private static RunningGateway gateway;
    private static Map<String, String> auth;

    @BeforeAll
    static void start() {
        server = TokenServerProcess.shared();
        gateway = RunningGateway.start(server, Map.of());
        auth = bearer(server.apiKey("classic"));
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    private static JsonNode json(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode ok(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertNoCache(response);
        return json(response);
    }

    private static void assertNoCache(HttpResponse<String> response) {
        assertThat(response.headers().firstValue("cache-control")).hasValue("private, no-cache, no-store, must-revalidate");
        assertThat(response.headers().firstValue("pragma")).hasValue("no-cache");
        assertThat(response.headers().firstValue("expires")).hasValue("-1");
        assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/json"));
    }

    /** The one error shape: {"error", "field"?, "status", "code"}, the no-cache headers. */
    private static JsonNode error(HttpResponse<String> response, int status, String code) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertNoCache(response);
        JsonNode body = json(response);
        assertThat(body.get("status").asInt()).isEqualTo(status);
        assertThat(body.get("code").asText()).isEqualTo(code);
        assertThat(body.get("error").asText()).isNotBlank();
        return body;
    }

    @Test
    void ping() {
        assertThat(ok(gateway.get("/ping", Map.of())).toString()).isEqualTo("{\"message\":\"pong\"}");
    }

    @Test
    void rtcByUidAsPublisherWithExpiry() {
        String token = ok(gateway.get("/rtc/team-7/publisher/uid/1234?expiry=600", auth)).get("rtcToken").asText();
        AccessToken2 decoded = Tokens2.verified(token, server);
        Service.Rtc rtc = Tokens2.onlyRtc(decoded);
        assertThat(rtc.channel()).isEqualTo("team-7");
        assertThat(rtc.uid()).isEqualTo("1234");
        assertThat(Tokens2.keys(rtc)).isEqualTo(Tokens2.PUBLISHER);
        assertThat(decoded.expire()).isEqualTo(600);
    }

    @Test
    void rtcBySubscriberAndAudienceRolesWithTheDefaultLifetimeAndATrailingSlash() {
        for (String role : new String[] {"subscriber", "audience"}) {
            String token = ok(gateway.get("/rtc/team-7/" + role + "/uid/4294967295/", auth)).get("rtcToken").asText();
            AccessToken2 decoded = Tokens2.verified(token, server);
            Service.Rtc rtc = Tokens2.onlyRtc(decoded);
            assertThat(rtc.uid()).isEqualTo("4294967295");
            assertThat(Tokens2.keys(rtc)).isEqualTo(Tokens2.SUBSCRIBER);
            assertThat(decoded.expire()).isEqualTo(3600);
        }
    }

    @Test
    void rtcByUserAccountWithAPercentEncodedChannel() {
        String token = ok(gateway.get("/rtc/my%20room/publisher/userAccount/alice%40example.com", auth))
                .get("rtcToken").asText();
        Service.Rtc rtc = Tokens2.onlyRtc(Tokens2.verified(token, server));
        assertThat(rtc.channel()).isEqualTo("my room");
        assertThat(rtc.uid()).isEqualTo("alice@example.com");
    }

    @Test
    void rtm() {
        String token = ok(gateway.get("/rtm/alice?expiry=120", auth)).get("rtmToken").asText();
        AccessToken2 decoded = Tokens2.verified(token, server);
        assertThat(decoded.services()).hasSize(1);
        assertThat(decoded.service(Service.Rtm.class).orElseThrow().userId()).isEqualTo("alice");
        assertThat(decoded.expire()).isEqualTo(120);
    }

    @Test
    void rteGivesTwoTokensEachWithOneService() {
        JsonNode body = ok(gateway.get("/rte/team-7/publisher/uid/42?expiry=300", auth));
        AccessToken2 rtc = Tokens2.verified(body.get("rtcToken").asText(), server);
        AccessToken2 rtm = Tokens2.verified(body.get("rtmToken").asText(), server);
        assertThat(Tokens2.onlyRtc(rtc).uid()).isEqualTo("42");
        assertThat(rtm.services()).hasSize(1);
        assertThat(rtm.service(Service.Rtm.class).orElseThrow().userId()).isEqualTo("42");
        assertThat(rtc.expire()).isEqualTo(300);
        assertThat(rtm.expire()).isEqualTo(300);
    }

    @Test
    void rteWithItsOwnRtmUser() {
        JsonNode body = ok(gateway.get("/rte/team-7/subscriber/userAccount/carol/dave", auth));
        assertThat(Tokens2.onlyRtc(Tokens2.verified(body.get("rtcToken").asText(), server)).uid()).isEqualTo("carol");
        assertThat(Tokens2.verified(body.get("rtmToken").asText(), server).service(Service.Rtm.class).orElseThrow()
                .userId()).isEqualTo("dave");
    }

    @Test
    void chatUserToken() {
        String token = ok(gateway.get("/chat/account/erin?expiry=900", auth)).get("chatToken").asText();
        AccessToken2 decoded = Tokens2.verified(token, server);
        Service.Chat chat = decoded.service(Service.Chat.class).orElseThrow();
        assertThat(chat.userId()).isEqualTo("erin");
        assertThat(Tokens2.keys(chat)).containsExactly(Service.CHAT_USER);
        assertThat(decoded.expire()).isEqualTo(900);
    }

    @Test
    void getTokenForEachTokenType() {
        AccessToken2 byUid = Tokens2.verified(ok(gateway.post("/getToken",
                "{\"tokenType\":\"rtc\",\"channel\":\"team-7\",\"role\":\"publisher\",\"uid\":\"1234\",\"expire\":700}", auth))
                .get("token").asText(), server);
        assertThat(Tokens2.onlyRtc(byUid).uid()).isEqualTo("1234");
        assertThat(Tokens2.keys(Tokens2.onlyRtc(byUid))).isEqualTo(Tokens2.PUBLISHER);
        assertThat(byUid.expire()).isEqualTo(700);

        AccessToken2 byAccount = Tokens2.verified(ok(gateway.post("/getToken",
                "{\"tokenType\":\"rtc\",\"channel\":\"team-7\",\"uid\":\"user-1\"}", auth)).get("token").asText(), server);
        assertThat(Tokens2.onlyRtc(byAccount).uid()).isEqualTo("user-1");
        assertThat(Tokens2.keys(Tokens2.onlyRtc(byAccount))).as("no role: subscriber").isEqualTo(Tokens2.SUBSCRIBER);
        assertThat(byAccount.expire()).as("no expire: the default").isEqualTo(3600);

        AccessToken2 numericUid = Tokens2.verified(ok(gateway.post("/getToken",
                "{\"tokenType\":\"rtc\",\"channel\":\"team-7\",\"uid\":99,\"expire\":0}", auth)).get("token").asText(), server);
        assertThat(Tokens2.onlyRtc(numericUid).uid()).isEqualTo("99");
        assertThat(numericUid.expire()).as("expire 0: the default").isEqualTo(3600);

        AccessToken2 rtm = Tokens2.verified(ok(gateway.post("/getToken", "{\"tokenType\":\"rtm\",\"uid\":\"bob\"}", auth))
                .get("token").asText(), server);
        assertThat(rtm.service(Service.Rtm.class).orElseThrow().userId()).isEqualTo("bob");

        AccessToken2 chat = Tokens2.verified(ok(gateway.post("/getToken",
                "{\"tokenType\":\"chat\",\"uid\":\"bob\",\"expire\":60}", auth)).get("token").asText(), server);
        assertThat(chat.service(Service.Chat.class).orElseThrow().userId()).isEqualTo("bob");
        assertThat(chat.expire()).isEqualTo(60);
    }

    static Stream<Arguments> badRequests() {
        String longChannel = "c".repeat(65);
        return Stream.of(
                Arguments.of("/rtc/team-7/host/uid/1", "role"),
                Arguments.of("/rtc/team-7/Publisher/uid/1", "role"),
                Arguments.of("/rtc/team-7/publisher/number/1", "tokentype"),
                Arguments.of("/rtc/team-7/publisher/uid/abc", "uid"),
                Arguments.of("/rtc/team-7/publisher/uid/4294967296", "uid"),
                Arguments.of("/rtc/team-7/publisher/uid/99999999999999999999", "uid"),
                Arguments.of("/rtc/team-7/publisher/uid/-1", "uid"),
                Arguments.of("/rtc/team-7/publisher/uid/%2B1", "uid"),
                Arguments.of("/rtc/team-7/publisher/uid", "uid"),
                Arguments.of("/rtc/team-7/publisher", "tokentype"),
                Arguments.of("/rtc/team-7", "role"),
                Arguments.of("/rtc/", "channel"),
                Arguments.of("/rtc/team-7/publisher/uid/1/more", "path"),
                Arguments.of("/rtc/team-7/publisher/uid/1?expiry=abc", "expiry"),
                Arguments.of("/rtc/team-7/publisher/uid/1?expiry=0", "expiry"),
                Arguments.of("/rtc/team-7/publisher/uid/1?expiry=-5", "expiry"),
                Arguments.of("/rtc/team-7/publisher/uid/1?expiry=1.5", "expiry"),
                Arguments.of("/rtc/team-7/publisher/uid/1?expiry=12abc", "expiry"),
                Arguments.of("/rtc/team-7/publisher/uid/1?expiry=99999999999", "expiry"),
                Arguments.of("/rtc/team-7/publisher/uid/1?expiry=90000", "expiry"),
                Arguments.of("/rtc/team-7/publisher/uid/1?expiry=60&expiry=70", "expiry"),
                Arguments.of("/rtc/bad*channel/publisher/uid/1", "channel"),
                Arguments.of("/rtc/bad%01channel/publisher/uid/1", "path"),
                Arguments.of("/rtc/" + longChannel + "/publisher/uid/1", "channel"),
                Arguments.of("/rtc/team-7/publisher/userAccount/" + "a".repeat(256), "uid"),
                Arguments.of("/rtc/team-7/publisher/userAccount/%C3%28", "path"),
                Arguments.of("/rtm/0", "uid"),
                Arguments.of("/rtm/", "uid"),
                Arguments.of("/rtm/alice/bob", "path"),
                Arguments.of("/rtm/alice?expiry=0", "expiry"),
                Arguments.of("/rtm/" + "u".repeat(65), "uid"),
                Arguments.of("/rte/team-7/publisher/uid/0", "rtmuid"),
                Arguments.of("/rte/team-7/publisher/uid/1/0", "rtmuid"),
                Arguments.of("/rte/team-7/publisher/uid/1/" + "u".repeat(65), "rtmuid"),
                Arguments.of("/rte/team-7/publisher/uid/1/bob/more", "path"),
                Arguments.of("/chat/account/", "chatid"),
                Arguments.of("/chat/account/" + "u".repeat(65), "chatid"),
                Arguments.of("/chat/other", "path"),
                Arguments.of("/chat/app?expiry=x", "expiry"));
    }

    @ParameterizedTest(name = "{0} -> 400 naming {1}")
    @MethodSource("badRequests")
    void badInputIsA400NamingTheParameter(String path, String field) {
        JsonNode body = error(gateway.get(path, auth), 400, "INVALID_ARGUMENT");
        assertThat(body.get("field").asText()).isEqualTo(field);
        assertThat(body.get("error").asText()).startsWith(field + " ").doesNotContain("NaN");
    }

    static Stream<Arguments> badBodies() {
        return Stream.of(
                Arguments.of("not json", "body"),
                Arguments.of("", "body"),
                Arguments.of("[1,2]", "body"),
                Arguments.of("{\"tokenType\":\"rtc\",\"tokenType\":\"rtm\",\"uid\":\"a\"}", "body"),
                Arguments.of("{\"channel\":\"team-7\",\"uid\":\"a\"}", "tokenType"),
                Arguments.of("{\"tokenType\":\"voice\",\"uid\":\"a\"}", "tokenType"),
                Arguments.of("{\"tokenType\":7}", "tokenType"),
                Arguments.of("{\"tokenType\":\"rtc\",\"uid\":\"a\"}", "channel"),
                Arguments.of("{\"tokenType\":\"rtc\",\"channel\":5,\"uid\":\"a\"}", "channel"),
                Arguments.of("{\"tokenType\":\"rtc\",\"channel\":\"team-7\"}", "uid"),
                Arguments.of("{\"tokenType\":\"rtc\",\"channel\":\"team-7\",\"uid\":\"4294967296\"}", "uid"),
                Arguments.of("{\"tokenType\":\"rtc\",\"channel\":\"team-7\",\"uid\":-3}", "uid"),
                Arguments.of("{\"tokenType\":\"rtc\",\"channel\":\"team-7\",\"uid\":1.5}", "uid"),
                Arguments.of("{\"tokenType\":\"rtc\",\"channel\":\"team-7\",\"uid\":\"a\",\"role\":\"admin\"}", "role"),
                Arguments.of("{\"tokenType\":\"rtc\",\"channel\":\"team-7\",\"uid\":\"a\",\"expire\":-1}", "expire"),
                Arguments.of("{\"tokenType\":\"rtc\",\"channel\":\"team-7\",\"uid\":\"a\",\"expire\":1.5}", "expire"),
                Arguments.of("{\"tokenType\":\"rtc\",\"channel\":\"team-7\",\"uid\":\"a\",\"expire\":\"3600\"}", "expire"),
                Arguments.of("{\"tokenType\":\"rtc\",\"channel\":\"team-7\",\"uid\":\"a\",\"expire\":1e30}", "expire"),
                Arguments.of("{\"tokenType\":\"rtc\",\"channel\":\"team-7\",\"uid\":\"a\",\"expire\":86401}", "expire"),
                Arguments.of("{\"tokenType\":\"rtc\",\"channel\":\"bad\\u0001\",\"uid\":\"a\"}", "channel"),
                Arguments.of("{\"tokenType\":\"rtm\",\"uid\":\"bob\",\"channel\":\"team-7\"}", "channel"),
                Arguments.of("{\"tokenType\":\"rtm\"}", "uid"),
                Arguments.of("{\"tokenType\":\"rtm\",\"uid\":\"0\"}", "uid"),
                Arguments.of("{\"tokenType\":\"chat\",\"uid\":\"" + "u".repeat(65) + "\"}", "uid"));
    }

    @ParameterizedTest(name = "POST /getToken {0} -> 400 naming {1}")
    @MethodSource("badBodies")
    void badBodyIsA400NamingTheMember(String body, String field) {
        JsonNode answer = error(gateway.post("/getToken", body, auth), 400, "INVALID_ARGUMENT");
        assertThat(answer.get("field").asText()).isEqualTo(field);
    }

    @Test
    void wrongMethodsAre405() {
        error(gateway.post("/rtc/team-7/publisher/uid/1", "", auth), 405, "UNIMPLEMENTED");
        error(gateway.get("/getToken", auth), 405, "UNIMPLEMENTED");
    }

    @Test
    void withoutOrWithAWrongKeyTheServerRefuses() {
        for (Map<String, String> headers : java.util.List.of(Map.<String, String>of(), bearer("tsk_not-a-key-of-this-server"))) {
            HttpResponse<String> response = gateway.get("/rtc/team-7/publisher/uid/1", headers);
            error(response, 401, "UNAUTHENTICATED");
            assertThat(response.headers().firstValue("www-authenticate")).hasValue("Bearer");
        }
        error(gateway.post("/getToken", "{\"tokenType\":\"rtm\",\"uid\":\"bob\"}", Map.of()), 401, "UNAUTHENTICATED");
    }

    @Test
    void theCallersPolicyApplies() {
        JsonNode wildcard = error(gateway.get("/rtc/team-7/publisher/uid/0", auth), 403, "PERMISSION_DENIED");
        assertThat(wildcard.get("error").asText()).contains("wildcard");
        JsonNode chatApp = error(gateway.get("/chat/app", auth), 403, "PERMISSION_DENIED");
        assertThat(chatApp.get("error").asText()).contains("app");
        error(gateway.post("/getToken", "{\"tokenType\":\"chat\"}", auth), 403, "PERMISSION_DENIED");
    }
}
