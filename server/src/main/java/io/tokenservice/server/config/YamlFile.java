package io.tokenservice.server.config;

import io.tokenservice.env.FileProblems;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;

/**
 * The reader of the configuration file ({@code TOKEN_SERVICE_CONFIG}): parses it once into {@link ConfigNode}s
 * that keep each value's text as written and its line, and words every error the same way, {@code <setting>
 * <file>: <path> (line <n>): <problem>}, without ever quoting the file (it may hold certificates).
 *
 * <p>Keys are snake_case. The camelCase keys of earlier releases ({@link #DEPRECATED_SPELLINGS}) are still
 * read, with one warning per key per load.
 */
final class YamlFile {
    private static final long MAX_BYTES = 1024 * 1024;
    /** The camelCase keys that earlier releases documented; any other camelCase key is unknown. */
    static final Set<String> DEPRECATED_SPELLINGS = Set.of("appId", "primaryCertificate", "primaryCertificateFile",
            "secondaryCertificate", "secondaryCertificateFile", "grpcPort", "renewGraceSeconds",
            "shutdownGraceSeconds", "certFile", "keyFile", "clientCaFile");

    private final String source;
    private final Path directory;
    private final Consumer<String> warnings;
    private final Set<String> deprecationsSeen = new HashSet<>();

    private YamlFile(String source, Path directory, Consumer<String> warnings) {
        this.source = source;
        this.directory = directory;
        this.warnings = warnings;
    }

    /**
     * Reads and parses {@code file}.
     *
     * @param setting how the user named the file ({@code TOKEN_SERVICE_CONFIG}), the start of every message
     * @param warnings receives each deprecation warning (one line)
     * @return the document's top node, {@link ConfigNode#isPresent() absent} for an empty file
     */
    static ConfigNode read(String setting, Path file, Consumer<String> warnings) {
        YamlFile yaml = new YamlFile(setting + " " + file, file.toAbsolutePath().getParent(), warnings);
        if (!Files.isRegularFile(file)) {
            throw yaml.error("", 0, Files.exists(file) ? "is not a regular file" : "no such file");
        }
        try {
            if (Files.size(file) > MAX_BYTES) {
                throw yaml.error("", 0, "is larger than " + MAX_BYTES + " bytes");
            }
            LoaderOptions options = new LoaderOptions();
            options.setMaxAliasesForCollections(20);
            options.setNestingDepthLimit(20);
            try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                Node root = new Yaml(new SafeConstructor(options)).compose(reader);
                return ConfigNode.root(yaml, root);
            }
        } catch (IOException e) {
            throw yaml.error("", 0, "cannot read it (" + FileProblems.describe(e) + ")");
        } catch (MarkedYAMLException e) {
            // getMessage() would quote a snippet of the file, which may hold a certificate.
            String where = e.getProblemMark() == null ? "" : " at line " + (e.getProblemMark().getLine() + 1)
                    + ", column " + (e.getProblemMark().getColumn() + 1);
            throw yaml.error("", 0, "not valid YAML" + where + (e.getProblem() == null ? "" : ": " + e.getProblem()));
        } catch (YAMLException e) {
            throw yaml.error("", 0, "not valid YAML");
        }
    }

    /** The directory relative paths in the file are resolved against. */
    Path directory() {
        return directory;
    }

    ConfigException error(String path, int line, String problem) {
        String where = path.isEmpty() ? "" : path + (line > 0 ? " (line " + line + ")" : "") + ": ";
        return new ConfigException(source + ": " + where + problem);
    }

    /** Records the use of a deprecated spelling; warns once per spelling and load. */
    void deprecated(String written, String key, int line) {
        if (deprecationsSeen.add(written)) {
            warnings.accept(source + ": " + written + " (line " + line + ") is deprecated: write " + key
                    + " (camelCase keys will stop working in a later release)");
        }
    }

    static boolean isDeprecatedSpelling(String key) {
        return DEPRECATED_SPELLINGS.contains(key);
    }

    /** {@code renewGraceSeconds} to {@code renew_grace_seconds}. */
    static String snakeCase(String key) {
        StringBuilder b = new StringBuilder(key.length() + 4);
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (Character.isUpperCase(c)) {
                b.append('_').append(Character.toLowerCase(c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
