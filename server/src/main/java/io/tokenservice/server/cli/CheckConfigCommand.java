package io.tokenservice.server.cli;

import io.tokenservice.server.config.ConfigException;
import io.tokenservice.server.config.ConfigLoader;
import io.tokenservice.server.config.Configuration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/**
 * Loads the configuration exactly as a start would ({@link ConfigLoader}), and starts nothing: exit 0 with a
 * one-line summary (App IDs, caller names: no secret), or {@value Cli#CONFIG} with start-up's message.
 */
@Command(name = "check-config", mixinStandardHelpOptions = true,
        description = "Validate the configuration (environment, .env, TOKEN_SERVICE_CONFIG and the files it "
                + "names) without starting the server. Exit 0 if it would start, 2 with the same message as "
                + "start-up if not.")
final class CheckConfigCommand implements Callable<Integer> {
    private final Cli.Io io;

    CheckConfigCommand(Cli.Io io) {
        this.io = io;
    }

    @Override
    public Integer call() {
        Configuration config;
        try {
            config = ConfigLoader.of(io.env(), io.workingDir()).load();
        } catch (ConfigException e) {
            io.err().println("configuration error: " + e.getMessage());
            return Cli.CONFIG;
        }
        config.warnings().forEach(w -> io.err().println("warning: " + w));
        io.out().println("configuration OK" + (config.development() ? " (development mode: nothing configured)" : "")
                + ": " + config);
        return Cli.OK;
    }
}
