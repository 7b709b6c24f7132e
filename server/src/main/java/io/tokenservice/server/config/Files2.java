package io.tokenservice.server.config;

import io.tokenservice.env.FileProblems;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * File checks for configuration: secret files are read whole, small, and never quoted in errors. Each
 * problem is handed to {@code error}, which names the setting the file came from.
 */
final class Files2 {
    /** A secret file holds a 32-character certificate, perhaps with a newline; refuse anything large. */
    private static final long MAX_SECRET_FILE_BYTES = 4096;

    private Files2() {}

    /** The stripped content of a small secret file. */
    static String readSecret(Path file, Function<String, ConfigException> error) {
        requireReadable(file, error);
        try {
            long size = Files.size(file);
            if (size > MAX_SECRET_FILE_BYTES) {
                throw error.apply("is " + size + " bytes; expected a file holding one 32-character certificate");
            }
            return Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw error.apply("cannot read it (" + FileProblems.describe(e) + ")");
        }
    }

    /** Fails unless {@code file} is a readable regular file. */
    static void requireReadable(Path file, Function<String, ConfigException> error) {
        if (!Files.isRegularFile(file)) {
            throw error.apply(Files.exists(file) ? "is not a regular file" : "no such file");
        }
        if (!Files.isReadable(file)) {
            throw error.apply("permission denied");
        }
    }
}
