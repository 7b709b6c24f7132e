package io.tokenservice.server.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import io.grpc.MethodDescriptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.StreamObserver;
import io.tokenservice.proto.v1.IssueRtcTokenRequest;
import io.tokenservice.proto.v1.IssuedToken;
import io.tokenservice.proto.v1.TokenServiceGrpc;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DrainedResponsesTest {
    private static final MethodDescriptor<IssueRtcTokenRequest, IssuedToken> ISSUE_RTC =
            TokenServiceGrpc.getIssueRtcTokenMethod();

    private static IssuedToken token(int tokenChars, long seed) {
        Random random = new Random(seed);
        StringBuilder token = new StringBuilder("007");
        while (token.length() < tokenChars) {
            token.append((char) ('A' + random.nextInt(26)));
        }
        return IssuedToken.newBuilder().setToken(token.toString()).setAppId("0123456789abcdef0123456789abcdef")
                .setIssuedAt(Timestamp.newBuilder().setSeconds(1_700_000_000L + random.nextInt(1000)))
                .setExpiresAt(Timestamp.newBuilder().setSeconds(1_700_003_600L)).setTtlSeconds(3600)
                .setTokenSha256Prefix("sha256:abcdef").build();
    }

    @SuppressWarnings("unchecked")
    private static MethodDescriptor.Marshaller<IssuedToken> drainingMarshaller() {
        ServerServiceDefinition service = DrainedResponses.of(new TokenServiceGrpc.TokenServiceImplBase() {}.bindService());
        ServerMethodDefinition<?, ?> method = service.getMethod(ISSUE_RTC.getFullMethodName());
        return (MethodDescriptor.Marshaller<IssuedToken>) method.getMethodDescriptor().getResponseMarshaller();
    }

    private static byte[] drain(InputStream stream) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int n = ((io.grpc.Drainable) stream).drainTo(out);
        assertThat(n).isEqualTo(out.size());
        return out.toByteArray();
    }

    @Test
    void drainsTheBytesGrpcsMarshallerWrites() throws IOException {
        MethodDescriptor.Marshaller<IssuedToken> marshaller = drainingMarshaller();
        // Small, around the kept buffer's size and beyond it, then small again (the thread's buffer is reused).
        int[] sizes = {0, 220, 5_000, DrainedResponses.KEPT_BUFFER_BYTES + 1_000, 220};
        for (int i = 0; i < sizes.length; i++) {
            IssuedToken message = token(sizes[i], i);
            InputStream stream = marshaller.stream(message);
            assertThat(stream.available()).isEqualTo(message.getSerializedSize());
            byte[] drained = drain(stream);
            assertThat(drained).isEqualTo(ISSUE_RTC.getResponseMarshaller().stream(message).readAllBytes());
            assertThat(stream.available()).isZero();
            assertThat(drain(stream)).isEmpty();
        }
    }

    @Test
    void readsLikeAnyStreamAndParsesBack() throws IOException {
        MethodDescriptor.Marshaller<IssuedToken> marshaller = drainingMarshaller();
        IssuedToken message = token(300, 7);
        assertThat(marshaller.stream(message).readAllBytes()).isEqualTo(message.toByteArray());
        assertThat(marshaller.parse(marshaller.stream(message))).isEqualTo(message);

        InputStream partly = marshaller.stream(message);
        byte[] head = partly.readNBytes(10);
        byte[] rest = drain(partly);
        ByteArrayOutputStream whole = new ByteArrayOutputStream();
        whole.write(head);
        whole.write(rest);
        assertThat(whole.toByteArray()).isEqualTo(message.toByteArray());
    }

    @Test
    void keepsTheServiceItsNamesSchemaAndHandlers() {
        ServerServiceDefinition original = new TokenServiceGrpc.TokenServiceImplBase() {
            @Override
            public void issueRtcToken(IssueRtcTokenRequest request, StreamObserver<IssuedToken> responses) {}
        }.bindService();
        ServerServiceDefinition drained = DrainedResponses.of(original);
        assertThat(drained.getServiceDescriptor().getName()).isEqualTo(TokenServiceGrpc.SERVICE_NAME);
        assertThat(drained.getServiceDescriptor().getSchemaDescriptor())
                .isSameAs(original.getServiceDescriptor().getSchemaDescriptor());
        assertThat(drained.getMethods()).hasSameSizeAs(original.getMethods());
        for (ServerMethodDefinition<?, ?> method : original.getMethods()) {
            ServerMethodDefinition<?, ?> copy = drained.getMethod(method.getMethodDescriptor().getFullMethodName());
            assertThat(copy.getServerCallHandler()).isSameAs(method.getServerCallHandler());
            assertThat(copy.getMethodDescriptor().getType()).isEqualTo(method.getMethodDescriptor().getType());
            assertThat(copy.getMethodDescriptor().getSchemaDescriptor())
                    .isSameAs(method.getMethodDescriptor().getSchemaDescriptor());
            assertThat(copy.getMethodDescriptor().getRequestMarshaller())
                    .isSameAs(method.getMethodDescriptor().getRequestMarshaller());
        }
    }
}
