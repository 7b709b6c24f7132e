package io.tokenservice.env;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;

/** Names what went wrong reading a file without quoting the file's content or the exception's text. */
public final class FileProblems {
    private FileProblems() {}

    /** "no such file", "permission denied", "not UTF-8 text" or the exception's simple class name. */
    public static String describe(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof CharacterCodingException) {
            return "not UTF-8 text";
        }
        return e.getClass().getSimpleName();
    }
}
