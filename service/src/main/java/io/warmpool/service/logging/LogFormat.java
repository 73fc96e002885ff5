package io.warmpool.service.logging;

import java.util.Locale;

/** How a log line looks: {@code text} for people, {@code json} for log shippers. */
public enum LogFormat {
    /** {@code 2025-06-01T10:00:05.130+02:00 INFO  ServeCommand: message}, then the stack trace, if any. */
    TEXT,
    /** One JSON object a line: {@link JsonLogEncoder}. */
    JSON;

    /** The name in configuration: {@code text} or {@code json}. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The format named {@code name}, in any case. */
    public static LogFormat fromConfigName(String name) {
        for (LogFormat format : values()) {
            if (format.configName().equalsIgnoreCase(name)) {
                return format;
            }
        }
        throw new IllegalArgumentException("unknown log format '" + name + "'; expected text or json");
    }
}
