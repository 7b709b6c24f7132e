package io.tokenservice.server.policy;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Typed, strict access to one mapping of a parsed YAML document (as snakeyaml returns it), with error
 * messages naming the full path of the offending key. Unknown keys are errors, so a misspelt key can
 * not silently fall back to a default.
 */
final class YamlSection {
    private final String path;
    private final Map<String, Object> values;

    private YamlSection(String path, Map<String, Object> values) {
        this.path = path;
        this.values = values;
    }

    static YamlSection of(String path, Object node) {
        if (node == null) {
            return new YamlSection(path, Map.of());
        }
        if (!(node instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException(path + ": expected a mapping");
        }
        Map<String, Object> copy = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (!(e.getKey() instanceof String key)) {
                throw new IllegalArgumentException(path + ": key " + e.getKey()
                        + " is not a string (quote it)");
            }
            copy.put(key, e.getValue());
        }
        return new YamlSection(path, copy);
    }

    String path() {
        return path;
    }

    String path(String key) {
        return path + "." + key;
    }

    Set<String> keys() {
        return values.keySet();
    }

    boolean has(String key) {
        return values.containsKey(key) && values.get(key) != null;
    }

    void allowOnly(Set<String> allowed) {
        for (String key : values.keySet()) {
            if (!allowed.contains(key)) {
                throw new IllegalArgumentException(path(key) + ": unknown setting (known: "
                        + String.join(", ", allowed.stream().sorted().toList()) + ")");
            }
        }
    }

    YamlSection section(String key) {
        return of(path(key), values.get(key));
    }

    Optional<String> string(String key) {
        Object v = values.get(key);
        if (v == null) {
            return Optional.empty();
        }
        if (!(v instanceof String s)) {
            throw new IllegalArgumentException(path(key) + ": expected a string (quote the value)");
        }
        return Optional.of(s);
    }

    /** A list of strings; a single string counts as a one-element list; absent = empty. */
    List<String> strings(String key) {
        Object v = values.get(key);
        if (v == null) {
            return List.of();
        }
        if (v instanceof String s) {
            return List.of(s);
        }
        if (!(v instanceof List<?> list)) {
            throw new IllegalArgumentException(path(key) + ": expected a list of strings");
        }
        List<String> out = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof String s)) {
                throw new IllegalArgumentException(path(key) + "[" + i + "]: expected a string"
                        + " (quote values such as 123, yes, no, on or off)");
            }
            out.add(s);
        }
        return out;
    }

    boolean bool(String key, boolean fallback) {
        Object v = values.get(key);
        if (v == null) {
            return fallback;
        }
        if (!(v instanceof Boolean b)) {
            throw new IllegalArgumentException(path(key) + ": expected true or false");
        }
        return b;
    }

    long integer(String key, long fallback) {
        Object v = values.get(key);
        if (v == null) {
            return fallback;
        }
        if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        if (v instanceof BigInteger) {
            throw new IllegalArgumentException(path(key) + ": number too large");
        }
        throw new IllegalArgumentException(path(key) + ": expected a whole number");
    }

    double number(String key, double fallback) {
        Object v = values.get(key);
        if (v == null) {
            return fallback;
        }
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        throw new IllegalArgumentException(path(key) + ": expected a number");
    }
}
