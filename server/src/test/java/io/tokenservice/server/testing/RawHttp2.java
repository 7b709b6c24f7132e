package io.tokenservice.server.testing;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;
import io.grpc.netty.shaded.io.netty.buffer.ByteBufUtil;
import io.grpc.netty.shaded.io.netty.buffer.Unpooled;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Exception;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Headers;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2HeadersEncoder;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A bare HTTP/2 client over a plain socket, for sending what grpc-java's client never sends: several
 * {@code authorization} fields, header lists above the server's advertised limit, thousands of streams
 * that never send their message. Frames are written by hand; header blocks are HPACK-encoded with Netty's
 * encoder (never-indexed literals, so one encoded block can be sent on any number of streams) and the
 * server's are decoded with Netty's decoder. A reader thread answers SETTINGS and PING and records, per
 * stream, the response headers, trailers, DATA and RST_STREAM, and the connection's GOAWAY and close.
 */
public final class RawHttp2 implements AutoCloseable {
    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final int DATA = 0x0;
    private static final int HEADERS = 0x1;
    private static final int RST_STREAM = 0x3;
    private static final int SETTINGS = 0x4;
    private static final int PING = 0x6;
    private static final int GOAWAY = 0x7;
    private static final int CONTINUATION = 0x9;
    private static final int END_STREAM = 0x1;
    private static final int ACK = 0x1;
    private static final int END_HEADERS = 0x4;
    private static final int MAX_FRAME = 16_384;

    /** What the server sent on one stream. */
    public static final class Response {
        public final List<Http2Headers> headerBlocks = new ArrayList<>();
        public final ByteArrayOutputStream data = new ByteArrayOutputStream();
        public volatile long rstCode = -1;
        final CompletableFuture<Response> done = new CompletableFuture<>();

        /** The last header block's {@code grpc-status}, if any (trailers, or a trailers-only response). */
        public Optional<Integer> grpcStatus() {
            return header("grpc-status").map(Integer::parseInt);
        }

        public Optional<String> grpcMessage() {
            return header("grpc-message").map(m -> URLDecoder.decode(m.replace("+", "%2B"), StandardCharsets.UTF_8));
        }

        /** The decoded {@code grpc-status-details-bin}, if any. */
        public Optional<com.google.rpc.Status> statusDetails() {
            return header("grpc-status-details-bin").map(b64 -> {
                try {
                    return com.google.rpc.Status.parseFrom(Base64.getDecoder().decode(b64));
                } catch (InvalidProtocolBufferException e) {
                    throw new IllegalStateException(e);
                }
            });
        }

        /** The {@code :status} of the first header block. */
        public Optional<String> httpStatus() {
            return headerBlocks.isEmpty() ? Optional.empty()
                    : Optional.ofNullable(headerBlocks.get(0).status()).map(CharSequence::toString);
        }

        public Optional<String> header(String name) {
            for (int i = headerBlocks.size() - 1; i >= 0; i--) {
                CharSequence value = headerBlocks.get(i).get(name);
                if (value != null) {
                    return Optional.of(value.toString());
                }
            }
            return Optional.empty();
        }

        /** The first gRPC message of the DATA, parsed with {@code parser}. */
        public <T extends MessageLite> T message(com.google.protobuf.Parser<T> parser) throws IOException {
            byte[] bytes = data.toByteArray();
            int length = ByteBuffer.wrap(bytes, 1, 4).getInt();
            return parser.parseFrom(ByteBuffer.wrap(bytes, 5, length));
        }

        @Override
        public String toString() {
            return "Response[headers " + headerBlocks + ", " + data.size() + " data bytes, rst " + rstCode + "]";
        }
    }

    private final Socket socket;
    private final OutputStream out;
    private final Thread reader;
    private final Map<Integer, Response> streams = new ConcurrentHashMap<>();
    private final Http2HeadersEncoder encoder = new DefaultHttp2HeadersEncoder(Http2HeadersEncoder.ALWAYS_SENSITIVE);
    private final DefaultHttp2HeadersDecoder decoder = new DefaultHttp2HeadersDecoder(false, 1 << 20);
    private final AtomicInteger nextStreamId = new AtomicInteger(1);
    private final AtomicInteger rstStreams = new AtomicInteger();
    private final CompletableFuture<Long> goAway = new CompletableFuture<>();
    private final CompletableFuture<Void> closedByServer = new CompletableFuture<>();
    private final CompletableFuture<Void> settingsReceived = new CompletableFuture<>();

    private RawHttp2(Socket socket) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
        synchronized (out) {
            out.write(PREFACE);
            writeFrame(SETTINGS, 0, 0, new byte[0]);
            out.flush();
        }
        reader = new Thread(this::readLoop, "raw-http2-reader");
        reader.setDaemon(true);
        reader.start();
    }

    /** Connects and sends the connection preface and an empty SETTINGS frame. */
    public static RawHttp2 connect(String host, int port) throws IOException {
        Socket socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress(host, port), 5_000);
        return new RawHttp2(socket);
    }

    /** The request headers of a gRPC call of {@code fullMethod}, with the given extra fields in order. */
    public static Http2Headers grpcRequest(String fullMethod, String... extraNamesAndValues) {
        Http2Headers h = new DefaultHttp2Headers(false)
                .method("POST").scheme("http").authority("localhost").path("/" + fullMethod);
        h.add("content-type", "application/grpc");
        h.add("te", "trailers");
        for (int i = 0; i < extraNamesAndValues.length; i += 2) {
            h.add(extraNamesAndValues[i], extraNamesAndValues[i + 1]);
        }
        return h;
    }

    /** {@code headers} HPACK-encoded as never-indexed literals: the block can be sent on any stream. */
    public byte[] encode(Http2Headers headers) {
        ByteBuf buf = Unpooled.buffer();
        try {
            encoder.encodeHeaders(0, headers, buf);
            return ByteBufUtil.getBytes(buf);
        } catch (Http2Exception e) {
            throw new IllegalStateException(e);
        } finally {
            buf.release();
        }
    }

    /** Opens a stream with {@code headers} (no END_STREAM) and returns its id. */
    public int open(Http2Headers headers) throws IOException {
        return open(encode(headers), false);
    }

    /** Opens a stream with an encoded header block; returns its id. */
    public int open(byte[] headerBlock, boolean endStream) throws IOException {
        int id = nextStreamId.getAndAdd(2);
        streams.put(id, new Response());
        synchronized (out) {
            writeHeaderBlock(id, headerBlock, endStream);
            out.flush();
        }
        return id;
    }

    /** Opens {@code count} streams with the same header block, without waiting; returns the first id. */
    public int openMany(byte[] headerBlock, int count) throws IOException {
        int first = nextStreamId.get();
        synchronized (out) {
            for (int i = 0; i < count; i++) {
                int id = nextStreamId.getAndAdd(2);
                streams.put(id, new Response());
                writeHeaderBlock(id, headerBlock, false);
            }
            out.flush();
        }
        return first;
    }

    /** Sends {@code message} as one gRPC message and ends the stream. */
    public void sendMessage(int streamId, MessageLite message) throws IOException {
        byte[] body = message.toByteArray();
        ByteBuffer framed = ByteBuffer.allocate(5 + body.length).put((byte) 0).putInt(body.length).put(body);
        sendData(streamId, framed.array(), true);
    }

    public void sendData(int streamId, byte[] data, boolean endStream) throws IOException {
        synchronized (out) {
            int offset = 0;
            do {
                int n = Math.min(MAX_FRAME, data.length - offset);
                boolean last = offset + n == data.length;
                byte[] chunk = java.util.Arrays.copyOfRange(data, offset, offset + n);
                writeFrame(DATA, last && endStream ? END_STREAM : 0, streamId, chunk);
                offset += n;
            } while (offset < data.length);
            out.flush();
        }
    }

    /** Sends a PING (not an acknowledgement). */
    public void ping() throws IOException {
        synchronized (out) {
            writeFrame(PING, 0, 0, new byte[8]);
            out.flush();
        }
    }

    /** Opens a stream, sends {@code message} and waits for the end of the response. */
    public Response call(Http2Headers headers, MessageLite message) throws Exception {
        int id = open(headers);
        sendMessage(id, message);
        return await(id);
    }

    /** Waits for the stream's END_STREAM or RST_STREAM (10 s at most). */
    public Response await(int streamId) throws Exception {
        return streams.get(streamId).done.get(10, TimeUnit.SECONDS);
    }

    /** Whether the stream has ended (END_STREAM or RST_STREAM received). */
    public boolean ended(int streamId) {
        Response r = streams.get(streamId);
        return r != null && r.done.isDone();
    }

    public int rstStreamsReceived() {
        return rstStreams.get();
    }

    /** Completes with the GOAWAY error code when the server sends one. */
    public CompletableFuture<Long> goAway() {
        return goAway;
    }

    /** Completes when the server closes the connection (end of the byte stream or reset). */
    public CompletableFuture<Void> closedByServer() {
        return closedByServer;
    }

    public CompletableFuture<Void> settingsReceived() {
        return settingsReceived;
    }

    private void writeHeaderBlock(int streamId, byte[] block, boolean endStream) throws IOException {
        int offset = 0;
        boolean first = true;
        do {
            int n = Math.min(MAX_FRAME, block.length - offset);
            boolean last = offset + n == block.length;
            int flags = (last ? END_HEADERS : 0) | (first && endStream ? END_STREAM : 0);
            writeFrame(first ? HEADERS : CONTINUATION, flags, streamId, block, offset, n);
            offset += n;
            first = false;
        } while (offset < block.length);
    }

    private void writeFrame(int type, int flags, int streamId, byte[] payload) throws IOException {
        writeFrame(type, flags, streamId, payload, 0, payload.length);
    }

    private void writeFrame(int type, int flags, int streamId, byte[] payload, int offset, int length)
            throws IOException {
        byte[] header = {(byte) (length >>> 16), (byte) (length >>> 8), (byte) length, (byte) type, (byte) flags,
                (byte) (streamId >>> 24), (byte) (streamId >>> 16), (byte) (streamId >>> 8), (byte) streamId};
        out.write(header);
        out.write(payload, offset, length);
    }

    private void readLoop() {
        try (InputStream in = socket.getInputStream()) {
            DataInputStream data = new DataInputStream(new java.io.BufferedInputStream(in, 65_536));
            ByteArrayOutputStream block = new ByteArrayOutputStream();
            int blockStream = 0;
            boolean blockEndsStream = false;
            byte[] header = new byte[9];
            while (true) {
                data.readFully(header);
                int length = ((header[0] & 0xff) << 16) | ((header[1] & 0xff) << 8) | (header[2] & 0xff);
                int type = header[3] & 0xff;
                int flags = header[4] & 0xff;
                int streamId = ByteBuffer.wrap(header, 5, 4).getInt() & 0x7fffffff;
                byte[] payload = new byte[length];
                data.readFully(payload);
                switch (type) {
                    case SETTINGS -> {
                        if ((flags & ACK) == 0) {
                            synchronized (out) {
                                writeFrame(SETTINGS, ACK, 0, new byte[0]);
                                out.flush();
                            }
                            settingsReceived.complete(null);
                        }
                    }
                    case PING -> {
                        if ((flags & ACK) == 0) {
                            synchronized (out) {
                                writeFrame(PING, ACK, 0, payload);
                                out.flush();
                            }
                        }
                    }
                    case GOAWAY -> goAway.complete(ByteBuffer.wrap(payload, 4, 4).getInt() & 0xffffffffL);
                    case RST_STREAM -> {
                        rstStreams.incrementAndGet();
                        Response r = streams.get(streamId);
                        if (r != null) {
                            r.rstCode = ByteBuffer.wrap(payload).getInt() & 0xffffffffL;
                            r.done.complete(r);
                        }
                    }
                    case DATA -> {
                        Response r = streams.get(streamId);
                        if (r != null) {
                            int padding = (flags & 0x8) != 0 ? payload[0] & 0xff : 0;
                            int start = (flags & 0x8) != 0 ? 1 : 0;
                            r.data.write(payload, start, length - start - padding);
                            if ((flags & END_STREAM) != 0) {
                                r.done.complete(r);
                            }
                        }
                    }
                    case HEADERS, CONTINUATION -> {
                        int start = 0;
                        int end = length;
                        if (type == HEADERS) {
                            block.reset();
                            blockStream = streamId;
                            blockEndsStream = (flags & END_STREAM) != 0;
                            if ((flags & 0x8) != 0) { // PADDED
                                end -= payload[0] & 0xff;
                                start = 1;
                            }
                            if ((flags & 0x20) != 0) { // PRIORITY
                                start += 5;
                            }
                        }
                        block.write(payload, start, end - start);
                        if ((flags & END_HEADERS) != 0) {
                            Http2Headers decoded = decoder.decodeHeaders(blockStream,
                                    Unpooled.wrappedBuffer(block.toByteArray()));
                            Response r = streams.get(blockStream);
                            if (r != null) {
                                r.headerBlocks.add(decoded);
                                if (blockEndsStream) {
                                    r.done.complete(r);
                                }
                            }
                        }
                    }
                    default -> { }
                }
            }
        } catch (EOFException | java.net.SocketException e) {
            closedByServer.complete(null);
        } catch (IOException | Http2Exception | RuntimeException e) {
            closedByServer.completeExceptionally(e);
        } finally {
            closedByServer.complete(null);
            streams.values().forEach(r -> r.done.complete(r));
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
