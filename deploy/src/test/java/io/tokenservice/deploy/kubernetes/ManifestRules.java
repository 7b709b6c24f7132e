package io.tokenservice.deploy.kubernetes;

import static io.tokenservice.deploy.Nodes.list;
import static io.tokenservice.deploy.Nodes.map;
import static io.tokenservice.deploy.Nodes.maps;
import static io.tokenservice.deploy.Nodes.selects;
import static io.tokenservice.deploy.Nodes.text;
import static io.tokenservice.deploy.Nodes.texts;

import io.tokenservice.deploy.SecretValues;
import static io.tokenservice.deploy.ServiceNames.GATEWAY;
import static io.tokenservice.deploy.ServiceNames.REDIS;
import static io.tokenservice.deploy.ServiceNames.REDIS_URL;
import static io.tokenservice.deploy.ServiceNames.SERVER;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What the rendered manifests promise beyond their schema: hardened pods with probes and resources,
 * secrets only as files, selectors and ports that meet, a NetworkPolicy that admits only the gateway
 * and named namespaces, and the headless Service that lets gRPC clients spread over the replicas.
 */
final class ManifestRules {
    static final String TOKEN_SERVICE = "tokenservice.v1.TokenService";
    private static final String NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

    private final List<String> problems = new ArrayList<>();
    private final Map<String, Map<String, Object>> deployments = new LinkedHashMap<>();
    private final List<Map<String, Object>> services = new ArrayList<>();
    private final List<Map<String, Object>> policies = new ArrayList<>();
    private final List<Map<String, Object>> autoscalers = new ArrayList<>();
    private final List<Map<String, Object>> budgets = new ArrayList<>();
    private final Set<String> configMaps = new LinkedHashSet<>();

    private ManifestRules(List<Map<String, Object>> objects) {
        for (Map<String, Object> object : objects) {
            String name = text(object, "metadata", "name");
            switch (String.valueOf(object.get("kind"))) {
                case "Deployment" -> deployments.put(name, object);
                case "Service" -> services.add(object);
                case "NetworkPolicy" -> policies.add(object);
                case "HorizontalPodAutoscaler" -> autoscalers.add(object);
                case "PodDisruptionBudget" -> budgets.add(object);
                case "ConfigMap" -> configMaps.add(name);
                default -> { }
            }
        }
    }

    static List<String> problems(List<Map<String, Object>> objects) {
        ManifestRules rules = new ManifestRules(objects);
        rules.check();
        return rules.problems;
    }

    /** The names of the Secrets the pods mount (they come from outside the repository). */
    static Set<String> mountedSecrets(List<Map<String, Object>> objects) {
        Set<String> names = new LinkedHashSet<>();
        for (Map<String, Object> object : objects) {
            if ("Deployment".equals(object.get("kind"))) {
                maps(object, "spec", "template", "spec", "volumes").forEach(v -> {
                    if (text(v, "secret", "secretName") != null) {
                        names.add(text(v, "secret", "secretName"));
                    }
                });
            }
        }
        return names;
    }

    private void check() {
        for (String required : List.of(SERVER, GATEWAY, REDIS)) {
            if (!deployments.containsKey(required)) {
                problems.add("no Deployment " + required);
            }
        }
        if (!problems.isEmpty()) {
            return;
        }
        deployments.forEach(this::checkDeployment);
        services.forEach(this::checkService);
        policies.forEach(this::checkPolicy);
        autoscalers.forEach(this::checkAutoscaler);
        budgets.forEach(b -> {
            if (selected(map(b, "spec", "selector", "matchLabels")).isEmpty()) {
                problems.add("PodDisruptionBudget " + name(b) + " selects no Deployment's pods");
            }
        });
        checkServer();
        checkGateway();
        checkRedis();
    }

    private void checkDeployment(String name, Map<String, Object> deployment) {
        String what = "Deployment " + name;
        Map<String, Object> pod = map(deployment, "spec", "template", "spec");
        Map<String, Object> labels = podLabels(deployment);
        if (!selects(map(deployment, "spec", "selector", "matchLabels"), labels)) {
            problems.add(what + ": its selector does not select its own pod labels");
        }
        if (!Boolean.FALSE.equals(pod.get("automountServiceAccountToken"))) {
            problems.add(what + ": set automountServiceAccountToken: false (the pods call no Kubernetes API)");
        }
        Map<String, Object> podSecurity = map(pod, "securityContext");
        if (!"RuntimeDefault".equals(text(podSecurity, "seccompProfile", "type"))) {
            problems.add(what + ": seccompProfile RuntimeDefault");
        }
        Set<String> mounted = new LinkedHashSet<>();
        for (Map<String, Object> container : maps(pod, "containers")) {
            String c = what + " container " + text(container, "name");
            Map<String, Object> security = map(container, "securityContext");
            if (!Boolean.TRUE.equals(firstNonNull(security.get("runAsNonRoot"), podSecurity.get("runAsNonRoot")))) {
                problems.add(c + ": runAsNonRoot must be true");
            }
            Object uid = firstNonNull(security.get("runAsUser"), podSecurity.get("runAsUser"));
            if (!(uid instanceof Integer u) || u <= 0) {
                problems.add(c + ": runAsUser must be a non-root uid, is " + uid);
            }
            if (!Boolean.TRUE.equals(security.get("readOnlyRootFilesystem"))) {
                problems.add(c + ": readOnlyRootFilesystem must be true");
            }
            if (!Boolean.FALSE.equals(security.get("allowPrivilegeEscalation"))) {
                problems.add(c + ": allowPrivilegeEscalation must be false");
            }
            if (!texts(security, "capabilities", "drop").contains("ALL")) {
                problems.add(c + ": must drop ALL capabilities");
            }
            for (String resource : List.of("requests/cpu", "requests/memory", "limits/memory")) {
                if (text(container, "resources", resource.split("/")[0], resource.split("/")[1]) == null) {
                    problems.add(c + ": no resources." + resource.replace('/', '.'));
                }
            }
            for (String probe : List.of("readinessProbe", "livenessProbe")) {
                if (map(container, probe).isEmpty()) {
                    problems.add(c + ": no " + probe);
                }
            }
            String image = String.valueOf(container.get("image"));
            if (!image.substring(image.lastIndexOf('/') + 1).contains(":") && !image.contains("@sha256:")) {
                problems.add(c + ": image " + image + " has no tag");
            }
            for (Map<String, Object> env : maps(container, "env")) {
                String variable = text(env, "name");
                if (!map(env, "valueFrom", "secretKeyRef").isEmpty()) {
                    problems.add(c + ": " + variable + " takes a Secret into the environment; mount it as a file");
                }
                SecretValues.problem(variable, text(env, "value")).ifPresent(p -> problems.add(c + ": " + p));
            }
            for (Map<String, Object> from : maps(container, "envFrom")) {
                if (!map(from, "secretRef").isEmpty()) {
                    problems.add(c + ": envFrom a Secret puts secrets into the environment; mount it as a file");
                }
            }
            for (Map<String, Object> mount : maps(container, "volumeMounts")) {
                mounted.add(text(mount, "name"));
                if (isSecretVolume(pod, text(mount, "name"))) {
                    if (!Boolean.TRUE.equals(mount.get("readOnly"))) {
                        problems.add(c + ": Secret volume " + text(mount, "name") + " must be mounted readOnly");
                    }
                    if (mount.get("subPath") != null) {
                        problems.add(c + ": Secret volume " + text(mount, "name")
                                + " is mounted by subPath, which never sees an updated Secret");
                    }
                }
            }
        }
        for (Map<String, Object> volume : maps(pod, "volumes")) {
            String volumeName = text(volume, "name");
            if (!map(volume, "secret").isEmpty() && !mounted.contains(volumeName)) {
                problems.add(what + ": Secret volume " + volumeName + " is mounted by no container");
            }
            String configMap = text(volume, "configMap", "name");
            if (configMap != null && !configMaps.contains(configMap)) {
                problems.add(what + ": ConfigMap " + configMap + " is not among the manifests");
            }
        }
        if (autoscalers.stream().anyMatch(h -> name.equals(text(h, "spec", "scaleTargetRef", "name")))
                && deployment.containsKey("spec") && map(deployment, "spec").containsKey("replicas")) {
            problems.add(what + ": has replicas although an autoscaler owns the count (every apply would reset it)");
        }
        if (policies.stream().noneMatch(p -> selects(map(p, "spec", "podSelector", "matchLabels"), labels))) {
            problems.add(what + ": no NetworkPolicy selects its pods");
        }
    }

    private void checkService(Map<String, Object> service) {
        String what = "Service " + name(service);
        List<Map<String, Object>> targets = selected(map(service, "spec", "selector"));
        if (targets.isEmpty()) {
            problems.add(what + ": its selector matches no Deployment's pods");
            return;
        }
        for (Map<String, Object> port : maps(service, "spec", "ports")) {
            String target = Objects.requireNonNullElse(text(port, "targetPort"), text(port, "port"));
            for (Map<String, Object> deployment : targets) {
                if (!containerPorts(deployment).containsKey(target) && !containerPorts(deployment).containsValue(target)) {
                    problems.add(what + ": targetPort " + target + " is no container port of Deployment " + name(deployment));
                }
            }
        }
    }

    private void checkPolicy(Map<String, Object> policy) {
        String what = "NetworkPolicy " + name(policy);
        List<Map<String, Object>> protectedPods = selected(map(policy, "spec", "podSelector", "matchLabels"));
        if (protectedPods.isEmpty()) {
            problems.add(what + ": its podSelector matches no Deployment's pods");
            return;
        }
        if (!texts(policy, "spec", "policyTypes").contains("Ingress")) {
            problems.add(what + ": policyTypes must include Ingress");
        }
        boolean publicEntrance = protectedPods.stream().anyMatch(d -> GATEWAY.equals(name(d)));
        for (Map<String, Object> rule : maps(policy, "spec", "ingress")) {
            if (list(rule, "from").isEmpty() && !publicEntrance) {
                problems.add(what + ": a rule without 'from' admits every source; only the gateway is public");
            }
            for (Map<String, Object> peer : maps(rule, "from")) {
                checkPeer(what, peer);
            }
            for (Map<String, Object> port : maps(rule, "ports")) {
                String number = text(port, "port");
                for (Map<String, Object> deployment : protectedPods) {
                    if (!containerPorts(deployment).containsValue(number) && !containerPorts(deployment).containsKey(number)) {
                        problems.add(what + ": port " + number + " is no container port of " + name(deployment));
                    }
                }
            }
        }
    }

    private void checkPeer(String what, Map<String, Object> peer) {
        if (!map(peer, "ipBlock").isEmpty()) {
            problems.add(what + ": admits an ipBlock; admit pods and namespaces by name");
        }
        Map<String, Object> namespaceSelector = map(peer, "namespaceSelector");
        Map<String, Object> podSelector = map(peer, "podSelector");
        if (peer.containsKey("namespaceSelector")) {
            boolean byName = namespaceSelector.size() >= 1 && (map(namespaceSelector, "matchLabels").containsKey(NAMESPACE_NAME_LABEL)
                    || maps(namespaceSelector, "matchExpressions").stream().anyMatch(e ->
                    NAMESPACE_NAME_LABEL.equals(text(e, "key")) && "In".equals(text(e, "operator"))
                            && !list(e, "values").isEmpty()));
            if (!byName) {
                problems.add(what + ": a namespaceSelector must name its namespaces (" + NAMESPACE_NAME_LABEL + ")");
            }
        } else if (peer.containsKey("podSelector")
                && selected(map(podSelector, "matchLabels")).isEmpty()) {
            problems.add(what + ": a podSelector " + map(podSelector, "matchLabels") + " matches no Deployment's pods");
        }
    }

    private void checkAutoscaler(Map<String, Object> autoscaler) {
        String target = text(autoscaler, "spec", "scaleTargetRef", "name");
        if (!"Deployment".equals(text(autoscaler, "spec", "scaleTargetRef", "kind")) || !deployments.containsKey(target)) {
            problems.add("HorizontalPodAutoscaler " + name(autoscaler) + " scales no Deployment of the manifests: " + target);
        }
        Object min = map(autoscaler, "spec").get("minReplicas");
        if (!(min instanceof Integer m) || m < 2) {
            problems.add("HorizontalPodAutoscaler " + name(autoscaler) + ": minReplicas must be at least 2 (one pod is an outage at every node drain)");
        }
    }

    private void checkServer() {
        Map<String, Object> server = deployments.get(SERVER);
        Map<String, Object> container = container(server);
        Map<String, String> env = env(container);
        Map<String, String> ports = containerPorts(server);
        String grpc = ports.get("grpc");
        if (grpc == null || !grpc.equals(env.get("GRPC_PORT"))) {
            problems.add("token-server: container port 'grpc' must be GRPC_PORT " + env.get("GRPC_PORT"));
        }
        if (ports.get("metrics") == null || !ports.get("metrics").equals(env.get("ADMIN_PORT"))) {
            problems.add("token-server: container port 'metrics' must be ADMIN_PORT " + env.get("ADMIN_PORT"));
        }
        if (!"0.0.0.0".equals(env.get("ADMIN_BIND_ADDRESS"))) {
            problems.add("token-server: ADMIN_BIND_ADDRESS must be 0.0.0.0, or the admin port listens on the pod's "
                    + "loopback only and Prometheus cannot scrape it");
        }
        for (String probe : List.of("startupProbe", "readinessProbe", "livenessProbe")) {
            if (!Objects.equals(text(container, probe, "grpc", "port"), grpc)) {
                problems.add("token-server: " + probe + " must be a grpc probe on port " + grpc);
            }
        }
        if (!TOKEN_SERVICE.equals(text(container, "readinessProbe", "grpc", "service"))) {
            problems.add("token-server: readinessProbe must ask for " + TOKEN_SERVICE);
        }
        for (String variable : List.of("TOKEN_SERVICE_CONFIG", "TOKEN_SERVICE_DENY_LIST")) {
            String path = env.get(variable);
            if (path == null || maps(container, "volumeMounts").stream().noneMatch(m -> path.startsWith(text(m, "mountPath") + "/"))) {
                problems.add("token-server: " + variable + " must name a file in a mounted volume, is " + path);
            }
        }
        if (!REDIS_URL.equals(env.get("TOKEN_SERVICE_REDIS_URL"))) {
            problems.add("token-server: TOKEN_SERVICE_REDIS_URL must be " + REDIS_URL);
        }
        boolean headless = services.stream().anyMatch(s -> "None".equals(text(s, "spec", "clusterIP"))
                && selected(map(s, "spec", "selector")).contains(server)
                && maps(s, "spec", "ports").stream().anyMatch(p -> Objects.equals(text(p, "port"), grpc)));
        if (!headless) {
            problems.add("token-server: no headless Service (clusterIP: None) on the grpc port for client-side balancing");
        }
        if (budgets.stream().noneMatch(b -> selects(map(b, "spec", "selector", "matchLabels"), podLabels(server)))) {
            problems.add("token-server: no PodDisruptionBudget");
        }
        if (autoscalers.stream().noneMatch(h -> SERVER.equals(text(h, "spec", "scaleTargetRef", "name")))) {
            problems.add("token-server: no HorizontalPodAutoscaler");
        }
        Map<String, Object> policy = policies.stream()
                .filter(p -> selects(map(p, "spec", "podSelector", "matchLabels"), podLabels(server))).findFirst().orElse(Map.of());
        boolean admitsGateway = maps(policy, "spec", "ingress").stream().anyMatch(rule ->
                maps(rule, "from").stream().anyMatch(peer -> !peer.containsKey("namespaceSelector")
                        && selects(map(peer, "podSelector", "matchLabels"), podLabels(deployments.get(GATEWAY))))
                        && maps(rule, "ports").stream().anyMatch(p -> Objects.equals(text(p, "port"), grpc)));
        if (!admitsGateway) {
            problems.add("token-server: its NetworkPolicy must admit the gateway's pods on the grpc port");
        }
    }

    private void checkGateway() {
        Map<String, Object> gateway = deployments.get(GATEWAY);
        Map<String, Object> container = container(gateway);
        String target = env(container).get("TOKEN_SERVICE_TARGET");
        String[] hostPort = target == null ? new String[0] : target.split(":");
        boolean reachesServer = hostPort.length == 2 && services.stream().anyMatch(s -> hostPort[0].equals(name(s))
                && selected(map(s, "spec", "selector")).contains(deployments.get(SERVER))
                && maps(s, "spec", "ports").stream().anyMatch(p -> hostPort[1].equals(text(p, "port"))));
        if (!reachesServer) {
            problems.add("token-gateway: TOKEN_SERVICE_TARGET " + target + " names no Service port of the token server");
        }
        for (String probe : List.of("readinessProbe", "livenessProbe")) {
            if (!"/ping".equals(text(container, probe, "httpGet", "path"))) {
                problems.add("token-gateway: " + probe + " must GET /ping");
            }
        }
        if (services.stream().noneMatch(s -> selected(map(s, "spec", "selector")).contains(gateway))) {
            problems.add("token-gateway: no Service");
        }
    }

    private void checkRedis() {
        Map<String, Object> redis = deployments.get(REDIS);
        boolean served = services.stream().anyMatch(s -> REDIS.equals(name(s))
                && selected(map(s, "spec", "selector")).contains(redis)
                && maps(s, "spec", "ports").stream().anyMatch(p -> "6379".equals(text(p, "port"))));
        if (!served) {
            problems.add("redis: no Service 'redis' on port 6379 for " + REDIS_URL);
        }
    }

    private List<Map<String, Object>> selected(Map<String, Object> selector) {
        return deployments.values().stream().filter(d -> selects(selector, podLabels(d))).toList();
    }

    private static Map<String, Object> podLabels(Map<String, Object> deployment) {
        return map(deployment, "spec", "template", "metadata", "labels");
    }

    private static Map<String, Object> container(Map<String, Object> deployment) {
        List<Map<String, Object>> containers = maps(deployment, "spec", "template", "spec", "containers");
        return containers.isEmpty() ? Map.of() : containers.get(0);
    }

    /** Container port name to number, over all containers of the pod. */
    private static Map<String, String> containerPorts(Map<String, Object> deployment) {
        Map<String, String> ports = new LinkedHashMap<>();
        for (Map<String, Object> container : maps(deployment, "spec", "template", "spec", "containers")) {
            for (Map<String, Object> port : maps(container, "ports")) {
                ports.put(Objects.requireNonNullElse(text(port, "name"), text(port, "containerPort")),
                        text(port, "containerPort"));
            }
        }
        return ports;
    }

    private static Map<String, String> env(Map<String, Object> container) {
        Map<String, String> env = new LinkedHashMap<>();
        maps(container, "env").forEach(e -> env.put(text(e, "name"), text(e, "value")));
        return env;
    }

    private static boolean isSecretVolume(Map<String, Object> pod, String volume) {
        return maps(pod, "volumes").stream().anyMatch(v -> volume.equals(text(v, "name")) && !map(v, "secret").isEmpty());
    }

    private static String name(Map<String, Object> object) {
        return text(object, "metadata", "name");
    }

    private static Object firstNonNull(Object a, Object b) {
        return a != null ? a : b;
    }
}
