package io.tokenservice.deploy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/** Reading parsed YAML (maps, lists, scalars) without casts all over the checks. */
public final class Nodes {
    private Nodes() {}

    /** Every document of a YAML stream that is not empty. */
    public static List<Map<String, Object>> documents(String yaml) {
        List<Map<String, Object>> documents = new ArrayList<>();
        for (Object document : new Yaml(new LoaderOptions()).loadAll(yaml)) {
            if (document != null) {
                documents.add(map(document));
            }
        }
        return documents;
    }

    public static Map<String, Object> document(String yaml) {
        return map(new Yaml(new LoaderOptions()).load(yaml));
    }

    /** The map at {@code path} below {@code node}, or an empty map when any step is missing. */
    public static Map<String, Object> map(Object node, String... path) {
        Object value = at(node, path);
        if (value instanceof Map<?, ?> m) {
            Map<String, Object> result = new LinkedHashMap<>();
            m.forEach((k, v) -> result.put(String.valueOf(k), v));
            return result;
        }
        return Map.of();
    }

    /** The list at {@code path}, or an empty list. */
    public static List<Object> list(Object node, String... path) {
        Object value = at(node, path);
        return value instanceof List<?> l ? new ArrayList<>(l) : List.of();
    }

    /** The maps of the list at {@code path}. */
    public static List<Map<String, Object>> maps(Object node, String... path) {
        List<Map<String, Object>> result = new ArrayList<>();
        for (Object item : list(node, path)) {
            result.add(map(item));
        }
        return result;
    }

    /** The scalar at {@code path} as text, or null. */
    public static String text(Object node, String... path) {
        Object value = at(node, path);
        return value == null || value instanceof Map || value instanceof List ? null : String.valueOf(value);
    }

    public static Object at(Object node, String... path) {
        Object current = node;
        for (String step : path) {
            if (!(current instanceof Map<?, ?> m)) {
                return null;
            }
            current = m.get(step);
        }
        return current;
    }

    public static List<String> texts(Object node, String... path) {
        return list(node, path).stream().map(Objects::toString).toList();
    }

    /** True when every label of {@code selector} is among {@code labels} with the same value. */
    public static boolean selects(Map<String, Object> selector, Map<String, Object> labels) {
        return !selector.isEmpty() && selector.entrySet().stream()
                .allMatch(e -> Objects.equals(String.valueOf(e.getValue()), text(labels, e.getKey())));
    }
}
