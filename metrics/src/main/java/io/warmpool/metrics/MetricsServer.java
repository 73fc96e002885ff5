package io.warmpool.metrics;

import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.exporter.HTTPServer;
import io.prometheus.client.hotspot.DefaultExports;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;

/**
 * The Prometheus exposition over HTTP: simpleclient's {@link HTTPServer} serving {@code /metrics}
 * (text format 0.0.4, or OpenMetrics when the scraper asks for it) and {@code /-/healthy}, from a
 * Micrometer {@link PrometheusMeterRegistry} of the simpleclient flavour. It binds
 * {@value #DEFAULT_HOST}:{@value #DEFAULT_PORT} unless told otherwise; its threads are daemons.
 */
@SuppressWarnings("deprecation") // the simpleclient flavour of the Prometheus registry is what we serve with
public final class MetricsServer implements AutoCloseable {
    /** The address the server binds by default: loopback only. */
    public static final String DEFAULT_HOST = "127.0.0.1";
    /** The port the server binds by default (the port OpenTelemetry's Prometheus exporter uses too). */
    public static final int DEFAULT_PORT = 9464;

    private final HTTPServer server;
    private final String host;

    private MetricsServer(HTTPServer server, String host) {
        this.server = server;
        this.host = host;
    }

    /**
     * A registry whose scrape also holds simpleclient_hotspot's process and JVM collectors
     * ({@code process_resident_memory_bytes}, {@code jvm_memory_bytes_used}, ...), each once: the
     * registry has a collector registry of its own, not simpleclient's global default. Its clock
     * is the {@link CoarseClock}, which halves what recording a histogram costs on the reset path.
     */
    public static PrometheusMeterRegistry newRegistry() {
        CollectorRegistry collectors = new CollectorRegistry(true);
        DefaultExports.register(collectors);
        return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT, collectors, CoarseClock.get());
    }

    /**
     * Serves {@code registry} on {@code host:port} (port 0: any free port).
     *
     * @throws IllegalStateException naming the address when it cannot be bound: the port is in use,
     *                               the host does not resolve, or the address is not this machine's
     */
    public static MetricsServer start(PrometheusMeterRegistry registry, String host, int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("metrics port " + port + " is outside 0..65535");
        }
        InetSocketAddress address = new InetSocketAddress(host, port);
        String where = host + ":" + port;
        if (address.isUnresolved()) {
            throw new IllegalStateException("cannot serve metrics on " + where + ": host '" + host + "' does not resolve");
        }
        try {
            HTTPServer server = new HTTPServer.Builder()
                    .withInetSocketAddress(address)
                    .withRegistry(registry.getPrometheusRegistry())
                    .withDaemonThreads(true)
                    .build();
            return new MetricsServer(server, host);
        } catch (BindException e) {
            throw new IllegalStateException("cannot serve metrics on " + where + ": " + e.getMessage()
                    + " (is another warmpool serve or exporter running? choose another port with metrics.port)", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve metrics on " + where + ": " + e, e);
        }
    }

    /** The port the server listens on (the one chosen, when started with port 0). */
    public int port() {
        return server.getPort();
    }

    /** The URL of {@code path} on this server, such as {@code http://127.0.0.1:9464/metrics}. */
    public String url(String path) {
        String h = host.contains(":") ? "[" + host + "]" : host;
        return "http://" + h + ":" + port() + path;
    }

    /** Stops serving; a scrape in flight is cut off. */
    @Override
    public void close() {
        server.close();
    }
}
