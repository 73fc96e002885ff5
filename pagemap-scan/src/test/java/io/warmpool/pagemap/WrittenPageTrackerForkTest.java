package io.warmpool.pagemap;

import io.warmpool.fork.ForeignDescriptorException;
import io.warmpool.fork.testing.ForkedChild;
import io.warmpool.natives.Call;
import io.warmpool.natives.Mman;
import io.warmpool.natives.NativeMemory;
import io.warmpool.natives.Syscalls;
import io.warmpool.natives.testing.FaultInjectingSyscalls;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A forked child inherits the tracker's userfaultfd, which still acts on the parent's memory. The
 * child must find the tracker unusable, every call on it refused before it reaches the kernel, and
 * its own slots scannable for present pages instead; the parent's tracking must be untouched. The
 * child reports the first check that failed as its exit status (0: all held).
 */
class WrittenPageTrackerForkTest {
    private static final Syscalls OS = Syscalls.linux();
    private static final long PAGE = OS.pageSize();
    private static final long PAGES = 32;
    private static final Duration DEADLINE = Duration.ofSeconds(20);
    private static final Call[] UFFDIO = {Call.UFFDIO_API, Call.UFFDIO_REGISTER, Call.UFFDIO_UNREGISTER,
        Call.UFFDIO_WRITEPROTECT};

    private static long uffdioCalls(FaultInjectingSyscalls calls) {
        long total = 0;
        for (Call call : UFFDIO) {
            total += calls.invocations(call);
        }
        return total;
    }

    @Test
    void aChildNeverUsesTheParentsUserfaultfdAndFallsBackToThePresentPageScan() throws ClassNotFoundException {
        FaultInjectingSyscalls counted = new FaultInjectingSyscalls(OS);
        long base = OS.mmap(0, PAGES * PAGE, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS, -1, 0);
        OS.madvise(base, PAGES * PAGE, Mman.MADV_NOHUGEPAGE);
        long end = base + PAGES * PAGE;
        try (PagemapScanner scanner = PagemapScanner.open(ScanMode.PAGEMAP_SCAN, OS).orElseThrow();
             WrittenPageTracker tracker = WrittenPageTracker.open(counted)) {
            tracker.register(base, PAGES * PAGE);
            NativeMemory.putByte(base + 2 * PAGE, (byte) 1);
            Regions seen = new Regions();
            tracker.scanWritten(scanner, base, end, 0, seen);
            assertEquals(1, seen.pages());
            scanner.countPages(base, end, ScanSelection.DIRTY); // load what the child runs
            Class.forName(ForeignDescriptorException.class.getName()); // loaded before the child throws it
            RegionVisitor ignore = (s, e, c) -> { }; // a lambda made in the child would bootstrap a call site
            long callsBefore = uffdioCalls(counted);

            ForkedChild.Result result = ForkedChild.run(OS, () -> {
                if (tracker.usable()) {
                    return 1;
                }
                try {
                    tracker.protect(base, PAGES * PAGE); // would protect the parent's page 2
                    return 2;
                } catch (ForeignDescriptorException expected) {
                    // refused
                }
                try {
                    tracker.unregister(base, PAGES * PAGE); // would end the parent's tracking
                    return 3;
                } catch (ForeignDescriptorException expected) {
                    // refused
                }
                try {
                    tracker.scanWritten(scanner, base, end, 0, ignore);
                    return 4;
                } catch (ForeignDescriptorException expected) {
                    // refused: the child's mapping is not registered, so WRITTEN means nothing here
                }
                if (uffdioCalls(counted) != callsBefore) {
                    return 5;
                }
                // The fallback: the present-page scan of the child's own memory finds page 2 (copied
                // at the fork) and the page the child writes, and nothing left of the registration.
                NativeMemory.putByte(base + 9 * PAGE, (byte) 1);
                if (scanner.countPages(base, end, ScanSelection.DIRTY) != 2) {
                    return 6;
                }
                tracker.close(); // only the child's copy of the descriptor
                return uffdioCalls(counted) == callsBefore ? 0 : 7;
            }, DEADLINE);
            assertTrue(result.exitedWith(0), result.toString());

            assertTrue(tracker.usable());
            Regions after = new Regions();
            tracker.scanWritten(scanner, base, end, 0, after);
            assertEquals(List.of(new Regions.Region(base + 2 * PAGE, base + 3 * PAGE, PageCategory.WRITTEN)), after.list,
                    "the parent's page 2 is still written: the child protected nothing");
            tracker.protect(base + 2 * PAGE, PAGE);
            NativeMemory.putByte(base + 7 * PAGE, (byte) 1);
            assertEquals(1, scanner.countPages(base, end, ScanSelection.WRITTEN), "the parent still tracks its writes");
        } finally {
            OS.munmap(base, PAGES * PAGE);
        }
    }
}
