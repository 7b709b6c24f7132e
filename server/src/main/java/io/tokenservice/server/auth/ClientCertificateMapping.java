package io.tokenservice.server.auth;

import io.tokenservice.server.access.Caller;
import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.security.auth.x500.X500Principal;

/**
 * Maps the subject of a verified client certificate (mutual TLS) to a caller. A subject is configured
 * either as a full distinguished name, e.g. {@code CN=web-backend,O=Example Corp} (compared in
 * canonical form, so case and spacing of attribute types do not matter), or as a bare common name,
 * {@code cn:web-backend} (matches a subject whose only CN is exactly that). A full-DN entry wins over a
 * CN entry.
 *
 * <p>The mapping only names callers; whether a certificate is trusted at all is decided by the TLS
 * layer, which must trust only the configured client CA(s).
 */
public final class ClientCertificateMapping {
    /** Prefix of a configured bare common name. */
    public static final String CN_PREFIX = "cn:";

    private static final ClientCertificateMapping EMPTY = new ClientCertificateMapping(Map.of(), Map.of(), Map.of());

    private final Map<X500Principal, Optional<Caller>> byDn;
    private final Map<String, Optional<Caller>> byCn;
    private final Map<String, String> configured;

    private ClientCertificateMapping(Map<X500Principal, Optional<Caller>> byDn, Map<String, Optional<Caller>> byCn,
            Map<String, String> configured) {
        this.byDn = byDn;
        this.byCn = byCn;
        this.configured = configured;
    }

    public static ClientCertificateMapping empty() {
        return EMPTY;
    }

    public static Builder builder() {
        return new Builder();
    }

    public boolean isEmpty() {
        return byDn.isEmpty() && byCn.isEmpty();
    }

    /** Configured subject (as written) to caller name. */
    public Map<String, String> entries() {
        return configured;
    }

    /** The caller the certificate's subject names, or empty. */
    public Optional<Caller> callerFor(X509Certificate certificate) {
        X500Principal subject = certificate.getSubjectX500Principal();
        Optional<Caller> caller = byDn.get(subject);
        if (caller != null) {
            return caller;
        }
        if (!byCn.isEmpty()) {
            String cn = singleCommonName(subject);
            if (cn != null) {
                caller = byCn.get(cn);
                if (caller != null) {
                    return caller;
                }
            }
        }
        return Optional.empty();
    }

    /** The subject's only CN value, or null if it has none or several. */
    static String singleCommonName(X500Principal subject) {
        try {
            String cn = null;
            for (Rdn rdn : new LdapName(subject.getName(X500Principal.RFC2253)).getRdns()) {
                if ("CN".equalsIgnoreCase(rdn.getType())) {
                    if (cn != null || rdn.size() != 1) {
                        return null;
                    }
                    cn = String.valueOf(rdn.getValue());
                }
            }
            return cn;
        } catch (InvalidNameException | ClassCastException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        return "ClientCertificateMapping" + configured;
    }

    public static final class Builder {
        private final Map<X500Principal, Optional<Caller>> byDn = new HashMap<>();
        private final Map<String, Optional<Caller>> byCn = new HashMap<>();
        private final Map<String, String> configured = new LinkedHashMap<>();
        private final Map<String, Optional<Caller>> callers = new HashMap<>();

        private Builder() {}

        /** Maps {@code subject} (a DN, or {@code cn:<name>}) to {@code caller}. */
        public Builder add(String subject, String caller) {
            ApiKeyRegistry.checkCallerName(caller);
            if (subject == null || subject.isBlank()) {
                throw new IllegalArgumentException("caller '" + caller + "': empty client certificate subject");
            }
            Optional<Caller> value = callers.computeIfAbsent(caller,
                    n -> Optional.of(new Caller(n, Caller.AuthMethod.MUTUAL_TLS)));
            String s = subject.strip();
            Optional<Caller> previous;
            if (s.regionMatches(true, 0, CN_PREFIX, 0, CN_PREFIX.length())) {
                String cn = s.substring(CN_PREFIX.length()).strip();
                if (cn.isEmpty()) {
                    throw new IllegalArgumentException("caller '" + caller + "': empty common name in '" + s + "'");
                }
                previous = byCn.putIfAbsent(cn, value);
            } else {
                X500Principal dn;
                try {
                    dn = new X500Principal(s);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("caller '" + caller + "': '" + s
                            + "' is neither a distinguished name (e.g. CN=web,O=Example) nor cn:<common name>", e);
                }
                previous = byDn.putIfAbsent(dn, value);
            }
            if (previous != null && !previous.equals(value)) {
                throw new IllegalArgumentException("client certificate subject '" + s + "' is mapped to both '"
                        + previous.orElseThrow().name() + "' and '" + caller + "'");
            }
            configured.put(s, caller);
            return this;
        }

        public ClientCertificateMapping build() {
            if (byDn.isEmpty() && byCn.isEmpty()) {
                return EMPTY;
            }
            return new ClientCertificateMapping(Map.copyOf(byDn), Map.copyOf(byCn),
                    Collections.unmodifiableMap(new LinkedHashMap<>(configured)));
        }
    }
}
