/**
 * Java client of {@code tokenservice.v1.TokenService}: {@link io.tokenservice.client.TokenClient} (typed,
 * thread-safe, blocking and {@link java.util.concurrent.CompletableFuture} forms, API key or mutual TLS,
 * deadlines, retries on UNAVAILABLE), {@link io.tokenservice.client.Token} (an issued token with its times
 * converted to the local clock) and {@link io.tokenservice.client.TokenServiceException} (the server's
 * status, reason, field violations, ErrorInfo reason and RetryInfo delay).
 */
package io.tokenservice.client;
