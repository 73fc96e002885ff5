package io.warmpool.service;

import io.warmpool.metrics.MetricsServer;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HealthCommandTest {
    private final MainRun cli = new MainRun();

    @Test
    void aServingEndpointIsHealthy() {
        try (MetricsServer server = MetricsServer.start(MetricsServer.newRegistry(), "127.0.0.1", 0)) {
            assertEquals(0, cli.run("health", "--url", server.url("/-/healthy")), cli.err());
            assertEquals("warmpool is healthy.", cli.out().strip());
        }
    }

    @Test
    void readyAsksTheReadinessEndpointWhichSaysWhyNot() {
        io.warmpool.metrics.Readiness readiness = io.warmpool.metrics.Readiness.notYet("starting: the pool is not up yet");
        try (MetricsServer server = MetricsServer.start(MetricsServer.newRegistry(), "127.0.0.1", 0, readiness)) {
            String base = server.url("");
            assertEquals(0, cli.run("health", "--url", base + "/-/healthy"), cli.err());
            assertEquals(1, cli.run("health", "--url", base + "/-/ready"));
            assertEquals("warmpool health: " + base + "/-/ready answered HTTP 503: warmpool is not ready: starting: the pool"
                    + " is not up yet", cli.err().strip());
            readiness.markReady();
            assertEquals(0, cli.run("health", "--url", base + "/-/ready"), cli.err());
            assertEquals(1, cli.run("health", "--url", base + "/-/nothing-here"));
            assertTrue(cli.err().contains("answered HTTP 404"), cli.err());
            assertEquals(2, cli.run("health", "--ready", "--url", base + "/-/ready"));
        }
    }

    @Test
    void nothingListeningIsUnhealthyWithTheReason() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        assertEquals(1, cli.run("health", "--url", "http://127.0.0.1:" + port + "/-/healthy", "--timeout", "2s"));
        assertTrue(cli.err().startsWith("warmpool health: http://127.0.0.1:" + port + "/-/healthy: java.net.ConnectException"), cli.err());
    }

    @Test
    void aBadUrlOrTimeoutIsAUsageError() {
        assertEquals(2, cli.run("health", "--url", "ftp://example.org/"));
        assertTrue(cli.err().contains("--url 'ftp://example.org/' is not an http URL"), cli.err());
        cli.reset();
        assertEquals(2, cli.run("health", "--timeout", "soon"));
        assertTrue(cli.err().contains("health: --timeout 'soon': not a duration"), cli.err());
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
