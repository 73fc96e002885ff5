package io.warmpool.metrics;

import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.warmpool.pool.config.SlotKind;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@SuppressWarnings("deprecation")
class MetricsServerTest {

    static String get(String url, int[] status) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) new URL(url).openConnection();
        try {
            status[0] = connection.getResponseCode();
            return new String(connection.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            connection.disconnect();
        }
    }

    @Test
    void servesMetricsAndHealthOnLoopback() throws IOException {
        PrometheusMeterRegistry registry = MetricsServer.newRegistry();
        new PoolMetrics(EnumSet.of(SlotKind.MEMORY)).bindTo(registry);
        try (MetricsServer server = MetricsServer.start(registry, MetricsServer.DEFAULT_HOST, 0)) {
            assertTrue(server.port() > 0);
            assertEquals("http://127.0.0.1:" + server.port() + "/metrics", server.url("/metrics"));
            int[] status = new int[1];
            String metrics = get(server.url("/metrics"), status);
            assertEquals(200, status[0]);
            assertTrue(metrics.contains("# TYPE warmpool_reset_seconds histogram"), metrics);
            assertTrue(metrics.contains("process_resident_memory_bytes "), metrics);
            String health = get(server.url("/-/healthy"), status);
            assertEquals(200, status[0]);
            assertTrue(health.contains("Healthy"), health);
        }
    }

    @Test
    void aPortInUseIsAStartupErrorThatNamesTheAddress() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> MetricsServer.start(MetricsServer.newRegistry(), "127.0.0.1", port));
            assertTrue(e.getMessage().startsWith("cannot serve metrics on 127.0.0.1:" + port + ": "), e.getMessage());
            assertTrue(e.getMessage().toLowerCase().contains("in use"), e.getMessage());
        }
    }

    @Test
    void anUnresolvableHostOrBadPortIsNamed() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> MetricsServer.start(MetricsServer.newRegistry(), "no-such-host.invalid", 0));
        assertTrue(e.getMessage().contains("host 'no-such-host.invalid' does not resolve"), e.getMessage());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> MetricsServer.start(MetricsServer.newRegistry(), "127.0.0.1", 70000));
        assertTrue(bad.getMessage().contains("70000"), bad.getMessage());
    }
}
