package io.tokenservice.deploy.kubernetes;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.tokenservice.deploy.Command;
import io.tokenservice.deploy.Repository;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Every rendered object against the Kubernetes API schema, offline, twice: npm {@code kubernetes-models}
 * (required fields, types, formats, enums) and the Kubernetes Java client's generated models, which also
 * reject fields the API does not have (a misspelt key that kubectl would drop or refuse).
 */
final class SchemaCheck {
    private static final Path SCHEMA = Repository.path("deploy/schema");
    private static final Path STAMP = SCHEMA.resolve("node_modules/.installed-from-lock");
    private static final Gson GSON = new Gson();
    private static final Map<String, String> MODELS = Map.of(
            "apps/v1/Deployment", "V1Deployment",
            "v1/Service", "V1Service",
            "v1/ConfigMap", "V1ConfigMap",
            "v1/Namespace", "V1Namespace",
            "policy/v1/PodDisruptionBudget", "V1PodDisruptionBudget",
            "autoscaling/v2/HorizontalPodAutoscaler", "V2HorizontalPodAutoscaler",
            "networking.k8s.io/v1/NetworkPolicy", "V1NetworkPolicy");

    private SchemaCheck() {}

    static List<String> problems(List<Map<String, Object>> objects) {
        List<String> problems = new ArrayList<>(kubernetesModels(objects));
        problems.addAll(unknownFields(objects));
        return problems;
    }

    /** npm kubernetes-models, installed from the committed lock file on first use. */
    static List<String> kubernetesModels(List<Map<String, Object>> objects) {
        installModels();
        Command run = Command.run(SCHEMA, GSON.toJson(objects), Duration.ofMinutes(1), List.of("node", "validate.js"));
        List<String> problems = new ArrayList<>();
        for (String line : run.output().split("\n")) {
            if (!line.startsWith("{")) {
                if (!line.isBlank()) {
                    problems.add("validate.js: " + line);
                }
                continue;
            }
            JsonObject result = JsonParser.parseString(line).getAsJsonObject();
            String what = text(result, "kind") + "/" + text(result, "name");
            result.getAsJsonArray("errors").forEach(e -> problems.add(what + ": " + e.getAsString()));
        }
        if (run.exitCode() != 0 && problems.isEmpty()) {
            problems.add("validate.js failed: " + run.output());
        }
        return problems;
    }

    private static String text(JsonObject object, String member) {
        JsonElement value = object.get(member);
        return value == null || value.isJsonNull() ? "?" : value.getAsString();
    }

    /** The Kubernetes Java client's models: unknown fields and required fields. */
    static List<String> unknownFields(List<Map<String, Object>> objects) {
        List<String> problems = new ArrayList<>();
        for (Map<String, Object> object : objects) {
            String type = object.get("apiVersion") + "/" + object.get("kind");
            String model = MODELS.get(type);
            String what = object.get("kind") + "/" + ((Map<?, ?>) object.getOrDefault("metadata", Map.of())).get("name");
            if (model == null) {
                problems.add(what + ": no schema for " + type + " in this check");
                continue;
            }
            try {
                Method validate = Class.forName("io.kubernetes.client.openapi.models." + model)
                        .getMethod("validateJsonElement", JsonElement.class);
                validate.invoke(null, GSON.toJsonTree(object));
            } catch (InvocationTargetException e) {
                problems.add(what + ": " + e.getCause().getMessage());
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("Kubernetes model " + model + " is missing", e);
            }
        }
        return problems;
    }

    private static synchronized void installModels() {
        try {
            String lock = sha256(Files.readAllBytes(SCHEMA.resolve("package-lock.json")));
            if (Files.isRegularFile(STAMP) && Files.readString(STAMP).equals(lock)) {
                return;
            }
            Command install = Command.run(SCHEMA, null, Duration.ofMinutes(5),
                    List.of("npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund"));
            if (install.exitCode() != 0) {
                throw new AssertionError("npm ci in deploy/schema failed: " + install.output());
            }
            Files.writeString(STAMP, lock);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
