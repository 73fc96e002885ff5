package io.warmpool.service;

import io.warmpool.metrics.MetricsServer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HealthCommandTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Main.standard().run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aServingEndpointIsHealthy() {
        try (MetricsServer server = MetricsServer.start(MetricsServer.newRegistry(), "127.0.0.1", 0)) {
            assertEquals(0, run("health", "--url", server.url("/-/healthy")), err());
            assertEquals("warmpool is healthy.", out.toString(StandardCharsets.UTF_8).strip());
        }
    }

    @Test
    void readyAsksTheReadinessEndpointWhichSaysWhyNot() {
        io.warmpool.metrics.Readiness readiness = io.warmpool.metrics.Readiness.notYet("starting: the pool is not up yet");
        try (MetricsServer server = MetricsServer.start(MetricsServer.newRegistry(), "127.0.0.1", 0, readiness)) {
            String base = server.url("");
            assertEquals(0, run("health", "--url", base + "/-/healthy"), err());
            assertEquals(1, run("health", "--url", base + "/-/ready"));
            assertEquals("warmpool health: " + base + "/-/ready answered HTTP 503: warmpool is not ready: starting: the pool"
                    + " is not up yet", err().strip());
            readiness.markReady();
            assertEquals(0, run("health", "--url", base + "/-/ready"), err());
            assertEquals(1, run("health", "--url", base + "/-/nothing-here"));
            assertTrue(err().contains("answered HTTP 404"), err());
            assertEquals(2, run("health", "--ready", "--url", base + "/-/ready"));
        }
    }

    @Test
    void nothingListeningIsUnhealthyWithTheReason() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        assertEquals(1, run("health", "--url", "http://127.0.0.1:" + port + "/-/healthy", "--timeout", "2s"));
        assertTrue(err().startsWith("warmpool health: http://127.0.0.1:" + port + "/-/healthy: java.net.ConnectException"), err());
    }

    @Test
    void aBadUrlOrTimeoutIsAUsageError() {
        assertEquals(2, run("health", "--url", "ftp://example.org/"));
        assertTrue(err().contains("--url 'ftp://example.org/' is not an http URL"), err());
        err.reset();
        assertEquals(2, run("health", "--timeout", "soon"));
        assertTrue(err().contains("health: --timeout 'soon': not a duration"), err());
    }

    @Test
    void theDefaultUrlFollowsServesMetricsKeysAndAsksAWildcardOnLoopback() {
        Configuration env = Configuration.loadSome("health", MetricsAddress.KEYS, null,
                Map.of("WARMPOOL_METRICS_ADDRESS", "0.0.0.0", "WARMPOOL_METRICS_PORT", "9999", "WARMPOOL_POOL_MEMORIES", "8"),
                Map.of());
        assertEquals("http://127.0.0.1:9999/-/healthy", MetricsAddress.url(env, "/-/healthy"));
        Configuration defaults = Configuration.loadSome("health", MetricsAddress.KEYS, null, Map.of(), Map.of());
        assertEquals("http://127.0.0.1:9464/-/healthy", MetricsAddress.url(defaults, "/-/healthy"));
        Configuration v6 = Configuration.loadSome("health", MetricsAddress.KEYS, null, Map.of("WARMPOOL_METRICS_ADDRESS", "::1"),
                Map.of());
        assertEquals("http://[::1]:9464/m", MetricsAddress.url(v6, "/m"));
    }
}
