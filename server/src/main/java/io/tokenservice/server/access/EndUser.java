package io.tokenservice.server.access;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The end user behind a call authenticated by a verified JWT: its issuer, its {@code sub} and its claims (as
 * the JOSE library parsed them: strings, numbers, booleans, lists, maps). Policy binds requests to these
 * claims; the audit records the subject, never the token.
 */
public record EndUser(String issuer, String subject, Map<String, Object> claims) {
    public EndUser {
        Objects.requireNonNull(issuer, "issuer");
        Objects.requireNonNull(subject, "subject");
        claims = Collections.unmodifiableMap(claims);
    }

    /**
     * The claim as one text: a string as it is, an integral number as its decimal digits (so {@code "uid": 42}
     * compares equal to RTC uid 42); empty for anything else (missing, fractional, boolean, list, object).
     */
    public Optional<String> text(String claim) {
        return text(claims.get(claim));
    }

    /** The claim as a list of texts: a list of strings/integers, or a single one; empty if neither. */
    public List<String> texts(String claim) {
        Object value = claims.get(claim);
        if (value instanceof List<?> list) {
            List<String> texts = new ArrayList<>(list.size());
            for (Object element : list) {
                text(element).ifPresent(texts::add);
            }
            return texts;
        }
        return text(value).map(List::of).orElse(List.of());
    }

    private static Optional<String> text(Object value) {
        if (value instanceof String s) {
            return Optional.of(s);
        }
        if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return Optional.of(Long.toString(((Number) value).longValue()));
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return "EndUser[issuer=" + issuer + ", subject=" + subject + "]";
    }
}
