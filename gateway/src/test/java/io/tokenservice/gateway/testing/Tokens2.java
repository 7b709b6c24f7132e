package io.tokenservice.gateway.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokenservice.core.token.AccessToken2;
import io.tokenservice.core.token.AccessToken2Codec;
import io.tokenservice.core.token.ParsedAccessToken2;
import io.tokenservice.core.token.Service;
import java.util.List;

/** Issued tokens decoded with the project's core and checked against what was asked for. */
public final class Tokens2 {
    private Tokens2() {}

    /** Decodes a 007 token, checks that {@code server}'s certificate signed it for its app, and returns it. */
    public static AccessToken2 verified(String token, TokenServerProcess server) {
        ParsedAccessToken2 parsed = AccessToken2Codec.decode(token);
        assertThat(parsed.verify(server.certificate)).as("signed with the server's App Certificate").isTrue();
        assertThat(parsed.appId()).isEqualTo(server.appId);
        return parsed.content();
    }

    public static Service.Rtc onlyRtc(AccessToken2 token) {
        assertThat(token.services()).hasSize(1);
        return token.service(Service.Rtc.class).orElseThrow();
    }

    /** The privilege keys granted, in order. */
    public static List<Integer> keys(Service service) {
        return service.privileges().stream().map(p -> p.key()).toList();
    }

    public static final List<Integer> PUBLISHER = List.of(Service.RTC_JOIN_CHANNEL, Service.RTC_PUBLISH_AUDIO_STREAM,
            Service.RTC_PUBLISH_VIDEO_STREAM, Service.RTC_PUBLISH_DATA_STREAM);
    public static final List<Integer> SUBSCRIBER = List.of(Service.RTC_JOIN_CHANNEL);
}
