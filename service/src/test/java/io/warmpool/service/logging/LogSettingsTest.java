package io.warmpool.service.logging;

import io.warmpool.service.Configuration;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LogSettingsTest {
    private static final Logger LOG = LoggerFactory.getLogger(LogSettingsTest.class);
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream stream = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    private static Configuration config(String... flags) {
        Map<String, String> map = new java.util.LinkedHashMap<>();
        for (int i = 0; i + 1 < flags.length; i += 2) {
            map.put(flags[i], flags[i + 1]);
        }
        return Configuration.load("serve", LogSettings.KEYS, null, Map.of(), map);
    }

    private List<String> lines() {
        return bytes.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void textHasTimestampLevelLoggerAndMessageThenTheStackTrace() {
        try (LogSettings.Applied logging = LogSettings.apply(config(), stream)) {
            LOG.debug("not at info");
            LOG.warn("a warning", new IllegalStateException("because"));
        }
        List<String> lines = lines();
        assertTrue(lines.get(0).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(Z|[+-]\\d\\d:\\d\\d) WARN  LogSettingsTest: a warning"),
                lines.get(0));
        assertEquals("java.lang.IllegalStateException: because", lines.get(1));
        assertTrue(lines.get(2).startsWith("\tat io.warmpool.service.logging.LogSettingsTest."), lines.get(2));
    }

    @Test
    void jsonIsOneObjectALineWithKeyValuesAndTheException() {
        try (LogSettings.Applied logging = LogSettings.apply(config("log.format", "json", "log.level", "debug"), stream)) {
            LOG.atDebug().addKeyValue("setting", "pool.memories").addKeyValue("old", 64L).addKeyValue("level", "spoofed")
                    .log("a \"quoted\"\nmessage");
            LOG.error("failed", new IllegalStateException("because"));
        }
        List<String> lines = lines();
        assertEquals(2, lines.size(), lines.toString());
        String first = lines.get(0);
        assertTrue(first.matches("\\{\"time\":\"\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z\",\"level\":\"DEBUG\","
                + "\"logger\":\"io.warmpool.service.logging.LogSettingsTest\",\"thread\":\"[^\"]+\",\"message\":\"a \\\\\"quoted\\\\\"\\\\n"
                + "message\",\"setting\":\"pool.memories\",\"old\":64\\}"), first);
        assertTrue(lines.get(1).contains("\"level\":\"ERROR\"") && lines.get(1).contains(
                "\"exception\":\"java.lang.IllegalStateException: because\\n\\tat io.warmpool.service.logging.LogSettingsTest."),
                lines.get(1));
    }

    @Test
    void theStreamOutlivesTheConfigurationThatWroteToIt() {
        LogSettings.apply(config(), stream).close();
        try (LogSettings.Applied again = LogSettings.apply(config(), stream)) {
            LOG.info("still writing");
        }
        assertFalse(stream.checkError(), "a reconfiguration closed the stream (System.err, in production)");
        assertTrue(lines().get(0).endsWith("INFO  LogSettingsTest: still writing"), lines().toString());
    }
}
