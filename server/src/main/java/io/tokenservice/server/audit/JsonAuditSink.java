package io.tokenservice.server.audit;

import io.tokenservice.core.issue.RtcRole;
import io.tokenservice.core.issue.Rtm2TokenRequest;
import io.tokenservice.server.access.AuditEvent;
import io.tokenservice.server.access.AuditSink;
import io.tokenservice.server.access.Caller;
import io.tokenservice.server.access.EndUser;
import io.tokenservice.server.access.GrantRequest;
import io.tokenservice.server.access.RequestedService;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * Writes one JSON object per {@link AuditEvent}, on one line, at INFO to the logger
 * {@value #LOGGER_NAME} (pair it with {@link AuditLogFormatter} to get bare JSON lines). Fields, in this
 * order; absent values are {@code null}:
 * <pre>
 * time          ISO-8601 UTC instant of the decision
 * caller        caller name, null if not authenticated
 * auth          api_key | mutual_tls | jwt | anonymous | none, null if not authenticated
 * subject       the end user's sub for a JWT caller (never the JWT), else null
 * rpc           IssueRtcToken | IssueRtmToken | IssueChatToken | IssueApaasToken | RenewToken | InspectToken
 * app           App ID
 * channel       RTC channel or APaaS room (first grant with one)
 * identity      identity of the first grant ("" = RTC wildcard, Chat or APaaS app token)
 * services      ["rtc","rtm","chat","apaas"] in request order
 * roles         RTC roles, e.g. ["publisher"]
 * privileges    privileges the token would carry, e.g. ["join_channel","publish_audio",...,"rtm_login"]
 * grants        per service: {"service","channel","identity","role","privileges"}, plus "apaas_role" for an
 *               APaaS room user and "rtm2_permissions" [{"resource_type","access","resources"}] for an RTM
 *               login with RTM 2.x permissions
 * ttl           token lifetime in seconds
 * outcome       gRPC status code name: OK, PERMISSION_DENIED, RESOURCE_EXHAUSTED, ...
 * reason        why (the status description for refusals)
 * token_sha256  first hex digits of the SHA-256 of the issued token (never the token)
 * </pre>
 * Neither a token nor a certificate is ever written: {@code token_sha256} is accepted only as a hex
 * string of at most 64 digits, and anything in {@code reason} that looks like a 006/007 token, a bearer
 * credential or a PEM block is replaced by {@code [redacted]}.
 */
public final class JsonAuditSink implements AuditSink {
    public static final String LOGGER_NAME = "tokenservice.audit";

    private static final Pattern HEX_PREFIX = Pattern.compile("[0-9a-f]{1,64}");
    private static final Pattern SECRETS = Pattern.compile(
            "00[67][A-Za-z0-9+/=_-]{24,}"
                    // A placeholder such as "Bearer <key>" in a message is prose, not a credential.
                    + "|(?i:bearer)\\s+(?!<[A-Za-z _-]{1,32}>(?:[\\s'\",.;)]|$))\\S+"
                    + "|-----BEGIN [A-Z0-9 ]+-----[\\s\\S]*?(?:-----END [A-Z0-9 ]+-----|$)");

    private final Logger logger;

    /** Writes to the logger {@value #LOGGER_NAME}. */
    public JsonAuditSink() {
        this(Logger.getLogger(LOGGER_NAME));
    }

    public JsonAuditSink(Logger logger) {
        this.logger = Objects.requireNonNull(logger, "logger");
    }

    @Override
    public void record(AuditEvent event) {
        if (logger.isLoggable(Level.INFO)) {
            logger.log(Level.INFO, toJson(event));
        }
    }

    /** The JSON line for {@code event} (no trailing newline). */
    public static String toJson(AuditEvent event) {
        StringBuilder b = new StringBuilder(384);
        b.append("{\"time\":");
        string(b, DateTimeFormatter.ISO_INSTANT.format(event.at()));
        Optional<Caller> caller = event.caller();
        b.append(",\"caller\":");
        string(b, caller.map(Caller::name).orElse(null));
        b.append(",\"auth\":");
        string(b, caller.map(c -> lower(c.method())).orElse(null));
        b.append(",\"subject\":");
        string(b, caller.flatMap(Caller::endUser).map(EndUser::subject).orElse(null));
        b.append(",\"rpc\":");
        string(b, event.rpc().methodName());

        Optional<GrantRequest> grant = event.grant();
        List<RequestedService> services = grant.map(GrantRequest::services).orElse(List.of());
        b.append(",\"app\":");
        string(b, grant.map(GrantRequest::appId).orElse(null));
        b.append(",\"channel\":");
        string(b, services.stream().filter(s -> s.channel().isPresent()).findFirst()
                .flatMap(RequestedService::channel).orElse(null));
        b.append(",\"identity\":");
        string(b, services.isEmpty() ? null : services.get(0).identity());

        b.append(",\"services\":");
        if (grant.isEmpty()) {
            b.append("null");
        } else {
            b.append('[');
            for (int i = 0; i < services.size(); i++) {
                if (i > 0) {
                    b.append(',');
                }
                string(b, lower(services.get(i).kind()));
            }
            b.append(']');
        }

        Set<String> roles = new LinkedHashSet<>();
        Set<String> privileges = new LinkedHashSet<>();
        for (RequestedService s : services) {
            s.role().ifPresent(r -> roles.add(lower(r)));
            privileges.addAll(privileges(s));
        }
        b.append(",\"roles\":");
        array(b, grant.isEmpty() ? null : roles);
        b.append(",\"privileges\":");
        array(b, grant.isEmpty() ? null : privileges);

        b.append(",\"grants\":");
        if (grant.isEmpty()) {
            b.append("null");
        } else {
            b.append('[');
            for (int i = 0; i < services.size(); i++) {
                RequestedService s = services.get(i);
                if (i > 0) {
                    b.append(',');
                }
                b.append("{\"service\":");
                string(b, lower(s.kind()));
                b.append(",\"channel\":");
                string(b, s.channel().orElse(null));
                b.append(",\"identity\":");
                string(b, s.identity());
                b.append(",\"role\":");
                string(b, s.role().map(JsonAuditSink::lower).orElse(null));
                b.append(",\"privileges\":");
                array(b, privileges(s));
                if (s.apaasRole().isPresent()) {
                    b.append(",\"apaas_role\":").append(s.apaasRole().getAsInt());
                }
                if (!s.rtm2Permissions().isEmpty()) {
                    rtm2Permissions(b, s.rtm2Permissions());
                }
                b.append('}');
            }
            b.append(']');
        }

        b.append(",\"ttl\":");
        if (grant.isPresent()) {
            b.append(grant.get().ttlSeconds());
        } else {
            b.append("null");
        }
        b.append(",\"outcome\":");
        string(b, event.outcome().name());
        b.append(",\"reason\":");
        string(b, redact(event.reason()));
        b.append(",\"token_sha256\":");
        string(b, event.tokenSha256Prefix().map(JsonAuditSink::hexOrMarker).orElse(null));
        return b.append('}').toString();
    }

    /** Privileges a service grant carries, named like the API's Privilege enum (without prefix). */
    static List<String> privileges(RequestedService s) {
        switch (s.kind()) {
            case RTC:
                return s.role().orElse(RtcRole.SUBSCRIBER) == RtcRole.PUBLISHER
                        ? List.of("join_channel", "publish_audio", "publish_video", "publish_data")
                        : List.of("join_channel");
            case RTM:
                return List.of("rtm_login");
            case APAAS:
                return s.isApaasAppToken() ? List.of("apaas_app")
                        : s.channel().isPresent() ? List.of("rtm_login", "chat_user", "apaas_room_user")
                        : List.of("apaas_user");
            default:
                return s.isChatAppToken() ? List.of("chat_app") : List.of("chat_user");
        }
    }

    private static void rtm2Permissions(StringBuilder b, List<Rtm2TokenRequest.Permission> permissions) {
        b.append(",\"rtm2_permissions\":[");
        for (int i = 0; i < permissions.size(); i++) {
            Rtm2TokenRequest.Permission permission = permissions.get(i);
            if (i > 0) {
                b.append(',');
            }
            b.append("{\"resource_type\":");
            string(b, lower(permission.resourceType()));
            b.append(",\"access\":");
            string(b, lower(permission.access()));
            b.append(",\"resources\":");
            array(b, permission.resources());
            b.append('}');
        }
        b.append(']');
    }

    /** Replaces token-, bearer- and PEM-like substrings with {@code [redacted]}. */
    static String redact(String text) {
        if (text.indexOf("00") < 0 && text.indexOf("-----") < 0
                && !text.toLowerCase(Locale.ROOT).contains("bearer")) {
            return text;
        }
        return SECRETS.matcher(text).replaceAll("[redacted]");
    }

    private static String hexOrMarker(String prefix) {
        return HEX_PREFIX.matcher(prefix).matches() ? prefix : "[invalid]";
    }

    private static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    private static void array(StringBuilder b, Iterable<String> values) {
        if (values == null) {
            b.append("null");
            return;
        }
        b.append('[');
        boolean first = true;
        for (String v : values) {
            if (!first) {
                b.append(',');
            }
            first = false;
            string(b, v);
        }
        b.append(']');
    }

    /** Appends {@code s} as a JSON string (RFC 8259 escaping), or {@code null}. */
    static void string(StringBuilder b, String s) {
        if (s == null) {
            b.append("null");
            return;
        }
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                default -> {
                    if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029'
                            || Character.isSurrogate(c) && !validSurrogateAt(s, i)) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }

    private static boolean validSurrogateAt(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
        }
        return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }
}
