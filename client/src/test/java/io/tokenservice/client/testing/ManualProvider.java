package io.tokenservice.client.testing;

import io.tokenservice.client.Token;
import io.tokenservice.client.renew.TokenProvider;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** A {@link TokenProvider} whose calls the test completes by hand. */
public final class ManualProvider implements TokenProvider {
    public record Call(String rpc, Token current, CompletableFuture<Token> result) {}

    public final List<Call> calls = new CopyOnWriteArrayList<>();
    public final AtomicInteger beforeRetry = new AtomicInteger();

    @Override
    public CompletableFuture<Token> renew(Token current) {
        Call c = new Call("renew", current, new CompletableFuture<>());
        calls.add(c);
        return c.result();
    }

    @Override
    public CompletableFuture<Token> issue() {
        Call c = new Call("issue", null, new CompletableFuture<>());
        calls.add(c);
        return c.result();
    }

    @Override
    public void beforeRetry() {
        beforeRetry.incrementAndGet();
    }

    public Call last() {
        if (calls.isEmpty()) {
            throw new AssertionError("no provider call");
        }
        return calls.get(calls.size() - 1);
    }

    public long count(String rpc) {
        return calls.stream().filter(c -> c.rpc().equals(rpc)).count();
    }
}
