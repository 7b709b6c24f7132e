package io.tokenservice.gateway.web;

import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.cors.CorsService;
import com.linecorp.armeria.server.cors.CorsServiceBuilder;
import com.linecorp.armeria.server.file.FileService;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * What browsers need: CORS for pages served elsewhere, and the browser page itself at {@code /}.
 */
public final class BrowserAccess {
    /** Where a page packaged into the jar lives on the class path. */
    public static final String PACKAGED_PAGE = "/io/tokenservice/gateway/page";
    /** How long a browser may reuse a preflight answer. */
    static final Duration PREFLIGHT_MAX_AGE = Duration.ofMinutes(10);

    private BrowserAccess() {}

    /**
     * The CORS decorator for {@code origins} ({@code *} = any): preflights answered for GET and POST with the
     * headers gRPC-Web and JSON clients send, and the gRPC status headers exposed to scripts. Requests from
     * other origins get no CORS headers, so the browser keeps the answer from the page. Empty for no
     * origins: then only pages served by the gateway itself may call it.
     */
    public static Optional<Function<? super HttpService, CorsService>> cors(List<String> origins) {
        if (origins.isEmpty()) {
            return Optional.empty();
        }
        CorsServiceBuilder cors = origins.equals(List.of("*")) ? CorsService.builderForAnyOrigin()
                : CorsService.builder(origins);
        return Optional.of(cors
                .allowRequestMethods(HttpMethod.GET, HttpMethod.POST)
                .allowRequestHeaders(HttpHeaderNames.AUTHORIZATION, HttpHeaderNames.CONTENT_TYPE,
                        HttpHeaderNames.ACCEPT, "x-grpc-web", "x-user-agent", "grpc-timeout",
                        "connect-protocol-version", "connect-timeout-ms")
                .exposeHeaders("grpc-status", "grpc-message", "grpc-status-details-bin")
                .maxAge(PREFLIGHT_MAX_AGE)
                .newDecorator());
    }

    /**
     * The browser page: the configured directory, else the page packaged in the jar under
     * {@link #PACKAGED_PAGE}, else none.
     */
    public static Optional<HttpService> page(Optional<Path> directory) {
        if (directory.isPresent()) {
            return Optional.of(FileService.builder(directory.get()).serveCompressedFiles(true).build());
        }
        ClassLoader loader = BrowserAccess.class.getClassLoader();
        if (loader.getResource(PACKAGED_PAGE.substring(1) + "/index.html") == null) {
            return Optional.empty();
        }
        return Optional.of(FileService.of(loader, PACKAGED_PAGE));
    }
}
