package io.warmpool.pool.reset;

import io.warmpool.pool.config.ResetStrategy;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** auto's choices per slot, driven with made-up shares and costs (nothing is timed here). */
class AutoChoiceTest {
    private static final ResetStrategy SCAN = ResetStrategy.PAGEMAP_GUIDED;
    private static final ResetStrategy MEMSET = ResetStrategy.MEMSET_KEEP_RESIDENT;
    private static final ResetStrategy TRACKED = ResetStrategy.WRITTEN_TRACKED;

    /** An AutoChoice of two slots past the JIT's warmup: slot 1 has scanned enough for costs to count. */
    private static AutoChoice warmed() {
        AutoChoice auto = new AutoChoice(2);
        for (long i = 0; i < AutoChoice.COSTS_AFTER_SCANS; i++) {
            auto.scanned(1, 0.0, 1000, Double.NaN);
        }
        return auto;
    }

    @Test
    void aWindowMostlyDirtyIsZeroedOutrightAndProbedEvery32ndReset() {
        AutoChoice auto = new AutoChoice(1);
        assertEquals(SCAN, auto.choose(0));
        auto.scanned(0, 0.8, 1000, Double.NaN);
        for (int i = 1; i < AutoChoice.PROBE_EVERY; i++) {
            assertEquals(MEMSET, auto.choose(0), "reset " + i);
            assertEquals(-1, auto.sampleToShed(0), "reset " + i + " sheds nothing");
        }
        assertEquals(MEMSET, auto.choose(0), "the probe's first reset zeroes the window ...");
        assertEquals(0, auto.sampleToShed(0), "... and gives back the first sample");
        assertEquals(SCAN, auto.choose(0), "the probe's scan");
        assertEquals(0, auto.sampleMeasured(0), "measures the sample");
        auto.scanned(0, 0.4, 1000, Double.NaN);
        assertEquals(ResetStrategy.MADVISE_ALL, auto.choose(0), "under half dirty: the window left resident goes");
        assertEquals(SCAN, auto.choose(0), "then back to scanning");
        assertEquals(-1, auto.sampleMeasured(0));
    }

    @Test
    void eachProbeSamplesTheNextChunkAndAProbeOfADirtySampleStaysWithMemset() {
        AutoChoice auto = new AutoChoice(1);
        auto.choose(0);
        auto.scanned(0, 0.9, 1000, Double.NaN);
        for (int probe = 0; probe < AutoChoice.SAMPLES + 1; probe++) {
            for (int i = 0; i < AutoChoice.PROBE_EVERY; i++) {
                assertEquals(MEMSET, auto.choose(0));
            }
            assertEquals(probe % AutoChoice.SAMPLES, auto.sampleToShed(0));
            assertEquals(SCAN, auto.choose(0));
            auto.scanned(0, 0.75, 1000, Double.NaN);
        }
        assertEquals(MEMSET, auto.choose(0));
    }

    @Test
    void costsCountOnlyAfterTheJitHasCompiledTheResetPath() {
        AutoChoice auto = new AutoChoice(1);
        auto.scanned(0, 0.5, 70_000, 30_000);
        auto.scanned(0, 0.5, 70_000, 30_000);
        assertEquals(SCAN, auto.choose(0));
    }

    @Test
    void aTrialThatWinsKeepsMemset() {
        AutoChoice auto = warmed();
        auto.scanned(0, 0.5, 70_000, 30_000);
        auto.scanned(0, 0.5, 72_000, 30_000);
        assertEquals(MEMSET, auto.choose(0));
        auto.memsetDone(0, 900_000);
        assertEquals(MEMSET, auto.choose(0), "the first memset paid the window's faults: not judged");
        auto.memsetDone(0, 90_000);
        auto.choose(0);
        auto.memsetDone(0, 32_000);
        auto.choose(0);
        auto.memsetDone(0, 95_000);
        assertEquals(MEMSET, auto.choose(0), "the cheapest trial, 32 µs, beats the 70 µs scan");
    }

    @Test
    void aTrialThatLosesGivesEverythingBackOnceThenScansAndHoldsOff() {
        AutoChoice auto = warmed();
        auto.scanned(0, 0.25, 5_800, 3_700);
        auto.scanned(0, 0.25, 5_900, 3_700);
        assertEquals(MEMSET, auto.choose(0));
        auto.memsetDone(0, 20_000);
        for (int i = 0; i < AutoChoice.TRIAL_RESETS - 1; i++) {
            assertEquals(MEMSET, auto.choose(0), "no probe during a trial");
            auto.memsetDone(0, 6_200);
        }
        assertEquals(ResetStrategy.MADVISE_ALL, auto.choose(0), "undo: the window was left resident");
        assertEquals(SCAN, auto.choose(0));
        auto.scanned(0, 0.25, 5_800, 3_700);
        assertEquals(SCAN, auto.choose(0), "no new trial for a while");
    }

    @Test
    void aSlotsFirstScanAloneStartsNoTrial() {
        AutoChoice auto = warmed();
        auto.scanned(0, 0.5, 70_000, 30_000);
        assertEquals(SCAN, auto.choose(0));
    }

    @Test
    void oneSlowScanDoesNotStartATrial() {
        AutoChoice auto = warmed();
        auto.scanned(0, 0.5, 5_000, 30_000);
        auto.scanned(0, 0.5, 900_000, 30_000);
        auto.scanned(0, 0.5, 800_000, 30_000);
        assertEquals(SCAN, auto.choose(0), "the cheapest of the last scans is 5 µs");
    }

    @Test
    void aNewTenantStartsOver() {
        AutoChoice auto = new AutoChoice(1);
        auto.scanned(0, 0.9, 1000, Double.NaN);
        auto.forget(0);
        assertEquals(SCAN, auto.choose(0));
    }

    @Test
    void aTrialNeedsAFairShareDirtyAndAClearEstimatedWin() {
        assertTrue(AutoChoice.worthATrial(0.5, 70_000, 33_000));
        assertFalse(AutoChoice.worthATrial(0.5, 36_000, 33_000), "not under 0.9x");
        assertFalse(AutoChoice.worthATrial(0.5, 70_000, Double.NaN), "no estimate");
        assertFalse(AutoChoice.worthATrial(0.2, 1_000_000, 1_000), "below a quarter dirty costs are not weighed");
    }

    @Test
    void theEstimateOfAWindowsMemsetLeavesOneCallsOverheadOutOfTheRate() {
        double call = AutoChoice.CALL_NANOS;
        assertEquals(call + 1024 * 30.0, AutoChoice.memsetEstimate(1024, (long) (call + 30), 1), 1e-9);
        assertEquals(call + 100 * 20.0, AutoChoice.memsetEstimate(100, (long) (call + 640), 32), 1e-9);
        assertEquals(call, AutoChoice.memsetEstimate(100, 10, 1), 1e-9, "a region faster than a call: rate 0");
    }

    /** An AutoChoice of two slots past the scans a tracked trial waits for; slot 0 fresh. */
    private static AutoChoice pastTrackingWarmup() {
        AutoChoice auto = new AutoChoice(2);
        for (long i = 0; i < AutoChoice.TRACK_AFTER_SCANS; i++) {
            auto.scanned(1, 0.0, 1000, Double.NaN, 0, true);
        }
        return auto;
    }

    @Test
    void pagesPilingUpStartATrackedTrialThatWinsAndStays() {
        AutoChoice auto = pastTrackingWarmup();
        auto.scanned(0, 1 / 1024.0, 25_000, Double.NaN, 1, true); // the first scan: what a tenant writes
        auto.scanned(0, 10 / 1024.0, 20_000, Double.NaN, 10, true);
        assertEquals(SCAN, auto.choose(0), "10 pages found: not piled up enough");
        assertFalse(auto.wouldTrack(0, 17 / 1024.0, 17), "2 x 1 + 16 = 18 pages");
        assertTrue(auto.wouldTrack(0, 18 / 1024.0, 18));
        auto.scanned(0, 18 / 1024.0, 30_000, Double.NaN, 18, false);
        assertEquals(SCAN, auto.choose(0), "tracking does not work here");
        auto.scanned(0, 300 / 1024.0, 60_000, Double.NaN, 300, true);
        assertEquals(TRACKED, auto.choose(0), "a tracked trial");
        auto.trackedDone(0, 50_000, 1, 1024);
        for (int i = 0; i < AutoChoice.TRIAL_RESETS - 1; i++) {
            assertEquals(TRACKED, auto.choose(0));
            auto.trackedDone(0, 9_000, 1, 1024);
        }
        assertEquals(TRACKED, auto.choose(0), "9 µs beats the 20 µs scan");
        auto.trackedDone(0, 9_000, 800, 1024);
        assertEquals(MEMSET, auto.choose(0), "the tenants write most of the window now");
    }

    @Test
    void aTrackedTrialThatLosesRevertsAndHoldsOff() {
        AutoChoice auto = pastTrackingWarmup();
        auto.scanned(0, 0.01, 3_000, Double.NaN, 10, true);
        auto.scanned(0, 0.05, 5_000, Double.NaN, 50, true);
        assertEquals(TRACKED, auto.choose(0));
        for (int i = 0; i < AutoChoice.TRIAL_RESETS; i++) {
            auto.trackedDone(0, 40_000, 10, 1024);
        }
        assertEquals(ResetStrategy.MADVISE_ALL, auto.choose(0), "what tracking kept resident goes");
        assertEquals(SCAN, auto.choose(0));
        auto.scanned(0, 0.01, 3_000, Double.NaN, 10, true);
        auto.scanned(0, 0.10, 9_000, Double.NaN, 100, true);
        assertEquals(SCAN, auto.choose(0), "held off");
    }

    @Test
    void aHotSetWrittenEveryTimeNeverTriesTracking() {
        AutoChoice auto = pastTrackingWarmup();
        for (int i = 0; i < 1000; i++) {
            auto.scanned(0, 32 / 1024.0, 4_000, Double.NaN, 32, true);
            assertEquals(SCAN, auto.choose(0));
        }
    }

    @Test
    void aSlotThatCannotTrackAnyMoreScansAfterEmptyingItsWindow() {
        AutoChoice auto = pastTrackingWarmup();
        auto.scanned(0, 0.01, 3_000, Double.NaN, 10, true);
        auto.scanned(0, 0.05, 5_000, Double.NaN, 50, true);
        assertEquals(TRACKED, auto.choose(0));
        auto.untrackable(0);
        assertEquals(ResetStrategy.MADVISE_ALL, auto.choose(0));
        assertEquals(SCAN, auto.choose(0));
    }
}
