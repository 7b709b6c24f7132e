package io.tokenservice.server.auth;

import io.tokenservice.server.testing.TestSecrets;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * The committed test certificates ({@code src/test/resources/tls}, see the README there for how they were
 * made): a CA, a server certificate for localhost, two client certificates signed by the CA (one mapped to a
 * caller by the tests, one not) and a self-signed client certificate with the same subject as the mapped one
 * (TLS must refuse it). Each key and certificate is registered with {@link TestSecrets}.
 */
public final class TestPki {
    public static final String KNOWN_SUBJECT = "CN=web-backend,OU=tests,O=Token Service Test";
    public static final String UNKNOWN_SUBJECT = "CN=stranger,OU=tests,O=Token Service Test";
    private static final char[] PASSWORD = "test-only".toCharArray();
    private static final String DIRECTORY = "/tls/";

    /** A private key with its certificate chain (leaf first), and the PEM files they were read from. */
    public record Identity(PrivateKey key, X509Certificate[] chain, Path keyFile, Path certificateFile) {
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
    /** The CA certificate's PEM file ({@code TLS_CLIENT_CA_FILE}). */
    public final Path caFile;
    public final Identity server;
    public final Identity knownClient;
    public final Identity unknownClient;
    public final Identity untrustedClient;

    private TestPki() throws IOException, GeneralSecurityException {
        caFile = file("ca.crt");
        ca = certificate(caFile);
        server = identity("server", ca);
        knownClient = identity("known", ca);
        unknownClient = identity("unknown", ca);
        untrustedClient = identity("untrusted", null);
    }

    public static synchronized TestPki get() {
        if (instance == null) {
            try {
                instance = new TestPki();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
            try {
                TestSecrets.registerDer(instance.ca.getEncoded());
                for (Identity id : List.of(instance.server, instance.knownClient, instance.unknownClient,
                        instance.untrustedClient)) {
                    TestSecrets.registerDer(id.leaf().getEncoded());
                    TestSecrets.registerDer(id.key().getEncoded());
                }
            } catch (GeneralSecurityException e) {
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

    private static Identity identity(String name, X509Certificate issuer) throws IOException, GeneralSecurityException {
        Path keyFile = file(name + ".key");
        Path certificateFile = file(name + ".crt");
        X509Certificate leaf = certificate(certificateFile);
        X509Certificate[] chain = issuer == null ? new X509Certificate[] {leaf} : new X509Certificate[] {leaf, issuer};
        PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(pemBody(keyFile)));
        return new Identity(key, chain, keyFile, certificateFile);
    }

    private static X509Certificate certificate(Path file) throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(file)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    private static byte[] pemBody(Path file) throws IOException {
        StringBuilder base64 = new StringBuilder();
        for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
            if (!line.startsWith("-----")) {
                base64.append(line.strip());
            }
        }
        return Base64.getDecoder().decode(base64.toString());
    }

    private static Path file(String name) throws IOException {
        URL url = TestPki.class.getResource(DIRECTORY + name);
        if (url == null) {
            throw new IOException("test resource " + DIRECTORY + name + " is missing");
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IOException(e);
        }
    }
}
