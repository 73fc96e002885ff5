package io.warmpool.service.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import io.warmpool.service.ConfigKey;
import io.warmpool.service.Configuration;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/**
 * The logging keys and what they do to Logback:
 *
 * <pre>
 *  log.level   error, warn, info (default), debug, trace   the root logger's level
 *  log.format  text (default), json                         {@link LogFormat}
 * </pre>
 *
 * Every command logs to standard error, so that a command's own output (probe --json, tune's
 * report) stays clean on standard output; {@link DefaultLogConfiguration} sets this up before the
 * first line, and {@code serve} applies its keys with {@link #apply}. Started with
 * {@code -Dlogback.configurationFile=FILE}, Logback reads that file instead, and the keys are not
 * applied ({@link #apply} says so once).
 */
public final class LogSettings {
    /** The root logger's level. */
    public static final ConfigKey<Level> LEVEL = new ConfigKey<>("log.level", "info",
            "the least severe log lines written: error, warn, info, debug or trace", LogSettings::parseLevel);
    /** How log lines look. */
    public static final ConfigKey<LogFormat> FORMAT = new ConfigKey<>("log.format", LogFormat.TEXT.configName(),
            "text (for people) or json (one object a line, for log shippers)", LogFormat::fromConfigName);
    /** Both keys, in the order of {@code --help}. */
    public static final List<ConfigKey<?>> KEYS = List.of(LEVEL, FORMAT);

    /** The text format: local time with its offset, level, the logger's class, the message; then any stack trace. */
    static final String TEXT_PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level %logger{0}: %msg%n";
    static final String APPENDER = "warmpool";
    private static final String CONFIGURATION_FILE_PROPERTY = "logback.configurationFile";

    private LogSettings() {
    }

    /** Logging as configured, until closed. */
    public interface Applied extends AutoCloseable {
        /** Puts back the defaults: info, text, standard error. */
        @Override
        void close();
    }

    private static Level parseLevel(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "error" -> Level.ERROR;
            case "warn", "warning" -> Level.WARN;
            case "info" -> Level.INFO;
            case "debug" -> Level.DEBUG;
            case "trace" -> Level.TRACE;
            default -> throw new IllegalArgumentException("expected error, warn, info, debug or trace");
        };
    }

    /** Whether an operator's own Logback configuration file is in charge. */
    static boolean configuredByFile() {
        return System.getProperty(CONFIGURATION_FILE_PROPERTY) != null;
    }

    /**
     * Logs at {@code log.level} in {@code log.format} to {@code stream}, until the returned handle
     * is closed, which puts back the defaults (info, text, standard error).
     *
     * @throws io.warmpool.service.UsageException naming the key when a value does not parse
     */
    public static Applied apply(Configuration config, PrintStream stream) {
        Level level = config.get(LEVEL);
        LogFormat format = config.get(FORMAT);
        if (configuredByFile()) {
            LoggerFactory.getLogger(LogSettings.class).info("logging as {} says; {} and {} are not applied",
                    System.getProperty(CONFIGURATION_FILE_PROPERTY), LEVEL.name(), FORMAT.name());
            return () -> { };
        }
        configure(context(), level, format, stream);
        return () -> configure(context(), Level.INFO, LogFormat.TEXT, System.err);
    }

    private static LoggerContext context() {
        return (LoggerContext) LoggerFactory.getILoggerFactory();
    }

    /** Replaces the root logger's appenders with one that writes {@code format} to {@code stream}. */
    static void configure(LoggerContext context, Level level, LogFormat format, OutputStream stream) {
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        Encoder<ILoggingEvent> encoder;
        if (format == LogFormat.JSON) {
            encoder = new JsonLogEncoder();
        } else {
            PatternLayoutEncoder text = new PatternLayoutEncoder();
            text.setPattern(TEXT_PATTERN);
            encoder = text;
        }
        encoder.setContext(context);
        encoder.start();
        OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
        appender.setName(APPENDER);
        appender.setContext(context);
        appender.setEncoder(encoder);
        appender.setImmediateFlush(true);
        appender.setOutputStream(new KeptOpen(stream));
        appender.start();
        root.detachAndStopAllAppenders();
        root.addAppender(appender);
        root.setLevel(level);
        bridgeJavaUtilLogging();
    }

    private static synchronized void bridgeJavaUtilLogging() {
        if (!SLF4JBridgeHandler.isInstalled()) {
            SLF4JBridgeHandler.removeHandlersForRootLogger();
            SLF4JBridgeHandler.install();
        }
    }

    /** The stream, flushed but never closed by the appender that stops with a reconfiguration: it is System.err. */
    private static final class KeptOpen extends FilterOutputStream {
        KeptOpen(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
