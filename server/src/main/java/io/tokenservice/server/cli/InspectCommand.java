package io.tokenservice.server.cli;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.grpc.StatusRuntimeException;
import io.tokenservice.proto.v1.InspectTokenRequest;
import io.tokenservice.proto.v1.InspectTokenResponse;
import io.tokenservice.server.config.AppRegistry;
import io.tokenservice.server.config.ConfigException;
import io.tokenservice.server.config.ConfigLoader;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code inspect TOKEN}: the InspectToken RPC's own explanation, offline. With an app configured
 * ({@code APP_ID}/{@code APP_CERTIFICATE}...) the signature is checked; without, it is reported as not checked.
 */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Decode and explain a 006 or 007 token offline (what InspectToken answers), as JSON on "
                + "standard output. The signature is checked when APP_ID and APP_CERTIFICATE (or "
                + "TOKEN_SERVICE_CONFIG) are set. Exit 0 if Agora would accept it, 3 if not, 1 if it does not decode.")
final class InspectCommand implements Callable<Integer> {
    @Parameters(paramLabel = "TOKEN", description = "The token ('-' reads it from standard input)")
    String token;

    @Option(names = "--channel", description = "The channel the token is meant for")
    String channel = "";

    @Option(names = "--app-id", description = "The app the token is expected to be for")
    String appId = "";

    @ArgGroup(exclusive = true)
    IdentityOptions identity;

    private final Cli.Io io;

    InspectCommand(Cli.Io io) {
        this.io = io;
    }

    @Override
    public Integer call() throws Exception {
        AppRegistry apps;
        try {
            apps = ConfigLoader.of(io.env(), io.workingDir()).loadApps();
        } catch (ConfigException e) {
            if (configured()) {
                io.err().println("configuration error: " + e.getMessage());
                return Cli.CONFIG;
            }
            apps = AppRegistry.none();
            io.err().println("no app configured (APP_ID, APP_CERTIFICATE): the signature is not checked");
        }
        String text = token.equals("-") ? new String(io.in().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)
                : token;
        InspectTokenRequest.Builder request = InspectTokenRequest.newBuilder().setToken(text.strip())
                .setChannel(channel).setAppId(appId);
        if (identity != null && !identity.valid()) {
            io.err().println("error: --uid must be from 0 to " + IdentityOptions.MAX_UID);
            return Cli.USAGE;
        }
        if (identity != null && identity.uid != null) {
            request.setUid(identity.uint32());
        } else if (identity != null) {
            request.setAccount(identity.account);
        }
        InspectTokenResponse response;
        try {
            response = OfflineCalls.call(new OfflineCalls(apps, Clock.systemUTC()).inspector()::inspect, request.build());
        } catch (StatusRuntimeException e) {
            io.err().println("error: " + e.getStatus().getCode() + ": " + e.getStatus().getDescription());
            return Cli.FAILED;
        }
        io.out().println(json(response));
        return response.getAccepted() ? Cli.OK : Cli.REJECTED_TOKEN;
    }

    private boolean configured() {
        return io.env().keySet().stream().anyMatch(k -> k.startsWith("APP_") || k.equals("TOKEN_SERVICE_CONFIG"));
    }

    private static String json(InspectTokenResponse response) throws InvalidProtocolBufferException {
        return JsonFormat.printer().alwaysPrintFieldsWithNoPresence().print(response);
    }
}
