package io.warmpool.service.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * Logback's configuration before any command has read its keys: info, text, standard error.
 * Logback finds it through {@code META-INF/services}, ahead of its own search for
 * {@code logback.xml}; started with {@code -Dlogback.configurationFile=FILE}, it steps aside and
 * Logback reads that file.
 */
public final class DefaultLogConfiguration extends ContextAwareBase implements Configurator {

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (LogSettings.configuredByFile()) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        LogSettings.configure(context, Level.INFO, LogFormat.TEXT, System.err);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }
}
