package io.warmpool.pagemap;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static io.warmpool.pagemap.TestMapping.PAGE;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The ioctl and the pread fallback must report the same regions and stop at the same address for any
 * dirty pattern, range and budget: the pool trusts either to tell it which pages to zero.
 */
class ScannerDifferentialTest {
    private static final int PATTERNS = 1_000;
    private static final int PAGES = 512;

    @Test
    void ioctlAndPreadReportIdenticalRegionsForRandomPatternsRangesAndBudgets() {
        long seed = Long.getLong("warmpool.test.seed", System.nanoTime());
        System.out.println("ScannerDifferentialTest seed " + seed + " (replay with -Dwarmpool.test.seed=" + seed + ")");
        Random random = new Random(seed);
        try (TestMapping m = new TestMapping(PAGES);
             PagemapScanner ioctl = PagemapScanner.open(ScanMode.PAGEMAP_SCAN).orElseThrow();
             PagemapScanner pread = PagemapScanner.open(ScanMode.PAGEMAP_READ).orElseThrow()) {
            for (int pattern = 0; pattern < PATTERNS; pattern++) {
                m.dontneed(0, PAGES);
                double density = random.nextDouble();
                int runs = random.nextInt(8);
                for (int p = 0; p < PAGES; p++) {
                    if (random.nextDouble() < density * 0.3) {
                        m.write(p);
                    }
                }
                for (int r = 0; r < runs; r++) {
                    int from = random.nextInt(PAGES);
                    int length = 1 + random.nextInt(Math.min(64, PAGES - from));
                    for (int p = from; p < from + length; p++) {
                        m.write(p);
                    }
                }
                int first = random.nextInt(PAGES);
                int last = first + random.nextInt(PAGES - first + 1);
                long budget = random.nextInt(4) == 0 ? 0 : 1 + random.nextInt(PAGES / 4);

                Regions byIoctl = new Regions();
                Regions byPread = new Regions();
                long stopIoctl = ioctl.scan(m.at(first), m.at(last), budget, byIoctl);
                long stopPread = pread.scan(m.at(first), m.at(last), budget, byPread);
                String context = "seed " + seed + ", pattern " + pattern + ", pages " + first + ".." + last
                        + ", budget " + budget;
                assertEquals(byIoctl.list, byPread.list, context);
                assertEquals(stopIoctl, stopPread, context);
                if (budget != 0 && byIoctl.pages() == budget) {
                    assertEquals(byIoctl.list.get(byIoctl.list.size() - 1).end(), stopIoctl, context);
                } else {
                    assertEquals(m.at(last), stopIoctl, context);
                }
            }
            assertEquals(0, ioctl.fallbacks() + pread.fallbacks());
            assertEquals(PAGE, ioctl.pageSize());
        }
    }
}
