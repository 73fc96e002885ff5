package io.warmpool.service;

import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class DashboardQueriesTest {

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
    void theJsonReaderRefusesWhatIsNotJson() {
        assertEquals(java.util.Map.of("a", java.util.List.of(1.0, "x\"y", true)), JsonReader.parse("{\"a\": [1, \"x\\\"y\", true]}"));
        assertThrows(IllegalArgumentException.class, () -> JsonReader.parse("{\"a\": 1,}"));
        assertThrows(IllegalArgumentException.class, () -> JsonReader.parse("{\"a\": 1, \"a\": 2}"));
        assertThrows(IllegalArgumentException.class, () -> JsonReader.parse("[1] 2"));
    }
}
