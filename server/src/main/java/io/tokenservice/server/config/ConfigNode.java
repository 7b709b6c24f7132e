package io.tokenservice.server.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * One value of the configuration file, or its absence, with the path that names it in errors
 * ({@code security.callers.web.roles}, {@code apps[0].app_id}) and its line. Every accessor is strict: a
 * value of the wrong shape is a {@link ConfigException} naming the path and the line and never quoting the
 * value (it may be a certificate). Scalars are read as written, so {@code 0123} keeps its leading zero and
 * {@code on} is the text "on".
 */
public final class ConfigNode {
    private final YamlFile file;
    private final String path;
    private final Node node;
    private final int line;

    private ConfigNode(YamlFile file, String path, Node node, int line) {
        this.file = file;
        this.path = path;
        this.node = node;
        this.line = line;
    }

    /** The top of a document ({@code node} null for an empty file). */
    static ConfigNode root(YamlFile file, Node node) {
        return new ConfigNode(file, "", node, node == null ? 0 : lineOf(node));
    }

    /** What a configuration without a file reads: every key absent. */
    static ConfigNode none() {
        return new ConfigNode(null, "", null, 0);
    }

    private ConfigNode child(String childPath, Node child) {
        return new ConfigNode(file, childPath, child, child == null ? line : lineOf(child));
    }

    private static int lineOf(Node node) {
        return node.getStartMark() == null ? 0 : node.getStartMark().getLine() + 1;
    }

    /** False if the key is missing or its value is empty ({@code key:} or {@code key: ~}). */
    public boolean isPresent() {
        return node != null && !(node instanceof ScalarNode && Tag.NULL.equals(node.getTag()));
    }

    /** Whether the key is in the file at all, even with an empty value ({@code security:}). */
    public boolean isWritten() {
        return node != null;
    }

    /** How errors name this value: {@code security.deny_list.path}. */
    public String path() {
        return path;
    }

    /** A one-line error about this value: file, path, line and {@code problem}. */
    public ConfigException error(String problem) {
        if (file == null) {
            throw new IllegalStateException("no configuration file holds " + path);
        }
        return file.error(path, line, problem);
    }

    /**
     * This value as a mapping with the given keys (snake_case): absent = empty. An unknown key, a key given
     * twice or a key that is not a plain name is an error; a deprecated camelCase spelling of a known key is
     * accepted with a warning ({@link YamlFile#deprecated}).
     */
    public Mapping mapping(Set<String> keys) {
        Map<String, ConfigNode> values = new LinkedHashMap<>();
        Map<String, String> spellings = new LinkedHashMap<>();
        for (Map.Entry<String, Key> e : entries().entrySet()) {
            String written = e.getKey();
            String name = keys.contains(written) ? written : YamlFile.snakeCase(written);
            ConfigNode key = e.getValue().keyNode();
            if (!keys.contains(name) || (!name.equals(written) && !YamlFile.isDeprecatedSpelling(written))) {
                throw key.error("unknown key; expected one of " + new TreeSet<>(keys));
            }
            if (!name.equals(written)) {
                file.deprecated(written, name, key.line);
            }
            String earlier = spellings.putIfAbsent(name, written);
            if (earlier != null) {
                throw key.error("repeats " + earlier + ": they are the same setting, keep one");
            }
            values.put(name, e.getValue().value());
        }
        return new Mapping(this, values);
    }

    /**
     * This value as a mapping of names chosen by the user (such as callers): name to value, in file order;
     * absent = empty.
     */
    public Map<String, ConfigNode> namedEntries() {
        Map<String, ConfigNode> values = new LinkedHashMap<>();
        entries().forEach((name, key) -> values.put(name, key.value()));
        return values;
    }

    /** The node of the key {@code name} of this mapping, for errors about the name itself. */
    public ConfigNode keyOf(String name) {
        Key key = entries().get(name);
        return key == null ? this : key.keyNode();
    }

    private record Key(ConfigNode keyNode, ConfigNode value) {}

    private Map<String, Key> entries() {
        Map<String, Key> entries = new LinkedHashMap<>();
        if (!isPresent()) {
            return entries;
        }
        if (!(node instanceof MappingNode mapping)) {
            throw error("must be a mapping (key: value lines)");
        }
        String prefix = path.isEmpty() ? "" : path + ".";
        for (NodeTuple tuple : mapping.getValue()) {
            if (!(tuple.getKeyNode() instanceof ScalarNode keyNode)) {
                throw child(path, tuple.getKeyNode()).error("keys must be plain names");
            }
            String name = keyNode.getValue();
            ConfigNode key = child(prefix + name, keyNode);
            if (entries.containsKey(name)) {
                throw key.error("is given twice");
            }
            entries.put(name, new Key(key, child(prefix + name, tuple.getValueNode())));
        }
        return entries;
    }

    /** This value as a list: absent = empty. */
    public List<ConfigNode> items() {
        if (!isPresent()) {
            return List.of();
        }
        if (!(node instanceof SequenceNode sequence)) {
            throw error("must be a list");
        }
        List<ConfigNode> items = new ArrayList<>(sequence.getValue().size());
        for (int i = 0; i < sequence.getValue().size(); i++) {
            items.add(child(path + "[" + i + "]", sequence.getValue().get(i)));
        }
        return items;
    }

    /** The text as written, stripped; empty if absent or blank. */
    public Optional<String> text() {
        if (!isPresent()) {
            return Optional.empty();
        }
        if (!(node instanceof ScalarNode scalar)) {
            throw error("must be a single value");
        }
        String value = scalar.getValue().strip();
        return value.isEmpty() ? Optional.empty() : Optional.of(value);
    }

    /** A file named by this value: relative paths are relative to the configuration file; empty if absent. */
    public Optional<Path> file() {
        return text().map(name -> file.directory().resolve(name));
    }

    /** This value as a list, where a single value counts as a list of one; absent = empty. */
    public List<ConfigNode> elements() {
        return isPresent() && node instanceof ScalarNode ? List.of(this) : items();
    }

    /** A list of non-empty texts; a single value counts as a list of one; absent = empty. */
    public List<String> strings() {
        List<String> texts = new ArrayList<>();
        for (ConfigNode item : elements()) {
            texts.add(item.text().orElseThrow(() -> item.error("must not be empty")));
        }
        return texts;
    }

    /** {@code true} or {@code false} (also YAML's yes/no, on/off when unquoted); {@code fallback} if absent. */
    public boolean flag(boolean fallback) {
        Optional<String> text = text();
        if (text.isEmpty()) {
            return fallback;
        }
        String value = text.get();
        if (value.equalsIgnoreCase("true") || (Tag.BOOL.equals(node.getTag()) && isYamlTrue(value))) {
            return true;
        }
        if (value.equalsIgnoreCase("false") || Tag.BOOL.equals(node.getTag())) {
            return false;
        }
        throw error("must be true or false");
    }

    private static boolean isYamlTrue(String value) {
        return value.equalsIgnoreCase("yes") || value.equalsIgnoreCase("on");
    }

    /** A whole number within {@code [min, max]}; empty if absent. */
    public OptionalLong wholeNumber(long min, long max) {
        Optional<String> text = text();
        if (text.isEmpty()) {
            return OptionalLong.empty();
        }
        try {
            long value = Long.parseLong(text.get());
            if (value >= min && value <= max) {
                return OptionalLong.of(value);
            }
        } catch (NumberFormatException e) {
            // reported below, without the value
        }
        throw error("must be a whole number from " + min + " to " + max);
    }

    /** A decimal number; empty if absent. */
    public OptionalDouble number() {
        Optional<String> text = text();
        if (text.isEmpty()) {
            return OptionalDouble.empty();
        }
        try {
            double value = Double.parseDouble(text.get());
            if (Double.isFinite(value)) {
                return OptionalDouble.of(value);
            }
        } catch (NumberFormatException e) {
            // reported below, without the value
        }
        throw error("must be a number");
    }

    /** The values of a mapping read with {@link ConfigNode#mapping}, by snake_case key. */
    public static final class Mapping {
        private final ConfigNode owner;
        private final Map<String, ConfigNode> values;

        private Mapping(ConfigNode owner, Map<String, ConfigNode> values) {
            this.owner = owner;
            this.values = values;
        }

        /** The value of {@code key}; an absent node (named by the path, at the mapping's line) if missing. */
        public ConfigNode get(String key) {
            ConfigNode value = values.get(key);
            if (value != null) {
                return value;
            }
            String prefix = owner.path.isEmpty() ? "" : owner.path + ".";
            return new ConfigNode(owner.file, prefix + key, null, owner.line);
        }
    }
}
