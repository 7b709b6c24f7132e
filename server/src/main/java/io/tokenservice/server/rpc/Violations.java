package io.tokenservice.server.rpc;

import io.tokenservice.core.validation.InvalidTokenInputException;
import java.util.ArrayList;
import java.util.List;

/**
 * Collects every field violation of one request, so a client learns all of them at once; then
 * {@link #throwIfAny()} turns them into one INVALID_ARGUMENT.
 */
public final class Violations {
    private List<FieldViolation> violations;

    /** Runs a core input rule and records its failure under the proto field path {@code field}. */
    public boolean check(String field, Runnable rule) {
        try {
            rule.run();
            return true;
        } catch (InvalidTokenInputException e) {
            add(field, e.rule());
            return false;
        }
    }

    /** Runs a core input rule whose field names are already this API's field paths, and records its failure. */
    public boolean checkNamed(Runnable rule) {
        try {
            rule.run();
            return true;
        } catch (InvalidTokenInputException e) {
            add(e.field(), e.rule());
            return false;
        }
    }

    public void add(String field, String description) {
        if (violations == null) {
            violations = new ArrayList<>(2);
        }
        violations.add(new FieldViolation(field, description));
    }

    public boolean isEmpty() {
        return violations == null;
    }

    public void throwIfAny() {
        if (violations != null) {
            throw RpcErrors.invalidArgument(violations);
        }
    }
}
