package io.tokenservice.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.tokenservice.core.issue.RtcRole;
import io.tokenservice.server.access.AuditEvent;
import io.tokenservice.server.access.Caller;
import io.tokenservice.server.access.GrantRequest;
import io.tokenservice.server.access.RequestedService;
import io.tokenservice.server.access.Rpc;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

class JsonAuditSinkTest {
    private static final Instant AT = Instant.parse("2026-01-02T03:04:05Z");
    private static final Caller WEB = new Caller("web", Caller.AuthMethod.API_KEY);

    private static AuditEvent issued() {
        GrantRequest grant = new GrantRequest(Rpc.ISSUE_RTC_TOKEN, "0123456789abcdef0123456789abcdef",
                List.of(RequestedService.rtc("team-red", "42", RtcRole.PUBLISHER), RequestedService.rtm("42")), 3600);
        return new AuditEvent(AT, Optional.of(WEB), Rpc.ISSUE_RTC_TOKEN, Optional.of(grant), Status.Code.OK, "issued",
                Optional.of("a1b2c3d4e5f6"));
    }

    @Test
    void oneLineWithEveryField() {
        String json = JsonAuditSink.toJson(issued());
        assertThat(json).doesNotContain("\n").isEqualTo("{\"time\":\"2026-01-02T03:04:05Z\",\"caller\":\"web\","
                + "\"auth\":\"api_key\",\"subject\":null,\"rpc\":\"IssueRtcToken\",\"app\":\"0123456789abcdef0123456789abcdef\","
                + "\"channel\":\"team-red\",\"identity\":\"42\",\"services\":[\"rtc\",\"rtm\"],\"roles\":[\"publisher\"],"
                + "\"privileges\":[\"join_channel\",\"publish_audio\",\"publish_video\",\"publish_data\",\"rtm_login\"],"
                + "\"grants\":[{\"service\":\"rtc\",\"channel\":\"team-red\",\"identity\":\"42\",\"role\":\"publisher\","
                + "\"privileges\":[\"join_channel\",\"publish_audio\",\"publish_video\",\"publish_data\"]},"
                + "{\"service\":\"rtm\",\"channel\":null,\"identity\":\"42\",\"role\":null,\"privileges\":[\"rtm_login\"]}],"
                + "\"ttl\":3600,\"outcome\":\"OK\",\"reason\":\"issued\",\"token_sha256\":\"a1b2c3d4e5f6\"}");
        assertThat(parse(json)).containsEntry("ttl", 3600).containsEntry("outcome", "OK");
    }

    @Test
    void unauthenticatedEventHasNulls() {
        AuditEvent e = new AuditEvent(AT, Optional.empty(), Rpc.RENEW_TOKEN, Optional.empty(),
                Status.Code.UNAUTHENTICATED, "unknown or revoked API key", Optional.empty());
        Map<String, Object> m = parse(JsonAuditSink.toJson(e));
        assertThat(m).containsEntry("caller", null).containsEntry("auth", null).containsEntry("app", null)
                .containsEntry("services", null).containsEntry("ttl", null).containsEntry("token_sha256", null)
                .containsEntry("rpc", "RenewToken").containsEntry("outcome", "UNAUTHENTICATED");
    }

    @Test
    void escapesEverythingAClientCanSend() {
        String nasty = "a\"b\\c\nd\re\tf\u0000g\u001fh\u007fi\u2028j\ud83d\ude00k\ud800l</script>";
        GrantRequest grant = new GrantRequest(Rpc.ISSUE_RTM_TOKEN, "app", List.of(RequestedService.rtm(nasty)), 60);
        AuditEvent e = new AuditEvent(AT, Optional.of(new Caller("mtls", Caller.AuthMethod.MUTUAL_TLS)),
                Rpc.ISSUE_RTM_TOKEN, Optional.of(grant), Status.Code.PERMISSION_DENIED, "policy: '" + nasty + "'",
                Optional.empty());
        String json = JsonAuditSink.toJson(e);
        assertThat(json).doesNotContain("\n").doesNotContain("\r").doesNotContain("\u0000").doesNotContain("\u2028");
        assertThat(json).contains("\\\"b\\\\c\\nd\\re\\tf\\u0000g\\u001fh\\u007fi\\u2028j\ud83d\ude00k\\ud800l");
        Map<String, Object> m = parse(json);
        String identity = (String) m.get("identity");
        assertThat(identity).startsWith(nasty.substring(0, nasty.indexOf('\ud800'))).endsWith("l</script>")
                .hasSize(nasty.length());
        assertThat(m).containsEntry("auth", "mutual_tls");
    }

    @Test
    void neverWritesATokenOrCertificate() {
        String token = "007eJxTYBBY9rKj4cvHxGnlFVUaWmWhWAn1jb4JHJNjE0xSKRsNTCwBfEMGS5";
        String pem = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIE\n-----END CERTIFICATE-----";
        AuditEvent e = new AuditEvent(AT, Optional.of(WEB), Rpc.RENEW_TOKEN, Optional.empty(),
                Status.Code.INVALID_ARGUMENT, "bad token " + token + " from Bearer abcdefgh with " + pem,
                Optional.of(token));
        String json = JsonAuditSink.toJson(e);
        assertThat(json).doesNotContain(token).doesNotContain("eJxTYBBY").doesNotContain("abcdefgh")
                .doesNotContain("MIIBszCCAVmgAwIBAgIE").doesNotContain("BEGIN");
        assertThat(parse(json)).containsEntry("token_sha256", "[invalid]")
                .containsEntry("reason", "bad token [redacted] from [redacted] with [redacted]");
        assertThat(JsonAuditSink.redact("channel team-007 has 0 seats")).isEqualTo("channel team-007 has 0 seats");
    }

    @Test
    void aPlaceholderAfterBearerIsProseNotACredential() {
        String reason = "authorization metadata is not of the form 'Bearer <key>'";
        AuditEvent e = new AuditEvent(AT, Optional.empty(), Rpc.ISSUE_RTC_TOKEN, Optional.empty(),
                Status.Code.UNAUTHENTICATED, reason, Optional.empty());

        assertThat(parse(JsonAuditSink.toJson(e))).containsEntry("reason", reason);
        assertThat(JsonAuditSink.redact("sent Bearer <key>abc123")).isEqualTo("sent [redacted]");
        assertThat(JsonAuditSink.redact("sent bearer abc<key>")).isEqualTo("sent [redacted]");
    }

    @Test
    void writesToItsOwnLoggerAtInfo() {
        Logger logger = Logger.getLogger(JsonAuditSink.LOGGER_NAME);
        List<LogRecord> records = new ArrayList<>();
        Handler h = collecting(records);
        logger.addHandler(h);
        try {
            new JsonAuditSink().record(issued());
        } finally {
            logger.removeHandler(h);
        }
        assertThat(records).hasSize(1);
        assertThat(records.get(0).getLoggerName()).isEqualTo("tokenservice.audit");
        assertThat(records.get(0).getLevel()).isEqualTo(java.util.logging.Level.INFO);
        assertThat(new AuditLogFormatter().format(records.get(0))).isEqualTo(JsonAuditSink.toJson(issued())
                + System.lineSeparator());
    }

    @Test
    void theAuditHandlerGetsTheSameLinesWrittenDirectly() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Logger logger = Logger.getLogger(JsonAuditSink.LOGGER_NAME);
        GrantRequest nonAscii = new GrantRequest(Rpc.ISSUE_RTM_TOKEN, "app",
                List.of(RequestedService.rtm("Zoë \ud83d\ude00 \u4e2d\u6587 \ud800")), 60);
        AuditEvent second = new AuditEvent(AT.plusNanos(1_500_000), Optional.of(WEB), Rpc.ISSUE_RTM_TOKEN,
                Optional.of(nonAscii), Status.Code.OK, "issued", Optional.empty());
        AuditEvent third = new AuditEvent(AT, Optional.empty(), Rpc.RENEW_TOKEN, Optional.empty(),
                Status.Code.UNAUTHENTICATED, "x".repeat(20_000), Optional.empty());
        try (AuditLogHandler.Installation installed = AuditLogHandler.install(
                new PrintStream(bytes, true, StandardCharsets.UTF_8))) {
            assertThat(AuditLogHandler.soleHandlerOf(logger)).isNotNull();
            JsonAuditSink sink = new JsonAuditSink();
            sink.record(issued());
            sink.record(third);
            sink.record(second);
            sink.record(issued());
        }
        String n = System.lineSeparator();
        assertThat(bytes.toString(StandardCharsets.UTF_8)).isEqualTo(JsonAuditSink.toJson(issued()) + n
                + JsonAuditSink.toJson(third) + n + JsonAuditSink.toJson(second) + n + JsonAuditSink.toJson(issued()) + n);
    }

    @Test
    void anotherHandlerOnTheAuditLoggerGetsTheRecordsThroughTheLogger() {
        Logger logger = Logger.getLogger(JsonAuditSink.LOGGER_NAME);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        List<LogRecord> records = new ArrayList<>();
        Handler h = collecting(records);
        try (AuditLogHandler.Installation installed = AuditLogHandler.install(
                new PrintStream(bytes, true, StandardCharsets.UTF_8))) {
            logger.addHandler(h);
            try {
                assertThat(AuditLogHandler.soleHandlerOf(logger)).isNull();
                new JsonAuditSink().record(issued());
            } finally {
                logger.removeHandler(h);
            }
        }
        assertThat(records).extracting(LogRecord::getMessage).containsExactly(JsonAuditSink.toJson(issued()));
        assertThat(bytes.toString(StandardCharsets.UTF_8)).isEqualTo(JsonAuditSink.toJson(issued())
                + System.lineSeparator());
    }

    private static Handler collecting(List<LogRecord> records) {
        return new Handler() {
            @Override
            public void publish(LogRecord r) {
                records.add(r);
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> parse(String json) {
        return (Map<String, Object>) new Yaml().load(json);
    }
}
