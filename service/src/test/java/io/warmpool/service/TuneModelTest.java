package io.warmpool.service;

import io.warmpool.pool.config.ResetStrategy;
import io.warmpool.pool.profile.ProfileSnapshot;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The tune model's arithmetic on a made-up profile and made-up costs. */
class TuneModelTest {
    private static final long PAGE = 4096;
    private static final long SLOT_PAGES = 1024;
    private static final long[] BOUNDS = {0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024};
    private static final HostCosts COSTS = new HostCosts(1000, 10, 100, 512, 9, 2000);
    private static final ScanCost SCAN = new ScanCost(SLOT_PAGES * PAGE, 5000, 40, 1500);
    private static final double OVERHEAD = 300;

    /**
     * 10 resets that each found pages 1..32 dirty; instances in use at acquire: 0 (8 times) and 3
     * (twice); one stripe, taken with a bound of 4 warm slots at which every acquire found its key.
     */
    private static ProfileSnapshot profile(long scanned) {
        return profile(scanned, 1, 4, new ProfileSnapshot.Histogram(new long[] {0, 1, 2, 3, 4}, new long[] {8, 0, 0, 2, 0, 0}, 6),
                1000);
    }

    /**
     * As {@link #profile(long)}, with an allocator of {@code stripes} stripes, bound {@code warm},
     * {@code inUse}, and {@code affinity} of 1000 acquires that found their key.
     */
    private static ProfileSnapshot profile(long scanned, int stripes, int warm, ProfileSnapshot.Histogram inUse,
                                           long affinity) {
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
                new ProfileSnapshot.Histogram(BOUNDS, offsets, scanned * 32 * 33 / 2), stripes, warm, 1000, 0, affinity);
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
    void anAcquireGoesColdWhenItMissesItsKeyWhileAnotherInstanceHoldsAWarmSlot() {
        TuneModel m = model();
        assertEquals(4, TuneModel.keysPerStripe(profile(10).kind(io.warmpool.pool.config.SlotKind.MEMORY)), 1e-9,
                "every acquire hit at 4 warm slots: as many as 4 keys");
        assertEquals(1, m.coldShare(0));
        assertEquals(0.2 * 3 / 4, m.coldShare(1), 1e-9, "one slot for 4 keys misses 3 in 4; cold while 3 are out (2 in 10)");
        assertEquals(0.2 * 1 / 4, m.coldShare(3), 1e-9);
        assertEquals(0, m.coldShare(4), 1e-9);
        ProfileSnapshot unknown = profile(10, 1, -1, profile(10).inUseAtAcquire(), 0);
        assertEquals(0.2, model(unknown).coldShare(64), 1e-9, "without the bound the profile was taken at, no key is assumed to hit");
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
        assertEquals(0.15 * (1000 * 32 + 2000), coldSome.faultNanos(), 1e-6, "a cold tenant faults every page in and opens the slot");
        assertEquals(p.resetNanos() + 0.15 * (100 * 64 + 1500 + 2000), coldSome.resetNanos(), 1e-6,
                "and its release evicts a warm slot: its 64 resident pages, the walk, the mprotect that closes it");
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
        TuneModel.Prediction best = TuneModel.recommend(sweep, 1L << 30, Optional.empty()).orElseThrow();
        assertEquals(4, best.warmSlots(), "four warm slots avoid every cold acquire");
        assertEquals(32 * PAGE, best.keepResidentBytes(), "memset of the 32-page window is cheapest here");
        assertEquals(ResetStrategy.MEMSET_KEEP_RESIDENT, best.strategy());
        TuneModel.Prediction tight = TuneModel.recommend(sweep, 16 * PAGE, Optional.empty()).orElseThrow();
        assertTrue(tight.idleBoundBytes() <= 16 * PAGE, tight.toString());
        assertTrue(TuneModel.recommend(sweep, -1, Optional.empty()).isEmpty());
    }

    @Test
    void theSweepsCoverThePowersOfTwoAndTheProfilesOwnSetting() {
        assertEquals(List.of(0L, 4096L, 8192L, 12288L, 16384L), TuneModel.keepResidentSweep(PAGE, 16384, 12288));
        assertEquals(List.of(0, 1, 2, 4, 8), TuneModel.warmSlotSweep(profile(10).inUseAtAcquire(), 1, -1));
        assertEquals(List.of(0, 1, 2, 4, 8, 16, 32), TuneModel.warmSlotSweep(profile(10).inUseAtAcquire(), 4, -1),
                "the bound is split over the stripes: the sweep reaches the in-use counts in each");
        assertEquals(List.of(0, 1, 2, 4, 8, 24), TuneModel.warmSlotSweep(profile(10).inUseAtAcquire(), 1, 24),
                "the current bound is always priced");
    }

    @Test
    void aProfileWithoutScannedResetsCannotBeTuned() {
        ProfileSnapshot p = profile(0);
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> new TuneModel(p, p.kind(io.warmpool.pool.config.SlotKind.MEMORY), COSTS, SCAN, OVERHEAD)).getMessage()
                .contains("no scanned resets"));
    }

    /**
     * What serve's default workload looks like: one other instance out at nearly every acquire, 4
     * stripes, bound {@code currentWarm} at which {@code affinity} of 1000 acquires found their key.
     */
    private static ProfileSnapshot serveLike(int currentWarm, long affinity) {
        return profile(10, 4, currentWarm, new ProfileSnapshot.Histogram(new long[] {0, 1, 2, 3, 4},
                new long[] {2, 98, 0, 0, 0, 0}, 98), affinity);
    }

    private static TuneModel model(ProfileSnapshot p) {
        return new TuneModel(p, p.kind(io.warmpool.pool.config.SlotKind.MEMORY), COSTS, SCAN, OVERHEAD);
    }

    @Test
    void aStripeWhoseShareOfTheBoundIsZeroGivesEveryAcquireACold() {
        TuneModel m = model(serveLike(32, 990));
        // 99% hits at 8 warm slots a stripe: as many as 8 keys a stripe. W = 2 on 4 stripes: bounds
        // 1 1 0 0. Half the keys go cold always; the other half when they miss (7 in 8) while the
        // one instance out (98% of acquires) sits in the same stripe (1 in 4)
        double oneOut = (2 * 7 / 8.0 * 0.25 + 1 + 1) / 4;
        double noneOut = (0 + 0 + 1 + 1) / 4.0;
        assertEquals(0.98 * oneOut + 0.02 * noneOut, m.coldShare(2), 1e-9);
        assertEquals(0.98 * 7 / 8.0 * 0.25, m.coldShare(4), 1e-9, "one warm slot a stripe: cold when it misses and the other instance is there");
        assertEquals(0.98 * 6 / 8.0 * 0.25, m.coldShare(8), 1e-9);
        assertEquals(0, m.coldShare(32), 1e-9);
        assertEquals(1, m.coldShare(0));
    }

    @Test
    void theDefaultServesTwoWarmSlotsAreNeverRecommended() {
        TuneModel m = model(serveLike(32, 990));
        List<TuneModel.Prediction> sweep = m.sweep(TuneModel.keepResidentSweep(PAGE, SLOT_PAGES * PAGE, 64 * PAGE),
                TuneModel.warmSlotSweep(serveLike(32, 990).inUseAtAcquire(), 4, 32));
        TuneModel.Prediction current = m.current().orElseThrow();
        TuneModel.Prediction best = TuneModel.recommend(sweep, 1L << 30, m.current()).orElseThrow();
        assertEquals(32, best.warmSlots(), "fewer warm slots than keys go cold: " + best);
        assertTrue(best.coldShare() <= current.coldShare() + TuneModel.COLD_SLACK, best + " against " + current);
        assertTrue(best.totalNanos() <= current.totalNanos(), best + " against " + current);
        assertTrue(m.predict(64 * PAGE, 2).totalNanos() > 3 * current.totalNanos(),
                "two warm slots cost the faults of the cold half");
    }

    @Test
    void theCurrentSettingStaysUnlessAnotherIsClearlyCheaperAndNoMoreOftenCold() {
        TuneModel m = model(serveLike(32, 990));
        TuneModel.Prediction current = m.current().orElseThrow();
        TuneModel.Prediction slightlyCheaper = new TuneModel.Prediction(PAGE, 8, ResetStrategy.PAGEMAP_GUIDED,
                current.totalNanos() * 0.97, 0, 0, 8 * PAGE, 0);
        assertEquals(current, TuneModel.recommend(List.of(slightlyCheaper, current), 1L << 30, m.current()).orElseThrow(),
                "3% cheaper is within the model's error");
        TuneModel.Prediction cheaperButColder = new TuneModel.Prediction(PAGE, 8, ResetStrategy.PAGEMAP_GUIDED,
                current.totalNanos() * 0.5, 0, 0, 8 * PAGE, current.coldShare() + 0.1);
        assertEquals(current, TuneModel.recommend(List.of(cheaperButColder, current), 1L << 30, m.current()).orElseThrow());
        TuneModel.Prediction better = new TuneModel.Prediction(PAGE, 8, ResetStrategy.PAGEMAP_GUIDED,
                current.totalNanos() * 0.5, 0, 0, 8 * PAGE, current.coldShare());
        assertEquals(better, TuneModel.recommend(List.of(better, current), 1L << 30, m.current()).orElseThrow());
        assertEquals(better, TuneModel.recommend(List.of(better, current), 8 * PAGE, m.current()).orElseThrow(),
                "a current setting over the budget is no fallback");
    }

    @Test
    void fromTwoWarmSlotsTheRecommendationGoesColdLessOften() {
        ProfileSnapshot p = serveLike(2, 125);
        TuneModel m = model(p);
        List<TuneModel.Prediction> sweep = m.sweep(TuneModel.keepResidentSweep(PAGE, SLOT_PAGES * PAGE, 64 * PAGE),
                TuneModel.warmSlotSweep(p.inUseAtAcquire(), 4, 2));
        TuneModel.Prediction best = TuneModel.recommend(sweep, 1L << 30, m.current()).orElseThrow();
        assertEquals(4, TuneModel.keysPerStripe(p.kind(io.warmpool.pool.config.SlotKind.MEMORY)), 1e-6,
                "half the stripes had one slot and hit 1 in 8: 4 keys a stripe");
        assertTrue(best.coldShare() < 0.01, best.toString());
        assertTrue(best.warmSlots() >= 16, best.toString());
    }

    @Test
    void binomialTailsAreExactForSmallCountsAndAHalfAtTheMeanForLargeOnes() {
        assertEquals(638.0 / 1024, Binomial.atLeast(10, 0.5, 5), 1e-12);
        assertEquals(0.25, Binomial.atLeast(1, 0.25, 1), 1e-12);
        assertEquals(1 - Math.pow(0.75, 3), Binomial.atLeast(3, 0.25, 1), 1e-12);
        assertEquals(1, Binomial.atLeast(3, 0.25, 0));
        assertEquals(0, Binomial.atLeast(3, 0.25, 4));
        double atMean = Binomial.atLeast(4000, 0.25, 1000);
        assertTrue(atMean > 0.5 && atMean < 0.52, Double.toString(atMean));
        assertEquals(0, Binomial.atLeast(4000, 0.25, 2000), 1e-12);
        assertEquals(1, Binomial.atLeast(4000, 0.25, 500), 1e-12);
    }
}
