package io.warmpool.bench;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WorkloadTest {
    private static final long PAGE = 4096;

    private static String refusal(Workload w) {
        return assertThrows(IllegalArgumentException.class, () -> w.validate(PAGE)).getMessage();
    }

    @Test
    void eachBrokenRuleIsNamedWithItsField() {
        assertTrue(refusal(new Workload(4000, 4096, 0, 1, 4096)).startsWith("slot-bytes = 4000: must be a multiple"));
        assertTrue(refusal(new Workload(8192, 4096, 0, 1, 4096)).startsWith("pool.memory-max = 4096: must be at least 8192"));
        assertTrue(refusal(new Workload(4096, 4096, 8192, 1, 4096)).startsWith("pool.memory-keep-resident = 8192: must not exceed"));
        assertTrue(refusal(new Workload(4096, 4096, 0, 1, 8192)).startsWith("spread-bytes = 8192: must not exceed"));
        assertTrue(refusal(new Workload(4096, 4096, 0, -1, 4096)).startsWith("dirty-pages = -1"));
        assertTrue(refusal(new Workload(4L << 30, 4L << 30, 0, 1, 2L << 30)).contains("at most 1073741824"));
    }

    @Test
    void distinctPagesAreCappedByTheSpread() {
        Workload w = new Workload(1 << 20, 1 << 20, 0, 64, 128 << 10).validate(PAGE);
        assertEquals(32, w.distinctPages(PAGE));
        assertEquals("slot 1 MiB, keep resident 0 B, 64 dirty pages in 128 KiB", w.describe());
        assertTrue(new Workload(1 << 20, 4L << 30, 0, 1, 4096).describe().contains("(max 4 GiB)"));
    }

    @Test
    void aMeasurementNeedsAnIterationAndStopsOnlyAfterTenSamples() {
        assertThrows(IllegalArgumentException.class, () -> new Measurement(0, 0, 0, 0, 1));
        Measurement m = new Measurement(100, 0, 0, 1000, 1);
        assertEquals(false, m.timeIsUp(9, 5000));
        assertEquals(true, m.timeIsUp(10, 5000));
        assertEquals(false, new Measurement(100, 0, 0, 0, 1).timeIsUp(50, Long.MAX_VALUE));
        Measurement warm = new Measurement(10, 5, 1000, 0, 1);
        assertEquals(false, warm.warmedUp(4, 2000), "five cycles first");
        assertEquals(false, warm.warmedUp(50, 999), "and a microsecond");
        assertEquals(true, warm.warmedUp(5, 1000));
    }

    @Test
    void aWorkloadThatAsksForMorePagesThanItsSpreadHoldsSaysWhatItWrites() {
        Workload w = new Workload(1 << 20, 1 << 20, 0, 64, 128 << 10).validate(4096);
        assertEquals(32, w.distinctPages(4096));
        assertEquals("slot 1 MiB, keep resident 0 B, 32 dirty pages (every page of the 128 KiB spread; --dirty-pages 64"
                + " asked for more than it holds)", w.describe(4096));
        assertEquals("slot 1 MiB, keep resident 0 B, 16 dirty pages in 128 KiB",
                new Workload(1 << 20, 1 << 20, 0, 16, 128 << 10).describe(4096));
    }
}
