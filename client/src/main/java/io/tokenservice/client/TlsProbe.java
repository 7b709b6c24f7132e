package io.tokenservice.client;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.UnresolvedAddressException;
import java.security.GeneralSecurityException;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;

/**
 * Tells a plaintext client pointed at a TLS port apart from a network failure. A TLS server drops an HTTP/2
 * connection that starts in plaintext without a word (the client sees a reset or a closed socket, as it would
 * from a server that crashed), so a failure of that shape is confirmed by sending the server a TLS ClientHello:
 * a TLS server answers with a TLS record (a handshake or an alert), a plaintext one does not. Nothing else is
 * sent, and no certificate is looked at.
 *
 * @param host the target's host
 * @param port the target's port
 */
record TlsProbe(String host, int port) {
    /** Long enough for a server on the same network; the probe runs only after a call has already failed. */
    static final Duration TIMEOUT = Duration.ofSeconds(1);

    private static final byte TLS_HANDSHAKE = 0x16;
    private static final byte TLS_ALERT = 0x15;
    private static final byte TLS_MAJOR_VERSION = 0x03;

    /** The probe of a {@code host:port} or {@code [v6 address]:port} target; null for other target forms. */
    static TlsProbe of(String target) {
        int colon = target.lastIndexOf(':');
        if (colon <= 0 || target.contains("/")) {
            return null;
        }
        String host = target.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            return null;
        }
        try {
            int port = Integer.parseInt(target.substring(colon + 1));
            return port > 0 && port <= 0xFFFF ? new TlsProbe(host, port) : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /**
     * Whether {@code failure} can be a TLS server dropping a plaintext connection: the connection was made (no
     * refused, unreachable or unresolved address anywhere in its causes), and then failed.
     */
    static boolean mayBeTlsServer(Throwable failure) {
        for (Throwable c = failure; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof ConnectException || c instanceof UnknownHostException
                    || c instanceof UnresolvedAddressException) {
                return false;
            }
        }
        return true;
    }

    /** Whether the server answers a TLS ClientHello with a TLS record; false on any failure to find out. */
    boolean speaksTls() {
        int timeout = (int) TIMEOUT.toMillis();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), timeout);
            socket.setSoTimeout(timeout);
            SSLEngine engine = SSLContext.getDefault().createSSLEngine(host, port);
            engine.setUseClientMode(true);
            ByteBuffer hello = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
            engine.wrap(ByteBuffer.allocate(0), hello);
            socket.getOutputStream().write(hello.array(), 0, hello.position());
            byte[] header = socket.getInputStream().readNBytes(2);
            return header.length == 2 && (header[0] == TLS_HANDSHAKE || header[0] == TLS_ALERT)
                    && header[1] == TLS_MAJOR_VERSION;
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }
}
