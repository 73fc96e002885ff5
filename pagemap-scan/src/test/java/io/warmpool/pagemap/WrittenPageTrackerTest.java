package io.warmpool.pagemap;

import io.warmpool.natives.Call;
import io.warmpool.natives.Errno;
import io.warmpool.natives.KernelFeatures;
import io.warmpool.natives.NativeCallException;
import io.warmpool.natives.NativeMemory;
import io.warmpool.natives.testing.FaultInjectingSyscalls;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.warmpool.pagemap.TestMapping.OS;
import static io.warmpool.pagemap.TestMapping.PAGE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Written-page tracking on the real kernel: a mapping of 128 pages whose window, pages 16 to 80, is
 * registered; writes inside and outside it; every way of protecting again.
 */
class WrittenPageTrackerTest {
    private static final long WINDOW_FIRST = 16;
    private static final long WINDOW_PAGES = 64;

    private final TestMapping m = new TestMapping(128);
    private final long window = m.at(WINDOW_FIRST);
    private final long windowEnd = m.at(WINDOW_FIRST + WINDOW_PAGES);
    private final PagemapScanner scanner = PagemapScanner.open(ScanMode.PAGEMAP_SCAN).orElseThrow();
    private WrittenPageTracker tracker = WrittenPageTracker.open(OS);

    @AfterEach
    void cleanUp() {
        tracker.close();
        scanner.close();
        m.close();
    }

    /** The written regions of the window, as [first page, end page) pairs relative to the mapping. */
    private List<List<Long>> written(ScanSelection selection) {
        Regions regions = new Regions();
        tracker.scan(scanner, window, windowEnd, selection, 0, regions);
        List<List<Long>> pages = new ArrayList<>();
        for (Regions.Region r : regions.list) {
            pages.add(List.of((r.start() - m.base) / PAGE, (r.end() - m.base) / PAGE));
        }
        return pages;
    }

    private List<List<Long>> written() {
        return written(ScanSelection.WRITTEN);
    }

    @Test
    void aScanReportsExactlyThePagesWrittenInTheWindowAndNoneOutsideIt() {
        for (long p = 0; p < 128; p += 8) {
            m.write(p); // resident before registration: the window starts clean all the same
        }
        tracker.register(window, WINDOW_PAGES * PAGE);
        assertEquals(List.of(), written());
        for (long p : new long[] {0, 3, 15, 20, 33, 34, 35, 79, 80, 100, 127}) {
            m.write(p);
        }
        List<List<Long>> expected = List.of(List.of(20L, 21L), List.of(33L, 36L), List.of(79L, 80L));
        assertEquals(expected, written());
        assertEquals(expected, written(ScanSelection.WRITTEN_DIRTY), "the exact selection agrees");
        assertEquals(expected, written(), "a scan protects nothing");
        assertEquals(WINDOW_PAGES * PAGE, tracker.registeredBytes());
    }

    @Test
    void aPresentPageScanOfARegisteredWindowTakesProtectedEmptyEntriesForSwappedPages() {
        tracker.register(window, WINDOW_PAGES * PAGE);
        m.write(20);
        Regions dirty = new Regions();
        scanner.scan(window, windowEnd, ScanSelection.DIRTY, 0, dirty);
        assertEquals(WINDOW_PAGES, dirty.pages(), "what the class comment warns of: " + dirty.list);
        assertTrue(dirty.list.stream().anyMatch(r -> r.categories() == PageCategory.SWAPPED), dirty.list.toString());
        tracker.unregister(window, WINDOW_PAGES * PAGE);
        assertEquals(1, scanner.countPages(window, windowEnd, ScanSelection.DIRTY), "unregistered, the markers are gone");
    }

    @Test
    void theBudgetStopsAScanAfterThatManyPagesAndItResumesWhereItStopped() {
        tracker.register(window, WINDOW_PAGES * PAGE);
        for (long p = WINDOW_FIRST; p < WINDOW_FIRST + 10; p += 2) {
            m.write(p);
        }
        Regions first = new Regions();
        long stop = tracker.scanWritten(scanner, window, windowEnd, 3, first);
        assertEquals(3, first.pages());
        assertEquals(m.at(WINDOW_FIRST + 5), stop);
        Regions rest = new Regions();
        assertEquals(windowEnd, tracker.scanWritten(scanner, stop, windowEnd, 0, rest));
        assertEquals(2, rest.pages());
    }

    /** The ways a reset can protect its zeroed pages again; each must leave nothing reported. */
    enum Reprotect {
        PER_REGION, WHOLE_WINDOW, REPROTECT_SCAN
    }

    @ParameterizedTest
    @EnumSource(Reprotect.class)
    void zeroingThenProtectingAgainLeavesNothingWrittenAndTheNextWriteIsSeen(Reprotect how) {
        tracker.register(window, WINDOW_PAGES * PAGE);
        for (long p : new long[] {17, 18, 40, 70}) {
            m.write(p);
        }
        Regions regions = new Regions();
        tracker.scanWritten(scanner, window, windowEnd, 0, regions);
        for (Regions.Region r : regions.list) {
            NativeMemory.zero(r.start(), r.end() - r.start()); // the memset writes: protect after it
        }
        assertEquals(3, written().size(), "the zeroing itself wrote the pages again");
        switch (how) {
            case PER_REGION -> regions.list.forEach(r -> tracker.protect(r.start(), r.end() - r.start()));
            case WHOLE_WINDOW -> tracker.protect(window, WINDOW_PAGES * PAGE);
            case REPROTECT_SCAN -> tracker.reprotect(scanner, window, windowEnd);
        }
        assertEquals(List.of(), written());
        assertEquals(List.of(), written(ScanSelection.WRITTEN_DIRTY));
        assertEquals(-1, NativeMemory.firstNonZero(window, WINDOW_PAGES * PAGE));
        m.write(41);
        assertEquals(List.of(List.of(41L, 42L)), written());
    }

    @Test
    void scanAndProtectInOneCallSuitsPagesThatAreGivenBack() {
        tracker.register(window, WINDOW_PAGES * PAGE);
        m.write(50);
        m.write(51);
        Regions regions = new Regions();
        tracker.scanWrittenAndProtect(scanner, window, windowEnd, 0, regions);
        assertEquals(2, regions.pages());
        assertEquals(List.of(), written(), "protected in the same call");
        m.dontneed(50, 2);
        assertEquals(List.of(), written(ScanSelection.WRITTEN_DIRTY), "an emptied entry holds no data");
        tracker.reprotect(scanner, window, windowEnd);
        assertEquals(List.of(), written(), "and is protected again");
        assertEquals(0, NativeMemory.getByte(m.at(50) + 17));
        m.write(50);
        assertEquals(List.of(List.of(50L, 51L)), written());
    }

    @Test
    void pagesOutsideARegisteredRangeAreRefusedNotReported() {
        tracker.register(window, WINDOW_PAGES * PAGE);
        m.write(5);
        PageScanException e = assertThrows(PageScanException.class,
                () -> tracker.scanWritten(scanner, m.base, windowEnd, 0, new Regions()));
        assertEquals(Errno.EPERM.number(), e.errno());
        assertTrue(e.getMessage().contains("not registered"), e.getMessage());
        NativeCallException protect = assertThrows(NativeCallException.class, () -> tracker.protect(m.base, PAGE));
        assertTrue(protect.is(Errno.ENOENT), protect.getMessage());
        assertThrows(PageScanException.class, () -> tracker.reprotect(scanner, m.base, m.at(WINDOW_FIRST + 1)));
    }

    @Test
    void unregisterThenRegisterAgainTracksAfresh() {
        tracker.register(window, WINDOW_PAGES * PAGE);
        m.write(20);
        tracker.unregister(window, WINDOW_PAGES * PAGE);
        assertEquals(0, tracker.registeredBytes());
        assertThrows(PageScanException.class, () -> written());
        tracker.register(window, WINDOW_PAGES * PAGE);
        assertEquals(List.of(), written(), "registered clean");
        m.write(21);
        assertEquals(List.of(List.of(21L, 22L)), written());
    }

    @Test
    void movingTheWindowTracksTheNewRangeAndForgetsTheOld() {
        tracker.register(window, WINDOW_PAGES * PAGE);
        tracker.move(window, WINDOW_PAGES * PAGE, m.at(64), 32 * PAGE);
        assertEquals(32 * PAGE, tracker.registeredBytes());
        m.write(20);
        m.write(70);
        Regions regions = new Regions();
        tracker.scanWritten(scanner, m.at(64), m.at(96), 0, regions);
        assertEquals(1, regions.pages());
        assertEquals(m.at(70), regions.list.get(0).start());
        assertThrows(PageScanException.class, () -> tracker.scanWritten(scanner, window, m.at(64), 0, new Regions()));
    }

    @Test
    void aMoveTheKernelRefusesLeavesTheOldRegistrationInPlace() {
        FaultInjectingSyscalls faults = new FaultInjectingSyscalls(OS);
        tracker.close();
        tracker = WrittenPageTracker.open(faults);
        tracker.register(window, WINDOW_PAGES * PAGE);
        faults.failNth(Call.UFFDIO_REGISTER, 1, Errno.ENOMEM);
        NativeCallException e = assertThrows(NativeCallException.class,
                () -> tracker.move(window, WINDOW_PAGES * PAGE, m.at(64), 32 * PAGE));
        assertTrue(e.is(Errno.ENOMEM) && e.getMessage().contains("UFFDIO_REGISTER"), e.getMessage());
        assertEquals(WINDOW_PAGES * PAGE, tracker.registeredBytes());
        m.write(17);
        assertEquals(List.of(List.of(17L, 18L)), written());
    }

    @Test
    void aRegistrationWhoseProtectFailsIsUndoneAndNamesTheCall() {
        FaultInjectingSyscalls faults = new FaultInjectingSyscalls(OS);
        tracker.close();
        tracker = WrittenPageTracker.open(faults);
        faults.failNth(Call.UFFDIO_WRITEPROTECT, 1, Errno.ENOMEM);
        NativeCallException e = assertThrows(NativeCallException.class, () -> tracker.register(window, WINDOW_PAGES * PAGE));
        assertEquals(Call.UFFDIO_WRITEPROTECT, e.call());
        assertTrue(e.getMessage().contains("start=0x" + Long.toHexString(window)), e.getMessage());
        assertEquals(0, tracker.registeredBytes());
        assertEquals(1, faults.invocations(Call.UFFDIO_UNREGISTER), "the kernel registration was undone");
        tracker.register(window, WINDOW_PAGES * PAGE);
    }

    @Test
    void badRangesAreRefusedBeforeReachingTheKernel() {
        assertThrows(IllegalArgumentException.class, () -> tracker.register(window + 1, PAGE));
        assertThrows(IllegalArgumentException.class, () -> tracker.register(window, PAGE + 1));
        assertThrows(IllegalArgumentException.class, () -> tracker.register(window, 0));
        assertThrows(IllegalArgumentException.class, () -> tracker.register(-PAGE, 2 * PAGE));
        tracker.register(window, WINDOW_PAGES * PAGE);
        IllegalArgumentException overlap = assertThrows(IllegalArgumentException.class,
                () -> tracker.register(m.at(WINDOW_FIRST + WINDOW_PAGES - 1), 4 * PAGE));
        assertTrue(overlap.getMessage().contains("overlaps"), overlap.getMessage());
        assertThrows(IllegalArgumentException.class, () -> tracker.register(m.base, (WINDOW_FIRST + 1) * PAGE));
        assertThrows(IllegalArgumentException.class, () -> tracker.unregister(window, PAGE));
        assertThrows(IllegalArgumentException.class, () -> tracker.unregister(m.base, PAGE));
        try (PagemapScanner pread = PagemapScanner.open(ScanMode.PAGEMAP_READ).orElseThrow()) {
            assertThrows(IllegalArgumentException.class, () -> tracker.scanWritten(pread, window, windowEnd, 0, new Regions()));
            assertThrows(UnsupportedOperationException.class,
                    () -> pread.scan(window, windowEnd, ScanSelection.WRITTEN, 0, new Regions()));
        }
        assertThrows(IllegalArgumentException.class,
                () -> tracker.scan(scanner, window, windowEnd, ScanSelection.DIRTY, 0, new Regions()));
        assertThrows(IllegalArgumentException.class, () -> new ScanSelection(0, PageCategory.PRESENT, 0, 0, 4));
        assertEquals(WINDOW_PAGES * PAGE, tracker.registeredBytes());
    }

    @Test
    void aClosedTrackerRefusesEverythingAndItsRangesCanBeRegisteredByAnother() {
        tracker.register(window, WINDOW_PAGES * PAGE);
        assertTrue(tracker.usable());
        tracker.close();
        tracker.close();
        assertFalse(tracker.usable());
        assertThrows(IllegalStateException.class, () -> tracker.protect(window, PAGE));
        assertThrows(IllegalStateException.class, () -> tracker.scanWritten(scanner, window, windowEnd, 0, new Regions()));
        assertThrows(IllegalStateException.class, () -> tracker.register(m.base, PAGE));
        tracker = WrittenPageTracker.open(OS);
        tracker.register(window, WINDOW_PAGES * PAGE); // EBUSY if the first tracker had left it registered
        m.write(30);
        assertEquals(List.of(List.of(30L, 31L)), written());
    }

    @Test
    void threadsTrackTheirOwnWindowsAtOnceThroughOneTracker() throws Exception {
        int threads = 4;
        long windowPages = 16;
        try (TestMapping slots = new TestMapping(threads * windowPages)) {
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                List<Future<String>> results = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    long start = slots.at(t * windowPages);
                    long seed = t;
                    results.add(pool.submit(() -> {
                        tracker.register(start, windowPages * PAGE);
                        try (PagemapScanner mine = PagemapScanner.open(ScanMode.PAGEMAP_SCAN).orElseThrow()) {
                            for (int round = 0; round < 200; round++) {
                                long page = (seed * 7 + round * 5) % windowPages;
                                NativeMemory.putLong(start + page * PAGE, round + 1);
                                Regions regions = new Regions();
                                tracker.scanWritten(mine, start, start + windowPages * PAGE, 0, regions);
                                if (regions.list.size() != 1 || regions.list.get(0).start() != start + page * PAGE
                                        || regions.pages() != 1) {
                                    return "round " + round + ": wrote page " + page + ", scan found " + regions.list;
                                }
                                NativeMemory.zero(start + page * PAGE, PAGE);
                                tracker.protect(start + page * PAGE, PAGE);
                            }
                        }
                        tracker.unregister(start, windowPages * PAGE);
                        return "";
                    }));
                }
                for (Future<String> result : results) {
                    assertEquals("", result.get());
                }
            } finally {
                pool.shutdownNow();
            }
            assertEquals(0, tracker.registeredBytes());
        }
    }

    @Test
    void theProbeFindsTrackingWorksHereAndCallsARefusalAbsentWithTheReason() {
        KernelFeatures.Feature here = WrittenPageTracker.support();
        assertTrue(here.present(), here.detail());
        for (Errno refusal : new Errno[] {Errno.EPERM, Errno.ENOSYS, Errno.EINVAL}) {
            FaultInjectingSyscalls seccomp = new FaultInjectingSyscalls(OS).failAlways(Call.USERFAULTFD, refusal);
            KernelFeatures.Feature refused = WrittenPageTracker.probe(seccomp);
            assertFalse(refused.present());
            assertTrue(refused.detail().contains(refusal.name()), refused.detail());
        }
        FaultInjectingSyscalls oldKernel = new FaultInjectingSyscalls(OS).failAlways(Call.UFFDIO_API, Errno.EINVAL);
        KernelFeatures.Feature old = WrittenPageTracker.probe(oldKernel);
        assertFalse(old.present());
        assertTrue(old.detail().contains("6.7"), old.detail());
        FaultInjectingSyscalls noRegister = new FaultInjectingSyscalls(OS).failAlways(Call.UFFDIO_REGISTER, Errno.EINVAL);
        KernelFeatures.Feature register = WrittenPageTracker.probe(noRegister);
        assertFalse(register.present());
        assertTrue(register.detail().contains("UFFDIO_REGISTER"), register.detail());
        assertEquals(2, noRegister.invocations(Call.CLOSE), "the probe closed its uffd and its scanner's pagemap");
    }

    @Test
    void measuringTheFirstWriteCostGivesAFigurePerPage() {
        FirstWriteCost cost = FirstWriteCost.measure(OS, 64, 3);
        assertTrue(cost.nanosPerPage() > 0, cost.toString());
        assertEquals(64, cost.pages());
    }
}
