package io.tokenservice.server.testing;

import io.tokenservice.server.auth.ApiKeyRegistry;
import io.tokenservice.server.auth.ClientCertificateMapping;
import io.tokenservice.server.config.DenyListSettings;
import io.tokenservice.server.config.SecuritySettings;
import io.tokenservice.server.config.ServerConfig;
import io.tokenservice.server.denylist.DenyList;
import io.tokenservice.server.policy.CallerPolicy;
import io.tokenservice.server.ratelimit.RateLimit;
import io.tokenservice.server.security.CallerSecurity;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
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

    /**
     * Netty with the default apps and the caller security {@code java -jar} gives the quick-start callers of
     * {@code TOKEN_SERVICE_API_KEYS} ({@link CallerPolicy#quickStart()}, {@link RateLimit#DEFAULT}) plus
     * {@code denyList}: callers and keys alternate in {@code callersAndKeys}. Audit events reach {@link #audit}.
     */
    public static TokenServerExtension quickStart(DenyList denyList, String... callersAndKeys) {
        ApiKeyRegistry.Builder keys = ApiKeyRegistry.builder();
        Map<String, CallerPolicy> policies = new HashMap<>();
        for (int i = 0; i < callersAndKeys.length; i += 2) {
            keys.addKey(callersAndKeys[i], TestSecrets.register(callersAndKeys[i + 1]));
            policies.put(callersAndKeys[i], CallerPolicy.quickStart());
        }
        SecuritySettings settings = new SecuritySettings(keys.build(), ClientCertificateMapping.empty(), policies,
                Map.of(), RateLimit.DEFAULT,
                new DenyListSettings(Optional.empty(), denyList, DenyListSettings.DEFAULT_POLL_INTERVAL));
        return new TokenServerExtension() {
            @Override
            protected void configure(ServerConfig.Builder config) {
                super.configure(config);
                new CallerSecurity(settings, audit).wire(config);
            }
        };
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
