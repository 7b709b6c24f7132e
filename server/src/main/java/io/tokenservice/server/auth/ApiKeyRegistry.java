package io.tokenservice.server.auth;

import io.tokenservice.core.wire.Sha256;
import io.tokenservice.server.access.Caller;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * An immutable set of API keys, each belonging to one caller. Only SHA-256 hashes are held: a
 * plaintext key handed to the builder is hashed at once and never stored.
 *
 * <p>{@link #authenticate(String)} hashes the presented key once and compares the hash with every
 * stored hash using {@link MessageDigest#isEqual} (constant time), without stopping at the first
 * match, so neither the timing nor the result reveals which part of a wrong key was wrong or which
 * callers exist. Revoking a key means removing it from the configuration and swapping in a new
 * registry (see {@link Authenticator#update}).
 */
public final class ApiKeyRegistry {
    /** Prefix of a stored key hash in configuration: {@code sha256:} followed by 64 hex digits. */
    public static final String HASH_PREFIX = "sha256:";
    /** Shortest accepted plaintext key; shorter keys are guessable and refused at load. */
    public static final int MIN_KEY_LENGTH = 16;

    private static final Pattern CALLER_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,127}");
    private static final Pattern HASH_HEX = Pattern.compile("[0-9a-fA-F]{64}");
    private static final ApiKeyRegistry EMPTY = new ApiKeyRegistry(new byte[0][], List.of());

    private final byte[][] hashes;
    private final Optional<Caller>[] owners;
    private final Set<String> callerNames;

    @SuppressWarnings("unchecked")
    private ApiKeyRegistry(byte[][] hashes, List<String> ownerNames) {
        this.hashes = hashes;
        this.owners = (Optional<Caller>[]) new Optional<?>[ownerNames.size()];
        Map<String, Optional<Caller>> shared = new HashMap<>();
        for (int i = 0; i < owners.length; i++) {
            owners[i] = shared.computeIfAbsent(ownerNames.get(i),
                    n -> Optional.of(new Caller(n, Caller.AuthMethod.API_KEY)));
        }
        this.callerNames = Collections.unmodifiableSet(new LinkedHashSet<>(ownerNames));
    }

    public static ApiKeyRegistry empty() {
        return EMPTY;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Parses the quick-start form {@code caller=key,caller2=key2} (as in {@code TOKEN_SERVICE_API_KEYS}).
     * Whitespace around entries is ignored; a caller may appear several times (several keys). Error
     * messages name the entry's position and caller, never the key.
     */
    public static ApiKeyRegistry parseEnvironmentValue(String value) {
        return builder().addEnvironmentValue(value).build();
    }

    /**
     * The caller owning {@code presentedKey}, or empty. Takes the same time whichever stored key (if any)
     * matches: one SHA-256 of the presented key plus one constant-time comparison per stored hash.
     */
    public Optional<Caller> authenticate(String presentedKey) {
        byte[] presented = sha256(presentedKey);
        int match = -1;
        for (int i = 0; i < hashes.length; i++) {
            // no early exit: every stored hash is compared
            if (MessageDigest.isEqual(hashes[i], presented)) {
                match = i;
            }
        }
        return match < 0 ? Optional.empty() : owners[match];
    }

    /** Names of the callers holding at least one key. */
    public Set<String> callerNames() {
        return callerNames;
    }

    /** Number of stored keys. */
    public int size() {
        return hashes.length;
    }

    /** This registry plus every key of {@code other}; fails if the two share a key. */
    public ApiKeyRegistry plus(ApiKeyRegistry other) {
        Builder b = builder();
        b.addAll(this);
        b.addAll(other);
        return b.build();
    }

    @Override
    public String toString() {
        return "ApiKeyRegistry[" + hashes.length + " keys for callers " + callerNames + "]";
    }

    /** SHA-256 of the key's UTF-8 bytes. */
    public static byte[] sha256(String key) {
        return Sha256.of(key);
    }

    /** The configuration form of a key: {@code sha256:<64 lowercase hex digits>}. */
    public static String configHash(String key) {
        return HASH_PREFIX + Sha256.hex(key);
    }

    /** Parses {@code sha256:<64 hex>}; the message of the exception never repeats the value. */
    public static byte[] parseConfigHash(String value) {
        Objects.requireNonNull(value, "value");
        String v = value.strip();
        if (!v.regionMatches(true, 0, HASH_PREFIX, 0, HASH_PREFIX.length())
                || !HASH_HEX.matcher(v.substring(HASH_PREFIX.length())).matches()) {
            throw new IllegalArgumentException(
                    "an API key must be configured as its hash, 'sha256:' followed by 64 hex digits"
                            + " (plaintext keys are not accepted here)");
        }
        return HexFormat.of().parseHex(v.substring(HASH_PREFIX.length()).toLowerCase(java.util.Locale.ROOT));
    }

    /** A new random key: {@code tsk_} + 43 base64url characters (256 bits). */
    public static String generateKey(SecureRandom random) {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return "tsk_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** Throws IllegalArgumentException unless {@code name} is a valid caller name. */
    public static void checkCallerName(String name) {
        if (name == null || !CALLER_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("invalid caller name '" + name
                    + "': use 1-128 characters from A-Z a-z 0-9 . _ @ -, starting with a letter or digit");
        }
    }

    /** Collects keys; rejects a key configured twice (for the same or for different callers). */
    public static final class Builder {
        private final List<byte[]> hashes = new ArrayList<>();
        private final List<String> owners = new ArrayList<>();

        private Builder() {}

        /** Adds a plaintext key, hashing it at once. */
        public Builder addKey(String caller, String plaintextKey) {
            checkCallerName(caller);
            checkKey(caller, plaintextKey);
            return add(caller, sha256(plaintextKey));
        }

        /** Adds a key by its configuration hash {@code sha256:<hex>} (see {@link #parseConfigHash}). */
        public Builder addConfigHash(String caller, String configHash) {
            checkCallerName(caller);
            return add(caller, parseConfigHash(configHash));
        }

        /** Adds every {@code caller=key} pair of the comma-separated quick-start form. */
        public Builder addEnvironmentValue(String value) {
            Objects.requireNonNull(value, "value");
            String[] entries = value.split(",", -1);
            for (int i = 0; i < entries.length; i++) {
                String entry = entries[i].strip();
                if (entry.isEmpty()) {
                    continue;
                }
                int eq = entry.indexOf('=');
                if (eq <= 0 || eq == entry.length() - 1) {
                    throw new IllegalArgumentException("API key entry " + (i + 1)
                            + " is not of the form caller=key");
                }
                addKey(entry.substring(0, eq).strip(), entry.substring(eq + 1).strip());
            }
            return this;
        }

        Builder addAll(ApiKeyRegistry registry) {
            for (int i = 0; i < registry.hashes.length; i++) {
                add(registry.owners[i].orElseThrow().name(), registry.hashes[i]);
            }
            return this;
        }

        private Builder add(String caller, byte[] hash) {
            for (int i = 0; i < hashes.size(); i++) {
                if (MessageDigest.isEqual(hashes.get(i), hash)) {
                    String other = owners.get(i);
                    throw new IllegalArgumentException(other.equals(caller)
                            ? "caller '" + caller + "' has the same API key twice"
                            : "callers '" + other + "' and '" + caller + "' share an API key");
                }
            }
            hashes.add(hash.clone());
            owners.add(caller);
            return this;
        }

        public ApiKeyRegistry build() {
            return hashes.isEmpty() ? EMPTY : new ApiKeyRegistry(hashes.toArray(new byte[0][]), owners);
        }

        private static void checkKey(String caller, String key) {
            if (key == null || key.length() < MIN_KEY_LENGTH) {
                throw new IllegalArgumentException("the API key of caller '" + caller + "' is shorter than "
                        + MIN_KEY_LENGTH + " characters");
            }
            for (int i = 0; i < key.length(); i++) {
                char c = key.charAt(i);
                if (c <= ' ' || c >= 0x7f || c == ',') {
                    throw new IllegalArgumentException("the API key of caller '" + caller
                            + "' contains a character other than printable ASCII (without space and comma)");
                }
            }
            if (JwtShape.matches(key)) {
                throw new IllegalArgumentException("the API key of caller '" + caller + "' has the form of a JWT"
                        + " (three base64url parts joined by two dots), which is how a JWT is told from a key");
            }
        }
    }
}
