package io.warmpool.pool;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** auto's switch from scanning to zeroing the window outright, as arithmetic (nothing timed here). */
class AutoChoiceTest {

    @Test
    void theEstimateOfAWindowsMemsetLeavesOneCallsOverheadOutOfTheRate() {
        double call = SlotResetter.CALL_NANOS;
        assertEquals(call + 1024 * 30.0, SlotResetter.memsetEstimate(1024, (long) (call + 30), 1), 1e-9,
                "a one-page region that took a call and 30 ns gives 30 ns a page");
        assertEquals(call + 100 * 20.0, SlotResetter.memsetEstimate(100, (long) (call + 640), 32), 1e-9);
        assertEquals(call, SlotResetter.memsetEstimate(100, 10, 1), 1e-9, "a region faster than a call: rate 0");
    }

    @Test
    void aWindowMostlyDirtyIsZeroedOutrightWhateverTheCosts() {
        assertTrue(SlotResetter.preferMemset(0.75, 1, Double.NaN));
        assertTrue(SlotResetter.preferMemset(0.9, 1, 1e9));
    }

    @Test
    void aFairShareDirtyIsZeroedOutrightWhenTheScanCostsMore() {
        assertTrue(SlotResetter.preferMemset(0.5, 70_000, 33_000), "many small regions: the scan loses");
        assertFalse(SlotResetter.preferMemset(0.5, 50_000, 33_000), "not under 0.6x: keep scanning");
        assertFalse(SlotResetter.preferMemset(0.5, 70_000, Double.NaN), "no estimate: keep scanning");
    }

    @Test
    void aSparseWindowIsScannedEvenWhenATimingSaysOtherwise() {
        assertFalse(SlotResetter.preferMemset(0.2, 1_000_000, 1_000), "below a quarter the costs are not weighed");
    }
}
