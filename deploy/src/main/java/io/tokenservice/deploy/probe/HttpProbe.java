package io.tokenservice.deploy.probe;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The gateway image's health check command: {@code GET} a URL and exit 0 only on a 2xx answer.
 *
 * <pre>java -cp /app/probe io.tokenservice.deploy.probe.HttpProbe [--timeout-seconds N] http://127.0.0.1:8080/ping</pre>
 *
 * <p>One source file on the JDK alone, so the image builds it with {@code javac} and carries no curl or
 * wget. Every failure exits 1: Docker reserves exit code 2 of a health check.
 */
public final class HttpProbe {
    static final int HEALTHY = 0;
    static final int UNHEALTHY = 1;
    private static final String USAGE = "usage: HttpProbe [--timeout-seconds N] http://HOST:PORT/PATH   (exit 0 only on 2xx)";

    private HttpProbe() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        long timeoutSeconds = 3;
        URI url = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--timeout-seconds") && i + 1 < args.length) {
                timeoutSeconds = positive(args[++i]);
                if (timeoutSeconds <= 0) {
                    err.println("--timeout-seconds must be a positive whole number; " + USAGE);
                    return UNHEALTHY;
                }
            } else if (url == null && args[i].matches("https?://[^\\s]+")) {
                url = URI.create(args[i]);
            } else {
                err.println("unexpected argument '" + args[i] + "'; " + USAGE);
                return UNHEALTHY;
            }
        }
        if (url == null) {
            err.println("no URL given; " + USAGE);
            return UNHEALTHY;
        }
        return check(url, Duration.ofSeconds(timeoutSeconds), out, err);
    }

    private static long positive(String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static int check(URI url, Duration timeout, PrintStream out, PrintStream err) {
        HttpClient client = HttpClient.newBuilder().connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER).build();
        HttpRequest request = HttpRequest.newBuilder(url).timeout(timeout).GET().build();
        try {
            int status = client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
            if (status / 100 == 2) {
                out.println(url + ": HTTP " + status);
                return HEALTHY;
            }
            err.println(url + ": HTTP " + status);
            return UNHEALTHY;
        } catch (IOException e) {
            err.println(url + ": " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()));
            return UNHEALTHY;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println(url + ": interrupted");
            return UNHEALTHY;
        }
    }
}
