package io.warmpool.service;

import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.warmpool.metrics.MetricsServer;
import io.warmpool.metrics.PoolMetrics;
import io.warmpool.pool.config.PoolConfig;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The alerting and recording rules of deploy/prometheus: promtool accepts them and passes their
 * unit tests, and they read only metrics and labels that serve exports.
 */
@SuppressWarnings("deprecation") // PrometheusMeterRegistry: the simpleclient flavour is the one served
class PrometheusRulesTest {
    private static final Path DIR = Path.of("..", "deploy", "prometheus");
    private static final Path RULES = DIR.resolve("warmpool-rules.yml");

    private static String promtool(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(ServeJarIT.find("promtool")));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(DIR.toFile()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "promtool finishes");
        assertEquals(0, p.exitValue(), String.join(" ", command) + ":\n" + output);
        return output;
    }

    @Test
    void promtoolAcceptsTheRulesAndPassesTheirUnitTests() throws Exception {
        assertTrue(promtool("check", "rules", "warmpool-rules.yml").contains("SUCCESS"));
        String tests = promtool("test", "rules", "warmpool-rules.test.yml");
        assertTrue(tests.contains("SUCCESS"), tests);
    }

    @Test
    @SuppressWarnings("unchecked")
    void theRulesReadOnlyMetricsAndLabelsThatServeExports() throws Exception {
        PrometheusMeterRegistry registry = MetricsServer.newRegistry();
        BuildInfo.current().bindTo(registry);
        try (PoolMetrics metrics = new PoolMetrics(PoolConfig.builder().build())) {
            metrics.bindTo(registry);
            Map<String, Set<String>> exported = ServeJarIT.samples(registry.scrape());
            Map<String, Object> file = (Map<String, Object>) new Yaml(new SafeConstructor(new LoaderOptions()))
                    .load(Files.readString(RULES));
            Map<String, Set<String>> recorded = new java.util.HashMap<>();
            Set<String> alerts = new TreeSet<>();
            List<String> missing = new ArrayList<>();
            for (Object g : (List<Object>) file.get("groups")) {
                for (Object r : (List<Object>) ((Map<String, Object>) g).get("rules")) {
                    Map<String, Object> rule = (Map<String, Object>) r;
                    String name = (String) (rule.containsKey("record") ? rule.get("record") : rule.get("alert"));
                    DashboardQueries.Query q = DashboardQueries.parse(name, (String) rule.get("expr"));
                    Set<String> labels = new TreeSet<>(ServeJarIT.TARGET_LABELS);
                    for (String metric : q.metrics()) {
                        if (recorded.containsKey(metric)) {
                            labels.addAll(recorded.get(metric)); // a recording rule above: the labels it keeps
                        } else if (!exported.containsKey(metric)) {
                            missing.add(name + ": metric " + metric);
                        } else {
                            labels.addAll(exported.get(metric));
                        }
                    }
                    for (String label : q.labels()) {
                        if (!labels.contains(label)) {
                            missing.add(name + ": label " + label);
                        }
                    }
                    if (rule.containsKey("record")) {
                        recorded.put(name, q.labels());
                    } else {
                        alerts.add(name);
                    }
                }
            }
            assertEquals(List.of(), missing, "the rules read what serve does not export");
            assertEquals(Set.of("WarmpoolResetLatencyHigh", "WarmpoolResetFallbacks", "WarmpoolResetsFailing",
                    "WarmpoolIdleResidentOverBudget", "WarmpoolPoolExhausted", "WarmpoolAcquiresWaitLong",
                    "WarmpoolForkGenerationChanged"), alerts);
        }
    }
}
