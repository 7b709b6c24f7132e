package io.tokenservice.server.denylist;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * An immutable deny-list: identities and channels for which no token is issued or renewed (soft
 * revocation: an Agora token cannot be revoked, but it can be kept from being renewed or reissued).
 *
 * <p>File format (UTF-8), one entry per line, surrounding whitespace ignored; a line starting with
 * {@code #} is a comment, blank lines are ignored. There are no trailing comments: everything after
 * the colon is the value.
 * <pre>
 * # RTC uid, 1..4294967295
 * uid:123456
 * # RTC user account, RTM user id or Chat user id ("user:" is a synonym)
 * account:bob
 * user:alice
 * # RTC channel name
 * channel:evil-room
 * </pre>
 * Matching is exact and case-sensitive. A 007 token records a uid as its decimal string, so
 * {@code uid:123} and {@code account:123} deny the same identity. Any other line makes the whole file
 * invalid (an invalid file is never half applied).
 */
public final class DenyList {
    private static final DenyList EMPTY = new DenyList(Set.of(), Set.of());

    private final Set<String> identities;
    private final Set<String> channels;

    private DenyList(Set<String> identities, Set<String> channels) {
        this.identities = identities;
        this.channels = channels;
    }

    public static DenyList empty() {
        return EMPTY;
    }

    public static DenyList of(Set<String> identities, Set<String> channels) {
        return new DenyList(Set.copyOf(identities), Set.copyOf(channels));
    }

    /** Reads and parses a deny-list file. */
    public static DenyList read(Path file) throws IOException {
        return parse(Files.readString(file, StandardCharsets.UTF_8));
    }

    /**
     * Parses the file format.
     *
     * @throws IllegalArgumentException naming the first invalid line
     */
    public static DenyList parse(String text) {
        Set<String> identities = new HashSet<>();
        Set<String> channels = new HashSet<>();
        String[] lines = text.split("\r?\n|\r", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int colon = line.indexOf(':');
            String type = colon < 0 ? "" : line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
            String value = colon < 0 ? "" : line.substring(colon + 1).strip();
            if (colon < 0 || value.isEmpty()) {
                throw invalid(i, "expected <type>:<value>, e.g. uid:123, account:bob or channel:room");
            }
            switch (type) {
                case "uid" -> identities.add(uid(i, value));
                case "account", "user" -> identities.add(value);
                case "channel" -> channels.add(value);
                default -> throw invalid(i, "unknown entry type '" + type + "' (use uid, account, user or channel)");
            }
        }
        return identities.isEmpty() && channels.isEmpty() ? EMPTY : new DenyList(Set.copyOf(identities),
                Set.copyOf(channels));
    }

    private static String uid(int line, String value) {
        long uid;
        try {
            uid = Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw invalid(line, "uid is not a number");
        }
        if (uid < 1 || uid > 0xFFFF_FFFFL) {
            throw invalid(line, "uid must be between 1 and 4294967295");
        }
        return Long.toString(uid);
    }

    private static IllegalArgumentException invalid(int lineIndex, String problem) {
        return new IllegalArgumentException("line " + (lineIndex + 1) + ": " + problem);
    }

    /** Whether the uid (decimal) / account / user id is denied; the empty identity never is. */
    public boolean deniesIdentity(String identity) {
        return identities.contains(identity);
    }

    public boolean deniesChannel(String channel) {
        return channels.contains(channel);
    }

    public Set<String> identities() {
        return identities;
    }

    public Set<String> channels() {
        return channels;
    }

    public int size() {
        return identities.size() + channels.size();
    }

    @Override
    public String toString() {
        return "DenyList[" + identities.size() + " identities, " + channels.size() + " channels]";
    }
}
