package io.warmpool.pagemap;

import io.warmpool.fork.PidCheckedFd;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicReference;

import static io.warmpool.pagemap.TestMapping.OS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Scanners that share one pagemap descriptor: each thread scans its own mapping at the same time as
 * the others, through the same descriptor, and gets exactly its own pages; closing a scanner leaves
 * the shared descriptor to its owner.
 */
class SharedPagemapTest {
    private static final int THREADS = 4;
    private static final int SCANS = 200;
    private static final long PAGES = 96;

    @ParameterizedTest
    @EnumSource(value = ScanMode.class, names = {"PAGEMAP_SCAN", "PAGEMAP_READ"})
    void scannersOnOneDescriptorScanConcurrentlyAndEachSeesItsOwnPages(ScanMode mode) throws Exception {
        try (PidCheckedFd pagemap = PagemapScanner.openPagemap(OS)) {
            CyclicBarrier start = new CyclicBarrier(THREADS);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int every = t + 2; // thread t writes every (t + 2)th page: each expects a different answer
                Thread thread = new Thread(() -> {
                    try (TestMapping m = new TestMapping(PAGES);
                         PagemapScanner scanner = PagemapScanner.open(mode, OS, pagemap).orElseThrow()) {
                        for (long p = 0; p < PAGES; p += every) {
                            m.write(p);
                        }
                        start.await();
                        for (int i = 0; i < SCANS; i++) {
                            Regions regions = new Regions();
                            scanner.scan(m.base, m.end(), 0, regions);
                            assertEquals((PAGES + every - 1) / every, regions.list.size(), "scan " + i);
                            for (int r = 0; r < regions.list.size(); r++) {
                                assertEquals(m.at((long) r * every), regions.list.get(r).start(), "scan " + i);
                            }
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                }, "shared-pagemap-" + t);
                threads.add(thread);
                thread.start();
            }
            for (Thread thread : threads) {
                thread.join();
            }
            assertNull(failure.get(), () -> "a scanner failed: " + failure.get());
            assertTrue(pagemap.fd() >= 0, "the scanners' close left the shared descriptor open");
        }
    }

    @Test
    void closingAScannerOverASharedDescriptorLeavesItUsableByTheNext() {
        try (PidCheckedFd pagemap = PagemapScanner.openPagemap(OS);
             TestMapping m = new TestMapping(8)) {
            m.write(3);
            PagemapScanner.open(ScanMode.AUTO, OS, pagemap).orElseThrow().close();
            try (PagemapScanner next = PagemapScanner.open(ScanMode.AUTO, OS, pagemap).orElseThrow()) {
                assertEquals(1, next.countPages(m.base, m.end(), ScanSelection.DIRTY));
            }
        }
    }
}
