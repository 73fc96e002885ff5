package io.warmpool.service;

import io.warmpool.pool.config.ResetStrategy;
import io.warmpool.pool.profile.ProfileSnapshot;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The tune model's arithmetic on a made-up profile and made-up costs. */
class TuneModelTest {
    private static final long PAGE = 4096;
    private static final long SLOT_PAGES = 1024;
    private static final long[] BOUNDS = {0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024};
    private static final HostCosts COSTS = new HostCosts(1000, 10, 100, 512, 9);
    private static final ScanCost SCAN = new ScanCost(SLOT_PAGES * PAGE, 5000, 40, 1500);
    private static final double OVERHEAD = 300;

    /** 10 resets that each found pages 1..32 dirty; instances in use at acquire: 0 (8 times) and 3 (twice). */
    private static ProfileSnapshot profile(long scanned) {
        long[] dirty = new long[BOUNDS.length + 1];
        dirty[6] = scanned;
        long[] offsets = new long[BOUNDS.length + 1];
        offsets[1] = scanned;
        offsets[2] = scanned;
        offsets[3] = 2 * scanned;
        offsets[4] = 4 * scanned;
        offsets[5] = 8 * scanned;
        offsets[6] = 16 * scanned;
        ProfileSnapshot.KindProfile memory = new ProfileSnapshot.KindProfile(SLOT_PAGES * PAGE, 64 * PAGE, scanned, 0, 0,
                scanned, scanned * SLOT_PAGES * PAGE, new ProfileSnapshot.Histogram(BOUNDS, dirty, 32 * scanned),
                new ProfileSnapshot.Histogram(BOUNDS, offsets, scanned * 32 * 33 / 2));
        ProfileSnapshot.Histogram inUse = new ProfileSnapshot.Histogram(new long[] {0, 1, 2, 3, 4},
                new long[] {8, 0, 0, 2, 0, 0}, 6);
        return new ProfileSnapshot(PAGE, inUse, Map.of(io.warmpool.pool.config.SlotKind.MEMORY, memory));
    }

    private static TuneModel model() {
        ProfileSnapshot p = profile(10);
        return new TuneModel(p, p.kind(io.warmpool.pool.config.SlotKind.MEMORY), COSTS, SCAN, OVERHEAD);
    }

    @Test
    void aBudgetThatHoldsEveryDirtyPageCostsAScanAndTheirZeroing() {
        double[] g = model().guided(64);
        assertEquals(OVERHEAD + 5000 + 40 * 32 + 10 * 32, g[0], 1e-6);
        assertEquals(0, g[1], 1e-6);
        assertEquals(32, g[2], 1e-6);
    }

    @Test
    void pagesBeyondTheBudgetAreGivenBackAndFaultedInAgain() {
        double[] g = model().guided(16);
        double walk = 1500.0 * (SLOT_PAGES - 16) / SLOT_PAGES;
        assertEquals(OVERHEAD + 5000 + 40 * 16 + 10 * 16 + 100 * 16 + walk, g[0], 1e-6);
        assertEquals(1000 * 16, g[1], 1e-6);
    }

    @Test
    void memsetZeroesItsWholeWindowAndFaultsOnTheDirtyPagesOutsideIt() {
        double[] whole = model().memset(32);
        assertEquals(OVERHEAD + 10 * 32 + 1500.0 * (SLOT_PAGES - 32) / SLOT_PAGES, whole[0], 1e-6);
        assertEquals(0, whole[1], 1e-6, "pages 1..32 lie in a 32-page window");
        double[] half = model().memset(16);
        assertEquals(1000 * 16, half[1], 1e-6, "pages 17..32 lie outside a 16-page window");
    }

    @Test
    void coldAcquiresAreThoseThatFindAtLeastWInstancesOut() {
        TuneModel m = model();
        assertEquals(1, m.coldShare(0));
        assertEquals(0.2, m.coldShare(1), 1e-9);
        assertEquals(0.2, m.coldShare(3), 1e-9);
        assertEquals(0, m.coldShare(4), 1e-9);
    }

    @Test
    void aPredictionMixesWarmAndColdInstancesAndBoundsIdleMemory() {
        TuneModel m = model();
        TuneModel.Prediction p = m.predict(64 * PAGE, 4);
        assertEquals(ResetStrategy.MEMSET_KEEP_RESIDENT, p.strategy(), "zeroing 64 pages beats the scan's 5 µs here");
        assertEquals(OVERHEAD + 10 * 64 + 1500.0 * (SLOT_PAGES - 64) / SLOT_PAGES, p.resetNanos(), 1e-6);
        assertEquals(4 * 64 * PAGE, p.idleBytes(), 1e-6);
        assertEquals(4 * 64 * PAGE, p.idleBoundBytes());
        TuneModel.Prediction coldSome = m.predict(64 * PAGE, 1);
        assertEquals(0.2 * 1000 * 32, coldSome.faultNanos(), 1e-6);
        TuneModel.Prediction nothingKept = m.predict(0, 4);
        assertEquals(ResetStrategy.MADVISE_ALL, nothingKept.strategy());
        assertEquals(1000 * 32, nothingKept.faultNanos(), 1e-6);
        assertEquals(OVERHEAD + 1500 + 100 * 32, nothingKept.resetNanos(), 1e-6);
    }

    @Test
    void theRecommendationIsTheCheapestThatFitsTheBudgetAndTheSmallestAmongEquals() {
        TuneModel m = model();
        List<TuneModel.Prediction> sweep = m.sweep(List.of(0L, 16 * PAGE, 32 * PAGE, 64 * PAGE, 128 * PAGE),
                List.of(0, 1, 4));
        TuneModel.Prediction best = TuneModel.recommend(sweep, 1L << 30).orElseThrow();
        assertEquals(4, best.warmSlots(), "four warm slots avoid every cold acquire");
        assertEquals(32 * PAGE, best.keepResidentBytes(), "memset of the 32-page window is cheapest here");
        assertEquals(ResetStrategy.MEMSET_KEEP_RESIDENT, best.strategy());
        TuneModel.Prediction tight = TuneModel.recommend(sweep, 16 * PAGE).orElseThrow();
        assertTrue(tight.idleBoundBytes() <= 16 * PAGE, tight.toString());
        assertTrue(TuneModel.recommend(sweep, -1).isEmpty());
    }

    @Test
    void theSweepsCoverThePowersOfTwoAndTheProfilesOwnSetting() {
        assertEquals(List.of(0L, 4096L, 8192L, 12288L, 16384L), TuneModel.keepResidentSweep(PAGE, 16384, 12288));
        assertEquals(List.of(0, 1, 2, 4, 8), TuneModel.warmSlotSweep(profile(10).inUseAtAcquire()));
    }

    @Test
    void aProfileWithoutScannedResetsCannotBeTuned() {
        ProfileSnapshot p = profile(0);
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> new TuneModel(p, p.kind(io.warmpool.pool.config.SlotKind.MEMORY), COSTS, SCAN, OVERHEAD)).getMessage()
                .contains("no scanned resets"));
    }
}
