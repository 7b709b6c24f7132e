package io.tokenservice.server.rpc;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.MessageLite;
import io.grpc.Drainable;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * A service whose responses go onto the wire through a per-thread buffer. gRPC's protobuf marshaller writes a
 * message through a {@link CodedOutputStream} over the transport's stream, which allocates a buffer of the
 * message's size and, for every string longer than that buffer's third (a token is), a byte array three times
 * the string's length: about 1 KB per IssuedToken. Here the message is encoded into a buffer its thread keeps
 * and copied into the transport's frame in one write, byte for byte what gRPC's marshaller writes.
 *
 * <p>For a server that sends its messages over a network transport only: in-process calls hand the message
 * object across without serializing it when gRPC's own marshaller made it, and would serialize it here.
 */
public final class DrainedResponses {
    /** Messages up to this size are encoded in the thread's buffer; larger ones (rare) in one of their own. */
    static final int KEPT_BUFFER_BYTES = 16 * 1024;
    private static final ThreadLocal<byte[]> BUFFER = ThreadLocal.withInitial(() -> new byte[1024]);

    private DrainedResponses() {}

    /** {@code service} with every method's response marshaller draining as described above. */
    public static ServerServiceDefinition of(ServerServiceDefinition service) {
        ServiceDescriptor old = service.getServiceDescriptor();
        List<ServerMethodDefinition<?, ?>> methods = new ArrayList<>();
        for (ServerMethodDefinition<?, ?> method : service.getMethods()) {
            methods.add(draining(method));
        }
        ServiceDescriptor.Builder descriptor = ServiceDescriptor.newBuilder(old.getName())
                .setSchemaDescriptor(old.getSchemaDescriptor());
        methods.forEach(m -> descriptor.addMethod(m.getMethodDescriptor()));
        ServerServiceDefinition.Builder result = ServerServiceDefinition.builder(descriptor.build());
        methods.forEach(result::addMethod);
        return result.build();
    }

    private static <Q, R> ServerMethodDefinition<Q, R> draining(ServerMethodDefinition<Q, R> method) {
        MethodDescriptor<Q, R> descriptor = method.getMethodDescriptor();
        MethodDescriptor.Marshaller<R> responses = descriptor.getResponseMarshaller();
        return ServerMethodDefinition.create(
                descriptor.toBuilder(descriptor.getRequestMarshaller(), new Marshaller<>(responses)).build(),
                method.getServerCallHandler());
    }

    /** Streams messages as {@link Message}; parses with the marshaller it replaces. */
    private static final class Marshaller<R> implements MethodDescriptor.Marshaller<R> {
        private final MethodDescriptor.Marshaller<R> replaced;

        Marshaller(MethodDescriptor.Marshaller<R> replaced) {
            this.replaced = replaced;
        }

        @Override
        public InputStream stream(R value) {
            return new Message((MessageLite) value);
        }

        @Override
        public R parse(InputStream stream) {
            return replaced.parse(stream);
        }
    }

    /**
     * One message on its way out: the transport drains it ({@link #drainTo}, no copy of its own), anything else
     * reads its serialized bytes.
     */
    static final class Message extends InputStream implements Drainable, KnownLength {
        private final MessageLite message;
        /** Made only if someone reads this stream instead of draining it. */
        private ByteArrayInputStream bytes;
        private boolean drained;

        Message(MessageLite message) {
            this.message = message;
        }

        @Override
        public int drainTo(OutputStream target) throws IOException {
            if (bytes != null) {
                int n = bytes.available();
                bytes.transferTo(target);
                return n;
            }
            if (drained) {
                return 0;
            }
            drained = true;
            int size = message.getSerializedSize();
            byte[] buffer = BUFFER.get();
            if (buffer.length < size) {
                buffer = new byte[Math.max(size, Math.min(buffer.length * 2, KEPT_BUFFER_BYTES))];
                if (buffer.length <= KEPT_BUFFER_BYTES) {
                    BUFFER.set(buffer);
                }
            }
            CodedOutputStream out = CodedOutputStream.newInstance(buffer, 0, size);
            message.writeTo(out);
            out.checkNoSpaceLeft();
            target.write(buffer, 0, size);
            return size;
        }

        @Override
        public int available() {
            if (bytes != null) {
                return bytes.available();
            }
            return drained ? 0 : message.getSerializedSize();
        }

        @Override
        public int read() {
            return serialized().read();
        }

        @Override
        public int read(byte[] b, int off, int len) {
            return serialized().read(b, off, len);
        }

        private ByteArrayInputStream serialized() {
            if (bytes == null) {
                bytes = new ByteArrayInputStream(drained ? new byte[0] : message.toByteArray());
                drained = true;
            }
            return bytes;
        }
    }
}
