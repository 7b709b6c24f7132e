package io.tokenservice.server.cli;

import io.tokenservice.server.auth.ApiKeyRegistry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/**
 * Reads an API key from standard input (never from the command line, where {@code ps} and the shell's history
 * would see it) and prints the {@code sha256:} form the configuration file takes.
 */
@Command(name = "hash-key", mixinStandardHelpOptions = true,
        description = "Read an API key from standard input (one line) and print its sha256: form for the "
                + "api_keys of the configuration file. The key is never taken as an argument.")
final class HashKeyCommand implements Callable<Integer> {
    private final Cli.Io io;

    HashKeyCommand(Cli.Io io) {
        this.io = io;
    }

    @Override
    public Integer call() throws IOException {
        String line = new BufferedReader(new InputStreamReader(io.in(), StandardCharsets.UTF_8)).readLine();
        String key = line == null ? "" : line.strip();
        if (key.length() < ApiKeyRegistry.MIN_KEY_LENGTH) {
            io.err().println("error: " + (key.isEmpty() ? "no key on standard input" : "the key is shorter than "
                    + ApiKeyRegistry.MIN_KEY_LENGTH + " characters") + "; e.g. openssl rand -base64 32 | "
                    + "java -jar token-server.jar hash-key");
            return Cli.FAILED;
        }
        io.out().println(ApiKeyRegistry.configHash(key));
        return Cli.OK;
    }
}
