package io.tokenservice.server.config;

import io.tokenservice.core.validation.InputRules;
import io.tokenservice.env.FileProblems;
import io.tokenservice.core.validation.InvalidTokenInputException;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * The multi-app configuration file named by {@code TOKEN_SERVICE_CONFIG}:
 *
 * <pre>
 * apps:
 *   - appId: 0123456789abcdef0123456789abcdef
 *     primaryCertificate: ...            # or primaryCertificateFile: /run/secrets/app1-primary
 *     secondaryCertificate: ...          # optional; or secondaryCertificateFile
 * grpcPort: 50051                        # optional; the environment variables override these
 * renewGraceSeconds: 300
 * shutdownGraceSeconds: 20
 * tls:
 *   certFile: /etc/tls/tls.crt
 *   keyFile: /etc/tls/tls.key
 *   clientCaFile: /etc/tls/clients-ca.crt   # optional
 * transport:                             # optional: TransportLimits, keys as in TRANSPORT_KEYS
 *   maxConcurrentCallsPerConnection: 100
 * </pre>
 *
 * Scalars are read as written (the YAML node text), so an all-digit App ID keeps its leading zeros.
 * Relative file paths are resolved against the YAML file's directory. Unknown keys are errors (they
 * are usually typos), except the {@code security} section, which the caller-security code reads itself.
 * Messages give the key path and line, never a value.
 */
final class YamlConfigFile {
    private static final long MAX_BYTES = 1024 * 1024;
    private static final Set<String> TOP_LEVEL_KEYS =
            Set.of("apps", "grpcPort", "renewGraceSeconds", "shutdownGraceSeconds", "tls", "security", "transport");
    private static final Set<String> APP_KEYS = Set.of("appId", "primaryCertificate", "primaryCertificateFile",
            "secondaryCertificate", "secondaryCertificateFile");
    private static final Set<String> TLS_KEYS = Set.of("certFile", "keyFile", "clientCaFile");
    /** The keys of the {@code transport:} section (transport limits; EnvironmentConfig reads their values). */
    static final Set<String> TRANSPORT_KEYS = Set.of("maxConcurrentCallsPerConnection", "maxPublicCallsPerConnection",
            "maxRequestBytes", "maxHeaderListBytes", "firstMessageTimeoutSeconds", "maxConnectionIdleSeconds",
            "maxConnectionAgeSeconds", "maxConnectionAgeGraceSeconds", "permitKeepAliveTimeSeconds",
            "permitKeepAliveWithoutCalls", "unauthenticatedConnectionTimeoutSeconds", "maxUnauthenticatedConnections");

    /** The file's settings; absent values were not in the file. {@code transport}: key to value as written. */
    record Settings(List<AppKeys> apps, Optional<String> grpcPort, Optional<String> renewGraceSeconds,
            Optional<String> shutdownGraceSeconds, Optional<Path> tlsCertFile, Optional<Path> tlsKeyFile,
            Optional<Path> tlsClientCaFile, Map<String, String> transport) {}

    private final String source;
    private final Path baseDir;

    private YamlConfigFile(String source, Path baseDir) {
        this.source = source;
        this.baseDir = baseDir;
    }

    /** Reads and checks {@code file}; {@code setting} names where the path came from. */
    static Settings load(String setting, Path file) {
        String source = setting + " " + file;
        if (!Files.isRegularFile(file)) {
            throw new ConfigException(source + ": " + (Files.exists(file) ? "is not a regular file" : "no such file"));
        }
        Node root;
        try {
            if (Files.size(file) > MAX_BYTES) {
                throw new ConfigException(source + ": larger than " + MAX_BYTES + " bytes");
            }
            LoaderOptions options = new LoaderOptions();
            options.setAllowDuplicateKeys(false);
            options.setMaxAliasesForCollections(20);
            options.setNestingDepthLimit(20);
            try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                root = new Yaml(new SafeConstructor(options)).compose(reader);
            }
        } catch (IOException e) {
            throw new ConfigException(source + ": cannot read it (" + FileProblems.describe(e) + ")");
        } catch (MarkedYAMLException e) {
            // getMessage() would quote a snippet of the file, which may hold a certificate.
            String where = e.getProblemMark() == null ? "" : " at line " + (e.getProblemMark().getLine() + 1)
                    + ", column " + (e.getProblemMark().getColumn() + 1);
            throw new ConfigException(source + ": not valid YAML" + where
                    + (e.getProblem() == null ? "" : ": " + e.getProblem()));
        } catch (YAMLException e) {
            throw new ConfigException(source + ": not valid YAML");
        }
        Path parent = file.toAbsolutePath().getParent();
        return new YamlConfigFile(source, parent).settings(root);
    }

    private Settings settings(Node root) {
        if (!(root instanceof MappingNode)) {
            throw error("", root, "the file must be a mapping with an 'apps' list");
        }
        Map<String, Node> top = mapping("", (MappingNode) root, TOP_LEVEL_KEYS);
        Node appsNode = top.get("apps");
        if (appsNode == null || isNull(appsNode)) {
            throw error("apps", root, "is required: list each app with appId and primaryCertificate");
        }
        if (!(appsNode instanceof SequenceNode sequence)) {
            throw error("apps", appsNode, "must be a list");
        }
        if (sequence.getValue().isEmpty()) {
            throw error("apps", appsNode, "must list at least one app");
        }
        List<AppKeys> apps = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < sequence.getValue().size(); i++) {
            AppKeys app = app("apps[" + i + "]", sequence.getValue().get(i));
            if (!seen.add(app.appId())) {
                throw error("apps[" + i + "].appId", sequence.getValue().get(i),
                        "app " + app.appId() + " is listed twice");
            }
            apps.add(app);
        }
        Optional<Path> cert = Optional.empty();
        Optional<Path> key = Optional.empty();
        Optional<Path> clientCa = Optional.empty();
        Node tlsNode = top.get("tls");
        if (tlsNode != null && !isNull(tlsNode)) {
            if (!(tlsNode instanceof MappingNode tlsMapping)) {
                throw error("tls", tlsNode, "must be a mapping with certFile and keyFile");
            }
            Map<String, Node> tls = mapping("tls", tlsMapping, TLS_KEYS);
            cert = optionalScalar("tls.certFile", tls).map(baseDir::resolve);
            key = optionalScalar("tls.keyFile", tls).map(baseDir::resolve);
            clientCa = optionalScalar("tls.clientCaFile", tls).map(baseDir::resolve);
        }
        Map<String, String> transport = new LinkedHashMap<>();
        Node transportNode = top.get("transport");
        if (transportNode != null && !isNull(transportNode)) {
            if (!(transportNode instanceof MappingNode transportMapping)) {
                throw error("transport", transportNode, "must be a mapping of transport limits");
            }
            Map<String, Node> limits = mapping("transport", transportMapping, TRANSPORT_KEYS);
            for (String name : limits.keySet()) {
                optionalScalar("transport." + name, limits).ifPresent(value -> transport.put(name, value));
            }
        }
        return new Settings(List.copyOf(apps), optionalScalar("grpcPort", top),
                optionalScalar("renewGraceSeconds", top), optionalScalar("shutdownGraceSeconds", top),
                cert, key, clientCa, Map.copyOf(transport));
    }

    private AppKeys app(String path, Node node) {
        if (!(node instanceof MappingNode mappingNode)) {
            throw error(path, node, "must be a mapping with appId and primaryCertificate");
        }
        Map<String, Node> app = mapping(path, mappingNode, APP_KEYS);
        String appId = optionalScalar(path + ".appId", app)
                .orElseThrow(() -> error(path + ".appId", node, "is required"));
        hex32(path + ".appId", app.get("appId"), appId);
        String primary = certificate(path, "primaryCertificate", app, node)
                .orElseThrow(() -> error(path + ".primaryCertificate", node,
                        "is required (or primaryCertificateFile)"));
        Optional<String> secondary = certificate(path, "secondaryCertificate", app, node);
        return secondary.isPresent() ? AppKeys.of(appId, primary, secondary.get()) : AppKeys.of(appId, primary);
    }

    private Optional<String> certificate(String path, String name, Map<String, Node> app, Node appNode) {
        Optional<String> inline = optionalScalar(path + "." + name, app);
        Optional<String> fileName = optionalScalar(path + "." + name + "File", app);
        if (inline.isPresent() && fileName.isPresent()) {
            throw error(path + "." + name, appNode, "set " + name + " or " + name + "File, not both");
        }
        if (inline.isPresent()) {
            hex32(path + "." + name, app.get(name), inline.get());
            return inline;
        }
        if (fileName.isPresent()) {
            Path file = baseDir.resolve(fileName.get());
            String certificate = Files2.readSecret(source + ": " + path + "." + name + "File", file);
            hex32(path + "." + name + "File " + file + " (content)", app.get(name + "File"), certificate);
            return Optional.of(certificate);
        }
        return Optional.empty();
    }

    private void hex32(String path, Node node, String value) {
        try {
            InputRules.requireHex32(path, value);
        } catch (InvalidTokenInputException e) {
            throw error(path, node, e.rule());
        }
    }

    private Map<String, Node> mapping(String path, MappingNode node, Set<String> allowed) {
        Map<String, Node> values = new LinkedHashMap<>();
        for (NodeTuple tuple : node.getValue()) {
            String prefix = path.isEmpty() ? "" : path + ".";
            if (!(tuple.getKeyNode() instanceof ScalarNode key)) {
                throw error(path, tuple.getKeyNode(), "keys must be plain names");
            }
            String name = key.getValue();
            if (!allowed.contains(name)) {
                throw error(prefix + name, key, "unknown key; expected one of " + sorted(allowed));
            }
            if (values.put(name, tuple.getValueNode()) != null) {
                throw error(prefix + name, key, "appears twice");
            }
        }
        return values;
    }

    private Optional<String> optionalScalar(String path, Map<String, Node> mapping) {
        String name = path.substring(path.lastIndexOf('.') + 1);
        Node node = mapping.get(name);
        if (node == null || isNull(node)) {
            return Optional.empty();
        }
        if (!(node instanceof ScalarNode scalar)) {
            throw error(path, node, "must be a single value");
        }
        String value = scalar.getValue().strip();
        return value.isEmpty() ? Optional.empty() : Optional.of(value);
    }

    private static boolean isNull(Node node) {
        return node instanceof ScalarNode && Tag.NULL.equals(node.getTag());
    }

    private ConfigException error(String path, Node node, String problem) {
        String line = node == null || node.getStartMark() == null ? "" : " (line " + (node.getStartMark().getLine() + 1) + ")";
        return new ConfigException(source + ": " + (path.isEmpty() ? "" : path + line + ": ") + problem);
    }

    private static String sorted(Set<String> names) {
        return new java.util.TreeSet<>(names).toString();
    }
}
