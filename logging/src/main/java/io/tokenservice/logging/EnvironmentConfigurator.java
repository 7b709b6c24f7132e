package io.tokenservice.logging;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * Logback's configuration when it starts (found through {@code META-INF/services}): {@code LOG_LEVEL} and
 * {@code LOG_FORMAT} on standard error, never Logback's default (DEBUG on standard output, where the audit log
 * goes). The configuration file's {@code logging:} section is applied once it is loaded ({@link LogSetup#apply}).
 */
public final class EnvironmentConfigurator extends ContextAwareBase implements Configurator {
    @Override
    public ExecutionStatus configure(LoggerContext context) {
        LogSetup.configure(context, LogSetup.fromEnvironment(System.getenv()));
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }
}
