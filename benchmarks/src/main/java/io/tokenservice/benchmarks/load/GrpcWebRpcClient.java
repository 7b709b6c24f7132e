package io.tokenservice.benchmarks.load;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import io.grpc.Status;
import io.tokenservice.proto.v1.IssuedToken;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * gRPC-Web (binary, {@code application/grpc-web+proto}) over HTTP/1.1, as browsers call the gateway: one
 * POST per call with the 5-byte framed request; the status comes from a {@code grpc-status} header
 * (trailers-only answers) or from the trailer frame at the end of the body. HTTP/1.1 carries one call per
 * connection at a time, so the JDK client opens as many connections as calls are outstanding.
 */
final class GrpcWebRpcClient implements RpcClient {
    private static final String CONTENT_TYPE = "application/grpc-web+proto";

    private final ExecutorService callbacks;
    private final HttpClient http;
    private final HttpRequest call;
    private final Duration deadline;

    GrpcWebRpcClient(LoadOptions options) {
        deadline = options.deadline();
        callbacks = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "grpc-web-load");
            t.setDaemon(true);
            return t;
        });
        HttpClient.Builder builder = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .executor(callbacks)
                .connectTimeout(options.deadline());
        if (options.tls()) {
            builder.sslContext(sslContext(options));
        }
        http = builder.build();
        String base = (options.tls() ? "https://" : "http://") + options.target() + "/tokenservice.v1.TokenService/";
        MessageLite request;
        switch (options.rpc()) {
            case ISSUE_RTC -> request = Requests.issueRtc(options);
            case RENEW -> request = Requests.renew(firstToken(base, options), options);
            default -> throw new IllegalStateException("unknown rpc " + options.rpc());
        }
        call = post(base + options.rpc().methodName, request, options);
    }

    private HttpRequest post(String uri, MessageLite message, LoadOptions options) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(uri))
                .timeout(options.deadline())
                .header("content-type", CONTENT_TYPE)
                .header("accept", CONTENT_TYPE)
                .header("x-grpc-web", "1")
                .header("grpc-timeout", options.deadline().toMillis() + "m")
                .POST(HttpRequest.BodyPublishers.ofByteArray(frame(message)));
        options.apiKey().ifPresent(key -> b.header("authorization", "Bearer " + key));
        return b.build();
    }

    private String firstToken(String base, LoadOptions options) {
        HttpRequest issue = post(base + LoadOptions.Rpc.ISSUE_RTC.methodName, Requests.issueRtc(options), options);
        try {
            HttpResponse<byte[]> response = http.sendAsync(issue, HttpResponse.BodyHandlers.ofByteArray())
                    .get(deadline.toMillis() + 1000, TimeUnit.MILLISECONDS);
            Answer answer = answer(response.statusCode(), response.headers().firstValue("grpc-status"), response.body());
            if (!answer.outcome().equals(OK)) {
                throw new IllegalStateException("the token to renew could not be issued: " + answer.outcome());
            }
            return IssuedToken.parseFrom(answer.message()).getToken();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while issuing the token to renew", e);
        } catch (ExecutionException | TimeoutException | InvalidProtocolBufferException e) {
            throw new IllegalStateException("the token to renew could not be issued: " + e, e);
        }
    }

    @Override
    public void start(Completion completion) {
        http.sendAsync(call, HttpResponse.BodyHandlers.ofByteArray()).whenComplete((response, failure) -> {
            if (failure != null) {
                completion.done(failure instanceof java.net.http.HttpTimeoutException
                        || failure.getCause() instanceof java.net.http.HttpTimeoutException
                        ? Status.Code.DEADLINE_EXCEEDED.name() : Status.Code.UNAVAILABLE.name());
                return;
            }
            completion.done(answer(response.statusCode(), response.headers().firstValue("grpc-status"),
                    response.body()).outcome());
        });
    }

    /** A gRPC-Web answer: {@link #OK} with the message, or the status code. */
    record Answer(String outcome, byte[] message) {}

    /** The length-prefixed message frame of gRPC (and gRPC-Web): flag 0, 4-byte big-endian length, bytes. */
    static byte[] frame(MessageLite message) {
        byte[] bytes = message.toByteArray();
        return ByteBuffer.allocate(5 + bytes.length).put((byte) 0).putInt(bytes.length).put(bytes).array();
    }

    /**
     * Reads a gRPC-Web answer: a {@code grpc-status} header wins (trailers-only); otherwise the body's
     * frames are data (flag 0) and trailers (flag 0x80, {@code name:value} lines). An OK without exactly
     * one message, a malformed body, or a non-200 answer without a status is a failure.
     */
    static Answer answer(int httpStatus, Optional<String> headerStatus, byte[] body) {
        if (headerStatus.isPresent()) {
            return status(headerStatus.get(), null);
        }
        if (httpStatus != 200) {
            return new Answer("HTTP_" + httpStatus, null);
        }
        ByteBuffer in = ByteBuffer.wrap(body);
        byte[] message = null;
        int messages = 0;
        while (in.remaining() >= 5) {
            byte flag = in.get();
            int length = in.getInt();
            if (length < 0 || length > in.remaining()) {
                return new Answer("MALFORMED_BODY", null);
            }
            byte[] bytes = new byte[length];
            in.get(bytes);
            if ((flag & 0x80) == 0) {
                message = bytes;
                messages++;
                continue;
            }
            for (String line : new String(bytes, StandardCharsets.US_ASCII).split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).strip().equalsIgnoreCase("grpc-status")) {
                    Answer answer = status(line.substring(colon + 1).strip(), message);
                    return answer.outcome().equals(OK) && messages != 1 ? new Answer("NO_MESSAGE", null) : answer;
                }
            }
            return new Answer("NO_STATUS", null);
        }
        return new Answer(in.hasRemaining() ? "MALFORMED_BODY" : "NO_STATUS", null);
    }

    private static Answer status(String value, byte[] message) {
        int code;
        try {
            code = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            return new Answer("NO_STATUS", null);
        }
        Status.Code c = Status.fromCodeValue(code).getCode();
        return c == Status.Code.OK ? new Answer(OK, message) : new Answer(c.name(), null);
    }

    private static SSLContext sslContext(LoadOptions options) {
        try {
            if (options.tlsCa().isEmpty()) {
                return SSLContext.getDefault();
            }
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            try (InputStream pem = Files.newInputStream(options.tlsCa().get())) {
                int i = 0;
                for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(pem)) {
                    trust.setCertificateEntry("ca-" + i++, c);
                }
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (IOException e) {
            throw new UncheckedIOException("--tls-ca " + options.tlsCa().orElse(null) + " cannot be read", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("--tls-ca " + options.tlsCa().orElse(null) + " is not usable: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        callbacks.shutdownNow();
    }
}
