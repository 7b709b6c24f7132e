package io.tokenservice.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** yamllint (strict: warnings fail too) over every YAML file of the deployment. */
class YamlLintTest {
    private static final String CONFIG = "deploy/yamllint.yaml";

    @Test
    void everyDeploymentYamlFileIsClean() {
        Command lint = Command.run(Repository.ROOT, "yamllint", "-s", "-c", CONFIG,
                "docker-compose.yml", "deploy/compose", "deploy/kubernetes", CONFIG);
        assertThat(lint.exitCode()).as(lint.output()).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            a duplicated key       | '  read_only: true'   | '  read_only: true\\n  read_only: false'
            a tab for indentation  | '  redis:'           | '\\tredis:'
            trailing spaces        | 'services:'         | 'services:   '
            """)
    void yamllintRejectsABrokenCopy(String what, String original, String broken, @TempDir Path dir) throws IOException {
        String text = Repository.read("docker-compose.yml");
        assertThat(text).contains(original);
        Path copy = dir.resolve("docker-compose.yml");
        Files.writeString(copy, text.replaceFirst(Pattern.quote(original),
                Matcher.quoteReplacement(broken.replace("\\n", "\n").replace("\\t", "\t"))));
        Command lint = Command.run(Repository.ROOT, "yamllint", "-s", "-c", CONFIG, copy.toString());
        assertThat(lint.exitCode()).as(what + ": " + lint.output()).isNotZero();
    }
}
