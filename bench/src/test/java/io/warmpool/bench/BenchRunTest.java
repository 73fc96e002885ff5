package io.warmpool.bench;

import io.warmpool.metrics.ProfileExposition;
import io.warmpool.pool.config.SlotKind;
import io.warmpool.pool.profile.ProfileSnapshot;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every contender runs a few cycles of a small workload for real; nothing here is timed. */
class BenchRunTest {
    private static final long PAGE = 4096;
    private static final Workload SMALL = new Workload(1 << 20, 2 << 20, 256 << 10, 8, 64 << 10).validate(PAGE);

    @Test
    void everyContenderRunsAndKeepsWhatItsResetLeavesResident() throws Exception {
        List<String> events = new ArrayList<>();
        Progress progress = new Progress() {
            @Override
            public void started(String contender, Workload workload, int cycles) {
                events.add("start " + contender);
            }

            @Override
            public void finished(String contender, int samples) {
                events.add("done " + contender + " " + samples);
            }
        };
        BenchRun run = new BenchRun(List.of(SMALL), Contenders.named(List.of("all")), new Measurement(5, 2, 0, 0, 3));
        assertEquals(5L * Contenders.names().size(), run.plannedCycles());
        BenchRun.WorkloadResult result = run.run(progress).get(0);
        Map<String, ContenderResult> byName = result.results().stream()
                .collect(Collectors.toMap(ContenderResult::contender, Function.identity()));
        assertEquals(Contenders.names(), result.results().stream().map(ContenderResult::contender).toList());
        for (ContenderResult r : result.results()) {
            assertEquals(5, r.samples(), r.contender());
            assertTrue(r.cycle().median() >= r.reset().median() && r.reset().median() > 0, r.toString());
            assertTrue(events.contains("done " + r.contender() + " 5"), events.toString());
        }
        long window = SMALL.keepResidentBytes();
        assertEquals(0, byName.get("madvise-all").residentBytes());
        assertEquals(0, byName.get("c-madvise-all").residentBytes());
        for (String tracked : List.of("written-tracked", "c-written-tracked")) { // the written pages of the window, zeroed
            long resident = byName.get(tracked).residentBytes();
            assertTrue(resident >= 8 * PAGE && resident <= Math.min(window, SMALL.spreadBytes()), tracked + " kept " + resident);
        }
        assertEquals(window, byName.get("memset-keep-resident").residentBytes());
        assertEquals(window, byName.get("c-memset-keep-resident").residentBytes());
        for (String guided : List.of("pagemap-guided", "c-pagemap-guided", "auto")) { // auto weighs no costs in 7 resets
            long resident = byName.get(guided).residentBytes();
            assertTrue(resident >= 8 * PAGE && resident <= SMALL.spreadBytes(), guided + " kept " + resident);
        }
        assertEquals(0, byName.get("mmap-munmap").residentBytes());
    }

    @Test
    void roundsTakeTurnsAndTheirMediansMakeTheResult() throws Exception {
        List<String> events = new ArrayList<>();
        Progress progress = new Progress() {
            @Override
            public void started(String contender, Workload workload, int cycles) {
                events.add(contender + " " + cycles);
            }
        };
        BenchRun run = new BenchRun(List.of(SMALL), Contenders.named(List.of("madvise-all", "pagemap-guided")),
                new Measurement(30, 2, 0, 0, 3), 3);
        assertEquals(2 * 30, run.plannedCycles());
        List<ContenderResult> results = run.run(progress).get(0).results();
        assertEquals(List.of("madvise-all 10", "pagemap-guided 10", "madvise-all 10", "pagemap-guided 10",
                "madvise-all 10", "pagemap-guided 10"), events, "in turn, a third of the cycles each time");
        assertEquals(List.of("madvise-all", "pagemap-guided"), results.stream().map(ContenderResult::contender).toList());
        results.forEach(r -> assertEquals(30, r.samples(), r.contender()));
    }

    @Test
    void aPhasesMedianOverRoundsIsTheMedianOfTheRoundsMedians() {
        ContenderResult a = round(100, 900);
        ContenderResult b = round(300, 700);
        ContenderResult c = round(200, 800);
        ContenderResult all = ContenderResult.ofRounds(List.of(a, b, c));
        assertEquals(200, all.cycle().median());
        assertEquals(800, all.cycle().p99());
        assertEquals(30, all.samples());
        assertEquals(100, ContenderResult.ofRounds(List.of(a, b)).cycle().median(), "of two, the lower");
        assertThrows(IllegalArgumentException.class, () -> ContenderResult.ofRounds(List.of()));
        assertThrows(IllegalArgumentException.class, () -> new BenchRun(List.of(SMALL), List.of(), new Measurement(5, 2, 0, 0, 3), 0));
    }

    private static ContenderResult round(long median, long p99) {
        Samples.Summary s = new Samples.Summary(median, p99);
        return new ContenderResult("x", 10, s, s, s, 0, "test");
    }

    @Test
    void thePoolsProfileCountsEveryScannedResetOfTheRun() throws Exception {
        BenchRun run = new BenchRun(List.of(SMALL), Contenders.named(List.of("pagemap-guided")), new Measurement(20, 5, 0, 0, 1));
        String text = run.run(Progress.NONE).get(0).profile();
        ProfileSnapshot profile = ProfileExposition.parse(text);
        ProfileSnapshot.KindProfile memory = profile.kind(SlotKind.MEMORY);
        assertEquals(25, memory.scannedResets());
        assertEquals(0, memory.unscannedResets());
        assertEquals(25, profile.inUseAtAcquire().count());
        assertTrue(memory.dirtyPages().mean() >= 8 && memory.dirtyPages().mean() <= 16, memory.dirtyPages().toString());
        assertEquals(0, memory.dirtyOffsetPages().countAtMost(16) - memory.dirtyOffsetPages().count(),
                "every dirty page lies in the 16-page spread");
    }

    @Test
    void theProfileCountsTheDirtyPagesTheTenantsWroteNotWhatEarlierResetsKept() throws Exception {
        // 4 pages written a cycle, scattered over a 1 MiB window that is all kept resident: a present-page
        // scan finds what earlier cycles wrote and zeroed too; the written-page scan finds the 4
        Workload scattered = new Workload(2 << 20, 2 << 20, 1 << 20, 4, 1 << 20).validate(PAGE);
        BenchRun guided = new BenchRun(List.of(scattered), Contenders.named(List.of("pagemap-guided")),
                new Measurement(60, 0, 0, 0, 1));
        double found = ProfileExposition.parse(guided.run(Progress.NONE).get(0).profile()).kind(SlotKind.MEMORY)
                .dirtyPages().mean();
        BenchRun both = new BenchRun(List.of(scattered), Contenders.named(List.of("pagemap-guided", "written-tracked")),
                new Measurement(60, 0, 0, 0, 1));
        ProfileSnapshot.KindProfile written = ProfileExposition.parse(both.run(Progress.NONE).get(0).profile())
                .kind(SlotKind.MEMORY);
        assertEquals(60, written.scannedResets());
        assertTrue(written.dirtyPages().mean() <= 4, "written-tracked's profile: " + written.dirtyPages());
        assertTrue(found > 2 * written.dirtyPages().mean(), "pagemap-guided's profile found " + found
                + " pages a reset, where the tenants wrote " + written.dirtyPages().mean());
    }

    @Test
    void aContenderThatCannotRunAWorkloadIsSkippedWithItsReason() throws Exception {
        Workload nothingKept = new Workload(1 << 20, 1 << 20, 0, 4, 64 << 10).validate(PAGE);
        BenchRun.WorkloadResult result = new BenchRun(List.of(nothingKept), Contenders.named(List.of("c-pagemap-guided",
                "madvise-all")), new Measurement(3, 0, 0, 0, 1)).run(Progress.NONE).get(0);
        assertEquals(List.of("madvise-all"), result.results().stream().map(ContenderResult::contender).toList());
        assertTrue(result.skipped().get(0).startsWith("c-pagemap-guided: with nothing to keep resident"), result.skipped().toString());
    }

    @Test
    void unknownContenderNamesAreRefusedNamingTheKnownOnes() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Contenders.named(List.of("pagemap-guided", "malloc")));
        assertTrue(e.getMessage().contains("'malloc'") && e.getMessage().contains("c-memset-keep-resident"), e.getMessage());
        assertEquals(List.of("memset-keep-resident", "auto"),
                Contenders.named(List.of("auto", "memset-keep-resident", "auto")).stream().map(Contender::name).toList());
    }
}
