package io.warmpool.metrics;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.hotspot.DefaultExports;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Prometheus exposition and the health checks over HTTP: the JDK's {@link HttpServer} answering
 * {@code /metrics} (simpleclient's handler: text format 0.0.4, or OpenMetrics when the scraper asks
 * for it), {@code /-/healthy} (liveness), {@code /-/ready} (readiness, from a {@link Readiness}) and
 * 404 on any other path ({@link Endpoints}), from a Micrometer {@link PrometheusMeterRegistry} of
 * the simpleclient flavour. It binds {@value #DEFAULT_HOST}:{@value #DEFAULT_PORT} unless told
 * otherwise; its threads are daemons.
 */
@SuppressWarnings("deprecation") // the simpleclient flavour of the Prometheus registry is what we serve with
public final class MetricsServer implements AutoCloseable {
    /** The address the server binds by default: loopback only. */
    public static final String DEFAULT_HOST = "127.0.0.1";
    /** The port the server binds by default (the port OpenTelemetry's Prometheus exporter uses too). */
    public static final int DEFAULT_PORT = 9464;
    /** Threads that answer requests: a scrape, a probe and a person at once. */
    private static final int THREADS = 3;

    private final HttpServer server;
    private final ExecutorService executor;
    private final String host;

    private MetricsServer(HttpServer server, ExecutorService executor, String host) {
        this.server = server;
        this.executor = executor;
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

    /** Serves {@code registry} on {@code host:port}, ready from the start; see {@link #start(PrometheusMeterRegistry, String, int, Readiness)}. */
    public static MetricsServer start(PrometheusMeterRegistry registry, String host, int port) {
        return start(registry, host, port, Readiness.always());
    }

    /**
     * Serves {@code registry} on {@code host:port} (port 0: any free port), with {@code /-/ready}
     * answering what {@code readiness} says.
     *
     * @throws IllegalStateException naming the address when it cannot be bound: the port is in use,
     *                               the host does not resolve, or the address is not this machine's
     */
    public static MetricsServer start(PrometheusMeterRegistry registry, String host, int port, Readiness readiness) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("metrics port " + port + " is outside 0..65535");
        }
        InetSocketAddress address = new InetSocketAddress(host, port);
        String where = host + ":" + port;
        if (address.isUnresolved()) {
            throw new IllegalStateException("cannot serve metrics on " + where + ": host '" + host + "' does not resolve");
        }
        HttpServer server;
        try {
            server = HttpServer.create(address, 16);
        } catch (BindException e) {
            throw new IllegalStateException("cannot serve metrics on " + where + ": " + e.getMessage()
                    + " (is another warmpool serve or exporter running? choose another port with metrics.port)", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve metrics on " + where + ": " + e, e);
        }
        AtomicInteger threads = new AtomicInteger();
        ExecutorService executor = Executors.newFixedThreadPool(THREADS, task -> {
            Thread thread = new Thread(task, "warmpool-metrics-http-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.createContext("/", new Endpoints(registry.getPrometheusRegistry(), readiness));
        server.start();
        return new MetricsServer(server, executor, host);
    }

    /** The port the server listens on (the one chosen, when started with port 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    /** The URL of {@code path} on this server, such as {@code http://127.0.0.1:9464/metrics}. */
    public String url(String path) {
        String h = host.contains(":") ? "[" + host + "]" : host;
        return "http://" + h + ":" + port() + path;
    }

    /** Stops serving; a scrape in flight is cut off. */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
