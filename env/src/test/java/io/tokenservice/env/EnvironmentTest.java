package io.tokenservice.env;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnvironmentTest {
    @TempDir
    Path dir;

    @Test
    void dotEnvSyntax() {
        Map<String, String> values = DotEnv.parse(List.of(
                "A=1", "export B = two words ", "C=\"quoted # not a comment\"", "D='single \\n literal'",
                "E=\"escaped \\\" quote\\n\"", "F=", "G=value # comment", "  # indented comment"), "test");

        assertThat(values).containsExactly(Map.entry("A", "1"), Map.entry("B", "two words"),
                Map.entry("C", "quoted # not a comment"), Map.entry("D", "single \\n literal"),
                Map.entry("E", "escaped \" quote\n"), Map.entry("F", ""), Map.entry("G", "value"));
    }

    @Test
    void processVariablesWinAndBlankMeansUnset() throws IOException {
        Files.writeString(dir.resolve(".env"), "PORT=7000\nNAME=from-file\nEMPTY=x\n");

        Environment env = Environment.load(Map.of("PORT", "8000", "EMPTY", "  "), dir);

        assertThat(env.text("PORT")).contains("8000");
        assertThat(env.get("PORT").orElseThrow().describe()).isEqualTo("PORT");
        assertThat(env.get("NAME").orElseThrow().describe()).isEqualTo("NAME (from " + dir.resolve(".env") + ")");
        assertThat(env.get("EMPTY")).isEmpty();
        assertThat(env.get("MISSING")).isEmpty();
    }

    @Test
    void numbersAreCheckedWithoutEchoingTheValue() {
        Environment env = Environment.load(Map.of("PORT", "secret-ish", "BIG", "70000"), dir);

        assertThat(env.integer("UNSET", 42, 0, 65535)).isEqualTo(42);
        assertThatThrownBy(() -> env.integer("PORT", 1, 0, 65535))
                .isInstanceOf(EnvironmentException.class)
                .hasMessage("PORT: must be a whole number from 0 to 65535");
        assertThatThrownBy(() -> env.integer("BIG", 1, 0, 65535)).hasMessageNotContaining("70000");
    }

    @Test
    void dotEnvErrorsNameTheLineNotTheValue() throws IOException {
        Files.writeString(dir.resolve(".env"), "A=1\nsupersecretvalue\n");

        assertThatThrownBy(() -> Environment.load(Map.of(), dir))
                .isInstanceOf(EnvironmentException.class)
                .hasMessage(dir.resolve(".env") + " line 2: expected KEY=value");
    }

    @Test
    void relativePathsResolveAgainstTheWorkingDirectory() {
        Environment env = Environment.load(Map.of("FILE", "certs/tls.crt"), dir);

        assertThat(env.path("FILE")).contains(dir.toAbsolutePath().resolve("certs/tls.crt"));
    }
}
