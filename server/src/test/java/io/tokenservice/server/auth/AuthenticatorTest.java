package io.tokenservice.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tokenservice.server.access.Caller;
import io.tokenservice.server.testing.TestSecrets;
import java.lang.reflect.Proxy;
import java.security.cert.Certificate;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.security.auth.x500.X500Principal;
import org.junit.jupiter.api.Test;

class AuthenticatorTest {
    private static final String KEY = TestSecrets.register("a-perfectly-fine-key-123");

    @Test
    void bearerParsing() {
        assertThat(Authenticator.bearerKey("Bearer abc")).isEqualTo("abc");
        assertThat(Authenticator.bearerKey("bearer abc")).isEqualTo("abc");
        assertThat(Authenticator.bearerKey("BEARER    abc   ")).isEqualTo("abc");
        assertThat(Authenticator.bearerKey("Bearer")).isNull();
        assertThat(Authenticator.bearerKey("Bearer ")).isNull();
        assertThat(Authenticator.bearerKey("Bearer     ")).isNull();
        assertThat(Authenticator.bearerKey("Bearerabc")).isNull();
        assertThat(Authenticator.bearerKey("Basic abc")).isNull();
        assertThat(Authenticator.bearerKey("Bearer a b")).isNull();
        assertThat(Authenticator.bearerKey("abc")).isNull();
        assertThat(Authenticator.bearerKey("")).isNull();
    }

    @Test
    void keyDecidesWhenPresentAndReasonsAreDistinctInternally() {
        Authenticator a = new Authenticator(ApiKeyRegistry.parseEnvironmentValue("web=" + KEY),
                ClientCertificateMapping.empty());
        assertThat(a.authenticate("Bearer " + KEY, null).caller()).contains(new Caller("web", Caller.AuthMethod.API_KEY));
        assertThat(a.authenticate("Bearer nope-nope-nope-nope", null).failure())
                .contains(Authenticator.Failure.UNKNOWN_API_KEY);
        assertThat(a.authenticate("Token " + KEY, null).failure())
                .contains(Authenticator.Failure.MALFORMED_AUTHORIZATION);
        assertThat(a.authenticate(null, null).failure()).contains(Authenticator.Failure.NO_CREDENTIALS);
        assertThat(a.authenticate(null, null).caller()).isEmpty();
    }

    @Test
    void failureReasonsNeverEchoInput() {
        for (Authenticator.Failure f : Authenticator.Failure.values()) {
            assertThat(f.reason()).doesNotContain(KEY).isNotBlank();
        }
    }

    @Test
    void certificateMappingByDnIsCanonicalAndByCnExact() {
        TestPki pki = TestPki.get();
        ClientCertificateMapping dn = ClientCertificateMapping.builder()
                .add("cn=web-backend, ou=tests, o=token service test", "web").build();
        assertThat(dn.callerFor(pki.knownClient.leaf())).contains(new Caller("web", Caller.AuthMethod.MUTUAL_TLS));
        assertThat(dn.callerFor(pki.unknownClient.leaf())).isEmpty();

        ClientCertificateMapping cn = ClientCertificateMapping.builder().add("cn:web-backend", "web").build();
        assertThat(cn.callerFor(pki.knownClient.leaf())).map(Caller::name).contains("web");
        assertThat(cn.callerFor(pki.unknownClient.leaf())).isEmpty();
        assertThat(ClientCertificateMapping.builder().add("cn:WEB-BACKEND", "web").build()
                .callerFor(pki.knownClient.leaf())).isEmpty();

        ClientCertificateMapping both = ClientCertificateMapping.builder()
                .add("cn:web-backend", "by-cn").add(TestPki.KNOWN_SUBJECT, "by-dn").build();
        assertThat(both.callerFor(pki.knownClient.leaf())).map(Caller::name).contains("by-dn");
    }

    @Test
    void singleCommonNameOnly() {
        assertThat(ClientCertificateMapping.singleCommonName(new X500Principal("CN=a,O=x"))).isEqualTo("a");
        assertThat(ClientCertificateMapping.singleCommonName(new X500Principal("CN=a,CN=b,O=x"))).isNull();
        assertThat(ClientCertificateMapping.singleCommonName(new X500Principal("O=x"))).isNull();
        assertThat(ClientCertificateMapping.singleCommonName(new X500Principal("CN=a\\,b,O=x"))).isEqualTo("a,b");
    }

    @Test
    void mappingConflictsAndGarbageAreRejected() {
        assertThatThrownBy(() -> ClientCertificateMapping.builder().add("CN=a,O=x", "one").add("cn=a, o=x", "two"))
                .hasMessageContaining("mapped to both 'one' and 'two'");
        assertThatThrownBy(() -> ClientCertificateMapping.builder().add("not a dn", "one"))
                .hasMessageContaining("neither a distinguished name");
        assertThatThrownBy(() -> ClientCertificateMapping.builder().add("cn:", "one"))
                .hasMessageContaining("empty common name");
        assertThat(ClientCertificateMapping.builder().add("CN=a", "one").add("CN=a", "one").build().callerFor(
                TestPki.get().knownClient.leaf())).isEqualTo(Optional.empty());
    }

    /** A TLS session presenting {@code chain} (null: the client sent no certificate). */
    private static SSLSession session(Certificate... chain) {
        Map<String, Object> values = new HashMap<>();
        return (SSLSession) Proxy.newProxyInstance(SSLSession.class.getClassLoader(), new Class<?>[] {SSLSession.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getPeerCertificates" -> {
                        if (chain.length == 0) {
                            throw new SSLPeerUnverifiedException("no client certificate");
                        }
                        yield chain;
                    }
                    case "getValue" -> values.get((String) args[0]);
                    case "putValue" -> values.put((String) args[0], args[1]);
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    @Test
    void onlyCallsWithoutAnyCredentialBecomeTheAnonymousCaller() {
        Caller anonymous = new Caller("anonymous", Caller.AuthMethod.ANONYMOUS);
        Authenticator.Snapshot snapshot = new Authenticator.Snapshot(ApiKeyRegistry.parseEnvironmentValue("web=" + KEY),
                ClientCertificateMapping.builder().add("cn:web-backend", "web").build(), JwtVerifier.none(),
                Optional.of(anonymous));
        Authenticator a = new Authenticator(() -> snapshot);
        assertThat(a.authenticate(null, null).caller()).contains(anonymous);
        assertThat(a.authenticate(null, session()).caller()).as("TLS without a client certificate").contains(anonymous);
        TestPki pki = TestPki.get();
        assertThat(a.authenticate(null, session(pki.knownClient.leaf())).caller()).map(Caller::name).contains("web");
        assertThat(a.authenticate(null, session(pki.unknownClient.leaf())).failure())
                .contains(Authenticator.Failure.UNKNOWN_CERTIFICATE);
        assertThat(a.authenticate("Bearer nope-nope-nope-nope", null).failure())
                .contains(Authenticator.Failure.UNKNOWN_API_KEY);
        assertThat(a.authenticate("Basic abc", null).failure()).contains(Authenticator.Failure.MALFORMED_AUTHORIZATION);
        assertThat(a.authenticate("Bearer ", null).failure()).contains(Authenticator.Failure.MALFORMED_AUTHORIZATION);
        assertThat(a.authenticate("Bearer a.b.c", null).failure()).as("a JWT when no caller accepts JWTs")
                .contains(Authenticator.Failure.JWT_NOT_ACCEPTED);

        Authenticator closed = new Authenticator(ApiKeyRegistry.parseEnvironmentValue("web=" + KEY),
                ClientCertificateMapping.empty());
        assertThat(closed.authenticate(null, session()).failure()).contains(Authenticator.Failure.NO_CREDENTIALS);
    }
}
