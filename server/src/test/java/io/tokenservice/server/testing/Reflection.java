package io.tokenservice.server.testing;

import io.grpc.Channel;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** One exchange on the server reflection stream (grpc.reflection.v1), as grpcurl makes it. */
public final class Reflection {
    private Reflection() {}

    public static List<ServerReflectionResponse> exchange(Channel channel, ServerReflectionRequest... requests)
            throws Exception {
        List<ServerReflectionResponse> responses = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> done = new CompletableFuture<>();
        StreamObserver<ServerReflectionRequest> out = ServerReflectionGrpc.newStub(channel).serverReflectionInfo(
                new StreamObserver<>() {
                    @Override
                    public void onNext(ServerReflectionResponse value) {
                        responses.add(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                        done.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                        done.complete(null);
                    }
                });
        for (ServerReflectionRequest request : requests) {
            out.onNext(request);
        }
        out.onCompleted();
        done.get(5, TimeUnit.SECONDS);
        return responses;
    }

    /** The full names of the services the server lists. */
    public static List<String> listServices(Channel channel) throws Exception {
        return exchange(channel, ServerReflectionRequest.newBuilder().setListServices("").build()).get(0)
                .getListServicesResponse().getServiceList().stream().map(s -> s.getName()).toList();
    }
}
