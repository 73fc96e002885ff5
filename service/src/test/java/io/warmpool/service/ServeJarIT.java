package io.warmpool.service;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@code warmpool serve} from the shaded jar, as an operator runs it, watched from outside: its
 * scrape against the Grafana dashboard and {@code promtool}, a real Prometheus server scraping it,
 * every panel of the dashboard and every rule of deploy/prometheus evaluated by it,
 * {@code warmpool tune --from} reading the tenant profile off its metrics, and its drain on SIGTERM.
 * Prometheus and promtool come from Debian's {@code prometheus} package, which {@code ./run-tests.sh}
 * installs.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ServeJarIT {
    private static final long DEADLINE_SECONDS = 90;
    /** Labels Prometheus adds to every series it scrapes: the dashboard's variables and the rules use them. */
    static final Set<String> TARGET_LABELS = Set.of("job", "instance");
    private static final Path RULES = Path.of("..", "deploy", "prometheus", "warmpool-rules.yml").toAbsolutePath().normalize();

    private static Process serve;
    private static ServeOutput output;
    private static String metricsUrl;

    @BeforeAll
    static void startServe() throws Exception {
        serve = ProbeJarIT.java("serve", "--metrics.port", "0", "--summary-interval", "1s", "--pool.memories", "8",
                "--pool.memory-max", "16MiB", "--pool.memory-guard", "64KiB", "--pool.tables", "8", "--pool.stacks", "8",
                "--workload.threads", "1", "--workload.memory-max", "4MiB", "--image-bytes", "256KiB");
        output = ServeOutput.of(serve);
        metricsUrl = output.awaitMetricsUrl(DEADLINE_SECONDS);
    }

    @AfterAll
    static void stopServe() {
        if (serve != null && serve.isAlive()) {
            serve.destroyForcibly();
        }
    }

    static String get(String url) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) URI.create(url).toURL().openConnection();
        connection.setConnectTimeout(10_000);
        connection.setReadTimeout(30_000);
        try {
            assertEquals(200, connection.getResponseCode(), url);
            return new String(connection.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            connection.disconnect();
        }
    }

    /** Label names of each sample name in a text-format scrape. */
    static Map<String, Set<String>> samples(String scrape) {
        Map<String, Set<String>> out = new java.util.HashMap<>();
        Pattern label = Pattern.compile("([a-zA-Z_]\\w*)=\"");
        for (String line : scrape.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int brace = line.indexOf('{');
            String name = brace < 0 ? line.substring(0, line.indexOf(' ')) : line.substring(0, brace);
            Set<String> labels = out.computeIfAbsent(name, n -> new TreeSet<>());
            if (brace >= 0) {
                Matcher m = label.matcher(line.substring(brace, line.lastIndexOf('}')));
                while (m.find()) {
                    labels.add(m.group(1));
                }
            }
        }
        return out;
    }

    static String find(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path candidate = Path.of(dir, program);
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        return fail(program + " is not installed: install Debian's prometheus package (apt-get install prometheus;"
                + " ./run-tests.sh does)");
    }

    @Test
    @Order(1)
    void everyMetricAndLabelTheDashboardQueriesIsExported() throws IOException {
        Map<String, Set<String>> exported = samples(get(metricsUrl));
        List<DashboardQueries.Query> queries = DashboardQueries.of(Path.of(System.getProperty("warmpool.dashboards",
                "../dashboards"), "warmpool-resets.json"));
        assertTrue(queries.size() >= 12, "a query per panel and the kind variable: " + queries);
        Set<String> queried = new TreeSet<>();
        List<String> missing = new ArrayList<>();
        for (DashboardQueries.Query q : queries) {
            assertTrue(!q.metrics().isEmpty(), q.where() + " reads no metric: " + q.promql());
            Set<String> labels = new TreeSet<>(TARGET_LABELS);
            for (String metric : q.metrics()) {
                queried.add(metric);
                if (!exported.containsKey(metric)) {
                    missing.add(q.where() + ": metric " + metric);
                } else {
                    labels.addAll(exported.get(metric));
                }
            }
            for (String label : q.labels()) {
                if (!labels.contains(label)) {
                    missing.add(q.where() + ": label " + label + " on " + q.metrics());
                }
            }
        }
        assertEquals(List.of(), missing, "the dashboard queries what serve does not export");
        assertTrue(queried.containsAll(Set.of("warmpool_reset_seconds_bucket", "warmpool_reset_dirty_pages_bucket",
                "warmpool_reset_zeroed_bytes_total", "warmpool_reset_decommitted_bytes_total", "warmpool_resident_bytes",
                "warmpool_resident_budget_bytes", "warmpool_slots", "warmpool_acquires_total",
                "warmpool_reset_fallbacks_total", "process_resident_memory_bytes", "warmpool_build_info",
                "warmpool_image_acquires_total", "warmpool_image_remaps_total", "warmpool_image_restored_bytes_total",
                "warmpool_images_alive")),
                "the panels the issue asks for: " + queried);
    }

    @Test
    @Order(2)
    void promtoolAcceptsTheExposition() throws Exception {
        String scrape = get(metricsUrl);
        Process promtool = new ProcessBuilder(find("promtool"), "check", "metrics").redirectErrorStream(true).start();
        try (var stdin = promtool.getOutputStream()) {
            stdin.write(scrape.getBytes(StandardCharsets.UTF_8));
        }
        String verdict = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(promtool.waitFor(60, TimeUnit.SECONDS), "promtool finishes");
        assertEquals(0, promtool.exitValue(), "promtool check metrics:\n" + verdict);
        assertEquals("", verdict.strip(), "no lint problems");
    }

    @Test
    @Order(3)
    void aRealPrometheusScrapesResetsFromIt() throws Exception {
        String target = metricsUrl.substring("http://".length(), metricsUrl.length() - "/metrics".length());
        Path dir = Files.createTempDirectory("warmpool-prometheus");
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Path config = Files.writeString(dir.resolve("prometheus.yml"), String.join("\n",
                "global:",
                "  scrape_interval: 1s",
                "  scrape_timeout: 1s",
                "  evaluation_interval: 1s",
                "rule_files:",
                "  - '" + RULES + "'",
                "scrape_configs:",
                "  - job_name: warmpool",
                "    static_configs:",
                "      - targets: ['" + target + "']",
                ""));
        Path log = dir.resolve("prometheus.log");
        Process prometheus = new ProcessBuilder(find("prometheus"), "--config.file=" + config,
                "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        String api = "http://127.0.0.1:" + port;
        try {
            awaitQuery(prometheus, log, api, "count_over_time(up{job=\"warmpool\"}[1m]) >= 3");
            assertTrue(awaitQuery(prometheus, log, api, "up{job=\"warmpool\"}").contains("\"1\"]"), "the target is up");
            String resets = awaitQuery(prometheus, log, api, "warmpool_reset_seconds_count > 0");
            assertTrue(resets.contains("\"kind\":\"memory\""), resets);
            // Every panel of the dashboard, with its variables chosen, answers with data.
            for (DashboardQueries.Query q : DashboardQueries.of(Path.of(System.getProperty("warmpool.dashboards", "../dashboards"),
                    "warmpool-resets.json"))) {
                String promql = q.promql().replace("$job", "warmpool").replace("$instance", target).replace("$kind", ".*")
                        .replace("$__rate_interval", "10s");
                awaitQuery(prometheus, log, api, q.where().startsWith("variable ")
                        ? promql.replaceAll("label_values\\((.*), *\\w+\\)", "$1") : promql);
            }
            // The rules load, every one evaluates without an error, and the recording rules record.
            String rules = awaitRules(prometheus, log, api);
            assertTrue(!rules.contains("\"health\":\"err\""), rules);
            String rate = awaitQuery(prometheus, log, api, "instance_kind:warmpool_resets:rate5m{job=\"warmpool\",kind=\"memory\"} > 0");
            assertTrue(rate.contains("\"instance\":\"" + target + "\""), rate);
            awaitQuery(prometheus, log, api, "instance_kind:warmpool_reset_seconds:p99_5m{kind=\"memory\"}");
        } finally {
            prometheus.destroy();
            if (!prometheus.waitFor(30, TimeUnit.SECONDS)) {
                prometheus.destroyForcibly();
            }
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Asks Prometheus for its rules until every one has been evaluated; returns the answer. */
    private static String awaitRules(Process prometheus, Path log, String api) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DEADLINE_SECONDS);
        String answer = "(no answer)";
        while (System.nanoTime() < deadline) {
            assertTrue(prometheus.isAlive(), "prometheus exited:\n" + Files.readString(log));
            answer = get(api + "/api/v1/rules");
            if (answer.contains("\"name\":\"warmpool.alerts\"") && !answer.contains("\"health\":\"unknown\"")) {
                return answer;
            }
            Thread.sleep(250);
        }
        return fail("Prometheus never evaluated every rule of " + RULES + "; last: " + answer + "\nlog:\n" + Files.readString(log));
    }

    /** Asks Prometheus's HTTP API {@code query} until its result is not empty; returns the answer. */
    private static String awaitQuery(Process prometheus, Path log, String api, String query) throws Exception {
        String url = api + "/api/v1/query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DEADLINE_SECONDS);
        String answer = "(no answer)";
        while (System.nanoTime() < deadline) {
            assertTrue(prometheus.isAlive(), "prometheus exited:\n" + Files.readString(log));
            try {
                answer = get(url);
                if (answer.contains("\"status\":\"success\"") && !answer.contains("\"result\":[]")) {
                    return answer;
                }
            } catch (IOException | AssertionError notReadyYet) {
                answer = notReadyYet.toString();
            }
            Thread.sleep(250);
        }
        return fail("Prometheus never answered '" + query + "' with a result; last: " + answer + "\nlog:\n"
                + Files.readString(log) + "\nserve:\n" + output);
    }

    @Test
    @Order(4)
    void tuneReadsTheTenantProfileFromTheRunningServesMetrics() throws Exception {
        Process tune = ProbeJarIT.java("tune", "--from", metricsUrl, "--pool.memory-keep-resident", "0,64KiB,256KiB",
                "--pool.max-unused-warm-slots", "0,1", "--rss-budget", "1MiB");
        String text = new String(tune.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(tune.waitFor(DEADLINE_SECONDS, TimeUnit.SECONDS), "tune finishes:\n" + text);
        assertEquals(0, tune.exitValue(), text);
        Matcher resets = Pattern.compile("profile of (\\d+) scanned resets").matcher(text);
        assertTrue(resets.find() && Long.parseLong(resets.group(1)) > 0, text);
        assertTrue(text.contains("recommended within --rss-budget 1 MiB: --pool.memory-keep-resident "), text);
    }

    @Test
    @Order(5)
    void sigtermDrainsUnmapsAndExitsZero() throws InterruptedException {
        serve.toHandle().destroy(); // SIGTERM; Process.destroy() would also close the output we read
        assertTrue(serve.waitFor(DEADLINE_SECONDS, TimeUnit.SECONDS), "serve stops on SIGTERM:\n" + output);
        output.awaitEnd(DEADLINE_SECONDS);
        assertEquals(0, serve.exitValue(), output.toString());
        String text = output.toString();
        assertTrue(text.contains("ServeCommand: SIGTERM: stopping the tenants"), text);
        assertTrue(Pattern.compile("drained after [1-9]\\d* instances; unmapping the pool").matcher(text).find(), text);
    }
}
