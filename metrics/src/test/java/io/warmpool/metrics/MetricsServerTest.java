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
        return request("GET", url, status);
    }

    static String request(String method, String url, int[] status) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) new URL(url).openConnection();
        connection.setRequestMethod(method);
        try {
            status[0] = connection.getResponseCode();
            var body = status[0] < 400 ? connection.getInputStream() : connection.getErrorStream();
            return body == null ? "" : new String(body.readAllBytes(), StandardCharsets.UTF_8);
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
            assertEquals("warmpool is healthy.\n", health);
        }
    }

    @Test
    void livenessAnswersAtOnceAndReadinessFollowsItsOwner() throws IOException {
        Readiness readiness = Readiness.notYet("starting: the pool is not up yet");
        try (MetricsServer server = MetricsServer.start(MetricsServer.newRegistry(), "127.0.0.1", 0, readiness)) {
            int[] status = new int[1];
            get(server.url("/-/healthy"), status);
            assertEquals(200, status[0], "live before the pool exists");
            assertEquals("warmpool is not ready: starting: the pool is not up yet\n", get(server.url("/-/ready"), status));
            assertEquals(503, status[0]);
            readiness.markReady();
            assertEquals("warmpool is ready.\n", get(server.url("/-/ready"), status));
            assertEquals(200, status[0]);
            readiness.markNotReady("draining: SIGTERM");
            assertEquals("warmpool is not ready: draining: SIGTERM\n", get(server.url("/-/ready"), status));
            assertEquals(503, status[0]);
            get(server.url("/-/healthy"), status);
            assertEquals(200, status[0], "still live while draining");
        }
    }

    @Test
    void unknownPathsAre404AndOtherMethods405() throws IOException {
        try (MetricsServer server = MetricsServer.start(MetricsServer.newRegistry(), "127.0.0.1", 0)) {
            int[] status = new int[1];
            for (String path : new String[] {"/metricsx", "/metrics/", "/-/healthyish", "/favicon.ico", "/-/", "/ready"}) {
                String body = get(server.url(path), status);
                assertEquals(404, status[0], path);
                assertTrue(body.startsWith("not found: " + path + "\n"), body);
            }
            assertTrue(get(server.url("/"), status).contains("/-/ready (readiness)"));
            assertEquals(200, status[0]);
            request("POST", server.url("/metrics"), status);
            assertEquals(405, status[0]);
            assertEquals("", request("HEAD", server.url("/-/ready"), status));
            assertEquals(200, status[0]);
            request("HEAD", server.url("/metrics"), status);
            assertEquals(200, status[0]);
        }
    }

    @Test
    void aReadinessNeedsAReason() {
        assertThrows(IllegalArgumentException.class, () -> Readiness.notYet(" "));
        assertThrows(IllegalArgumentException.class, () -> Readiness.always().markNotReady(null));
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
