package io.tokenservice.server.cli;

import io.grpc.StatusRuntimeException;
import io.tokenservice.proto.v1.ApaasAppToken;
import io.tokenservice.proto.v1.ApaasRoomUser;
import io.tokenservice.proto.v1.ApaasUser;
import io.tokenservice.proto.v1.ChatAppToken;
import io.tokenservice.proto.v1.IssueApaasTokenRequest;
import io.tokenservice.proto.v1.IssueChatTokenRequest;
import io.tokenservice.proto.v1.IssueRtcTokenRequest;
import io.tokenservice.proto.v1.IssueRtmTokenRequest;
import io.tokenservice.proto.v1.IssuedToken;
import io.tokenservice.proto.v1.RtcRole;
import io.tokenservice.server.config.AppRegistry;
import io.tokenservice.server.config.ConfigException;
import io.tokenservice.server.config.ConfigLoader;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code issue rtc|rtm|chat|apaas|fpa}: signs a token in this process with the app of {@code APP_ID} /
 * {@code APP_CERTIFICATE[_FILE]} (or {@code TOKEN_SERVICE_CONFIG}'s apps), through the server's own request
 * validation and signing (FPA, which no RPC offers, with the RPCs' rules for the app and the lifetime). The token
 * alone goes to standard output; its expiry to standard error.
 */
@Command(name = "issue", mixinStandardHelpOptions = true,
        description = "Issue a token offline, signed with the app of APP_ID and APP_CERTIFICATE (or "
                + "APP_CERTIFICATE_FILE, or TOKEN_SERVICE_CONFIG). Prints the token on standard output.",
        subcommands = {IssueCommand.Rtc.class, IssueCommand.Rtm.class, IssueCommand.Chat.class,
                IssueCommand.Apaas.class, IssueCommand.Fpa.class})
final class IssueCommand {
    private final Cli.Io io;

    IssueCommand(Cli.Io io) {
        this.io = io;
    }

    /** Options every kind of token takes. */
    static class Common {
        @Option(names = "--app-id", description = "The App ID (default: the only configured app)")
        String appId = "";

        @Option(names = "--ttl", paramLabel = "SECONDS", description = "Lifetime in seconds (default: the server's)")
        int ttlSeconds;
    }

    int issue(Function<OfflineCalls, IssuedToken> call) {
        AppRegistry apps;
        try {
            apps = ConfigLoader.of(io.env(), io.workingDir()).loadApps();
        } catch (ConfigException e) {
            io.err().println("configuration error: " + e.getMessage());
            return Cli.CONFIG;
        }
        IssuedToken issued;
        try {
            issued = call.apply(new OfflineCalls(apps, Clock.systemUTC()));
        } catch (StatusRuntimeException e) {
            io.err().println("error: " + e.getStatus().getCode() + ": " + e.getStatus().getDescription());
            return Cli.FAILED;
        }
        io.out().println(issued.getToken());
        io.err().println("app " + issued.getAppId() + ", expires "
                + Instant.ofEpochSecond(issued.getExpiresAt().getSeconds()) + " (" + issued.getTtlSeconds() + " s)");
        return Cli.OK;
    }

    @Command(name = "rtc", mixinStandardHelpOptions = true, description = "An RTC token (IssueRtcToken).")
    static final class Rtc implements Callable<Integer> {
        @ParentCommand
        IssueCommand parent;

        @Option(names = "--channel", required = true, description = "The channel name")
        String channel;

        @ArgGroup(exclusive = true, multiplicity = "1")
        IdentityOptions identity;

        @Option(names = "--role", required = true, description = "publisher or subscriber")
        String role;

        @Option(names = "--with-rtm", description = "Also grant RTM login (--rtm-user-id, default: the account or uid)")
        boolean includeRtm;

        @Option(names = "--rtm-user-id", description = "The RTM user id with --with-rtm")
        String rtmUserId = "";

        @picocli.CommandLine.Mixin
        CommonMixin common;

        @Override
        public Integer call() {
            IssueRtcTokenRequest.Builder request = IssueRtcTokenRequest.newBuilder()
                    .setAppId(common.appId).setChannel(channel).setTtlSeconds(common.ttlSeconds)
                    .setIncludeRtm(includeRtm).setRtmUserId(rtmUserId);
            RtcRole rtcRole = switch (role.toLowerCase(java.util.Locale.ROOT)) {
                case "publisher" -> RtcRole.RTC_ROLE_PUBLISHER;
                case "subscriber" -> RtcRole.RTC_ROLE_SUBSCRIBER;
                default -> null;
            };
            if (rtcRole == null) {
                parent.io.err().println("error: --role must be publisher or subscriber");
                return Cli.USAGE;
            }
            request.setRole(rtcRole);
            if (!identity.valid()) {
                parent.io.err().println("error: --uid must be from 0 to " + IdentityOptions.MAX_UID);
                return Cli.USAGE;
            }
            if (identity.uid != null) {
                request.setUid(identity.uint32());
            } else {
                request.setAccount(identity.account);
            }
            return parent.issue(o -> OfflineCalls.call(o.issuer()::issueRtc, request.build()));
        }
    }

    @Command(name = "rtm", mixinStandardHelpOptions = true, description = "An RTM token (IssueRtmToken).")
    static final class Rtm implements Callable<Integer> {
        @ParentCommand
        IssueCommand parent;

        @Option(names = "--user-id", required = true, description = "The RTM user id")
        String userId;

        @picocli.CommandLine.Mixin
        CommonMixin common;

        @Override
        public Integer call() {
            IssueRtmTokenRequest request = IssueRtmTokenRequest.newBuilder().setAppId(common.appId)
                    .setUserId(userId).setTtlSeconds(common.ttlSeconds).build();
            return parent.issue(o -> OfflineCalls.call(o.issuer()::issueRtm, request));
        }
    }

    @Command(name = "chat", mixinStandardHelpOptions = true,
            description = "A Chat token (IssueChatToken): a user token with --user-id, an app token with --app-token.")
    static final class Chat implements Callable<Integer> {
        @ParentCommand
        IssueCommand parent;

        @ArgGroup(exclusive = true, multiplicity = "1")
        Subject subject;

        static final class Subject {
            @Option(names = "--user-id", description = "The Chat user (a user token)")
            String userId;

            @Option(names = "--app-token", description = "An app token (for the Chat REST API)")
            boolean appToken;
        }

        @picocli.CommandLine.Mixin
        CommonMixin common;

        @Override
        public Integer call() {
            IssueChatTokenRequest.Builder request = IssueChatTokenRequest.newBuilder().setAppId(common.appId)
                    .setTtlSeconds(common.ttlSeconds);
            if (subject.userId != null) {
                request.setUserId(subject.userId);
            } else {
                request.setApp(ChatAppToken.getDefaultInstance());
            }
            return parent.issue(o -> OfflineCalls.call(o.issuer()::issueChat, request.build()));
        }
    }

    @Command(name = "apaas", mixinStandardHelpOptions = true,
            description = "A Flexible Classroom token (IssueApaasToken): a room user with --room-uuid, --user-uuid "
                    + "and --role, a user with --user-uuid alone, the app with --app-token.")
    static final class Apaas implements Callable<Integer> {
        @ParentCommand
        IssueCommand parent;

        @Option(names = "--room-uuid", description = "The classroom (a room-user token, with --user-uuid and --role)")
        String roomUuid;

        @Option(names = "--user-uuid", description = "The user")
        String userUuid;

        @Option(names = "--role", description = "The user's role in the classroom (e.g. 1 teacher, 2 student)")
        Integer role;

        @Option(names = "--app-token", description = "An app token (for your back end's REST calls)")
        boolean appToken;

        @picocli.CommandLine.Mixin
        CommonMixin common;

        @Override
        public Integer call() {
            IssueApaasTokenRequest.Builder request = IssueApaasTokenRequest.newBuilder().setAppId(common.appId)
                    .setTtlSeconds(common.ttlSeconds);
            boolean room = roomUuid != null || role != null;
            if (appToken == (userUuid != null) || appToken && room || room && (roomUuid == null || role == null)) {
                parent.io.err().println("error: give --app-token, or --user-uuid (with --room-uuid and --role for a"
                        + " room user)");
                return Cli.USAGE;
            }
            if (appToken) {
                request.setApp(ApaasAppToken.getDefaultInstance());
            } else if (room) {
                request.setRoomUser(ApaasRoomUser.newBuilder().setRoomUuid(roomUuid).setUserUuid(userUuid)
                        .setRole(role));
            } else {
                request.setUser(ApaasUser.newBuilder().setUserUuid(userUuid));
            }
            return parent.issue(o -> OfflineCalls.call(o.issuer()::issueApaas, request.build()));
        }
    }

    @Command(name = "fpa", mixinStandardHelpOptions = true,
            description = "An FPA (full-path acceleration) token. It names no channel or user, so no policy could "
                    + "narrow it: the API does not offer it, mint it here or with the core where the certificate is.")
    static final class Fpa implements Callable<Integer> {
        @ParentCommand
        IssueCommand parent;

        @picocli.CommandLine.Mixin
        CommonMixin common;

        @Override
        public Integer call() {
            return parent.issue(o -> o.fpa(common.appId, common.ttlSeconds));
        }
    }

    /** {@link Common} as a picocli mixin. */
    static final class CommonMixin extends Common {
    }
}
