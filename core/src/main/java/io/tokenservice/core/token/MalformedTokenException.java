package io.tokenservice.core.token;

/**
 * The one exception the parsers throw for input that is not a well-formed token, whatever is wrong
 * with it. The message says what was wrong in words safe to show the caller: it never echoes the
 * token itself.
 */
public final class MalformedTokenException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public MalformedTokenException(String reason) {
        super(reason, null, false, false);
    }
}
