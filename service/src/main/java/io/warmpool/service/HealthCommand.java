package io.warmpool.service;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code warmpool health}: asks a running {@code serve} whether it is alive ({@code /-/healthy}) or,
 * with {@code --ready}, ready ({@code /-/ready}), for scripts and hosts without curl. Exit 0 when
 * the endpoint answers HTTP 200, 1 otherwise.
 */
final class HealthCommand implements Command {

    @Override
    public String name() {
        return "health";
    }

    @Override
    public String summary() {
        return "exit 0 when a running serve is alive (/-/healthy), or ready with --ready (/-/ready)";
    }

    @Override
    public String help() {
        return """
                usage: warmpool health [--ready] [--url URL] [--timeout DURATION] [--config FILE]

                GETs the liveness endpoint of a running 'warmpool serve' (/-/healthy: the process
                answers) or, with --ready, its readiness endpoint (/-/ready: the pool is up and its
                tenants run; not while starting or draining), and exits 0 when it answers HTTP 200,
                1 when it answers anything else or not at all (the reason goes to stderr). Without
                --url it asks http://<metrics.address>:<metrics.port>/-/healthy (or /-/ready), reading
                those two keys as serve does (--config FILE or $WARMPOOL_CONFIG, then
                WARMPOOL_METRICS_ADDRESS and WARMPOOL_METRICS_PORT); a wildcard address is asked on
                127.0.0.1. Other keys are serve's and are passed over.

                options:
                  --ready              ask /-/ready instead of /-/healthy
                  --url URL            the URL to GET (default http://127.0.0.1:9464/-/healthy)
                  --timeout DURATION   how long to wait for the connection and for the answer (default 5s)
                  --config FILE        read metrics.address and metrics.port from FILE
                  --help               print this help""";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) {
        Options options = Options.parse(name(), args, Set.of("url", "timeout", "config"), Set.of("ready"));
        if (!options.positional().isEmpty()) {
            throw new UsageException(name() + ": unexpected argument '" + options.positional().get(0) + "'");
        }
        Duration timeout;
        try {
            timeout = ConfigKey.parseDuration(options.get("timeout", "5s"));
        } catch (IllegalArgumentException e) {
            throw new UsageException(name() + ": --timeout '" + options.get("timeout", "") + "': " + e.getMessage());
        }
        String url = options.get("url", null);
        if (url == null) {
            String file = options.get("config", null);
            Map<String, String> noFlags = new LinkedHashMap<>();
            Configuration config = Configuration.loadSome(name(), MetricsAddress.KEYS, file == null ? null : Path.of(file),
                    System.getenv(), noFlags);
            url = MetricsAddress.url(config, options.has("ready") ? "/-/ready" : "/-/healthy");
        } else if (options.has("ready")) {
            throw new UsageException(name() + ": --ready and --url: give one (--url names the whole URL)");
        }
        return check(url, timeout, out, err);
    }

    /** GETs {@code url}; 0 on HTTP 200, else 1 with the reason on {@code err}. */
    static int check(String url, Duration timeout, PrintStream out, PrintStream err) {
        HttpGet.Response response;
        try {
            response = HttpGet.get(url, timeout);
        } catch (IllegalArgumentException e) {
            throw new UsageException("health: --url " + e.getMessage());
        } catch (IOException e) {
            err.println("warmpool health: " + url + ": " + e);
            return 1;
        }
        if (response.status() == 200) {
            out.println(response.body().isBlank() ? "HTTP 200: " + url : response.body().strip());
            return 0;
        }
        err.println("warmpool health: " + url + " answered HTTP " + response.status()
                + (response.body().isBlank() ? "" : ": " + response.body().strip()));
        return 1;
    }
}
