package io.tokenservice.env;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads a {@code .env} file the way the usual dotenv libraries do: {@code KEY=value} lines, optional
 * {@code export }, {@code #} comments, blank lines, single-quoted (literal) or double-quoted values (with
 * {@code \n}, {@code \"} and {@code \\} escapes), unquoted values trimmed and cut at {@code " #"}. Error
 * messages give the line number, never the value.
 */
public final class DotEnv {
    public static final String FILE_NAME = ".env";
    private static final long MAX_BYTES = 1024 * 1024;
    private static final Pattern KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_.]*");

    private DotEnv() {}

    /** The variables of {@code workingDir/.env}, or none if there is no such file. */
    public static Map<String, String> load(Path workingDir) {
        Path file = workingDir.resolve(FILE_NAME);
        if (!Files.exists(file)) {
            return Map.of();
        }
        List<String> lines;
        try {
            if (!Files.isRegularFile(file)) {
                throw new EnvironmentException(file + " is not a regular file");
            }
            if (Files.size(file) > MAX_BYTES) {
                throw new EnvironmentException(file + " is larger than " + MAX_BYTES + " bytes");
            }
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new EnvironmentException(file + ": cannot read it (" + FileProblems.describe(e) + ")");
        }
        return parse(lines, file.toString());
    }

    public static Map<String, String> parse(List<String> lines, String source) {
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String where = source + " line " + (i + 1);
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("export ")) {
                line = line.substring("export ".length()).stripLeading();
            }
            int equals = line.indexOf('=');
            if (equals < 0) {
                throw new EnvironmentException(where + ": expected KEY=value");
            }
            String key = line.substring(0, equals).strip();
            if (!KEY.matcher(key).matches()) {
                throw new EnvironmentException(where + ": the name before '=' is not a valid variable name");
            }
            values.put(key, value(line.substring(equals + 1).strip(), where));
        }
        return values;
    }

    private static String value(String raw, String where) {
        if (raw.isEmpty()) {
            return "";
        }
        char quote = raw.charAt(0);
        if (quote == '\'') {
            int end = raw.indexOf('\'', 1);
            if (end < 0) {
                throw new EnvironmentException(where + ": the single-quoted value is not closed (values must fit on one line)");
            }
            requireOnlyComment(raw.substring(end + 1), where);
            return raw.substring(1, end);
        }
        if (quote == '"') {
            StringBuilder value = new StringBuilder();
            for (int i = 1; i < raw.length(); i++) {
                char c = raw.charAt(i);
                if (c == '"') {
                    requireOnlyComment(raw.substring(i + 1), where);
                    return value.toString();
                }
                if (c == '\\' && i + 1 < raw.length()) {
                    char next = raw.charAt(++i);
                    value.append(switch (next) {
                        case 'n' -> '\n';
                        case 't' -> '\t';
                        case 'r' -> '\r';
                        default -> next;
                    });
                } else {
                    value.append(c);
                }
            }
            throw new EnvironmentException(where + ": the double-quoted value is not closed (values must fit on one line)");
        }
        int comment = raw.indexOf(" #");
        return (comment >= 0 ? raw.substring(0, comment) : raw).strip();
    }

    private static void requireOnlyComment(String rest, String where) {
        String trimmed = rest.strip();
        if (!trimmed.isEmpty() && !trimmed.startsWith("#")) {
            throw new EnvironmentException(where + ": unexpected text after the closing quote");
        }
    }
}
