package io.warmpool.service;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class DashboardQueriesTest {
    static final Path DASHBOARD = Path.of(System.getProperty("warmpool.dashboards", "../dashboards"), "warmpool-resets.json");

    @Test
    void metricsAndLabelsAreFoundAndFunctionsKeywordsAndVariablesAreNot() {
        DashboardQueries.Query q = DashboardQueries.parse("p", "histogram_quantile(0.99, sum by (kind, le) "
                + "(rate(warmpool_reset_seconds_bucket{kind=~\"$kind\", strategy!=\"x\"}[$__rate_interval]))) / "
                + "on(kind) group_left sum without (le) (warmpool_slots) > bool 1e-3");
        assertEquals(Set.of("warmpool_reset_seconds_bucket", "warmpool_slots"), q.metrics());
        assertEquals(Set.of("kind", "le", "strategy"), q.labels());
    }

    @Test
    void labelValuesNamesAMetricAndALabel() {
        DashboardQueries.Query q = DashboardQueries.parse("v", "label_values(warmpool_slots, kind)");
        assertEquals(Set.of("warmpool_slots"), q.metrics());
        assertEquals(Set.of("kind"), q.labels());
    }

    @Test
    void labelValuesWithASelectorNamesItsLabelsToo() {
        DashboardQueries.Query q = DashboardQueries.parse("v", "label_values(warmpool_slots{job=~\"$job\"}, kind)");
        assertEquals(Set.of("warmpool_slots"), q.metrics());
        assertEquals(Set.of("job", "kind"), q.labels());
    }

    @Test
    void aMetricReadWithoutTheScopeIsFound() {
        List<String> scope = List.of("job=~\"$job\"", "instance=~\"$instance\"");
        assertEquals(Set.of("process_resident_memory_bytes"), DashboardQueries.unscoped(
                "sum(warmpool_slots{job=~\"$job\", instance=~\"$instance\"}) / sum(process_resident_memory_bytes)", scope));
        assertEquals(Set.of("warmpool_slots"), DashboardQueries.unscoped(
                "warmpool_slots{job=~\"$job\", instance=~\"$instance\"} + warmpool_slots{job=~\"$job\"}", scope));
        assertEquals(Set.of(), DashboardQueries.unscoped("rate(warmpool_reset_seconds_count{kind=~\"$kind\", job=~\"$job\","
                + " instance=~\"$instance\"}[5m])", scope));
    }

    /** Prometheus also scrapes itself and other targets: every panel reads only the chosen warmpool processes. */
    @Test
    void everyPanelOfTheDashboardIsScopedByJobAndInstance() throws IOException {
        List<String> scope = List.of("job=~\"$job\"", "instance=~\"$instance\"");
        Map<String, String> variables = new java.util.LinkedHashMap<>();
        for (DashboardQueries.Query q : DashboardQueries.of(DASHBOARD)) {
            if (q.where().startsWith("variable ")) {
                variables.put(q.where(), q.promql());
            } else {
                assertEquals(Set.of(), DashboardQueries.unscoped(q.promql(), scope), q.where() + ": " + q.promql());
            }
        }
        assertEquals(List.of("variable $job", "variable $instance", "variable $kind"), List.copyOf(variables.keySet()));
        assertEquals("label_values(warmpool_build_info, job)", variables.get("variable $job"));
        assertEquals(Set.of(), DashboardQueries.unscoped(variables.get("variable $instance"), scope.subList(0, 1)));
        assertEquals(Set.of(), DashboardQueries.unscoped(variables.get("variable $kind"), scope));
    }

    @Test
    void theJsonReaderRefusesWhatIsNotJson() {
        assertEquals(java.util.Map.of("a", java.util.List.of(1.0, "x\"y", true)), JsonReader.parse("{\"a\": [1, \"x\\\"y\", true]}"));
        assertThrows(IllegalArgumentException.class, () -> JsonReader.parse("{\"a\": 1,}"));
        assertThrows(IllegalArgumentException.class, () -> JsonReader.parse("{\"a\": 1, \"a\": 2}"));
        assertThrows(IllegalArgumentException.class, () -> JsonReader.parse("[1] 2"));
    }
}
