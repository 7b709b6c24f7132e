package io.tokenservice.server.inspect;

import io.grpc.stub.StreamObserver;
import io.tokenservice.core.token.DecodedToken;
import io.tokenservice.core.token.MalformedTokenException;
import io.tokenservice.core.token.Tokens;
import io.tokenservice.core.validation.InputRules;
import io.tokenservice.proto.v1.InspectTokenRequest;
import io.tokenservice.proto.v1.InspectTokenResponse;
import io.tokenservice.server.access.GrantRequest;
import io.tokenservice.server.access.Rpc;
import io.tokenservice.server.config.AppRegistry;
import io.tokenservice.server.rpc.TokenDigest;
import io.tokenservice.server.rpc.UnaryCalls;
import io.tokenservice.server.rpc.Violations;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;

/**
 * InspectToken: decodes any 006/007 token and explains it. Expired, forged or foreign tokens are not
 * errors (the response says what is wrong); only an undecodable token or a syntactically invalid
 * channel/account is INVALID_ARGUMENT. The access gate sees the token's App ID and no services.
 */
public final class InspectHandler {
    private final TokenInspector inspector;
    private final UnaryCalls calls;
    private final Clock clock;

    public InspectHandler(AppRegistry apps, UnaryCalls calls, Clock clock) {
        this.inspector = new TokenInspector(Objects.requireNonNull(apps, "apps"));
        this.calls = Objects.requireNonNull(calls, "calls");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public void inspect(InspectTokenRequest request, StreamObserver<InspectTokenResponse> responses) {
        calls.run(Rpc.INSPECT_TOKEN, responses, attempt -> {
            Violations violations = new Violations();
            String token = request.getToken().strip();
            DecodedToken decoded = null;
            if (token.isEmpty()) {
                violations.add("token", "is required: the 006 or 007 token to inspect");
            } else {
                try {
                    decoded = Tokens.decode(token);
                } catch (MalformedTokenException e) {
                    // The parser's reasons never quote the token.
                    violations.add("token", "is not a valid 006 or 007 token: " + e.getMessage());
                }
            }
            if (!request.getChannel().isEmpty()) {
                violations.check("channel", () -> InputRules.requireChannel("channel", request.getChannel()));
            }
            if (request.hasAccount()) {
                if (request.getAccount().isEmpty()) {
                    violations.add("account", "must not be empty: joinChannelWithUserAccount needs an account "
                            + "(leave uid and account unset to skip the identity check)");
                } else {
                    violations.check("account", () -> InputRules.requireAccount("account", request.getAccount()));
                }
            }
            violations.throwIfAny();

            attempt.authorize(new GrantRequest(Rpc.INSPECT_TOKEN, decoded.appId(), List.of(), 0));
            attempt.tokenSha256Prefix(TokenDigest.sha256Prefix(token));
            // The API's times are whole seconds, like the tokens'.
            return inspector.inspect(decoded, Intent.of(request), clock.instant().truncatedTo(ChronoUnit.SECONDS));
        });
    }
}
