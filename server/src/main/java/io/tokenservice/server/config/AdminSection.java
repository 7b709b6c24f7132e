package io.tokenservice.server.config;

import static io.tokenservice.server.config.EnvironmentVariables.ADMIN_BIND_ADDRESS;
import static io.tokenservice.server.config.EnvironmentVariables.ADMIN_PORT;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/** {@link Configuration#admin()}: {@code admin: {port, bind_address}}, overridden by {@code ADMIN_*}. */
final class AdminSection {
    static final String KEY = "admin";
    private static final Set<String> KEYS = Set.of("port", "bind_address");

    private AdminSection() {}

    static AdminSettings read(ConfigSource in) {
        ConfigNode.Mapping admin = in.top().get(KEY).mapping(KEYS);
        long port = in.wholeNumber(ADMIN_PORT, admin.get("port"), -1, 0, ServerSettings.MAX_PORT);
        Optional<ConfigSource.Setting<String>> variable = in.variable(ADMIN_BIND_ADDRESS);
        ConfigNode node = admin.get("bind_address");
        String address = variable.map(ConfigSource.Setting::value)
                .or(node::text).orElse(AdminSettings.DEFAULT_BIND_ADDRESS).strip();
        if (!isIpLiteral(address)) {
            String problem = "must be an IP address such as 127.0.0.1 or 0.0.0.0";
            throw variable.isPresent() ? variable.get().error(problem) : node.error(problem);
        }
        return new AdminSettings(port < 0 ? OptionalInt.empty() : OptionalInt.of((int) port), address);
    }

    /** An IPv4 or IPv6 literal, never a name (no DNS lookup at start-up). */
    private static boolean isIpLiteral(String address) {
        if (!address.matches("[0-9.]+|[0-9a-fA-F:]*:[0-9a-fA-F:.]*")) {
            return false;
        }
        try {
            InetAddress.getByName(address);
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
