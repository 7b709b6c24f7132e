package io.tokenservice.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.OutputStreamAppender;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.event.KeyValuePair;

class JsonLineEncoderTest {
    private final LoggerContext context = new LoggerContext();
    {
        // What Logback's service provider gives the context it makes.
        context.setMDCAdapter(new LogbackMDCAdapter());
    }
    private final Logger logger = context.getLogger("io.tokenservice.server.SecuredServer");
    private final JsonLineEncoder encoder = new JsonLineEncoder();

    private LoggingEvent event(Level level, String message, Throwable thrown, Object... arguments) {
        LoggingEvent event = new LoggingEvent(Logger.class.getName(), logger, level, message, thrown, arguments);
        event.setThreadName("main");
        event.setInstant(Instant.parse("2026-12-02T08:04:50.508944756Z"));
        return event;
    }

    private String line(LoggingEvent event) {
        String line = new String(encoder.encode(event), StandardCharsets.UTF_8);
        assertThat(line).endsWith("\n");
        assertThat(line.substring(0, line.length() - 1)).doesNotContain("\n");
        return line;
    }

    private static JsonObject parse(String line) {
        return JsonParser.parseString(line).getAsJsonObject();
    }

    @Test
    void anEventIsOneObjectWithTheLogstashFieldNames() {
        JsonObject json = parse(line(event(Level.INFO, "SERVING: token server listening on port {}", null, 50051)));

        assertThat(json.keySet()).containsExactly("@timestamp", "@version", "message", "logger_name", "thread_name",
                "level", "level_value");
        assertThat(OffsetDateTime.parse(json.get("@timestamp").getAsString()).toInstant())
                .isEqualTo(Instant.parse("2026-12-02T08:04:50.508944756Z"));
        assertThat(json.get("@version").getAsString()).isEqualTo("1");
        assertThat(json.get("message").getAsString()).isEqualTo("SERVING: token server listening on port 50051");
        assertThat(json.get("logger_name").getAsString()).isEqualTo("io.tokenservice.server.SecuredServer");
        assertThat(json.get("thread_name").getAsString()).isEqualTo("main");
        assertThat(json.get("level").getAsString()).isEqualTo("INFO");
        assertThat(json.get("level_value").getAsInt()).isEqualTo(20000);
    }

    @Test
    void quotesBackslashesAndControlCharactersAreEscapedAndTheRestKept() {
        String message = "a \"quoted\" C:\\path\r\n\ttab \u0000\u001f\b\f é 漢字 😀";
        String line = line(event(Level.WARN, message, null));

        assertThat(parse(line).get("message").getAsString()).isEqualTo(message);
        assertThat(line).contains("\\u0000", "\\u001f", "é 漢字 😀");
    }

    @Test
    void aThrowableIsTheStackTraceField() {
        IllegalStateException thrown = new IllegalStateException("boom", new IllegalArgumentException("cause"));
        JsonObject json = parse(line(event(Level.ERROR, "failed", thrown)));

        String trace = json.get("stack_trace").getAsString();
        assertThat(trace).startsWith("java.lang.IllegalStateException: boom")
                .contains("\tat io.tokenservice.logging.JsonLineEncoderTest.aThrowableIsTheStackTraceField")
                .contains("Caused by: java.lang.IllegalArgumentException: cause");
        assertThat(json.get("level_value").getAsInt()).isEqualTo(40000);
    }

    @Test
    void mdcEntriesAndKeyValuePairsAreFieldsButNeverReplaceTheEventsOwn() {
        LoggingEvent event = event(Level.INFO, "call", null);
        event.setMDCPropertyMap(Map.of("request_id", "r-1", "message", "spoofed"));
        event.addKeyValuePair(new KeyValuePair("rpc", "IssueRtcToken"));
        event.addKeyValuePair(new KeyValuePair("calls", 3));
        event.addKeyValuePair(new KeyValuePair("none", null));
        String line = line(event);
        JsonObject json = parse(line);

        assertThat(json.get("request_id").getAsString()).isEqualTo("r-1");
        assertThat(json.get("rpc").getAsString()).isEqualTo("IssueRtcToken");
        assertThat(json.get("calls").getAsString()).isEqualTo("3");
        assertThat(json.get("none").isJsonNull()).isTrue();
        assertThat(json.get("message").getAsString()).isEqualTo("call");
        assertThat(line.split("\"message\"", -1)).hasSize(2);
    }

    @Test
    void logSetupWritesJsonWithThisEncoderAndBuildsItAgainOnlyWhenTheSettingsChange() {
        LoggingSettings json = new LoggingSettings(LoggingSettings.Level.INFO, LoggingSettings.Format.JSON);
        LogSetup.configure(context, json);
        Object first = stderrEncoder();
        assertThat(first).isInstanceOf(JsonLineEncoder.class);

        LogSetup.configure(context, json);
        assertThat(stderrEncoder()).isSameAs(first);

        LogSetup.configure(context, new LoggingSettings(LoggingSettings.Level.DEBUG, LoggingSettings.Format.JSON));
        assertThat(stderrEncoder()).isNotSameAs(first).isInstanceOf(JsonLineEncoder.class);
        assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).getLevel()).isEqualTo(Level.DEBUG);

        Object debug = stderrEncoder();
        context.reset();
        LogSetup.configure(context, new LoggingSettings(LoggingSettings.Level.DEBUG, LoggingSettings.Format.JSON));
        assertThat(stderrEncoder()).isNotNull().isNotSameAs(debug);
    }

    private Object stderrEncoder() {
        var appender = (OutputStreamAppender<?>) context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("stderr");
        return appender == null ? null : appender.getEncoder();
    }
}
