package io.tokenservice.server.config;

import static io.tokenservice.server.testing.TestApps.APP_ID;
import static io.tokenservice.server.testing.TestApps.CERT;
import static io.tokenservice.server.testing.TestApps.OLD_CERT;
import static io.tokenservice.server.testing.TestApps.OTHER_APP_ID;
import static io.tokenservice.server.testing.TestApps.OTHER_CERT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ServerInterceptor;
import io.tokenservice.server.access.AccessGate;
import io.tokenservice.server.access.AuditSink;
import io.tokenservice.server.access.Caller;
import io.tokenservice.server.testing.MutableClock;
import io.tokenservice.server.testing.TestApps;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class ServerConfigBuilderTest {
    @Test
    void defaults() {
        ServerConfig config = ServerConfig.builder().app(APP_ID, CERT).build();

        assertThat(config.grpcPort()).isEqualTo(50051);
        assertThat(config.renewGrace()).isEqualTo(Duration.ofSeconds(300));
        assertThat(config.shutdownGrace()).isEqualTo(Duration.ofSeconds(20));
        assertThat(config.tls()).isEmpty();
        assertThat(config.authenticator()).isEmpty();
        assertThat(config.interceptors()).isEmpty();
        assertThat(config.accessGate()).isSameAs(ServerConfig.ALLOW_ALL);
        assertThat(config.auditSink()).isSameAs(ServerConfig.NO_AUDIT);
        assertThat(config.maxTtlForCaller().apply(new Caller("x", Caller.AuthMethod.NONE))).isEmpty();
        assertThat(config.tokenLimits().maxTtlSeconds()).isEqualTo(86400);
    }

    @Test
    void everySetting() {
        MutableClock clock = new MutableClock(TestApps.T0);
        ServerInterceptor authenticator = new ServerInterceptor() {
            @Override
            public <Q, R> io.grpc.ServerCall.Listener<Q> interceptCall(io.grpc.ServerCall<Q, R> call,
                    io.grpc.Metadata headers, io.grpc.ServerCallHandler<Q, R> next) {
                return next.startCall(call, headers);
            }
        };
        AccessGate gate = (caller, request) -> { };
        AuditSink sink = event -> { };

        ServerConfig config = ServerConfig.builder()
                .grpcPort(0)
                .app(APP_ID, CERT, OLD_CERT)
                .app(OTHER_APP_ID, OTHER_CERT)
                .clock(clock)
                .saltSource(() -> 7)
                .renewGrace(Duration.ofSeconds(10))
                .shutdownGrace(Duration.ofSeconds(1))
                .tls(Path.of("a.crt"), Path.of("a.key"))
                .tlsClientCa(Path.of("ca.crt"))
                .authenticator(authenticator)
                .interceptor(authenticator)
                .accessGate(gate)
                .auditSink(sink)
                .maxTtlForCaller(caller -> OptionalLong.of(60))
                .build();

        assertThat(config.grpcPort()).isZero();
        assertThat(config.apps().appIds()).containsExactly(APP_ID, OTHER_APP_ID);
        assertThat(config.apps().find(APP_ID).orElseThrow().certificates()).containsExactly(CERT, OLD_CERT);
        assertThat(config.clock()).isSameAs(clock);
        assertThat(config.saltSource().nextSalt()).isEqualTo(7);
        assertThat(config.tls().orElseThrow().clientCa()).contains(Path.of("ca.crt"));
        assertThat(config.authenticator()).contains(authenticator);
        assertThat(config.interceptors()).containsExactly(authenticator);
        assertThat(config.accessGate()).isSameAs(gate);
        assertThat(config.auditSink()).isSameAs(sink);

        ServerConfig copy = config.toBuilder().build();
        assertThat(copy.toString()).isEqualTo(config.toString());
        assertThat(copy.apps().appIds()).isEqualTo(config.apps().appIds());
        assertThat(copy.accessGate()).isSameAs(gate);
        assertThat(copy.tls()).isEqualTo(config.tls());
        assertThat(copy.maxTtlForCaller().apply(new Caller("x", Caller.AuthMethod.NONE))).hasValue(60);
    }

    @Test
    void toStringNeverShowsACertificate() {
        ServerConfig config = ServerConfig.builder().app(APP_ID, CERT, OLD_CERT).build();

        assertThat(config.toString()).contains(APP_ID).contains("secondary").doesNotContain(CERT).doesNotContain(OLD_CERT);
        assertThat(config.apps().toString()).doesNotContain(CERT).doesNotContain(OLD_CERT);
        assertThat(config.apps().find(APP_ID).orElseThrow().toString()).doesNotContain(CERT).doesNotContain(OLD_CERT);
    }

    @Test
    void invalidSettingsAreRefusedWithOneLine() {
        assertThatThrownBy(() -> ServerConfig.builder().build()).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("no app configured");
        assertThatThrownBy(() -> ServerConfig.builder().app(APP_ID, "short")).isInstanceOf(ConfigException.class)
                .hasMessage("app #1: appCertificate: must be 32 hexadecimal characters, got 5");
        assertThatThrownBy(() -> ServerConfig.builder().app(CERT + "0", CERT)).isInstanceOf(ConfigException.class)
                .hasMessage("app #1: appId: must be 32 hexadecimal characters, got 33");
        assertThatThrownBy(() -> ServerConfig.builder().app(APP_ID, CERT, "bad")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("secondaryCertificate");
        assertThatThrownBy(() -> ServerConfig.builder().app(APP_ID, CERT).app(APP_ID, OLD_CERT).build())
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("app " + APP_ID + " is configured twice");
        assertThatThrownBy(() -> ServerConfig.builder().app(APP_ID, CERT)
                .app(APP_ID.toUpperCase(java.util.Locale.ROOT), OLD_CERT).build())
                .isInstanceOf(ConfigException.class).hasMessageContaining("is configured twice (App IDs are matched "
                        + "ignoring letter case)");
        assertThatThrownBy(() -> ServerConfig.builder().app(APP_ID, CERT).grpcPort(65536).build())
                .isInstanceOf(ConfigException.class).hasMessageContaining("65535");
        assertThatThrownBy(() -> ServerConfig.builder().app(APP_ID, CERT).renewGrace(Duration.ofSeconds(-1)).build())
                .isInstanceOf(ConfigException.class).hasMessageContaining("negative");
        assertThatThrownBy(() -> ServerConfig.builder().app(APP_ID, CERT).renewGrace(Duration.ofDays(2)).build())
                .isInstanceOf(ConfigException.class).hasMessageContaining("renew grace");
        assertThatThrownBy(() -> ServerConfig.builder().app(APP_ID, CERT).shutdownGrace(Duration.ofSeconds(-1)).build())
                .isInstanceOf(ConfigException.class).hasMessageContaining("shutdown grace");
        assertThatThrownBy(() -> ServerConfig.builder().app(APP_ID, CERT).tlsClientCa(Path.of("ca")).build())
                .isInstanceOf(ConfigException.class).hasMessageContaining("client CA");
    }
}
