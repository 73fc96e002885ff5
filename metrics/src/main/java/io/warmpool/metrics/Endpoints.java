package io.warmpool.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.exporter.HTTPServer;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * What the {@link MetricsServer} answers, by exact path; GET and HEAD only (405 otherwise):
 *
 * <pre>
 *  /metrics     200  the scrape (text 0.0.4, OpenMetrics or gzip as the scraper asks; name[] filters)
 *  /-/healthy   200  liveness: the process is up and answers, from before the pool exists to exit
 *  /-/ready     200  readiness: the pool is up and its tenants run;  503 with the reason otherwise
 *                    (starting, draining)
 *  /            200  a list of these paths
 *  any other    404
 * </pre>
 */
final class Endpoints implements HttpHandler {
    static final String METRICS = "/metrics";
    static final String HEALTHY = "/-/healthy";
    static final String READY = "/-/ready";
    private static final String INDEX = "warmpool: " + METRICS + " (Prometheus), " + HEALTHY + " (liveness), "
            + READY + " (readiness)\n";

    private final HttpHandler metrics;
    private final Readiness readiness;

    Endpoints(CollectorRegistry registry, Readiness readiness) {
        this.metrics = new HTTPServer.HTTPMetricHandler(registry);
        this.readiness = readiness;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try {
            String method = exchange.getRequestMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                answer(exchange, 405, "method " + method + " not allowed; GET or HEAD\n");
                return;
            }
            String path = exchange.getRequestURI().getPath();
            switch (path) {
                case METRICS -> metrics.handle(exchange);
                case HEALTHY -> answer(exchange, 200, "warmpool is healthy.\n");
                case READY -> {
                    String reason = readiness.reason();
                    answer(exchange, reason == null ? 200 : 503,
                            reason == null ? "warmpool is ready.\n" : "warmpool is not ready: " + reason + "\n");
                }
                case "/" -> answer(exchange, 200, INDEX);
                default -> answer(exchange, 404, "not found: " + path + "\n" + INDEX);
            }
        } finally {
            exchange.close();
        }
    }

    private static void answer(HttpExchange exchange, int status, String text) throws IOException {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }
}
