package io.tokenservice.server.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@link HealthProbe} as a command: exit 0 only when the server answers SERVING. */
@Command(name = "health", mixinStandardHelpOptions = true,
        description = "Ask a running server's grpc.health.v1 service; exit 0 only when it answers SERVING "
                + "(plaintext; what the image's health check runs).")
final class HealthCommand implements Callable<Integer> {
    @Parameters(paramLabel = "HOST:PORT", description = "The server, e.g. 127.0.0.1:50051")
    String target;

    @Option(names = "--service", description = "The service to ask about (default: the whole server)")
    String service;

    @Option(names = "--timeout-seconds", description = "How long to wait for the answer (default: 3)")
    Long timeoutSeconds;

    private final Cli.Io io;

    HealthCommand(Cli.Io io) {
        this.io = io;
    }

    @Override
    public Integer call() {
        List<String> args = new ArrayList<>();
        if (service != null) {
            args.addAll(List.of("--service", service));
        }
        if (timeoutSeconds != null) {
            args.addAll(List.of("--timeout-seconds", Long.toString(timeoutSeconds)));
        }
        args.add(target);
        return HealthProbe.run(args.toArray(String[]::new), io.out(), io.err());
    }
}
