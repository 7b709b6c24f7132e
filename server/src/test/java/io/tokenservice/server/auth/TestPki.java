package io.tokenservice.server.auth;

import io.tokenservice.server.testing.TestSecrets;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * Throw-away test certificates, generated once per test JVM with the JDK's {@code keytool} (no
 * BouncyCastle on the class path, no key material in the repository): a CA, a server certificate for
 * localhost, two client certificates signed by the CA (one mapped to a caller by the tests, one not) and
 * a self-signed client certificate with the same subject as the mapped one (must be refused by TLS).
 */
public final class TestPki {
    public static final String KNOWN_SUBJECT = "CN=web-backend,OU=tests,O=Token Service Test";
    public static final String UNKNOWN_SUBJECT = "CN=stranger,OU=tests,O=Token Service Test";
    private static final char[] PASSWORD = "test-only".toCharArray();

    /** A private key with its certificate chain (leaf first). */
    public record Identity(PrivateKey key, X509Certificate[] chain) {
        public KeyManager[] keyManagers() {
            try {
                KeyStore ks = KeyStore.getInstance("PKCS12");
                ks.load(null, null);
                ks.setKeyEntry("id", key, PASSWORD, chain);
                KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(ks, PASSWORD);
                return kmf.getKeyManagers();
            } catch (GeneralSecurityException | IOException e) {
                throw new IllegalStateException(e);
            }
        }

        public X509Certificate leaf() {
            return chain[0];
        }
    }

    private static TestPki instance;

    public final X509Certificate ca;
    public final Identity server;
    public final Identity knownClient;
    public final Identity unknownClient;
    public final Identity untrustedClient;

    private TestPki(X509Certificate ca, Identity server, Identity knownClient, Identity unknownClient,
            Identity untrustedClient) {
        this.ca = ca;
        this.server = server;
        this.knownClient = knownClient;
        this.unknownClient = unknownClient;
        this.untrustedClient = untrustedClient;
    }

    public static synchronized TestPki get() {
        if (instance == null) {
            try {
                instance = generate();
                for (X509Certificate c : List.of(instance.ca, instance.server.leaf(), instance.knownClient.leaf(),
                        instance.unknownClient.leaf(), instance.untrustedClient.leaf())) {
                    TestSecrets.registerDer(c.getEncoded());
                }
                for (Identity id : List.of(instance.server, instance.knownClient, instance.unknownClient,
                        instance.untrustedClient)) {
                    TestSecrets.registerDer(id.key().getEncoded());
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException | GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }
        return instance;
    }

    /** Trust managers trusting only the test CA. */
    public TrustManager[] trustManagers() {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setCertificateEntry("ca", ca);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            return tmf.getTrustManagers();
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Base64 bodies of every certificate (as they would appear in PEM), for "never logged" checks. */
    public List<String> certificateBase64() {
        List<String> out = new ArrayList<>();
        for (X509Certificate c : List.of(ca, server.leaf(), knownClient.leaf(), unknownClient.leaf(),
                untrustedClient.leaf())) {
            try {
                out.add(Base64.getEncoder().encodeToString(c.getEncoded()));
                out.add(Base64.getMimeEncoder().encodeToString(c.getEncoded()).lines().findFirst().orElseThrow());
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }
        return out;
    }

    private static TestPki generate() throws IOException, InterruptedException, GeneralSecurityException {
        Path dir = Files.createTempDirectory("tokenservice-test-pki");
        try {
            run(dir, List.of(
                    genkey("ca", "CN=Token Service Test CA", "bc:c"),
                    genkey("server", "CN=localhost", null),
                    genkey("known", KNOWN_SUBJECT, null),
                    genkey("unknown", UNKNOWN_SUBJECT, null),
                    genkey("untrusted", KNOWN_SUBJECT, null)));
            run(dir, List.of(certreq("server"), certreq("known"), certreq("unknown")));
            run(dir, List.of(
                    gencert("server", "san=dns:localhost,ip:127.0.0.1", "eku=serverAuth"),
                    gencert("known", null, "eku=clientAuth"),
                    gencert("unknown", null, "eku=clientAuth")));
            X509Certificate ca = storedCertificate(dir, "ca");
            return new TestPki(ca, signed(dir, "server", ca), signed(dir, "known", ca), signed(dir, "unknown", ca),
                    new Identity(storedKey(dir, "untrusted"), new X509Certificate[] {storedCertificate(dir, "untrusted")}));
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static List<String> genkey(String name, String dn, String ext) {
        List<String> cmd = new ArrayList<>(List.of("-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname",
                "secp256r1", "-dname", dn, "-validity", "2", "-keystore", name + ".p12", "-storetype", "PKCS12",
                "-storepass", new String(PASSWORD)));
        if (ext != null) {
            cmd.addAll(List.of("-ext", ext));
        }
        return cmd;
    }

    private static List<String> certreq(String name) {
        return List.of("-certreq", "-alias", name, "-keystore", name + ".p12", "-storepass", new String(PASSWORD),
                "-file", name + ".csr");
    }

    private static List<String> gencert(String name, String san, String eku) {
        List<String> cmd = new ArrayList<>(List.of("-gencert", "-alias", "ca", "-keystore", "ca.p12", "-storepass",
                new String(PASSWORD), "-infile", name + ".csr", "-outfile", name + ".crt", "-validity", "2"));
        if (san != null) {
            cmd.addAll(List.of("-ext", san));
        }
        cmd.addAll(List.of("-ext", eku));
        return cmd;
    }

    /** Runs keytool commands in parallel in {@code dir}. */
    private static void run(Path dir, List<List<String>> commands) throws IOException, InterruptedException {
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        List<Process> processes = new ArrayList<>();
        for (List<String> args : commands) {
            List<String> cmd = new ArrayList<>();
            cmd.add(keytool);
            cmd.add("-J-XX:TieredStopAtLevel=1");
            cmd.addAll(args);
            processes.add(new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start());
        }
        for (int i = 0; i < processes.size(); i++) {
            Process p = processes.get(i);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (InputStream in = p.getInputStream()) {
                in.transferTo(out);
            }
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("keytool " + commands.get(i).get(0) + " failed: " + out);
            }
        }
    }

    private static Identity signed(Path dir, String name, X509Certificate ca) throws IOException, GeneralSecurityException {
        X509Certificate leaf;
        try (InputStream in = Files.newInputStream(dir.resolve(name + ".crt"))) {
            leaf = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        return new Identity(storedKey(dir, name), new X509Certificate[] {leaf, ca});
    }

    private static KeyStore store(Path dir, String name) throws IOException, GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(dir.resolve(name + ".p12"))) {
            ks.load(in, PASSWORD);
        }
        return ks;
    }

    private static PrivateKey storedKey(Path dir, String name) throws IOException, GeneralSecurityException {
        return (PrivateKey) store(dir, name).getKey(name, PASSWORD);
    }

    private static X509Certificate storedCertificate(Path dir, String name) throws IOException, GeneralSecurityException {
        return (X509Certificate) store(dir, name).getCertificate(name);
    }
}
