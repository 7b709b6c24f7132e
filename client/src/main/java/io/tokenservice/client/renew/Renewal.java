package io.tokenservice.client.renew;

import io.tokenservice.client.Token;
import java.util.Objects;

/**
 * A token handed to the session.
 *
 * @param trigger  what started the renewal
 * @param mode     whether the token went to the session's renewToken or rejoin
 * @param previous the token it replaces
 * @param current  the new token
 * @param attempts RPC attempts it took (1 = first try)
 */
public record Renewal(Trigger trigger, HandoverMode mode, Token previous, Token current, int attempts) {
    public Renewal {
        Objects.requireNonNull(trigger, "trigger");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(previous, "previous");
        Objects.requireNonNull(current, "current");
    }
}
