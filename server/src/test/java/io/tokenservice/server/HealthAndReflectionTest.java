package io.tokenservice.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.StreamObserver;
import io.tokenservice.proto.v1.TokenServiceGrpc;
import io.tokenservice.server.testing.Reflection;
import io.tokenservice.server.testing.TokenServerExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What grpcurl and Kubernetes probes use: grpc.health.v1 and server reflection (v1 and v1alpha). */
class HealthAndReflectionTest {
    @RegisterExtension
    static final TokenServerExtension server = new TokenServerExtension();

    private static HealthCheckResponse.ServingStatus health(ManagedChannel channel, String service) {
        return HealthGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
                .check(HealthCheckRequest.newBuilder().setService(service).build()).getStatus();
    }

    @Test
    void healthIsServingForTheServerAndTheTokenService() {
        assertThat(health(server.channel(), "")).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
        assertThat(health(server.channel(), TokenServiceGrpc.SERVICE_NAME)).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
        assertThat(TokenServiceGrpc.SERVICE_NAME).isEqualTo("tokenservice.v1.TokenService");
    }

    @Test
    void healthOfAnUnknownServiceIsNotFound() {
        StatusRuntimeException e = org.assertj.core.api.Assertions.catchThrowableOfType(StatusRuntimeException.class,
                () -> health(server.channel(), "no.such.Service"));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    }

    @Test
    void reflectionV1ListsTheServicesAndDescribesTheContract() throws Exception {
        List<io.grpc.reflection.v1.ServerReflectionResponse> responses = Reflection.exchange(server.channel(), 
                io.grpc.reflection.v1.ServerReflectionRequest.newBuilder().setListServices("").build(),
                io.grpc.reflection.v1.ServerReflectionRequest.newBuilder()
                        .setFileContainingSymbol("tokenservice.v1.TokenService").build());

        List<String> services = new ArrayList<>();
        responses.get(0).getListServicesResponse().getServiceList().forEach(s -> services.add(s.getName()));
        assertThat(services).contains("tokenservice.v1.TokenService", "grpc.health.v1.Health",
                "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection");
        assertThat(responses.get(1).getFileDescriptorResponse().getFileDescriptorProtoCount()).isPositive();
        com.google.protobuf.DescriptorProtos.FileDescriptorProto file = com.google.protobuf.DescriptorProtos.FileDescriptorProto
                .parseFrom(responses.get(1).getFileDescriptorResponse().getFileDescriptorProto(0));
        assertThat(file.getPackage()).isEqualTo("tokenservice.v1");
    }

    @Test
    void reflectionV1AlphaAnswersOlderClients() throws Exception {
        CompletableFuture<io.grpc.reflection.v1alpha.ServerReflectionResponse> response = new CompletableFuture<>();
        StreamObserver<io.grpc.reflection.v1alpha.ServerReflectionRequest> requests =
                io.grpc.reflection.v1alpha.ServerReflectionGrpc.newStub(server.channel()).serverReflectionInfo(
                        new StreamObserver<>() {
                            @Override
                            public void onNext(io.grpc.reflection.v1alpha.ServerReflectionResponse value) {
                                response.complete(value);
                            }

                            @Override
                            public void onError(Throwable t) {
                                response.completeExceptionally(t);
                            }

                            @Override
                            public void onCompleted() {}
                        });
        requests.onNext(io.grpc.reflection.v1alpha.ServerReflectionRequest.newBuilder().setListServices("").build());
        requests.onCompleted();

        assertThat(response.get(5, TimeUnit.SECONDS).getListServicesResponse().getServiceList())
                .anySatisfy(s -> assertThat(s.getName()).isEqualTo("tokenservice.v1.TokenService"));
    }
}
