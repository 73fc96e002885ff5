package io.warmpool.pagemap;

import io.warmpool.natives.Mman;
import io.warmpool.natives.NativeMemory;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.warmpool.pagemap.TestMapping.OS;
import static io.warmpool.pagemap.TestMapping.PAGE;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Pins what a transparent huge page looks like to a scan: one write into a {@code MADV_HUGEPAGE}
 * region dirties all of its 2 MiB, which is why the pool gives its slots {@code MADV_NOHUGEPAGE}.
 */
class HugePageScanTest {
    private static final long HUGE = 2L << 20;

    @ParameterizedTest
    @EnumSource(value = ScanMode.class, names = {"PAGEMAP_SCAN", "PAGEMAP_READ"})
    void oneWriteIntoAHugePageRegionReportsTheWholeHugePage(ScanMode mode) throws Exception {
        Path enabled = Path.of("/sys/kernel/mm/transparent_hugepage/enabled");
        Assumptions.assumeTrue(Files.exists(enabled) && !Files.readString(enabled).contains("[never]"),
                "this kernel has transparent huge pages disabled or compiled out");
        long reserved = OS.mmap(0, 2 * HUGE, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS, -1, 0);
        long aligned = (reserved + HUGE - 1) & -HUGE;
        try (PagemapScanner scanner = PagemapScanner.open(mode).orElseThrow()) {
            OS.madvise(aligned, HUGE, Mman.MADV_HUGEPAGE);
            NativeMemory.putByte(aligned + 12345, (byte) 1);

            Regions dirty = new Regions();
            scanner.scan(aligned, aligned + HUGE, 0, dirty);
            assertEquals(List.of(new Regions.Region(aligned, aligned + HUGE, PageCategory.PRESENT)), dirty.list,
                    "one written byte made all " + HUGE / PAGE + " pages resident");

            if (mode == ScanMode.PAGEMAP_SCAN) {
                Regions huge = new Regions();
                ScanSelection withHuge = new ScanSelection(ScanSelection.DIRTY.inverted(), ScanSelection.DIRTY.mask(),
                        ScanSelection.DIRTY.anyof(), PageCategory.PRESENT | PageCategory.HUGE);
                scanner.scan(aligned, aligned + HUGE, withHuge, 0, huge);
                assertEquals(List.of(new Regions.Region(aligned, aligned + HUGE, PageCategory.PRESENT | PageCategory.HUGE)),
                        huge.list);
            }

            // Dropping one small page splits the huge page: the rest stays resident, no longer HUGE.
            OS.madvise(aligned + 3 * PAGE, PAGE, Mman.MADV_DONTNEED);
            Regions split = new Regions();
            scanner.scan(aligned, aligned + HUGE, 0, split);
            assertEquals(List.of(new Regions.Region(aligned, aligned + 3 * PAGE, PageCategory.PRESENT),
                    new Regions.Region(aligned + 4 * PAGE, aligned + HUGE, PageCategory.PRESENT)), split.list);
        } finally {
            OS.munmap(reserved, 2 * HUGE);
        }
    }
}
