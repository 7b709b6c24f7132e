package io.tokenservice.server.audit;

import static io.tokenservice.logging.JsonText.appendString;

import io.tokenservice.core.issue.RtcRole;
import io.tokenservice.core.issue.Rtm2TokenRequest;
import io.tokenservice.server.access.AuditEvent;
import io.tokenservice.server.access.AuditSink;
import io.tokenservice.server.access.Caller;
import io.tokenservice.server.access.EndUser;
import io.tokenservice.server.access.GrantRequest;
import io.tokenservice.server.access.RequestedService;
import io.tokenservice.server.access.ServiceKind;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
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

    private static final Pattern SECRETS = Pattern.compile(
            "00[67][A-Za-z0-9+/=_-]{24,}"
                    // A placeholder such as "Bearer <key>" in a message is prose, not a credential.
                    + "|(?i:bearer)\\s+(?!<[A-Za-z _-]{1,32}>(?:[\\s'\",.;)]|$))\\S+"
                    + "|-----BEGIN [A-Z0-9 ]+-----[\\s\\S]*?(?:-----END [A-Z0-9 ]+-----|$)");

    private static final String[] AUTH_METHODS = lowerNames(Caller.AuthMethod.values());
    private static final String[] SERVICE_KINDS = lowerNames(ServiceKind.values());
    private static final String[] RTC_ROLES = lowerNames(RtcRole.values());
    private static final List<String> RTC_PUBLISHER =
            List.of("join_channel", "publish_audio", "publish_video", "publish_data");
    private static final List<String> RTC_SUBSCRIBER = List.of("join_channel");
    private static final List<String> RTM = List.of("rtm_login");
    private static final List<String> CHAT_APP = List.of("chat_app");
    private static final List<String> CHAT_USER = List.of("chat_user");
    private static final List<String> APAAS_APP = List.of("apaas_app");
    private static final List<String> APAAS_ROOM_USER = List.of("rtm_login", "chat_user", "apaas_room_user");
    private static final List<String> APAAS_USER = List.of("apaas_user");
    private static final String[] RTM2_RESOURCE_TYPES = lowerNames(Rtm2TokenRequest.ResourceType.values());
    private static final String[] RTM2_ACCESS = lowerNames(Rtm2TokenRequest.Access.values());
    /** Lines longer than this are not kept for the next record (a huge reason must not stay in memory). */
    private static final int KEPT_LINE_CHARS = 8192;

    private final Logger logger;
    /** The line being written: reused, because the audit queue calls {@link #record} from one thread. */
    private final ThreadLocal<StringBuilder> line = ThreadLocal.withInitial(() -> new StringBuilder(1024));

    /** Writes to the logger {@value #LOGGER_NAME}. */
    public JsonAuditSink() {
        this(Logger.getLogger(LOGGER_NAME));
    }

    public JsonAuditSink(Logger logger) {
        this.logger = Objects.requireNonNull(logger, "logger");
    }

    /**
     * Writes the line straight into the {@link AuditLogHandler} when it is the logger's only way out (what
     * {@code java -jar} sets up), so a record costs no {@code String} and no {@code LogRecord}; through the
     * logger otherwise.
     */
    @Override
    public void record(AuditEvent event) {
        if (!logger.isLoggable(Level.INFO)) {
            return;
        }
        StringBuilder b = line.get();
        b.setLength(0);
        appendJson(event, b);
        AuditLogHandler direct = AuditLogHandler.soleHandlerOf(logger);
        if (direct != null) {
            direct.writeLine(b);
        } else {
            logger.log(Level.INFO, b.toString());
        }
        if (b.capacity() > KEPT_LINE_CHARS) {
            line.remove();
        }
    }

    /** The JSON line for {@code event} (no trailing newline). */
    public static String toJson(AuditEvent event) {
        StringBuilder b = new StringBuilder(512);
        appendJson(event, b);
        return b.toString();
    }

    /** Appends the JSON line for {@code event} (no trailing newline) to {@code b}, building no strings. */
    static void appendJson(AuditEvent event, StringBuilder b) {
        b.append("{\"time\":\"");
        IsoInstant.append(event.at(), b);
        Caller caller = event.caller().orElse(null);
        EndUser endUser = caller == null ? null : caller.endUser().orElse(null);
        b.append("\",\"caller\":");
        appendString(b, caller == null ? null : caller.name());
        b.append(",\"auth\":");
        appendString(b, caller == null ? null : AUTH_METHODS[caller.method().ordinal()]);
        b.append(",\"subject\":");
        appendString(b, endUser == null ? null : endUser.subject());
        b.append(",\"rpc\":");
        appendString(b, event.rpc().methodName());

        GrantRequest grant = event.grant().orElse(null);
        List<RequestedService> services = grant == null ? List.of() : grant.services();
        b.append(",\"app\":");
        appendString(b, grant == null ? null : grant.appId());
        b.append(",\"channel\":");
        appendString(b, firstChannel(services));
        b.append(",\"identity\":");
        appendString(b, services.isEmpty() ? null : services.get(0).identity());

        b.append(",\"services\":");
        if (grant == null) {
            b.append("null");
        } else {
            b.append('[');
            for (int i = 0; i < services.size(); i++) {
                if (i > 0) {
                    b.append(',');
                }
                appendString(b, SERVICE_KINDS[services.get(i).kind().ordinal()]);
            }
            b.append(']');
        }
        b.append(",\"roles\":");
        if (grant == null) {
            b.append("null");
        } else {
            roles(b, services);
        }
        b.append(",\"privileges\":");
        if (grant == null) {
            b.append("null");
        } else {
            privileges(b, services);
        }

        b.append(",\"grants\":");
        if (grant == null) {
            b.append("null");
        } else {
            b.append('[');
            for (int i = 0; i < services.size(); i++) {
                RequestedService s = services.get(i);
                if (i > 0) {
                    b.append(',');
                }
                b.append("{\"service\":");
                appendString(b, SERVICE_KINDS[s.kind().ordinal()]);
                b.append(",\"channel\":");
                appendString(b, s.channel().orElse(null));
                b.append(",\"identity\":");
                appendString(b, s.identity());
                b.append(",\"role\":");
                appendString(b, s.role().isPresent() ? RTC_ROLES[s.role().get().ordinal()] : null);
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
        if (grant != null) {
            b.append(grant.ttlSeconds());
        } else {
            b.append("null");
        }
        b.append(",\"outcome\":");
        appendString(b, event.outcome().name());
        b.append(",\"reason\":");
        appendString(b, redact(event.reason()));
        b.append(",\"token_sha256\":");
        appendString(b, event.tokenSha256Prefix().isPresent() ? hexOrMarker(event.tokenSha256Prefix().get()) : null);
        b.append('}');
    }

    private static String firstChannel(List<RequestedService> services) {
        for (int i = 0; i < services.size(); i++) {
            if (services.get(i).channel().isPresent()) {
                return services.get(i).channel().get();
            }
        }
        return null;
    }

    /** The distinct RTC roles, in request order. */
    private static void roles(StringBuilder b, List<RequestedService> services) {
        b.append('[');
        boolean first = true;
        for (int i = 0; i < services.size(); i++) {
            Optional<RtcRole> role = services.get(i).role();
            if (role.isEmpty() || roleBefore(services, i, role.get())) {
                continue;
            }
            if (!first) {
                b.append(',');
            }
            first = false;
            appendString(b, RTC_ROLES[role.get().ordinal()]);
        }
        b.append(']');
    }

    private static boolean roleBefore(List<RequestedService> services, int end, RtcRole role) {
        for (int j = 0; j < end; j++) {
            if (services.get(j).role().isPresent() && services.get(j).role().get() == role) {
                return true;
            }
        }
        return false;
    }

    /** The distinct privileges of all the grants, in request order. */
    private static void privileges(StringBuilder b, List<RequestedService> services) {
        b.append('[');
        boolean first = true;
        for (int i = 0; i < services.size(); i++) {
            List<String> own = privileges(services.get(i));
            for (int k = 0; k < own.size(); k++) {
                String privilege = own.get(k);
                if (privilegeBefore(services, i, own, k, privilege)) {
                    continue;
                }
                if (!first) {
                    b.append(',');
                }
                first = false;
                appendString(b, privilege);
            }
        }
        b.append(']');
    }

    private static boolean privilegeBefore(List<RequestedService> services, int service, List<String> own, int index,
            String privilege) {
        for (int j = 0; j < service; j++) {
            if (privileges(services.get(j)).contains(privilege)) {
                return true;
            }
        }
        for (int k = 0; k < index; k++) {
            if (own.get(k).equals(privilege)) {
                return true;
            }
        }
        return false;
    }

    /** Privileges a service grant carries, named like the API's Privilege enum (without prefix). */
    static List<String> privileges(RequestedService s) {
        switch (s.kind()) {
            case RTC:
                return s.role().orElse(RtcRole.SUBSCRIBER) == RtcRole.PUBLISHER ? RTC_PUBLISHER : RTC_SUBSCRIBER;
            case RTM:
                return RTM;
            case APAAS:
                return s.isApaasAppToken() ? APAAS_APP : s.channel().isPresent() ? APAAS_ROOM_USER : APAAS_USER;
            default:
                return s.isChatAppToken() ? CHAT_APP : CHAT_USER;
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
            appendString(b, RTM2_RESOURCE_TYPES[permission.resourceType().ordinal()]);
            b.append(",\"access\":");
            appendString(b, RTM2_ACCESS[permission.access().ordinal()]);
            b.append(",\"resources\":");
            array(b, permission.resources());
            b.append('}');
        }
        b.append(']');
    }

    /** Replaces token-, bearer- and PEM-like substrings with {@code [redacted]}. */
    static String redact(String text) {
        if (text.indexOf("00") < 0 && text.indexOf("-----") < 0 && !containsIgnoreCase(text, "bearer")) {
            return text;
        }
        return SECRETS.matcher(text).replaceAll("[redacted]");
    }

    private static boolean containsIgnoreCase(String text, String lowerCaseWord) {
        for (int i = 0; i + lowerCaseWord.length() <= text.length(); i++) {
            if (text.regionMatches(true, i, lowerCaseWord, 0, lowerCaseWord.length())) {
                return true;
            }
        }
        return false;
    }

    /** {@code prefix} if it is 1 to 64 lower-case hex digits, else a marker: never anything else from it. */
    private static String hexOrMarker(String prefix) {
        if (prefix.isEmpty() || prefix.length() > 64) {
            return "[invalid]";
        }
        for (int i = 0; i < prefix.length(); i++) {
            char c = prefix.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return "[invalid]";
            }
        }
        return prefix;
    }

    private static String[] lowerNames(Enum<?>[] values) {
        String[] names = new String[values.length];
        for (Enum<?> value : values) {
            names[value.ordinal()] = value.name().toLowerCase(Locale.ROOT);
        }
        return names;
    }

    private static void array(StringBuilder b, List<String> values) {
        b.append('[');
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                b.append(',');
            }
            appendString(b, values.get(i));
        }
        b.append(']');
    }
}
