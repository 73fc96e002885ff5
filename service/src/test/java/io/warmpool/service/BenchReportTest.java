package io.warmpool.service;

import io.warmpool.bench.BenchRun;
import io.warmpool.bench.ContenderResult;
import io.warmpool.bench.Measurement;
import io.warmpool.bench.Samples;
import io.warmpool.bench.Workload;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchReportTest {
    private static final Measurement M = new Measurement(100, 20, 0, 0, 1);

    private static ContenderResult result(String name, long reset) {
        return new ContenderResult(name, 100, new Samples.Summary(100, 300), new Samples.Summary(reset, 2 * reset),
                new Samples.Summary(reset + 200, 2 * reset + 400), 65536, "test");
    }

    private static List<BenchRun.WorkloadResult> results() {
        Workload a = new Workload(1 << 20, 1 << 20, 1 << 20, 16, 1 << 20);
        Workload b = new Workload(1 << 20, 1 << 20, 1 << 20, 256, 1 << 20);
        return List.of(
                new BenchRun.WorkloadResult(a, List.of(result("pagemap-guided", 5000), result("memset-keep-resident", 6000)),
                        List.of("c-pagemap-guided: why not"), null),
                new BenchRun.WorkloadResult(b, List.of(result("pagemap-guided", 9000), result("memset-keep-resident", 6100)),
                        List.of(), null));
    }

    @Test
    void theTableGivesMediansAndP99InMicrosecondsAndTheRatios() {
        String text = BenchReport.text(results(), M);
        assertTrue(text.startsWith("workload: slot 1 MiB, keep resident 1 MiB, 16 dirty pages in 1 MiB; 100 iterations (warmup 20, at least 0 ms)"), text);
        assertTrue(text.contains("  pagemap-guided               100       0.10 /      0.30       5.00 /     10.00       5.20 /     10.40      64 KiB"), text);
        assertTrue(text.matches("(?s).*ratio memset-keep-resident / pagemap-guided, median reset +1\\.20\n.*"), text);
        assertTrue(text.contains("  skipped c-pagemap-guided: why not"), text);
    }

    @Test
    void theJsonHoldsEveryFigure() {
        String json = BenchReport.json(results(), M);
        assertTrue(json.startsWith("{\"iterations\":100,\"warmup\":20,\"warmup_ns\":0,\"time_limit_ns\":0,\"seed\":1,\"rounds\":1,\"workloads\":[{\"slot_bytes\":1048576,"), json);
        assertTrue(json.contains("{\"name\":\"pagemap-guided\",\"samples\":100,\"write_ns\":{\"median\":100,\"p99\":300},"
                + "\"reset_ns\":{\"median\":5000,\"p99\":10000},\"cycle_ns\":{\"median\":5200,\"p99\":10400},"
                + "\"resident_bytes\":65536,\"resident_how\":\"test\"}"), json);
        assertTrue(json.contains("\"ratios\":[{\"label\":\"memset-keep-resident / pagemap-guided, median reset\",\"value\":1.200}"), json);
        assertTrue(json.contains("\"skipped\":[\"c-pagemap-guided: why not\"]"), json);
    }

    @Test
    void thePlotHasALinePerContenderAcrossTheDirtyPages() {
        String svg = BenchReport.plot(results());
        assertEquals(2, svg.split("<polyline").length - 1);
        assertEquals(4, svg.split("<circle").length - 1);
        assertTrue(svg.contains(">pagemap-guided</text>") && svg.contains(">memset-keep-resident</text>"), svg);
    }

    @Test
    void thePlotShowsTheWholeCycleAgainstThePagesWritten() {
        String svg = BenchReport.plot(results());
        assertTrue(svg.contains("median cycle (writes + faults + reset), µs"), svg);
        assertTrue(svg.contains("distinct pages written per cycle"), svg);
        assertTrue(!svg.contains("median reset"), "the reset alone hides the faults a give-back causes: " + svg);
    }
}
