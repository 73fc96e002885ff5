package io.warmpool.service.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.encoder.EncoderBase;
import io.warmpool.service.Json;
import org.slf4j.event.KeyValuePair;

import java.nio.charset.StandardCharsets;
import java.time.format.DateTimeFormatter;
import java.util.Set;

/**
 * One log event as one line of JSON, for log shippers (Fluent Bit, Vector, Filebeat, Promtail):
 *
 * <pre>
 *  {"time":"2025-06-01T08:00:05.130Z","level":"INFO","logger":"io.warmpool.service.ServeCommand",
 *   "thread":"main","message":"...", ...key-value pairs..., "exception":"java.lang...\n\tat ..."}
 * </pre>
 *
 * {@code time} is UTC in ISO-8601 with milliseconds; the event's SLF4J key-value pairs
 * ({@code log.atInfo().addKeyValue("setting", ...)}) follow the message as fields of their own,
 * unless their key is one of the fixed fields; {@code exception} is there only when the event
 * has one.
 */
public final class JsonLogEncoder extends EncoderBase<ILoggingEvent> {
    private static final Set<String> FIXED = Set.of("time", "level", "logger", "thread", "message", "exception");
    private static final byte[] NOTHING = new byte[0];

    @Override
    public byte[] headerBytes() {
        return NOTHING;
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
        Json json = new Json().begin(null)
                .field("time", DateTimeFormatter.ISO_INSTANT.format(event.getInstant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS)))
                .field("level", event.getLevel().toString())
                .field("logger", event.getLoggerName())
                .field("thread", event.getThreadName())
                .field("message", event.getFormattedMessage());
        if (event.getKeyValuePairs() != null) {
            for (KeyValuePair pair : event.getKeyValuePairs()) {
                if (pair.key != null && !FIXED.contains(pair.key)) {
                    value(json, pair.key, pair.value);
                }
            }
        }
        IThrowableProxy thrown = event.getThrowableProxy();
        if (thrown != null) {
            json.field("exception", ThrowableProxyUtil.asString(thrown));
        }
        return (json.end().toString() + "\n").getBytes(StandardCharsets.UTF_8);
    }

    private static void value(Json json, String key, Object value) {
        if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
            json.field(key, ((Number) value).longValue());
        } else if (value instanceof Double || value instanceof Float) {
            json.field(key, ((Number) value).doubleValue());
        } else if (value instanceof Boolean b) {
            json.field(key, b);
        } else {
            json.field(key, String.valueOf(value));
        }
    }

    @Override
    public byte[] footerBytes() {
        return NOTHING;
    }
}
