package io.tokenservice.server.policy;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** An ordered list of {@link Glob}s matching a string if any of them does; empty matches nothing. */
public final class GlobList {
    private static final GlobList NONE = new GlobList(List.of());

    private final Glob[] globs;
    private final List<Glob> list;
    private final boolean everything;
    private final String display;

    private GlobList(List<Glob> globs) {
        this.list = List.copyOf(globs);
        this.globs = list.toArray(new Glob[0]);
        boolean all = false;
        for (Glob g : this.globs) {
            all |= g.matchesEverything();
        }
        this.everything = all;
        this.display = list.toString();
    }

    public static GlobList none() {
        return NONE;
    }

    public static GlobList any() {
        return of(List.of("*"));
    }

    public static GlobList of(Collection<String> patterns) {
        List<Glob> globs = new ArrayList<>(patterns.size());
        for (String p : patterns) {
            globs.add(Glob.compile(p));
        }
        return globs.isEmpty() ? NONE : new GlobList(globs);
    }

    public boolean matches(String s) {
        if (everything) {
            return true;
        }
        for (Glob g : globs) {
            if (g.matches(s)) {
                return true;
            }
        }
        return false;
    }

    public boolean isEmpty() {
        return globs.length == 0;
    }

    public boolean matchesEverything() {
        return everything;
    }

    public List<Glob> globs() {
        return list;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GlobList g && g.list.equals(list);
    }

    @Override
    public int hashCode() {
        return list.hashCode();
    }

    /** {@code [team-*, lobby]}, as quoted in denial messages. */
    @Override
    public String toString() {
        return display;
    }
}
