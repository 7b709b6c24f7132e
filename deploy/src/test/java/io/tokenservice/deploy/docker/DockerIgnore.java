package io.tokenservice.deploy.docker;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** The patterns of a {@code .dockerignore}: which paths of the build context never reach the builder. */
record DockerIgnore(List<Rule> rules) {
    record Rule(Pattern pattern, boolean include) {}

    static DockerIgnore parse(String text) {
        List<Rule> rules = new ArrayList<>();
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            boolean include = line.startsWith("!");
            String glob = (include ? line.substring(1) : line).strip();
            while (glob.startsWith("/")) {
                glob = glob.substring(1);
            }
            while (glob.endsWith("/") && glob.length() > 1) {
                glob = glob.substring(0, glob.length() - 1);
            }
            rules.add(new Rule(Pattern.compile(regex(glob)), include));
        }
        return new DockerIgnore(rules);
    }

    private static String regex(String glob) {
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == '*' && i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
                boolean slash = i + 2 < glob.length() && glob.charAt(i + 2) == '/';
                regex.append(slash ? "(?:.*/)?" : ".*");
                i += slash ? 2 : 1;
            } else if (c == '*') {
                regex.append("[^/]*");
            } else if (c == '?') {
                regex.append("[^/]");
            } else {
                regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return regex.toString();
    }

    /** Whether the context path (relative, with /) is left out; a left-out directory leaves out all below it. */
    boolean excludes(String path) {
        boolean excluded = false;
        for (Rule rule : rules) {
            if (matchesItselfOrParent(rule.pattern(), path)) {
                excluded = !rule.include();
            }
        }
        return excluded;
    }

    private static boolean matchesItselfOrParent(Pattern pattern, String path) {
        String current = path;
        while (true) {
            if (pattern.matcher(current).matches()) {
                return true;
            }
            int slash = current.lastIndexOf('/');
            if (slash < 0) {
                return false;
            }
            current = current.substring(0, slash);
        }
    }
}
