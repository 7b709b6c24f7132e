package io.tokenservice.server.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The verification keys of one JWK set, each with its verifier built once, so that a call only picks keys and
 * checks a signature. Only public RSA and EC signing keys are accepted: a set holding a private key or a
 * symmetric ({@code oct}) key is refused as a whole, so a published secret is never used and no token can be
 * checked as an HMAC. Keys marked for encryption ({@code use: enc}) are left out.
 */
public final class JwksKeys {
    /** Shortest RSA modulus accepted, in bits. */
    public static final int MIN_RSA_BITS = 2048;
    private static final JwksKeys EMPTY = new JwksKeys(List.of());

    /** One key and its verifier. {@code algorithm} is the key's {@code alg}, or null when it names none. */
    record Entry(String keyId, JWSAlgorithm.Family family, Curve curve, JWSAlgorithm algorithm, JWSVerifier verifier) {
        boolean fits(JWSAlgorithm alg) {
            if (!family.contains(alg) || (algorithm != null && !algorithm.equals(alg))) {
                return false;
            }
            return curve == null || Curve.forJWSAlgorithm(alg).contains(curve);
        }
    }

    private final List<Entry> entries;

    private JwksKeys(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    public static JwksKeys empty() {
        return EMPTY;
    }

    /**
     * Parses a JWK set document.
     *
     * @throws IllegalArgumentException naming what is wrong (never quoting key material)
     */
    public static JwksKeys parse(String json) {
        JWKSet set;
        try {
            set = JWKSet.parse(json);
        } catch (ParseException e) {
            throw new IllegalArgumentException("not a JWK set (a JSON object with a \"keys\" array of JWKs)");
        }
        return of(set);
    }

    static JwksKeys of(JWKSet set) {
        List<Entry> entries = new ArrayList<>();
        List<JWK> keys = set.getKeys();
        for (int i = 0; i < keys.size(); i++) {
            JWK key = keys.get(i);
            String which = "key " + (i + 1) + (key.getKeyID() == null ? "" : " (kid " + key.getKeyID() + ")");
            if (key.isPrivate()) {
                throw new IllegalArgumentException(which + " holds private key material: publish only public keys");
            }
            if (KeyUse.ENCRYPTION.equals(key.getKeyUse())) {
                continue;
            }
            JWSAlgorithm alg = key.getAlgorithm() == null ? null : JWSAlgorithm.parse(key.getAlgorithm().getName());
            try {
                if (key instanceof RSAKey rsa) {
                    if (rsa.size() < MIN_RSA_BITS) {
                        throw new IllegalArgumentException(which + " is an RSA key of " + rsa.size()
                                + " bits; at least " + MIN_RSA_BITS + " are required");
                    }
                    entries.add(new Entry(key.getKeyID(), JWSAlgorithm.Family.RSA, null, alg, new RSASSAVerifier(rsa)));
                } else if (key instanceof ECKey ec) {
                    entries.add(new Entry(key.getKeyID(), JWSAlgorithm.Family.EC, ec.getCurve(), alg,
                            new ECDSAVerifier(ec)));
                } else {
                    throw new IllegalArgumentException(which + " has key type " + key.getKeyType()
                            + "; only RSA and EC public keys verify tokens here");
                }
            } catch (JOSEException e) {
                throw new IllegalArgumentException(which + " cannot verify signatures (" + e.getMessage() + ")");
            }
        }
        return entries.isEmpty() ? EMPTY : new JwksKeys(entries);
    }

    /** The keys that may have signed a token with {@code alg} and {@code keyId} (null: any key of that type). */
    List<Entry> candidates(JWSAlgorithm alg, String keyId) {
        List<Entry> found = null;
        for (Entry e : entries) {
            if ((keyId == null || keyId.equals(e.keyId())) && e.fits(alg)) {
                if (found == null) {
                    found = new ArrayList<>(2);
                }
                found.add(e);
            }
        }
        return found == null ? List.of() : found;
    }

    public int size() {
        return entries.size();
    }

    @Override
    public String toString() {
        List<String> ids = new ArrayList<>();
        for (Entry e : entries) {
            ids.add(Objects.requireNonNullElse(e.keyId(), "(no kid)"));
        }
        return entries.size() + " key(s) " + ids;
    }
}
