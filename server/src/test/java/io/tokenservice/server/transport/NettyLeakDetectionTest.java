package io.tokenservice.server.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.InsecureServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.util.ResourceLeakDetector;
import io.tokenservice.server.config.TransportSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Netty's buffer leak detection: off on the call path unless the operator asks for it. */
class NettyLeakDetectionTest {
    private final ResourceLeakDetector.Level before = ResourceLeakDetector.getLevel();

    @AfterEach
    void restore() {
        System.clearProperty(NettyTransport.LEAK_DETECTION_PROPERTY);
        ResourceLeakDetector.setLevel(before);
    }

    private static void configure() {
        NettyTransport.configure(NettyServerBuilder.forPort(0, InsecureServerCredentials.create()),
                TransportSettings.DEFAULTS).close();
    }

    @Test
    void isOffByDefault() {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.SIMPLE);
        configure();
        assertThat(ResourceLeakDetector.getLevel()).isEqualTo(ResourceLeakDetector.Level.DISABLED);
    }

    @Test
    void staysAsTheOperatorSetIt() {
        System.setProperty(NettyTransport.LEAK_DETECTION_PROPERTY, "paranoid");
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        configure();
        assertThat(ResourceLeakDetector.getLevel()).isEqualTo(ResourceLeakDetector.Level.PARANOID);
    }
}
