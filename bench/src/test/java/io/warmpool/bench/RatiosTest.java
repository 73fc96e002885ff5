package io.warmpool.bench;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RatiosTest {

    private static ContenderResult result(String name, long resetMedian, long cycleMedian) {
        return new ContenderResult(name, 10, new Samples.Summary(1, 1), new Samples.Summary(resetMedian, resetMedian),
                new Samples.Summary(cycleMedian, cycleMedian), 0, "test");
    }

    private static Map<String, Double> ratios(ContenderResult... results) {
        return Ratios.of(List.of(results)).stream().collect(Collectors.toMap(Ratios.Ratio::label, Ratios.Ratio::value));
    }

    @Test
    void everyTargetRatioIsAQuotientOfMedians() {
        Map<String, Double> r = ratios(result("memset-keep-resident", 100, 110), result("pagemap-guided", 5, 8),
                result("auto", 6, 9), result("c-pagemap-guided", 4, 4), result("c-memset-keep-resident", 80, 80),
                result("allocate-direct", 1000, 16000), result("mmap-munmap", 500, 800));
        assertEquals(20.0, r.get("memset-keep-resident / pagemap-guided, median reset"));
        assertEquals(1.2, r.get("auto / pagemap-guided (the better of the two), median reset"));
        assertEquals(1.25, r.get("pagemap-guided / c-pagemap-guided, median reset"));
        assertEquals(1.25, r.get("memset-keep-resident / c-memset-keep-resident, median reset"));
        assertEquals(2000.0, r.get("allocate-direct / pagemap-guided (the best pool strategy), median cycle"));
        assertEquals(100.0, r.get("mmap-munmap / pagemap-guided (the best pool strategy), median cycle"));
        assertEquals(9.0 / 8, r.get("auto / pagemap-guided (the best fixed pool strategy), median cycle"));
        assertEquals(7, r.size());
    }

    @Test
    void writtenTrackedIsSetAgainstTheBestOfTheOtherStrategiesWholeCycleAndAutoAgainstTheBestFixedOne() {
        Map<String, Double> r = ratios(result("memset-keep-resident", 30, 31), result("pagemap-guided", 70, 71),
                result("madvise-all", 6, 14), result("written-tracked", 8, 7), result("auto", 9, 8));
        assertEquals(2.0, r.get("madvise-all (the best of the others) / written-tracked, median cycle"), 1e-9);
        assertEquals(8.0 / 7, r.get("auto / written-tracked (the best fixed pool strategy), median cycle"), 1e-9);
    }

    @Test
    void theCReferencesOfMadviseAllAndWrittenTrackedGiveWhatTheKernelChargesEach() {
        Map<String, Double> r = ratios(result("c-madvise-all", 4, 7), result("c-written-tracked", 8, 10));
        assertEquals(0.7, r.get("c-madvise-all / c-written-tracked (what the kernel charges each), median cycle"), 1e-9);
    }

    @Test
    void autoIsComparedWithWhicheverOfTheTwoIsBetterThere() {
        Map<String, Double> r = ratios(result("memset-keep-resident", 10, 10), result("pagemap-guided", 20, 20),
                result("auto", 11, 11));
        assertEquals(1.1, r.get("auto / memset-keep-resident (the better of the two), median reset"), 1e-9);
    }

    @Test
    void ratiosWhoseContendersDidNotRunAreLeftOut() {
        assertEquals(List.of(), Ratios.of(List.of(result("madvise-all", 3, 3))));
    }
}
