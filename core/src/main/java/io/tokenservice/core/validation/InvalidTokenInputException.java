package io.tokenservice.core.validation;

/**
 * Input that must not be signed. Carries the offending field and the rule it breaks, so a server can
 * turn it into a field-level error; the message never contains a certificate.
 */
public final class InvalidTokenInputException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String field;
    private final String rule;

    public InvalidTokenInputException(String field, String rule) {
        super(field + ": " + rule);
        this.field = field;
        this.rule = rule;
    }

    /** The input field, named as in the request ({@code channel}, {@code account}, {@code ttlSeconds}...). */
    public String field() {
        return field;
    }

    /** The rule the value breaks, in words. */
    public String rule() {
        return rule;
    }
}
