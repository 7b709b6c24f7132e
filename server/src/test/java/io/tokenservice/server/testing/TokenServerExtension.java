package io.tokenservice.server.testing;

import io.tokenservice.server.config.ServerConfig;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real token server for one test class, in the shape of Armeria's {@code ServerExtension}: started before
 * the class's first test, {@link #reset() reset} before each (clock back to T0, allow-all gate, empty audit),
 * closed after the last. Register it as a static field:
 *
 * <pre>
 * &#64;RegisterExtension
 * static final TokenServerExtension server = new TokenServerExtension();   // Netty, APP_ID (CERT + OLD_CERT)
 *
 * &#64;RegisterExtension
 * static final TokenServerExtension server = new TokenServerExtension() {
 *     &#64;Override
 *     protected void configure(ServerConfig.Builder config) {
 *         config.app(APP_ID, CERT).app(OTHER_APP_ID, OTHER_CERT);
 *     }
 * };
 * </pre>
 */
public class TokenServerExtension extends TestServer implements BeforeAllCallback, BeforeEachCallback,
        AfterAllCallback {
    /** Netty on an ephemeral port, with the default apps unless {@link #configure} says otherwise. */
    public TokenServerExtension() {
        super(true, TestServer::defaultApps);
    }

    private TokenServerExtension(boolean netty, Consumer<ServerConfig.Builder> configure) {
        super(netty, configure);
    }

    /** In-process (calls run on the test's thread); {@code configure} must add the apps. */
    public static TokenServerExtension inProcess(Consumer<ServerConfig.Builder> configure) {
        return new TokenServerExtension(false, configure);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        start();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        reset();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }
}
