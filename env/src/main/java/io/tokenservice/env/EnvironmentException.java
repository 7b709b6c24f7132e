package io.tokenservice.env;

/**
 * An environment the program cannot start with. The message is one line naming the variable or the
 * {@code .env} line and what is wrong; it never contains the value, which may be a secret.
 */
public class EnvironmentException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public EnvironmentException(String message) {
        super(message);
    }
}
