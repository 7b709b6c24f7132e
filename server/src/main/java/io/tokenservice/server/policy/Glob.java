package io.tokenservice.server.policy;

import java.util.Objects;

/**
 * A precompiled whole-string glob: {@code *} matches any run of characters (also none), {@code ?}
 * exactly one character, everything else itself (case-sensitive). No regular expression is involved:
 * plain literals, prefixes ({@code team-*}), suffixes and {@code *} are matched with
 * {@code equals}/{@code startsWith}/{@code endsWith}; other patterns with a linear-time two-pointer
 * matcher that backtracks only to the last star. Nothing is allocated per match.
 */
public final class Glob {
    private enum Kind { ANY, LITERAL, PREFIX, SUFFIX, GENERAL }

    private final String pattern;
    private final Kind kind;
    private final String fixed;

    private Glob(String pattern) {
        this.pattern = pattern;
        int stars = count(pattern, '*');
        boolean question = pattern.indexOf('?') >= 0;
        if (pattern.equals("*")) {
            kind = Kind.ANY;
            fixed = "";
        } else if (stars == 0 && !question) {
            kind = Kind.LITERAL;
            fixed = pattern;
        } else if (stars == 1 && !question && pattern.endsWith("*")) {
            kind = Kind.PREFIX;
            fixed = pattern.substring(0, pattern.length() - 1);
        } else if (stars == 1 && !question && pattern.startsWith("*")) {
            kind = Kind.SUFFIX;
            fixed = pattern.substring(1);
        } else {
            kind = Kind.GENERAL;
            fixed = collapseStars(pattern);
        }
    }

    public static Glob compile(String pattern) {
        Objects.requireNonNull(pattern, "pattern");
        if (pattern.isEmpty()) {
            throw new IllegalArgumentException("empty pattern");
        }
        return new Glob(pattern);
    }

    public String pattern() {
        return pattern;
    }

    /** True if this glob matches every string ({@code *} or only stars). */
    public boolean matchesEverything() {
        return kind == Kind.ANY || (kind == Kind.GENERAL && fixed.equals("*"));
    }

    public boolean matches(String s) {
        switch (kind) {
            case ANY:
                return true;
            case LITERAL:
                return fixed.equals(s);
            case PREFIX:
                return s.startsWith(fixed);
            case SUFFIX:
                return s.endsWith(fixed);
            default:
                return general(fixed, s);
        }
    }

    private static boolean general(String p, String s) {
        int pi = 0;
        int si = 0;
        int starP = -1;
        int starS = 0;
        int pn = p.length();
        int sn = s.length();
        while (si < sn) {
            if (pi < pn) {
                char pc = p.charAt(pi);
                if (pc == '*') {
                    starP = pi++;
                    starS = si;
                    continue;
                }
                if (pc == '?' || pc == s.charAt(si)) {
                    pi++;
                    si++;
                    continue;
                }
            }
            if (starP < 0) {
                return false;
            }
            pi = starP + 1;
            si = ++starS;
        }
        while (pi < pn && p.charAt(pi) == '*') {
            pi++;
        }
        return pi == pn;
    }

    private static int count(String s, char c) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == c) {
                n++;
            }
        }
        return n;
    }

    private static String collapseStars(String p) {
        StringBuilder b = new StringBuilder(p.length());
        for (int i = 0; i < p.length(); i++) {
            char c = p.charAt(i);
            if (c == '*' && b.length() > 0 && b.charAt(b.length() - 1) == '*') {
                continue;
            }
            b.append(c);
        }
        return b.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Glob g && g.pattern.equals(pattern);
    }

    @Override
    public int hashCode() {
        return pattern.hashCode();
    }

    @Override
    public String toString() {
        return pattern;
    }
}
