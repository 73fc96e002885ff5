package io.warmpool.pool.reset;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** every-N's rule, driven with made-up costs (nothing is timed here): a 2 µs fault. */
class ShedEveryNTest {
    private static final double FAULT = 2_000;

    @Test
    void pagesPilingUpAreShedOnceTheirZeroingCostsWhatRefaultingTheTenantsPagesWould() {
        ShedEveryN every = new ShedEveryN(1, () -> FAULT);
        assertFalse(every.scanned(0, 5_000, 4), "the first scan: the tenant writes 4 pages, 5 µs");
        assertFalse(every.scanned(0, 7_000, 8), "2 µs wasted, under 4 faults (8 µs)");
        assertFalse(every.scanned(0, 8_000, 12), "5 µs");
        assertTrue(every.scanned(0, 9_000, 16), "9 µs: shed");
        assertTrue(every.shedsNow(0));
        assertFalse(every.shedsNow(0), "once; the slot starts over");
        assertFalse(every.scanned(0, 5_000, 4), "a first scan again");
    }

    @Test
    void aHotSetIsNeverShedHoweverSlowSomeOfItsScans() {
        ShedEveryN every = new ShedEveryN(1, () -> FAULT);
        every.scanned(0, 5_000, 16);
        for (int i = 0; i < 10_000; i++) {
            assertFalse(every.scanned(0, i % 10 == 0 ? 500_000 : 5_000, 16), "scan " + i);
        }
    }

    @Test
    void aNewTenantStartsTheCountOver() {
        ShedEveryN every = new ShedEveryN(1, () -> FAULT);
        every.scanned(0, 5_000, 4);
        every.scanned(0, 12_000, 8);
        every.forget(0);
        assertFalse(every.scanned(0, 12_000, 8), "its first scan");
        assertFalse(every.shedsNow(0));
    }
}
