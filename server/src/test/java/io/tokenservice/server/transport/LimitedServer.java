package io.tokenservice.server.transport;

import static io.tokenservice.server.testing.TestApps.APP_ID;
import static io.tokenservice.server.testing.TestApps.CERT;

import io.tokenservice.server.testing.Launched;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** The server {@code java -jar} runs, with one app, one caller {@code web} and some transport limits set. */
final class LimitedServer {
    private LimitedServer() {}

    /** {@code variables}: environment variable names and values, alternating. */
    static Launched start(Path dir, String webKey, String... variables) throws Exception {
        Map<String, String> env = new HashMap<>(Map.of("APP_ID", APP_ID, "APP_CERTIFICATE", CERT,
                "TOKEN_SERVICE_API_KEYS", "web=" + webKey));
        for (int i = 0; i < variables.length; i += 2) {
            env.put(variables[i], variables[i + 1]);
        }
        return Launched.start(env, dir);
    }
}
