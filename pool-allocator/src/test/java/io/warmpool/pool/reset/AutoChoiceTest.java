package io.warmpool.pool.reset;

import io.warmpool.pagemap.PageCosts;
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
    private static final ResetStrategy SHED = ResetStrategy.MADVISE_ALL;
    /** A made-up page fault: 2 µs. */
    private static final double FAULT = 2_000;
    /** Made-up page costs: a 2 µs fault, a page zeroed in 0.1 µs. */
    private static final PageCosts COSTS = new PageCosts(FAULT, 100, 300, 1, 1);

    /** An AutoChoice of two slots past the JIT's warmup: slot 1 has scanned enough for costs to count. */
    private static AutoChoice warmed() {
        AutoChoice auto = new AutoChoice(2, () -> COSTS);
        for (long i = 0; i < AutoChoice.COSTS_AFTER_SCANS; i++) {
            auto.scanned(1, 0.0, 1000, Double.NaN);
        }
        return auto;
    }

    @Test
    void aWindowMostlyDirtyIsZeroedOutrightAndProbedEvery32ndReset() {
        AutoChoice auto = new AutoChoice(1, () -> COSTS);
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
        AutoChoice auto = new AutoChoice(1, () -> COSTS);
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
        AutoChoice auto = new AutoChoice(1, () -> COSTS);
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
        auto.memsetDone(0, 60_000);
        auto.choose(0);
        auto.memsetDone(0, 32_000);
        auto.choose(0);
        auto.memsetDone(0, 950_000);
        assertEquals(MEMSET, auto.choose(0), "the median trial, 60 µs, beats the 71 µs scan (one preempted memset does not decide)");
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
        auto.scanned(0, 0.5, 5_000, 30_000);
        auto.scanned(0, 0.5, 900_000, 30_000);
        assertEquals(SCAN, auto.choose(0), "the median of the last scans is 5 µs");
        auto.scanned(0, 0.5, 6_000, 30_000);
        assertEquals(SCAN, auto.choose(0), "still 5.5 µs");
    }

    @Test
    void aNewTenantStartsOver() {
        AutoChoice auto = new AutoChoice(1, () -> COSTS);
        auto.scanned(0, 0.9, 1000, Double.NaN);
        auto.forget(0);
        assertEquals(SCAN, auto.choose(0));
    }

    @Test
    void aTrialNeedsAClearEstimatedWinOverTheScanCycle() {
        assertTrue(AutoChoice.worthATrial(70_000, 33_000));
        assertFalse(AutoChoice.worthATrial(33_000, 33_000), "not cheaper");
        assertFalse(AutoChoice.worthATrial(70_000, Double.NaN), "no estimate");
    }

    @Test
    void theEstimateOfAWindowsMemsetIsOneCallAndTheMeasuredZeroingOfEveryPage() {
        assertEquals(AutoChoice.CALL_NANOS + 1024 * 30.0, AutoChoice.memsetEstimate(1024, 30.0), 1e-9);
        assertEquals(AutoChoice.CALL_NANOS + 256 * 100.0, new AutoChoice(1, () -> COSTS).memsetEstimate(256), 1e-9);
    }

    /** An AutoChoice of two slots past the scans a tracked trial waits for; slot 0 fresh. */
    private static AutoChoice pastTrackingWarmup() {
        AutoChoice auto = new AutoChoice(2, () -> COSTS);
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
        assertEquals(TRACKED, auto.choose(0), "9 µs beats the 27.5 µs scan");
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

    @Test
    void theFaultsOfPagesTheLastResetDidNotKeepCountInTheScanCycle() {
        AutoChoice auto = warmed();
        auto.resetDone(0, 0); // a slot whose last reset kept nothing (pagemap-guided found nothing dirty)
        auto.scanned(0, 0.1, 26, 26, 4_000, 20_000, false); // 26 faults: 4 + 52 = 56 µs
        auto.resetDone(0, 26);
        auto.scanned(0, 0.1, 40, 40, 4_000, 20_000, false); // 14 new pages: 4 + 28 = 32 µs
        assertEquals(MEMSET, auto.choose(0), "a 20 µs memset is worth a trial against a 32 µs scan cycle,"
                + " though the scan's reset alone costs 4 µs");
    }

    @Test
    void aHotSetKeptResidentCostsNoFaultsAndNoTrial() {
        AutoChoice auto = warmed();
        for (int i = 0; i < 100; i++) {
            auto.scanned(0, 0.1, 26, 26, 4_000, 20_000, false);
            auto.resetDone(0, 26);
            assertEquals(SCAN, auto.choose(0), "reset " + i);
        }
    }

    @Test
    void aMemsetTrialPaysTheFaultsOfThePagesItGivesBackBeyondTheWindow() {
        AutoChoice auto = warmed();
        auto.scanned(0, 0.3, 80, 1080, 900_000, 20_000, false); // 1000 dirty pages beyond the window
        auto.resetDone(0, 256);
        auto.scanned(0, 0.3, 80, 1080, 2_500_000, 20_000, false); // 824 faults: 2.5 + 1.65 ms
        assertEquals(MEMSET, auto.choose(0), "estimated 20 µs against a 4.1 ms cycle: a trial");
        for (int i = 0; i < AutoChoice.TRIAL_RESETS; i++) {
            auto.memsetDone(0, 20_000); // + 1000 faults (2 ms) each: 2.02 ms
            auto.choose(0);
        }
        assertEquals(MEMSET, auto.choose(0), "2.02 ms beats 4.1 ms");
    }

    @Test
    void pagesPilingUpAreShedOnceTheyCostWhatRefaultingTheTenantsPagesWould() {
        AutoChoice auto = warmed();
        auto.scanned(0, 1 / 1024.0, 1, 1, 4_000, Double.NaN, false); // after a fresh start: the tenant writes one page
        for (int found = 2; found <= 3; found++) {
            auto.resetDone(0, found - 1);
            auto.scanned(0, found / 1024.0, found, found, 4_000 + 600 * (found - 1), Double.NaN, false);
            assertEquals(SCAN, auto.choose(0), found + " pages: 600, then 1,800 ns wasted, under one 2 µs fault");
        }
        auto.resetDone(0, 3);
        auto.scanned(0, 4 / 1024.0, 4, 4, 5_800, Double.NaN, false); // waste 3.6 µs
        assertEquals(SHED, auto.choose(0), "what piled up goes");
        assertEquals(SCAN, auto.choose(0));
    }

    @Test
    void aHotSetIsNeverShedHoweverNoisyItsScans() {
        AutoChoice auto = warmed();
        for (int i = 0; i < 1000; i++) {
            auto.scanned(0, 16 / 256.0, 16, 16, i % 7 == 0 ? 90_000 : 4_000, Double.NaN, false);
            auto.resetDone(0, 16);
            assertEquals(SCAN, auto.choose(0), "reset " + i);
        }
    }

    @Test
    void aProbeThatSendsTheSlotBackToScanningDoublesTheWaitForTheNextOne() {
        AutoChoice auto = new AutoChoice(1, () -> COSTS);
        auto.scanned(0, 0.9, 1000, Double.NaN);
        int wait = AutoChoice.PROBE_EVERY;
        for (int round = 0; round < 3; round++) {
            for (int i = 1; i < wait; i++) {
                assertEquals(MEMSET, auto.choose(0));
                assertEquals(-1, auto.sampleToShed(0), "round " + round + ", reset " + i);
            }
            assertEquals(MEMSET, auto.choose(0));
            assertTrue(auto.sampleToShed(0) >= 0, "the probe after " + wait);
            assertEquals(SCAN, auto.choose(0));
            auto.scanned(0, 0.1, 1000, Double.NaN); // the sample was little written
            assertEquals(SHED, auto.choose(0));
            auto.scanned(0, 0.9, 1000, Double.NaN); // the pages piled up again
            wait *= 2;
        }
    }

    @Test
    void theMedianOfOneToFourCostsIsTheMiddleOrTheMeanOfTheTwoMiddleOnes() {
        double[] v = {9, 1, 5, 3, 100};
        assertEquals(1, AutoChoice.median(v, 1, 1));
        assertEquals(3, AutoChoice.median(v, 1, 2));
        assertEquals(3, AutoChoice.median(v, 1, 3));
        assertEquals(4, AutoChoice.median(v, 1, 4));
        assertEquals(5, AutoChoice.median(v, 0, 3));
        assertEquals(5, AutoChoice.median(v, 0, 2));
        assertEquals(7, AutoChoice.median(new double[] {9, 5, 1, 100}, 0, 4), "the new one above both middles");
        assertEquals(2, AutoChoice.median(new double[] {9, 3, 1, 0}, 0, 4), "the new one below both middles");
    }

    @Test
    void theFaultsAfterAutosOwnMadviseAllDoNotStartATrial() {
        AutoChoice auto = warmed();
        auto.scanned(0, 16 / 256.0, 16, 16, 5_000, 28_000, false);
        auto.resetDone(0, 16);
        auto.scanned(0, 16 / 256.0, 16, 16, 5_000, 28_000, false);
        auto.resetDone(0, -1); // a revert or a shed gave everything back
        auto.scanned(0, 16 / 256.0, 16, 16, 5_000, 28_000, false); // 16 faults, but its own
        auto.resetDone(0, 16);
        auto.scanned(0, 16 / 256.0, 16, 16, 5_000, 28_000, false);
        assertEquals(SCAN, auto.choose(0), "a hot set scanned in 5 µs: no memset trial");
    }

    @Test
    void aTrackedSlotTriesMemsetWhenZeroingTheWholeWindowIsEstimatedCheaper() {
        AutoChoice auto = pastTrackingWarmup();
        auto.scanned(0, 0.01, 60_000, Double.NaN, 10, true);
        auto.scanned(0, 0.20, 60_000, Double.NaN, 50, true);
        assertEquals(TRACKED, auto.choose(0));
        for (int i = 0; i < AutoChoice.TRIAL_RESETS; i++) {
            auto.trackedDone(0, 40_000, 40, 256);
        }
        for (int i = 0; i < AutoChoice.SCANS_KEPT - 1; i++) {
            assertEquals(TRACKED, auto.choose(0), "40 µs beat the 60 µs scan cycle; " + i + " tracked resets weighed");
            auto.trackedDone(0, 40_000, 40, 256);
        }
        auto.trackedDone(0, 40_000, 40, 256);
        assertEquals(MEMSET, auto.choose(0), "a 256-page window zeroes in an estimated 25.7 µs, under 40");
    }

    @Test
    void whereBothTrialsWouldStartTheMemsetTrialGoesFirst() {
        AutoChoice auto = pastTrackingWarmup();
        auto.scanned(0, 0.01, 60_000, 20_000, 10, true);
        auto.scanned(0, 0.20, 60_000, 20_000, 50, true); // piled up, and a 20 µs memset against 60
        assertEquals(MEMSET, auto.choose(0));
        assertFalse(auto.tracking(0));
    }
}
