package io.tokenservice.server.config;

import io.tokenservice.env.FileProblems;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** File helpers for configuration: secret files are read whole, small, and never quoted in errors. */
final class Files2 {
    /** A secret file holds a 32-character certificate, perhaps with a newline; refuse anything large. */
    private static final long MAX_SECRET_FILE_BYTES = 4096;

    private Files2() {}

    /** The stripped content of a small secret file; errors name {@code setting} and the path only. */
    static String readSecret(String setting, Path file) {
        try {
            if (!Files.isRegularFile(file)) {
                throw new ConfigException(setting + " " + file + ": "
                        + (Files.exists(file) ? "is not a regular file" : "no such file"));
            }
            long size = Files.size(file);
            if (size > MAX_SECRET_FILE_BYTES) {
                throw new ConfigException(setting + " " + file + ": is " + size
                        + " bytes; expected a file holding one 32-character certificate");
            }
            return Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new ConfigException(setting + " " + file + ": cannot read it (" + FileProblems.describe(e) + ")");
        }
    }

    /** Fails unless {@code file} is a readable regular file. */
    static void requireReadable(String setting, Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ConfigException(setting + " " + file + ": "
                    + (Files.exists(file) ? "is not a regular file" : "no such file"));
        }
        if (!Files.isReadable(file)) {
            throw new ConfigException(setting + " " + file + ": permission denied");
        }
    }
}
