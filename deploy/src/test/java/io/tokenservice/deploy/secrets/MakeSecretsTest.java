package io.tokenservice.deploy.secrets;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokenservice.deploy.Command;
import io.tokenservice.deploy.Nodes;
import io.tokenservice.deploy.Repository;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** deploy/make-secrets: the two secret files of compose and Kubernetes, and an API key shown once. */
class MakeSecretsTest {
    private static final String APP_ID = "970ca35de60c44645bbae8a215061b33";
    private static final String CERTIFICATE = "5cfd2fd1755d40ecb72977518be15d3b";
    private static final Pattern PRINTED_KEY = Pattern.compile("(?m)^  (tsk_[A-Za-z0-9_-]{43})$");

    @TempDir
    Path dir;

    private Command makeSecrets(String stdin, String... args) {
        String[] command = new String[args.length + 3];
        command[0] = Repository.path("deploy/make-secrets").toString();
        command[1] = "--secrets-dir";
        command[2] = dir.resolve("secrets").toString();
        System.arraycopy(args, 0, command, 3, args.length);
        return Command.runWithInput(Repository.ROOT, stdin, command);
    }

    private static String sha256(String text) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    private String printedKey(Command run) {
        Matcher key = PRINTED_KEY.matcher(run.output());
        assertThat(key.find()).as(run.output()).isTrue();
        return key.group(1);
    }

    @Test
    void writesTheConfigWithOnlyTheKeysHashAndTheCertificateAsItsOwnFile() throws Exception {
        Command run = makeSecrets(CERTIFICATE + "\n", APP_ID, "web-backend");
        assertThat(run.exitCode()).as(run.output()).isZero();
        String key = printedKey(run);

        Path secrets = dir.resolve("secrets");
        Path config = secrets.resolve("token-service.yaml");
        Path certificate = secrets.resolve("app-certificate");
        assertThat(Files.readString(certificate)).isEqualTo(CERTIFICATE + "\n");

        Map<String, Object> yaml = Nodes.document(Files.readString(config));
        Map<String, Object> app = Nodes.maps(yaml, "apps").get(0);
        assertThat(app.get("app_id")).isEqualTo(APP_ID);
        assertThat(secrets.resolve(Nodes.text(app, "primary_certificate_file"))).isEqualTo(certificate);
        Map<String, Object> caller = Nodes.map(yaml, "security", "callers", "web-backend");
        assertThat(Nodes.texts(caller, "api_keys")).containsExactly("sha256:" + sha256(key));
        assertThat(caller).containsEntry("may_renew", true).containsEntry("max_ttl_seconds", 3600);

        assertThat(Files.readString(config)).doesNotContain(key).doesNotContain(CERTIFICATE);
        assertThat(run.output()).doesNotContain(CERTIFICATE);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(secrets))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(config))).isEqualTo("r--r--r--");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(certificate))).isEqualTo("r--r--r--");
        assertThat(secrets.resolve("app-certificate-previous")).isEmptyFile();
        assertThat(app).doesNotContainKey("secondary_certificate_file");
    }

    @Test
    void aRotationSignsWithTheNewCertificateAndStillVerifiesWithThePreviousUntilItEnds() throws IOException {
        assertThat(makeSecrets(CERTIFICATE + "\n", APP_ID).exitCode()).isZero();
        Path secrets = dir.resolve("secrets");
        String key = Nodes.texts(Nodes.map(Nodes.document(Files.readString(secrets.resolve("token-service.yaml"))),
                "security", "callers", "backend"), "api_keys").get(0);
        String next = "0123456789abcdef0123456789abcdef";

        Command rotate = makeSecrets(next + "\n", "--rotate");
        assertThat(rotate.exitCode()).as(rotate.output()).isZero();
        assertThat(Files.readString(secrets.resolve("app-certificate"))).isEqualTo(next + "\n");
        assertThat(Files.readString(secrets.resolve("app-certificate-previous"))).isEqualTo(CERTIFICATE + "\n");
        Map<String, Object> rotating = Nodes.document(Files.readString(secrets.resolve("token-service.yaml")));
        Map<String, Object> app = Nodes.maps(rotating, "apps").get(0);
        assertThat(app).containsEntry("primary_certificate_file", "app-certificate")
                .containsEntry("secondary_certificate_file", "app-certificate-previous");
        assertThat(Nodes.texts(Nodes.map(rotating, "security", "callers", "backend"), "api_keys")).containsExactly(key);

        Command again = makeSecrets("fedcba9876543210fedcba9876543210\n", "--rotate");
        assertThat(again.exitCode()).isEqualTo(2);
        assertThat(Files.readString(secrets.resolve("app-certificate"))).isEqualTo(next + "\n");

        Command end = makeSecrets("", "--end-rotation");
        assertThat(end.exitCode()).as(end.output()).isZero();
        assertThat(secrets.resolve("app-certificate-previous")).isEmptyFile();
        assertThat(Nodes.maps(Nodes.document(Files.readString(secrets.resolve("token-service.yaml"))), "apps").get(0))
                .doesNotContainKey("secondary_certificate_file");
        assertThat(makeSecrets("", "--end-rotation").exitCode()).isEqualTo(2);
    }

    @Test
    void aRotationToTheSameCertificateOrWithoutSecretsIsRefused() throws IOException {
        Command nothingYet = makeSecrets(CERTIFICATE + "\n", "--rotate");
        assertThat(nothingYet.exitCode()).isEqualTo(2);
        assertThat(nothingYet.output()).contains("run make-secrets APP_ID first");

        assertThat(makeSecrets(CERTIFICATE + "\n", APP_ID).exitCode()).isZero();
        Command same = makeSecrets(CERTIFICATE + "\n", "--rotate");
        assertThat(same.exitCode()).isEqualTo(2);
        assertThat(same.output()).contains("that is the current certificate");
        assertThat(dir.resolve("secrets/app-certificate-previous")).isEmptyFile();
    }

    @Test
    void theCallerDefaultsToBackendAndEveryRunMakesANewKey() throws IOException {
        Command first = makeSecrets(CERTIFICATE + "\n", APP_ID);
        Command second = makeSecrets(CERTIFICATE + "\n", "--force", APP_ID);
        assertThat(first.exitCode()).as(first.output()).isZero();
        assertThat(second.exitCode()).as(second.output()).isZero();
        assertThat(printedKey(first)).isNotEqualTo(printedKey(second));
        assertThat(Nodes.map(Nodes.document(Files.readString(dir.resolve("secrets/token-service.yaml"))),
                "security", "callers")).containsOnlyKeys("backend");
    }

    @Test
    void nothingIsWrittenOverWithoutForce() throws IOException {
        assertThat(makeSecrets(CERTIFICATE + "\n", APP_ID).exitCode()).isZero();
        String before = Files.readString(dir.resolve("secrets/token-service.yaml"));
        Command again = makeSecrets("0123456789abcdef0123456789abcdef\n", APP_ID);
        assertThat(again.exitCode()).isEqualTo(2);
        assertThat(again.output()).contains("exists; --force replaces it").doesNotContain("tsk_");
        assertThat(Files.readString(dir.resolve("secrets/token-service.yaml"))).isEqualTo(before);
        assertThat(Files.readString(dir.resolve("secrets/app-certificate"))).isEqualTo(CERTIFICATE + "\n");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            a short App ID                      | 970ca35de60c4464                  | 5cfd2fd1755d40ecb72977518be15d3b | backend       | APP_ID must be 32 hexadecimal
            no certificate                      | 970ca35de60c44645bbae8a215061b33  | ''                               | backend       | App Certificate must be 32 hexadecimal
            a certificate that is not hex       | 970ca35de60c44645bbae8a215061b33  | 5cfd2fd1755d40ecb72977518be15dXX | backend       | App Certificate must be 32 hexadecimal
            a caller name with a space          | 970ca35de60c44645bbae8a215061b33  | 5cfd2fd1755d40ecb72977518be15d3b | 'web backend' | CALLER must start
            a caller name starting with a dash  | 970ca35de60c44645bbae8a215061b33  | 5cfd2fd1755d40ecb72977518be15d3b | .web          | CALLER must start
            """)
    void badInputWritesNothing(String what, String appId, String certificate, String caller, String expected) {
        Command run = makeSecrets(certificate + "\n", appId, caller);
        assertThat(run.exitCode()).as(what).isEqualTo(2);
        assertThat(run.output()).contains(expected).doesNotContain("tsk_");
        assertThat(dir.resolve("secrets/token-service.yaml")).doesNotExist();
    }

    @Test
    void theCertificateIsNeverACommandLineArgument() {
        Command run = makeSecrets("", APP_ID, "backend", CERTIFICATE);
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.output()).contains("usage: deploy/make-secrets");
    }
}
