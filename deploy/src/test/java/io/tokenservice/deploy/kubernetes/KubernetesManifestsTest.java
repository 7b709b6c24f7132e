package io.tokenservice.deploy.kubernetes;

import static io.tokenservice.deploy.Nodes.map;
import static io.tokenservice.deploy.Nodes.maps;
import static io.tokenservice.deploy.Nodes.text;
import static io.tokenservice.deploy.Nodes.texts;
import static org.assertj.core.api.Assertions.assertThat;

import io.tokenservice.deploy.Command;
import io.tokenservice.deploy.Repository;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * deploy/kubernetes, rendered offline by kubectl kustomize, every object checked against the API schema
 * and against what the deployment promises; broken copies must fail the same checks.
 */
class KubernetesManifestsTest {
    private static final Path KUBERNETES = Repository.path("deploy/kubernetes");
    private static final String BASE = "base";
    private static final String PRODUCTION = "overlays/production";

    private static final Map<String, List<Map<String, Object>>> RENDERED = new ConcurrentHashMap<>();

    /** The checks only read what kustomize rendered, so each kustomization is rendered once. */
    private static List<Map<String, Object>> render(String kustomization) {
        return RENDERED.computeIfAbsent(kustomization, k -> Kustomize.render(KUBERNETES.resolve(k)));
    }

    private static Stream<Map<String, Object>> ofKind(List<Map<String, Object>> objects, String kind) {
        return objects.stream().filter(o -> kind.equals(o.get("kind")));
    }

    private static Map<String, Object> named(List<Map<String, Object>> objects, String kind, String name) {
        return ofKind(objects, kind).filter(o -> name.equals(text(o, "metadata", "name"))).findFirst().orElseThrow();
    }

    @ParameterizedTest
    @ValueSource(strings = {BASE, PRODUCTION})
    void rendersAndEveryObjectMatchesTheKubernetesSchema(String kustomization) {
        List<Map<String, Object>> objects = render(kustomization);
        assertThat(objects).extracting(o -> o.get("kind")).contains("Deployment", "Service", "ConfigMap",
                "HorizontalPodAutoscaler", "PodDisruptionBudget", "NetworkPolicy");
        assertThat(SchemaCheck.problems(objects)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {BASE, PRODUCTION})
    void keepsWhatTheDeploymentPromises(String kustomization) {
        assertThat(ManifestRules.problems(render(kustomization))).isEmpty();
    }

    @Test
    void productionRunsInItsOwnRestrictedNamespaceWithPinnedImagesAndThreeReplicasAtLeast() {
        List<Map<String, Object>> objects = render(PRODUCTION);
        Map<String, Object> namespace = named(objects, "Namespace", "token-service");
        assertThat(map(namespace, "metadata", "labels")).containsEntry("pod-security.kubernetes.io/enforce", "restricted");
        objects.stream().filter(o -> !"Namespace".equals(o.get("kind")))
                .forEach(o -> assertThat(text(o, "metadata", "namespace")).as(text(o, "metadata", "name")).isEqualTo("token-service"));
        ofKind(objects, "Deployment").flatMap(d -> maps(d, "spec", "template", "spec", "containers").stream())
                .forEach(c -> assertThat(text(c, "image")).matches("[^:]+:[0-9][^:]*").doesNotEndWith(":latest"));
        ofKind(objects, "HorizontalPodAutoscaler")
                .forEach(h -> assertThat((Integer) map(h, "spec").get("minReplicas")).isGreaterThanOrEqualTo(3));
        Map<String, Object> policy = named(objects, "NetworkPolicy", "token-server");
        assertThat(texts(maps(maps(policy, "spec", "ingress").get(0), "from").get(1), "namespaceSelector",
                "matchExpressions")).isNotEmpty();
        assertThat(maps(named(objects, "Deployment", "token-server"), "spec", "template", "spec", "topologySpreadConstraints"))
                .hasSize(2);
    }

    @Test
    void theServerGetsItsSecretsAsFilesAndTheDenyListAsAConfigMap() {
        List<Map<String, Object>> objects = render(BASE);
        Map<String, Object> pod = map(named(objects, "Deployment", "token-server"), "spec", "template", "spec");
        assertThat(maps(pod, "volumes")).anySatisfy(v -> {
            assertThat(text(v, "secret", "secretName")).isEqualTo("token-server");
            assertThat(map(v, "secret").get("defaultMode")).isEqualTo(0440);
        });
        Map<String, Object> container = maps(pod, "containers").get(0);
        assertThat(maps(container, "env")).anySatisfy(e -> {
            assertThat(text(e, "name")).isEqualTo("TOKEN_SERVICE_CONFIG");
            assertThat(text(e, "value")).as("the file deploy/make-secrets writes, in the Secret's mount")
                    .isEqualTo("/etc/token-service/secrets/token-service.yaml");
        });
        assertThat(maps(container, "volumeMounts")).anySatisfy(m -> {
            assertThat(text(m, "name")).isEqualTo("secrets");
            assertThat(text(m, "mountPath")).isEqualTo("/etc/token-service/secrets");
        });
        assertThat(map(named(objects, "ConfigMap", "token-server-deny-list"), "data")).containsKey("deny-list.txt");
        assertThat(objects).noneMatch(o -> "Secret".equals(o.get("kind")));
    }

    @Test
    void theReadmeSaysHowToCreateEverySecretThePodsMount() {
        String readme = Repository.read("README.md");
        for (String secret : ManifestRules.mountedSecrets(render(PRODUCTION))) {
            assertThat(readme).contains("kubectl create secret generic " + secret);
        }
        assertThat(readme).contains("-n token-service --from-file=deploy/secrets/")
                .contains("kubectl apply -k deploy/kubernetes/overlays/production");
    }

    @Test
    void kustomizeRejectsAMisspeltKustomizationKey(@TempDir Path dir) throws IOException {
        Path copy = copyOfTheManifests(dir);
        replace(copy.resolve("base/kustomization.yaml"), "resources:", "resourcess:");
        Command render = Kustomize.run(copy.resolve(PRODUCTION));
        assertThat(render.exitCode()).as(render.output()).isNotZero();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            a misspelt field                  | token-server-deployment.yaml | '          image: tokenservice/token-server:latest' | '          imagee: tokenservice/token-server:latest' | field `imagee` in the JSON string is not defined
            a port without its number         | token-server-deployment.yaml | '              containerPort: 9464'                 | '              hostPort: 9464'                       | must have required property containerPort
            a percentage where a number goes  | token-server-autoscaling.yaml| 'averageUtilization: 70'                            | 'averageUtilization: \"70%\"'                         | averageUtilization must be integer
            a probe port by name (grpc wants a number) | token-server-deployment.yaml | '            grpc:\\n              port: 50051\\n            periodSeconds: 10' | '            grpc:\\n              port: grpc\\n            periodSeconds: 10' | port must be integer
            """)
    void theSchemaCheckRejectsABrokenCopy(String what, String file, String original, String broken, String expected,
                                          @TempDir Path dir) throws IOException {
        List<Map<String, Object>> objects = renderABrokenCopy(dir, PRODUCTION, file, original, broken);
        assertThat(SchemaCheck.problems(objects)).as(what).anySatisfy(p -> assertThat(p).contains(expected));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            no readiness probe               | token-server-deployment.yaml  | '          readinessProbe:' | '          readinessProbeX:' | token-server: readinessProbe must be a grpc probe
            a writable root file system      | token-gateway-deployment.yaml | 'readOnlyRootFilesystem: true' | 'readOnlyRootFilesystem: false' | container token-gateway: readOnlyRootFilesystem must be true
            root                             | redis.yaml                    | 'runAsUser: 999' | 'runAsUser: 0' | container redis: runAsUser must be a non-root uid
            a certificate in the environment | token-server-deployment.yaml  | '            - name: GRPC_PORT' | '            - name: APP_CERTIFICATE\\n              valueFrom:\\n                secretKeyRef: {name: token-server, key: app-certificate}\\n            - name: GRPC_PORT' | APP_CERTIFICATE takes a Secret into the environment
            the secret by subPath            | token-server-deployment.yaml  | '              mountPath: /etc/token-service/secrets' | '              mountPath: /etc/token-service/secrets/token-service.yaml\\n              subPath: token-service.yaml' | mounted by subPath
            a policy that misses the gateway | token-server-networkpolicy.yaml | '              app.kubernetes.io/name: token-gateway' | '              app.kubernetes.io/name: gateway' | must admit the gateway's pods
            a policy open to every namespace | token-server-networkpolicy.yaml | '        - namespaceSelector:\\n            matchExpressions:' | '        - namespaceSelector: {}\\n          ipBlock:\\n            cidr: 10.0.0.0/8\\n        - namespaceSelector:\\n            matchExpressions:' | must name its namespaces
            a Service selecting nothing      | token-server-services.yaml    | '  name: token-server-headless\\n  labels:\\n    app.kubernetes.io/name: token-server\\n    app.kubernetes.io/part-of: token-service\\nspec:\\n  clusterIP: None\\n  selector:\\n    app.kubernetes.io/name: token-server' | '  name: token-server-headless\\n  labels:\\n    app.kubernetes.io/name: token-server\\n    app.kubernetes.io/part-of: token-service\\nspec:\\n  clusterIP: None\\n  selector:\\n    app.kubernetes.io/name: tokenserver' | Service token-server-headless: its selector matches no Deployment
            no headless Service              | token-server-services.yaml    | '  clusterIP: None' | '  type: ClusterIP' | no headless Service
            a gateway aimed elsewhere        | token-gateway-deployment.yaml | 'value: token-server-headless:50051' | 'value: token-server:5051' | TOKEN_SERVICE_TARGET token-server:5051 names no Service port
            another Redis                    | token-server-deployment.yaml  | 'value: redis://redis:6379' | 'value: redis://cache:6379' | TOKEN_SERVICE_REDIS_URL must be redis://redis:6379
            a replica count under the autoscaler | token-server-deployment.yaml | '  revisionHistoryLimit: 5' | '  replicas: 2\\n  revisionHistoryLimit: 5' | has replicas although an autoscaler owns the count
            no memory limit                  | redis.yaml                    | '            limits:\\n              memory: 192Mi' | '            limits: {}' | no resources.limits.memory
            """)
    void theDeploymentRulesRejectABrokenCopy(String what, String file, String original, String broken, String expected,
                                             @TempDir Path dir) throws IOException {
        List<Map<String, Object>> objects = renderABrokenCopy(dir, BASE, file, original, broken);
        assertThat(ManifestRules.problems(objects)).as(what).anySatisfy(p -> assertThat(p).contains(expected));
    }

    /** Renders {@code kustomization} of a copy of the manifests whose base {@code file} has {@code original} replaced. */
    private static List<Map<String, Object>> renderABrokenCopy(Path dir, String kustomization, String file,
                                                               String original, String broken) throws IOException {
        Path copy = copyOfTheManifests(dir);
        replace(copy.resolve("base").resolve(file), original, broken);
        return Kustomize.render(copy.resolve(kustomization));
    }

    private static Path copyOfTheManifests(Path dir) throws IOException {
        Path copy = dir.resolve("kubernetes");
        try (Stream<Path> files = Files.walk(KUBERNETES)) {
            for (Path file : files.toList()) {
                Path target = copy.resolve(KUBERNETES.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target);
                }
            }
        }
        return copy;
    }

    private static void replace(Path file, String original, String broken) throws IOException {
        String text = Files.readString(file);
        String from = original.replace("\\n", "\n");
        assertThat(text).as("%s still holds what this case breaks", file.getFileName()).contains(from);
        Files.writeString(file, text.replace(from, broken.replace("\\n", "\n")));
    }
}
