package io.tokenservice.deploy.compose;

import static io.tokenservice.deploy.Nodes.list;
import static io.tokenservice.deploy.Nodes.map;
import static io.tokenservice.deploy.Nodes.maps;
import static io.tokenservice.deploy.Nodes.text;
import static io.tokenservice.deploy.Nodes.texts;
import static io.tokenservice.deploy.ServiceNames.GATEWAY;
import static io.tokenservice.deploy.ServiceNames.REDIS;
import static io.tokenservice.deploy.ServiceNames.REDIS_URL;
import static io.tokenservice.deploy.ServiceNames.SERVER;

import io.tokenservice.deploy.Repository;
import io.tokenservice.deploy.SecretValues;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What the compose deployment promises, checked on the file as {@code docker-compose config} resolves it
 * (anchors merged, variables substituted, paths absolute).
 */
final class ComposeRules {
    private ComposeRules() {}

    static List<String> problems(Map<String, Object> config, Path root) {
        List<String> problems = new ArrayList<>();
        Map<String, Object> services = map(config, "services");
        for (String required : List.of(SERVER, GATEWAY, REDIS, "prometheus")) {
            if (!services.containsKey(required)) {
                problems.add("no service " + required);
            }
        }
        if (!problems.isEmpty()) {
            return problems;
        }
        Set<String> usedSecrets = new HashSet<>();
        services.forEach((name, service) -> {
            hardened(name, map(service), problems);
            environment(map(service)).forEach((variable, value) -> SecretValues.problem(variable, value)
                    .ifPresent(p -> problems.add(name + ": " + p)));
            if (!map(service, "build", "args").isEmpty()) {
                problems.add(name + ": build args end up in the image history; pass nothing to the build");
            }
            String dockerfile = text(service, "build", "dockerfile");
            if (dockerfile != null && !Files.isRegularFile(root.resolve(dockerfile))) {
                problems.add(name + ": Dockerfile " + dockerfile + " is not in the repository");
            }
            maps(service, "secrets").forEach(s -> usedSecrets.add(text(s, "source")));
            map(service, "depends_on").forEach((dependency, how) -> {
                if (!services.containsKey(dependency)) {
                    problems.add(name + " depends on " + dependency + ", which is no service");
                }
            });
        });

        map(config, "secrets").forEach((secret, definition) -> {
            String file = text(definition, "file");
            if (file == null || !Path.of(file).normalize().startsWith(root.resolve("deploy/secrets"))) {
                problems.add("secret " + secret + " must be a file under deploy/secrets/ (git-ignored), not "
                        + (file == null ? map(definition).keySet() : file));
            }
            if (!usedSecrets.contains(secret)) {
                problems.add("secret " + secret + " is mounted by no service");
            }
        });

        Map<String, Object> server = map(services, SERVER);
        Map<String, String> serverEnv = environment(server);
        Set<String> mountedSecrets = new HashSet<>();
        maps(server, "secrets").forEach(s -> mountedSecrets.add("/run/secrets/"
                + Objects.requireNonNullElse(text(s, "target"), text(s, "source"))));
        String configFile = serverEnv.get("TOKEN_SERVICE_CONFIG");
        if (configFile == null || !mountedSecrets.contains(configFile)) {
            problems.add("token-server: TOKEN_SERVICE_CONFIG must name a mounted secret file " + mountedSecrets
                    + ", is " + configFile);
        }
        if (!REDIS_URL.equals(serverEnv.get("TOKEN_SERVICE_REDIS_URL"))) {
            problems.add("token-server: TOKEN_SERVICE_REDIS_URL must be " + REDIS_URL);
        }
        if (!String.valueOf(text(services, REDIS, "image")).startsWith("redis:")) {
            problems.add("the redis service must run a redis image");
        }
        dependsHealthy(services, SERVER, REDIS, problems);
        dependsHealthy(services, GATEWAY, SERVER, problems);

        String target = environment(map(services, GATEWAY)).get("TOKEN_SERVICE_TARGET");
        String serverTarget = "token-server:" + serverEnv.get("GRPC_PORT");
        if (!serverTarget.equals(target)) {
            problems.add("token-gateway: TOKEN_SERVICE_TARGET must be " + serverTarget + ", is " + target);
        }
        List<String> profiles = texts(services, "prometheus", "profiles");
        if (!profiles.equals(List.of("monitoring"))) {
            problems.add("prometheus must be optional: profile monitoring only, has " + profiles);
        }
        services.forEach((name, service) -> {
            if (!name.equals("prometheus") && !list(service, "profiles").isEmpty()) {
                problems.add(name + " must start without a profile");
            }
        });
        return problems;
    }

    private static void hardened(String name, Map<String, Object> service, List<String> problems) {
        if (!Boolean.TRUE.equals(service.get("read_only"))) {
            problems.add(name + ": the root file system must be read_only");
        }
        if (texts(service, "tmpfs").stream().noneMatch(t -> t.equals("/tmp") || t.startsWith("/tmp:"))) {
            problems.add(name + ": needs a tmpfs on /tmp (the only place the JVM writes)");
        }
        if (!texts(service, "cap_drop").contains("ALL")) {
            problems.add(name + ": must drop ALL capabilities");
        }
        if (!texts(service, "security_opt").contains("no-new-privileges:true")) {
            problems.add(name + ": needs security_opt no-new-privileges:true");
        }
        String user = text(service, "user");
        if (service.get("build") == null && (user == null || user.startsWith("0") || user.startsWith("root"))) {
            problems.add(name + ": an image not built here must run as a numeric non-root user, has " + user);
        }
    }

    private static void dependsHealthy(Map<String, Object> services, String service, String dependency,
                                       List<String> problems) {
        if (!"service_healthy".equals(text(services, service, "depends_on", dependency, "condition"))) {
            problems.add(service + " must wait for " + dependency + " to be healthy (depends_on condition service_healthy)");
        }
        if (map(services, dependency, "healthcheck").isEmpty() && !imageHasHealthcheck(map(services, dependency))) {
            problems.add(dependency + " has no health check, in the compose file or in its image");
        }
    }

    private static boolean imageHasHealthcheck(Map<String, Object> service) {
        String context = text(service, "build", "context");
        String dockerfile = text(service, "build", "dockerfile");
        if (context == null || dockerfile == null || !Files.isRegularFile(Path.of(context).resolve(dockerfile))) {
            return false;
        }
        return Repository.read(Path.of(context).resolve(dockerfile)).matches("(?s).*(^|\n)HEALTHCHECK\\s+[^\n]*.*");
    }

    /** The service's environment as a map (compose accepts a map or a list of NAME=value). */
    static Map<String, String> environment(Map<String, Object> service) {
        Map<String, String> env = new LinkedHashMap<>();
        Object raw = service.get("environment");
        if (raw instanceof Map<?, ?> m) {
            m.forEach((k, v) -> env.put(String.valueOf(k), v == null ? "" : String.valueOf(v)));
        } else if (raw instanceof List<?> l) {
            for (Object item : l) {
                String[] kv = String.valueOf(item).split("=", 2);
                env.put(kv[0], kv.length > 1 ? kv[1] : "");
            }
        }
        return env;
    }
}
