package io.tokenservice.deploy.docker;

import com.google.gson.JsonParser;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Dockerfile read the way the builder reads it: parser directives and comments dropped, continued
 * lines joined, instructions grouped by stage. Enough of the syntax for the checks, not a builder.
 */
record Dockerfile(List<Stage> stages) {
    record Instruction(int line, String keyword, String arguments) {
        /** Exec form ({@code ["a", "b"]}) as its elements, shell form split into words (quotes removed). */
        List<String> words() {
            return Dockerfile.words(arguments);
        }
    }

    record Stage(String image, String name, List<Instruction> instructions) {
        List<Instruction> all(String keyword) {
            return instructions.stream().filter(i -> i.keyword().equals(keyword)).toList();
        }

        Instruction last(String keyword) {
            List<Instruction> found = all(keyword);
            return found.isEmpty() ? null : found.get(found.size() - 1);
        }
    }

    private static final Pattern FROM = Pattern.compile("(?:--platform=\\S+\\s+)?(\\S+)(?:\\s+[aA][sS]\\s+(\\S+))?");

    static Dockerfile parse(String text) {
        List<Stage> stages = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        StringBuilder pending = null;
        int startLine = 0;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].stripTrailing();
            String trimmed = line.strip();
            if (trimmed.startsWith("#") || (pending == null && trimmed.isEmpty())) {
                continue;
            }
            if (pending == null) {
                pending = new StringBuilder();
                startLine = i + 1;
            }
            if (line.endsWith("\\")) {
                pending.append(line, 0, line.length() - 1).append(' ');
                continue;
            }
            pending.append(line);
            add(stages, startLine, pending.toString().strip());
            pending = null;
        }
        if (pending != null) {
            add(stages, startLine, pending.toString().strip());
        }
        return new Dockerfile(stages);
    }

    private static void add(List<Stage> stages, int line, String instruction) {
        String[] parts = instruction.split("\\s+", 2);
        String keyword = parts[0].toUpperCase(Locale.ROOT);
        String arguments = parts.length > 1 ? parts[1].strip() : "";
        if (keyword.equals("FROM")) {
            Matcher m = FROM.matcher(arguments);
            if (!m.matches()) {
                throw new IllegalArgumentException("line " + line + ": cannot read FROM " + arguments);
            }
            stages.add(new Stage(m.group(1), m.group(2), new ArrayList<>()));
            return;
        }
        if (stages.isEmpty()) {
            throw new IllegalArgumentException("line " + line + ": " + keyword + " before the first FROM");
        }
        stages.get(stages.size() - 1).instructions().add(new Instruction(line, keyword, arguments));
    }

    Stage finalStage() {
        return stages.get(stages.size() - 1);
    }

    Stage stage(String name) {
        return stages.stream().filter(s -> name.equals(s.name())).findFirst().orElse(null);
    }

    static List<String> words(String arguments) {
        if (arguments.startsWith("[")) {
            List<String> result = new ArrayList<>();
            JsonParser.parseString(arguments).getAsJsonArray().forEach(e -> result.add(e.getAsString()));
            return result;
        }
        List<String> result = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        char quote = 0;
        boolean inWord = false;
        for (char c : arguments.toCharArray()) {
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    word.append(c);
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    result.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else {
                word.append(c);
                inWord = true;
            }
        }
        if (inWord) {
            result.add(word.toString());
        }
        return result;
    }
}
