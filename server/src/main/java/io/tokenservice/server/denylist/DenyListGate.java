package io.tokenservice.server.denylist;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tokenservice.server.access.AccessGate;
import io.tokenservice.server.access.Caller;
import io.tokenservice.server.access.GrantRequest;
import io.tokenservice.server.access.Refusal;
import io.tokenservice.server.access.RequestedService;
import io.tokenservice.server.access.Rpc;
import io.tokenservice.server.access.ServiceKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Refuses IssueRtcToken, IssueRtmToken, IssueChatToken and RenewToken for a denied channel or identity
 * (PERMISSION_DENIED, e.g. {@code deny-list: channel 'x' is denied}). InspectToken is never refused.
 *
 * <p>The list comes from a file (format: {@link DenyList}) and is reloaded without a restart: by
 * {@link #reload()}, or automatically when {@link #startWatching polling} sees the file's modification
 * time, size or identity change. A file that cannot be read or parsed on reload leaves the previous
 * list in force and logs one WARNING line (once per change of the file). Replace the file atomically
 * (write a temporary file, then rename it) so a half-written file is never read.
 */
public final class DenyListGate implements AccessGate, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(DenyListGate.class.getName());

    private record FileStamp(long modifiedNanos, long size, Object fileKey) {
        static Optional<FileStamp> of(Path file) {
            try {
                BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
                return Optional.of(new FileStamp(a.lastModifiedTime().to(TimeUnit.NANOSECONDS), a.size(),
                        a.fileKey()));
            } catch (IOException e) {
                return Optional.empty();
            }
        }
    }

    /** The list in force, where it came from, and the file state last looked at. */
    private record State(Optional<Path> file, DenyList list, Optional<FileStamp> seen) {}

    private volatile State state;
    private ScheduledFuture<?> polling;

    /** A gate that always allows: no deny-list file configured. */
    public static DenyListGate disabled() {
        return new DenyListGate(new State(Optional.empty(), DenyList.empty(), Optional.empty()));
    }

    /** A gate with a fixed list (tests, embedding). */
    public static DenyListGate of(DenyList list) {
        return new DenyListGate(new State(Optional.empty(), Objects.requireNonNull(list), Optional.empty()));
    }

    /**
     * A gate reading {@code file} now; a missing or invalid file is an error here (at startup), unlike on
     * reload.
     */
    public static DenyListGate load(Path file) throws IOException {
        return new DenyListGate(readState(file));
    }

    private DenyListGate(State state) {
        this.state = state;
    }

    public DenyList current() {
        return state.list();
    }

    public Optional<Path> file() {
        return state.file();
    }

    /**
     * Re-reads the file. Returns true if the file was read (the list in force is now its content),
     * false if it could not be read or parsed (the previous list stays in force; one line is logged).
     * Without a file there is nothing to reload and the result is true.
     */
    public synchronized boolean reload() {
        State s = state;
        if (s.file().isEmpty()) {
            return true;
        }
        Path file = s.file().get();
        Optional<FileStamp> stamp = FileStamp.of(file);
        try {
            DenyList list = DenyList.read(file);
            state = new State(s.file(), list, stamp);
            if (!sameEntries(list, s.list())) {
                LOG.info("deny-list " + file + " reloaded: " + list.identities().size() + " identities, "
                        + list.channels().size() + " channels");
            }
            return true;
        } catch (IOException | RuntimeException e) {
            state = new State(s.file(), s.list(), stamp);
            LOG.log(Level.WARNING, "deny-list " + file + " not reloaded, keeping the previous list ("
                    + s.list().size() + " entries): " + describe(e));
            return false;
        }
    }

    /**
     * Switches to another file (or none), as after a configuration reload; a no-op if the file is the
     * same. The new file must be readable and valid, otherwise an exception is thrown and nothing changes.
     */
    public synchronized void switchTo(Optional<Path> file) throws IOException {
        if (file.equals(state.file())) {
            return;
        }
        state = file.isPresent() ? readState(file.get())
                : new State(Optional.empty(), DenyList.empty(), Optional.empty());
    }

    /**
     * Polls the file every {@code interval} on {@code scheduler} and reloads it when it changed. Polling is
     * a metadata read, no file content is read unless the file changed.
     */
    public synchronized void startWatching(ScheduledExecutorService scheduler, Duration interval) {
        if (polling != null) {
            polling.cancel(false);
        }
        long nanos = Math.max(1, interval.toNanos());
        polling = scheduler.scheduleWithFixedDelay(this::pollOnce, nanos, nanos, TimeUnit.NANOSECONDS);
    }

    /** Reloads if the file changed since last read; used by the polling task. */
    public void pollOnce() {
        try {
            State s = state;
            if (s.file().isPresent() && !FileStamp.of(s.file().get()).equals(s.seen())) {
                reload();
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "deny-list poll failed: " + describe(e));
        }
    }

    @Override
    public synchronized void close() {
        if (polling != null) {
            polling.cancel(false);
            polling = null;
        }
    }

    @Override
    public void check(Caller caller, GrantRequest request) {
        Rpc rpc = request.rpc();
        if (rpc == Rpc.INSPECT_TOKEN) {
            return;
        }
        DenyList list = state.list();
        if (list.size() == 0) {
            return;
        }
        List<RequestedService> services = request.services();
        for (int i = 0, n = services.size(); i < n; i++) {
            RequestedService s = services.get(i);
            Optional<String> channel = s.channel();
            if (channel.isPresent() && list.deniesChannel(channel.get())) {
                throw denied("channel '" + channel.get() + "' is denied");
            }
            String identity = s.identity();
            if (!identity.isEmpty() && list.deniesIdentity(identity)) {
                throw denied(identityKind(s) + " '" + identity + "' is denied");
            }
        }
    }

    private static String identityKind(RequestedService s) {
        if (s.kind() == ServiceKind.RTM) {
            return "RTM user id";
        }
        if (s.kind() == ServiceKind.CHAT) {
            return "Chat user id";
        }
        return isUid(s.identity()) ? "uid" : "account";
    }

    private static boolean isUid(String identity) {
        for (int i = 0; i < identity.length(); i++) {
            char c = identity.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return identity.length() <= 10;
    }

    private static StatusRuntimeException denied(String what) {
        return Refusal.of(Status.PERMISSION_DENIED.withDescription("deny-list: " + what));
    }

    private static State readState(Path file) throws IOException {
        Optional<FileStamp> stamp = FileStamp.of(file);
        DenyList list;
        try {
            list = DenyList.read(file);
        } catch (IllegalArgumentException e) {
            throw new IOException("deny-list " + file + ": " + e.getMessage(), e);
        }
        return new State(Optional.of(file), list, stamp);
    }

    private static boolean sameEntries(DenyList a, DenyList b) {
        return a.identities().equals(b.identities()) && a.channels().equals(b.channels());
    }

    private static String describe(Exception e) {
        if (e instanceof NoSuchFileException) {
            return "file not found";
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}
