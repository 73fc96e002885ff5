package io.warmpool.pagemap;

import io.warmpool.fork.PidCheckedFd;
import io.warmpool.natives.Fcntl;
import io.warmpool.natives.Mman;
import io.warmpool.natives.NativeMemory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.warmpool.pagemap.TestMapping.OS;
import static io.warmpool.pagemap.TestMapping.PAGE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The behaviour the kernel's selftest ({@code tools/testing/selftests/mm/pagemap_ioctl.c}) checks, on
 * the real kernel, for both scan paths: the {@code PAGEMAP_SCAN} ioctl and {@code pread} of pagemap.
 */
class PagemapScannerTest {
    private PagemapScanner scanner;

    private PagemapScanner open(ScanMode mode) {
        scanner = PagemapScanner.open(mode).orElseThrow();
        assertEquals(mode, scanner.mode());
        return scanner;
    }

    /** A scanner with a small vector, so that a scan takes many calls. */
    private PagemapScanner openWithVector(ScanMode mode, int regions) {
        boolean ioctl = mode == ScanMode.PAGEMAP_SCAN;
        scanner = new PagemapScanner(OS, mode,
                PidCheckedFd.open(OS, "/proc/self/pagemap", Fcntl.O_RDONLY | Fcntl.O_CLOEXEC), ioctl, regions);
        return scanner;
    }

    @AfterEach
    void closeScanner() {
        if (scanner != null) {
            scanner.close();
        }
    }

    @ParameterizedTest
    @EnumSource(value = ScanMode.class, names = {"PAGEMAP_SCAN", "PAGEMAP_READ"})
    void freshMappingReportsNothing(ScanMode mode) {
        try (TestMapping m = new TestMapping(64)) {
            Regions regions = new Regions();
            assertEquals(m.end(), open(mode).scan(m.base, m.end(), 0, regions));
            assertEquals(List.of(), regions.list);
        }
    }

    @ParameterizedTest
    @EnumSource(value = ScanMode.class, names = {"PAGEMAP_SCAN", "PAGEMAP_READ"})
    void everyOtherPageWrittenGivesHalfAsManyOnePageRegions(ScanMode mode) {
        long n = 128;
        try (TestMapping m = new TestMapping(n)) {
            for (long p = 0; p < n; p += 2) {
                m.write(p);
            }
            Regions regions = new Regions();
            open(mode).scan(m.base, m.end(), 0, regions);
            assertEquals(n / 2, regions.list.size());
            for (int i = 0; i < regions.list.size(); i++) {
                assertEquals(new Regions.Region(m.at(2L * i), m.at(2L * i + 1), PageCategory.PRESENT), regions.list.get(i));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = ScanMode.class, names = {"PAGEMAP_SCAN", "PAGEMAP_READ"})
    void scanCutByTheVectorLengthReportsWhatOneWholeScanReports(ScanMode mode) {
        try (TestMapping m = new TestMapping(200)) {
            for (long p = 0; p < 200; p++) {
                if (p % 3 != 0) {
                    m.write(p);
                }
            }
            Regions whole = new Regions();
            open(mode).scan(m.base, m.end(), 0, whole);
            scanner.close();
            Regions cut = new Regions();
            assertEquals(m.end(), openWithVector(mode, 3).scan(m.base, m.end(), 0, cut));
            assertEquals(whole.list, cut.list);
            assertEquals(200 - 67, whole.pages());
        }
    }

    @ParameterizedTest
    @EnumSource(value = ScanMode.class, names = {"PAGEMAP_SCAN", "PAGEMAP_READ"})
    void scanCutByThePageBudgetInTheMiddleOfARegionResumesWhereItStopped(ScanMode mode) {
        try (TestMapping m = new TestMapping(64)) {
            for (long p = 10; p < 30; p++) {
                m.write(p);
            }
            m.write(40);
            m.write(41);
            Regions first = new Regions();
            long stop = open(mode).scan(m.base, m.end(), 5, first);
            assertEquals(m.at(15), stop, "the budget of 5 pages runs out inside the region 10..30");
            assertEquals(List.of(new Regions.Region(m.at(10), m.at(15), PageCategory.PRESENT)), first.list);

            Regions resumed = new Regions();
            resumed.list.addAll(first.list);
            long cursor = stop;
            while (cursor < m.end()) {
                cursor = scanner.scan(cursor, m.end(), 4, resumed);
            }
            Regions whole = new Regions();
            scanner.scan(m.base, m.end(), 0, whole);
            assertEquals(whole.list, resumed.merged());
            assertEquals(22, resumed.pages());
        }
    }

    @ParameterizedTest
    @EnumSource(value = ScanMode.class, names = {"PAGEMAP_SCAN", "PAGEMAP_READ"})
    void pagesDroppedWithDontneedAreNotReported(ScanMode mode) {
        try (TestMapping m = new TestMapping(32)) {
            for (long p = 0; p < 32; p++) {
                m.write(p);
            }
            m.dontneed(8, 8);
            Regions regions = new Regions();
            open(mode).scan(m.base, m.end(), 0, regions);
            assertEquals(List.of(new Regions.Region(m.at(0), m.at(8), PageCategory.PRESENT),
                    new Regions.Region(m.at(16), m.at(32), PageCategory.PRESENT)), regions.list);
        }
    }

    @ParameterizedTest
    @EnumSource(value = ScanMode.class, names = {"PAGEMAP_SCAN", "PAGEMAP_READ"})
    void writtenPagesOfASharedMemfdMappingAreNotReported(ScanMode mode) {
        int fd = OS.memfdCreate("warmpool-scan-test", Fcntl.MFD_CLOEXEC);
        try {
            OS.ftruncate(fd, 16 * PAGE);
            long shared = OS.mmap(0, 16 * PAGE, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_SHARED, fd, 0);
            try {
                NativeMemory.fill(shared, 16 * PAGE, (byte) 1);
                Regions dirty = new Regions();
                open(mode).scan(shared, shared + 16 * PAGE, 0, dirty);
                assertEquals(List.of(), dirty.list, "shared pages are FILE, not dirty");
                assertEquals(16, scanner.countPages(shared, shared + 16 * PAGE, ScanSelection.RESIDENT));
            } finally {
                OS.munmap(shared, 16 * PAGE);
            }
        } finally {
            OS.close(fd);
        }
    }

    @ParameterizedTest
    @EnumSource(value = ScanMode.class, names = {"PAGEMAP_SCAN", "PAGEMAP_READ"})
    void writtenPagesOfAPrivateFileMappingAreReportedAndOnlyReadOnesAreNot(ScanMode mode) throws Exception {
        Path file = Files.createTempFile("warmpool-scan", ".bin");
        try {
            Files.write(file, new byte[(int) (8 * PAGE)]);
            int fd = OS.open(file.toString(), Fcntl.O_RDONLY | Fcntl.O_CLOEXEC, 0);
            long mapped = OS.mmap(0, 8 * PAGE, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_PRIVATE, fd, 0);
            OS.close(fd);
            try {
                for (long p = 0; p < 8; p++) {
                    NativeMemory.getByte(mapped + p * PAGE);
                }
                NativeMemory.putByte(mapped + 2 * PAGE, (byte) 1);
                NativeMemory.putByte(mapped + 5 * PAGE, (byte) 1);
                Regions dirty = new Regions();
                open(mode).scan(mapped, mapped + 8 * PAGE, 0, dirty);
                assertEquals(List.of(new Regions.Region(mapped + 2 * PAGE, mapped + 3 * PAGE, PageCategory.PRESENT),
                        new Regions.Region(mapped + 5 * PAGE, mapped + 6 * PAGE, PageCategory.PRESENT)), dirty.list);
            } finally {
                OS.munmap(mapped, 8 * PAGE);
            }
        } finally {
            Files.delete(file);
        }
    }

    @ParameterizedTest
    @EnumSource(value = ScanMode.class, names = {"PAGEMAP_SCAN", "PAGEMAP_READ"})
    void countPagesCountsEveryMatchingPage(ScanMode mode) {
        try (TestMapping m = new TestMapping(300)) {
            for (long p = 0; p < 300; p += 7) {
                m.write(p);
            }
            assertEquals(43, open(mode).countPages(m.base, m.end(), ScanSelection.DIRTY));
        }
    }

    @ParameterizedTest
    @EnumSource(value = ScanMode.class, names = {"PAGEMAP_SCAN", "PAGEMAP_READ"})
    void endIsRoundedUpToAPage(ScanMode mode) {
        try (TestMapping m = new TestMapping(4)) {
            m.write(1);
            Regions regions = new Regions();
            assertEquals(m.at(2), open(mode).scan(m.base, m.at(1) + 1, 0, regions));
            assertEquals(List.of(new Regions.Region(m.at(1), m.at(2), PageCategory.PRESENT)), regions.list);
        }
    }

    @ParameterizedTest
    @EnumSource(value = ScanMode.class, names = {"PAGEMAP_SCAN", "PAGEMAP_READ"})
    void rangeAcrossAnUnmappedHoleReportsOnlyMappedDirtyPages(ScanMode mode) {
        try (TestMapping m = new TestMapping(12)) {
            m.write(0);
            m.write(11);
            OS.munmap(m.at(4), 4 * PAGE);
            Regions regions = new Regions();
            open(mode).scan(m.base, m.end(), 0, regions);
            assertEquals(List.of(new Regions.Region(m.at(0), m.at(1), PageCategory.PRESENT),
                    new Regions.Region(m.at(11), m.at(12), PageCategory.PRESENT)), regions.list);
        }
    }

    @ParameterizedTest
    @EnumSource(value = ScanMode.class, names = {"PAGEMAP_SCAN", "PAGEMAP_READ"})
    void resetOfARangeAfterAScanIsSeenByTheNextScan(ScanMode mode) {
        try (TestMapping m = new TestMapping(16)) {
            m.write(3);
            assertEquals(1, open(mode).countPages(m.base, m.end(), ScanSelection.DIRTY));
            m.dontneed(0, 16);
            assertEquals(0, scanner.countPages(m.base, m.end(), ScanSelection.DIRTY));
            assertTrue(scanner.fallbacks() == 0);
        }
    }
}
