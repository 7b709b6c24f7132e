package io.tokenservice.server.cli;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import java.io.PrintStream;
import java.util.concurrent.TimeUnit;

/**
 * The container health check of the server image: asks {@code grpc.health.v1.Health/Check} of a running
 * server and exits 0 only when it answers SERVING.
 *
 * <pre>java -cp token-server.jar io.tokenservice.server.cli.HealthProbe [--service NAME] [--timeout-seconds N] HOST:PORT</pre>
 *
 * <p>Every other outcome (NOT_SERVING while draining, an unknown service, nothing listening, no answer in
 * time, bad arguments) exits 1: Docker reserves exit code 2 of a health check, and Kubernetes and Docker
 * both only distinguish zero from non-zero. Plaintext only, like Kubernetes' own {@code grpc} probes.
 */
public final class HealthProbe {
    static final int HEALTHY = 0;
    static final int UNHEALTHY = 1;
    private static final long DEFAULT_TIMEOUT_SECONDS = 3;
    private static final String USAGE =
            "usage: HealthProbe [--service NAME] [--timeout-seconds N] HOST:PORT   (exit 0 only when SERVING)";

    private HealthProbe() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        String service = "";
        long timeoutSeconds = DEFAULT_TIMEOUT_SECONDS;
        String target = null;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if ((arg.equals("--service") || arg.equals("--timeout-seconds")) && i + 1 == args.length) {
                err.println(arg + " needs a value; " + USAGE);
                return UNHEALTHY;
            }
            if (arg.equals("--service")) {
                service = args[++i];
            } else if (arg.equals("--timeout-seconds")) {
                timeoutSeconds = parseTimeout(args[++i]);
                if (timeoutSeconds <= 0) {
                    err.println("--timeout-seconds must be a positive whole number, got '" + args[i] + "'; " + USAGE);
                    return UNHEALTHY;
                }
            } else if (arg.startsWith("-") || target != null) {
                err.println("unexpected argument '" + arg + "'; " + USAGE);
                return UNHEALTHY;
            } else {
                target = arg;
            }
        }
        if (target == null || !target.matches("[^:/\\s]+:\\d{1,5}|\\[[0-9a-fA-F:]+\\]:\\d{1,5}")) {
            err.println((target == null ? "no HOST:PORT given" : "not a HOST:PORT: '" + target + "'") + "; " + USAGE);
            return UNHEALTHY;
        }
        return check(target, service, timeoutSeconds, out, err);
    }

    private static long parseTimeout(String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static int check(String target, String service, long timeoutSeconds, PrintStream out, PrintStream err) {
        String what = service.isEmpty() ? target : target + " (" + service + ")";
        ManagedChannel channel = Grpc.newChannelBuilder(target, InsecureChannelCredentials.create()).build();
        try {
            HealthCheckResponse.ServingStatus status = HealthGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(timeoutSeconds, TimeUnit.SECONDS)
                    .check(HealthCheckRequest.newBuilder().setService(service).build())
                    .getStatus();
            if (status == HealthCheckResponse.ServingStatus.SERVING) {
                out.println(what + ": SERVING");
                return HEALTHY;
            }
            err.println(what + ": " + status);
            return UNHEALTHY;
        } catch (StatusRuntimeException e) {
            err.println(what + ": health check failed with " + e.getStatus().getCode()
                    + (e.getStatus().getDescription() == null ? "" : ": " + e.getStatus().getDescription()));
            return UNHEALTHY;
        } finally {
            channel.shutdownNow();
        }
    }
}
