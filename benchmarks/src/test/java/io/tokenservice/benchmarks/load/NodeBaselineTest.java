package io.tokenservice.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokenservice.core.token.AccessToken2;
import io.tokenservice.core.token.ParsedAccessToken2;
import io.tokenservice.core.token.Service;
import io.tokenservice.core.token.Tokens;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Node baseline of the load runs ({@code node-baseline/server.js}) as a real process: what it answers
 * is an RTC token the core parses and verifies, for the channel, uid and lifetime asked, so the ratios
 * compare servers doing the same work.
 */
class NodeBaselineTest {
    static final String APP_ID = "970ca35de60c44645bbae8a215061b33";
    static final String APP_CERTIFICATE = "5cfd2fd1755d40ecb72977518be15d3b";
    static Process node;
    static int port;
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void startNode() throws Exception {
        ProcessBuilder pb = new ProcessBuilder("node", "server.js")
                .directory(Path.of("node-baseline").toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().put("APP_ID", APP_ID);
        pb.environment().put("APP_CERTIFICATE", APP_CERTIFICATE);
        pb.environment().put("PORT", "0");
        node = pb.start();
        BufferedReader out = new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8));
        String line = CompletableFuture.supplyAsync(() -> {
            try {
                return out.readLine();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).get(30, TimeUnit.SECONDS);
        assertThat(line).startsWith("listening on ");
        port = Integer.parseInt(line.substring("listening on ".length()).strip());
    }

    @AfterAll
    static void stopNode() throws Exception {
        if (node != null) {
            node.destroy();
            if (!node.waitFor(10, TimeUnit.SECONDS)) {
                node.destroyForcibly();
            }
        }
    }

    static HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void answersAnRtcTokenForTheChannelAndUidAsked() throws Exception {
        HttpResponse<String> response = get("/rtc/team-blue/publisher/uid/1234?expiry=600");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("cache-control")).contains("private, no-cache, no-store, must-revalidate");
        Matcher m = Pattern.compile("\\{\"rtcToken\":\"(007[A-Za-z0-9+/=]+)\"}").matcher(response.body());
        assertThat(m.matches()).as(response.body()).isTrue();
        ParsedAccessToken2 token = (ParsedAccessToken2) Tokens.decode(m.group(1));
        assertThat(token.verify(APP_CERTIFICATE)).isTrue();
        AccessToken2 content = token.content();
        assertThat(content.appId()).isEqualTo(APP_ID);
        assertThat(content.expire()).isEqualTo(600);
        Service.Rtc rtc = content.service(Service.Rtc.class).orElseThrow();
        assertThat(rtc.channel()).isEqualTo("team-blue");
        assertThat(rtc.uid()).isEqualTo("1234");
    }

    @Test
    void refusesAnUnknownRole() throws Exception {
        HttpResponse<String> response = get("/rtc/team-blue/owner/uid/1234");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).isEqualTo("{\"error\":\"role is incorrect\"}");
    }
}
