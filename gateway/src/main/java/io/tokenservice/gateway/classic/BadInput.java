package io.tokenservice.gateway.classic;

/**
 * A classic-route request the gateway cannot translate: which parameter (as the route names it) and
 * what is wrong with it. Becomes a 400 answer; never logged.
 */
final class BadInput extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String field;

    BadInput(String field, String problem) {
        super(field + " " + problem, null, false, false);
        this.field = field;
    }

    String field() {
        return field;
    }
}
