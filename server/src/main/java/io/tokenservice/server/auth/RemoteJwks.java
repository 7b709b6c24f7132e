package io.tokenservice.server.auth;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * The keys of a JWK set URL as last fetched. {@link #refresh()} fetches them (bounded in time and size) and
 * swaps them in; a failed fetch keeps the keys in force and logs one WARNING line. Calls only read the keys in
 * force ({@link #get()}); nothing here runs on a call. Empty until a first fetch succeeds, so JWTs of its issuer
 * are then refused, while every other caller is unaffected.
 */
public final class RemoteJwks implements Supplier<JwksKeys> {
    private static final Logger LOG = Logger.getLogger(RemoteJwks.class.getName());
    /** Largest JWK set document read. */
    static final int MAX_BYTES = 256 * 1024;
    static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final URI uri;
    private final HttpClient http;
    private volatile JwksKeys keys = JwksKeys.empty();

    public RemoteJwks(URI uri, HttpClient http) {
        this.uri = Objects.requireNonNull(uri, "uri");
        this.http = Objects.requireNonNull(http, "http");
    }

    /** A client for JWK set fetches: no redirects to other hosts' documents, bounded connect time. */
    public static HttpClient defaultClient() {
        return HttpClient.newBuilder().connectTimeout(TIMEOUT).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    @Override
    public JwksKeys get() {
        return keys;
    }

    public URI uri() {
        return uri;
    }

    /**
     * Fetches the set now and applies it if it parses; otherwise keeps the keys in force and logs why.
     *
     * @return whether new keys were applied
     */
    public boolean refresh() {
        JwksKeys fetched;
        try {
            fetched = JwksKeys.parse(fetch());
            if (fetched.size() == 0) {
                throw new IllegalArgumentException("the set holds no RSA or EC signing key");
            }
        } catch (IOException | IllegalArgumentException e) {
            LOG.warning("JWK set " + uri + " not refreshed, keeping the " + keys.size() + " key(s) in force: "
                    + e.getMessage());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        keys = fetched;
        return true;
    }

    private String fetch() throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(TIMEOUT).header("accept", "application/json")
                .GET().build();
        HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = response.body()) {
            if (response.statusCode() != 200) {
                throw new IOException("HTTP status " + response.statusCode());
            }
            byte[] bytes = body.readNBytes(MAX_BYTES + 1);
            if (bytes.length > MAX_BYTES) {
                throw new IOException("the document is larger than " + MAX_BYTES + " bytes");
            }
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    @Override
    public String toString() {
        return uri + ": " + keys;
    }
}
