package io.tokenservice.server.cli;

import io.tokenservice.server.SecuredServer;
import io.tokenservice.server.StartupException;
import io.tokenservice.server.audit.AuditLogHandler;
import io.tokenservice.logging.LogSetup;
import java.util.concurrent.Callable;
import java.util.logging.Logger;
import picocli.CommandLine.Command;

/**
 * Runs the server: configuration from the environment (README), the application log on standard error (JSON or
 * plain), the audit log and a development key on standard output, graceful shutdown on SIGTERM/SIGINT. A
 * configuration it cannot start with: one line, exit code {@value Cli#CONFIG}.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Run the token server (the default command). Configured by environment variables and "
                + "TOKEN_SERVICE_CONFIG (see README); logs on standard error, audit records on standard output.")
final class ServeCommand implements Callable<Integer> {
    private final Cli.Io io;

    ServeCommand(Cli.Io io) {
        this.io = io;
    }

    @Override
    public Integer call() {
        LogSetup.bridgeJavaUtilLogging();
        Logger log = Logger.getLogger("io.tokenservice.server.Main");
        AuditLogHandler.install(io.out());
        SecuredServer server;
        try {
            server = SecuredServer.start(io.env(), io.workingDir(), io.out(), true);
        } catch (StartupException e) {
            log.severe(e.getMessage());
            return e.exitCode();
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("shutting down: draining in-flight calls for up to "
                    + server.config().shutdownGrace().toSeconds() + " s");
            server.close();
            log.info("stopped");
        }, "token-server-shutdown"));
        try {
            server.awaitTermination();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.close();
        }
        return Cli.OK;
    }
}
