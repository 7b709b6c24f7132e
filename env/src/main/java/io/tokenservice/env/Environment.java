package io.tokenservice.env;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The variables a program of this project runs with: those of {@code workingDir/.env} overlaid with the
 * process environment (real variables win). A blank value counts as unset, because {@code APP_ID=} in a
 * compose file or a Kubernetes manifest means "not set". Each value remembers where it came from, so an
 * error can name {@code APP_ID (from /app/.env)} instead of quoting the value.
 */
public final class Environment {
    /** One set variable: its text and how to name it in a message. */
    public record Variable(String name, String text, String source) {
        /** {@code NAME} or {@code NAME (from /path/.env)}. */
        public String describe() {
            return source.isEmpty() ? name : name + " (from " + source + ")";
        }
    }

    private final Map<String, Variable> variables;
    private final Path workingDir;

    private Environment(Map<String, Variable> variables, Path workingDir) {
        this.variables = Map.copyOf(variables);
        this.workingDir = workingDir;
    }

    /**
     * @throws EnvironmentException if {@code workingDir/.env} exists but cannot be read or parsed
     */
    public static Environment load(Map<String, String> processEnvironment, Path workingDir) {
        Path dir = workingDir.toAbsolutePath();
        Map<String, Variable> merged = new HashMap<>();
        String dotEnvFile = dir.resolve(DotEnv.FILE_NAME).toString();
        DotEnv.load(dir).forEach((name, text) -> merged.put(name, new Variable(name, text, dotEnvFile)));
        processEnvironment.forEach((name, text) -> merged.put(name, new Variable(name, text, "")));
        return new Environment(merged, dir);
    }

    /** The variable if it is set and not blank. */
    public Optional<Variable> get(String name) {
        Variable variable = variables.get(name);
        return variable == null || variable.text().isBlank() ? Optional.empty() : Optional.of(variable);
    }

    /** The stripped text of a set, non-blank variable. */
    public Optional<String> text(String name) {
        return get(name).map(v -> v.text().strip());
    }

    /** A file path, relative ones resolved against the working directory. */
    public Optional<Path> path(String name) {
        return text(name).map(workingDir::resolve);
    }

    /**
     * A whole number within {@code [min, max]}, or {@code defaultValue} when unset.
     *
     * @throws EnvironmentException naming the variable and the range
     */
    public long integer(String name, long defaultValue, long min, long max) {
        Optional<Variable> variable = get(name);
        if (variable.isEmpty()) {
            return defaultValue;
        }
        try {
            long value = Long.parseLong(variable.get().text().strip());
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below, without the value
        }
        throw new EnvironmentException(variable.get().describe() + ": must be a whole number from " + min
                + " to " + max);
    }

    /** Every variable as plain text (set ones only, blank included), for code that takes a map. */
    public Map<String, String> asMap() {
        Map<String, String> plain = new HashMap<>();
        variables.forEach((name, variable) -> plain.put(name, variable.text()));
        return Map.copyOf(plain);
    }

    public Path workingDir() {
        return workingDir;
    }
}
