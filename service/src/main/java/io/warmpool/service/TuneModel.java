package io.warmpool.service;

import io.warmpool.pool.config.ResetStrategy;
import io.warmpool.pool.profile.ProfileSnapshot;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Predicts, from a tenant profile and this host's costs, what each setting of keep-resident bytes
 * (K pages) and warm-slot bound (W) costs per instance and how much idle memory it holds.
 *
 * <pre>
 *  per scanned reset the profile found D dirty pages (a histogram; each bucket stands for its
 *  middle, scaled so that the mean is exact); over all resets, O(K) of the dirty pages lay at or
 *  beyond page K of the slot (the offset histogram)
 *
 *  A = the mean accessible pages; walk(n) = an madvise of n pages with nothing resident there
 *  pagemap-guided, budget K:   kept = min(D, K)          beyond = D - kept
 *    reset  = scan(kept found) + zero * kept + [beyond > 0] walk(A - K) + madvise * beyond
 *    faults = fault * beyond                     (the next tenant touches what was given back)
 *    idle   = kept pages per warm slot
 *  memset-keep-resident, window K:   out = O(K) per reset
 *    reset  = zero * K + walk(A - K) + madvise * out      faults = fault * out     idle = K pages
 *  madvise-all (K = 0):  reset = walk(A) + madvise * D    faults = fault * D       idle = 0
 *  a warm instance costs the cheaper of the first two (what auto aims at); every reset also pays
 *  the pool's fixed overhead (ResetOverhead: bookkeeping and native-call costs, measured)
 *
 *  warm-slot bound W, split over the allocator's S stripes (stripe s holds w_s = W/S, the first W%S
 *  one more); a key's acquire looks in its home stripe (its hash: each stripe 1/S of the keys):
 *    1. a warm slot of its key   2. a cold slot while the stripe's unused warm slots are under w_s
 *    3. the least recent warm slot   4. a cold slot
 *  releases evict down to w_s, so the stripe's warm slots are short of w_s exactly while another
 *  instance holds one of them. An acquire therefore goes cold when
 *    w_s = 0 (W = 2 on 4 stripes: half the keys go cold every time), or
 *    it misses its key (step 1) and one of the c instances out sits in its stripe, c_s >= 1,
 *    c_s ~ Binomial(c, 1/S), c from the in-use histogram
 *  the miss rate needs the keys: with k keys a stripe, a stripe of w_s warm slots hits about
 *  min(1, w_s / k) of the time; k is solved from the affinity share the profile saw at its own
 *  bound W0 (when every acquire hit, k is taken as large as that allows: W0's w_s, the worst case
 *  the observation leaves open); a profile without W0 is priced as if no acquire ever hit
 *    P(cold) = mean over acquires and stripes of [w_s = 0] + [w_s > 0] miss(w_s) P(c_s >= 1)
 *  a cold acquire costs: an mprotect to open the slot, a fault on each of its D dirty pages (none
 *  was kept), and later the eviction its release causes (the stripe has one warm slot too many):
 *  madvise of the evicted slot's kept pages, the walk of its accessible range, an mprotect to close it
 *  per instance = warm + P(cold) * (cold - warm);   idle RSS = W * idle, at most W * K
 *
 *  recommend: the cheapest setting whose idle bound fits the budget; but the current setting
 *  (the profile's K and W) stays unless another beats it by MARGIN and goes cold no more often
 * </pre>
 *
 * Scans stop at the budget in force when the profile was taken: past it the profile saw nothing,
 * so predictions for a larger K assume no more dirty pages than were found, and say so.
 */
final class TuneModel {
    private final ProfileSnapshot.KindProfile kind;
    private final ProfileSnapshot.Histogram inUse;
    private final long pageSize;
    private final HostCosts costs;
    private final ScanCost scan;
    private final double accessibleBytes;
    private final double overheadNanos;
    private final int stripes;
    private final double keysPerStripe;

    /** How much cheaper than the current setting another must be predicted to be before it is recommended. */
    static final double MARGIN = 0.05;
    /** How much more often than the current setting another may go cold (a share of acquires) and still be recommended. */
    static final double COLD_SLACK = 0.01;

    /**
     * One setting and what it is predicted to cost.
     *
     * @param keepResidentBytes the keep-resident bytes per slot
     * @param warmSlots         the bound on unused warm slots
     * @param strategy          the cheaper strategy at this keep-resident size
     * @param resetNanos        the reset, per instance
     * @param faultNanos        the page faults the tenant takes because of the setting, per instance
     * @param idleBytes         the expected idle RSS of the warm slots
     * @param idleBoundBytes    the most idle RSS the pool allows the warm slots: W * K
     * @param coldShare         the share of acquires predicted to find no warm slot
     */
    record Prediction(long keepResidentBytes, int warmSlots, ResetStrategy strategy, double resetNanos,
                      double faultNanos, double idleBytes, long idleBoundBytes, double coldShare) {
        /** Reset and faults. */
        double totalNanos() {
            return resetNanos + faultNanos;
        }
    }

    TuneModel(ProfileSnapshot profile, ProfileSnapshot.KindProfile kind, HostCosts costs, ScanCost scan,
              double overheadNanos) {
        if (kind.scannedResets() == 0) {
            throw new IllegalArgumentException("the profile has no scanned resets of this kind (" + kind.unscannedResets()
                    + " resets did not scan): record it with pagemap-guided or auto resets");
        }
        this.kind = kind;
        this.inUse = profile.inUseAtAcquire();
        this.pageSize = profile.pageSize();
        this.costs = costs;
        this.scan = scan;
        this.accessibleBytes = kind.meanAccessibleBytes();
        this.overheadNanos = overheadNanos;
        this.stripes = kind.stripes();
        this.keysPerStripe = keysPerStripe(kind);
    }

    /**
     * The keys a stripe serves, from the affinity share seen at the profile's own bound (see the
     * drawing); infinite (no acquire ever finds its key) when the profile does not say.
     */
    static double keysPerStripe(ProfileSnapshot.KindProfile kind) {
        int bound = kind.maxUnusedWarmSlots();
        double hit = kind.affinityShare();
        if (bound <= 0 || hit <= 0) {
            return Double.POSITIVE_INFINITY;
        }
        int stripes = kind.stripes();
        int most = bound / stripes + (bound % stripes > 0 ? 1 : 0);
        if (hit >= 0.99 || hitShare(bound, stripes, most) <= hit) {
            return most;
        }
        double low = most;
        double high = 1e9;
        for (int i = 0; i < 100; i++) { // hitShare falls as k grows
            double mid = Math.sqrt(low * high);
            if (hitShare(bound, stripes, mid) > hit) {
                low = mid;
            } else {
                high = mid;
            }
        }
        return low;
    }

    /** The share of acquires that find a warm slot of their key with bound {@code w} and {@code keys} a stripe. */
    private static double hitShare(int w, int stripes, double keys) {
        double sum = 0;
        for (int s = 0; s < stripes; s++) {
            sum += Math.min(1, (w / stripes + (s < w % stripes ? 1 : 0)) / keys);
        }
        return sum / stripes;
    }

    /** An madvise walk of what lies beyond the first {@code keepPages} of the accessible bytes. */
    private double walkBeyond(long keepPages) {
        return scan.emptyDecommitNanos(Math.max(0, accessibleBytes - keepPages * pageSize));
    }

    /** What one warm instance costs with each strategy at {@code keepPages}: {reset, faults, idle pages}. */
    double[] guided(long keepPages) {
        ProfileSnapshot.Histogram d = kind.dirtyPages();
        double n = d.count();
        double reset = overheadNanos;
        double faults = 0;
        double idle = 0;
        for (int i = 0; i < d.counts().length; i++) {
            if (d.counts()[i] == 0) {
                continue;
            }
            double share = d.counts()[i] / n;
            double dirty = d.representative(i);
            double kept = Math.min(dirty, keepPages);
            double beyond = dirty - kept;
            reset += share * (scan.nanos(kept) + costs.zeroNanos() * kept + costs.decommitNanos() * beyond
                    + (beyond > 0 ? walkBeyond(keepPages) : 0));
            faults += share * costs.faultNanos() * beyond;
            idle += share * kept;
        }
        return new double[] {reset, faults, idle};
    }

    /** {reset, faults, idle pages} of memset-keep-resident with a window of {@code keepPages}. */
    double[] memset(long keepPages) {
        ProfileSnapshot.Histogram offsets = kind.dirtyOffsetPages();
        double out = (offsets.count() - offsets.countAtMost(keepPages)) / kind.scannedResets();
        return new double[] {overheadNanos + costs.zeroNanos() * keepPages + walkBeyond(keepPages) + costs.decommitNanos() * out,
                costs.faultNanos() * out, keepPages};
    }

    /** {reset, faults, idle pages} of madvise-all, what every strategy does with nothing to keep. */
    private double[] madviseAll(double meanDirty) {
        return new double[] {overheadNanos + walkBeyond(0) + costs.decommitNanos() * meanDirty,
                costs.faultNanos() * meanDirty, 0};
    }

    /**
     * The share of acquires that would find no warm slot with a bound of {@code warmSlots}: over the
     * in-use histogram and the stripes, as the drawing says.
     */
    double coldShare(int warmSlots) {
        if (warmSlots <= 0) {
            return 1;
        }
        long n = inUse.count();
        double cold = 0;
        for (int i = 0; n > 0 && i < inUse.counts().length; i++) {
            long count = inUse.counts()[i];
            if (count == 0) {
                continue;
            }
            long low = inUse.lowerBound(i);
            long high = i < inUse.upperBounds().length ? inUse.upperBounds()[i] : 2 * Math.max(1, low - 1);
            long step = Math.max(1, (high - low + 1) / 64); // a few values stand for a wide bucket
            int values = 0;
            double share = 0;
            for (long c = low; c <= high; c += step) {
                share += coldShareWith(c, warmSlots);
                values++;
            }
            cold += count * share / values;
        }
        return n == 0 ? coldShareWith(0, warmSlots) : cold / n;
    }

    /** The share of acquires that go cold when {@code out} instances are out, bound {@code warmSlots}. */
    private double coldShareWith(long out, int warmSlots) {
        double sum = 0;
        double othersHere = Binomial.atLeast(out, 1.0 / stripes, 1);
        for (int s = 0; s < stripes; s++) {
            int bound = warmSlots / stripes + (s < warmSlots % stripes ? 1 : 0);
            sum += bound == 0 ? 1 : (1 - Math.min(1, bound / keysPerStripe)) * othersHere;
        }
        return sum / stripes;
    }

    /** The prediction for one setting. */
    Prediction predict(long keepResidentBytes, int warmSlots) {
        long keepPages = keepResidentBytes / pageSize;
        double meanDirty = kind.dirtyPages().mean();
        double[] g = guided(keepPages);
        double[] m = memset(keepPages);
        boolean useGuided = g[0] + g[1] <= m[0] + m[1];
        double[] warm = keepPages == 0 ? madviseAll(meanDirty) : useGuided ? g : m;
        double evict = costs.decommitNanos() * warm[2] + walkBeyond(0) + costs.mprotectNanos();
        double cold = coldShare(warmSlots);
        double reset = warm[0] + cold * evict;
        double faults = (1 - cold) * warm[1] + cold * (costs.faultNanos() * meanDirty + costs.mprotectNanos());
        ResetStrategy strategy = keepPages == 0 ? ResetStrategy.MADVISE_ALL
                : useGuided ? ResetStrategy.PAGEMAP_GUIDED : ResetStrategy.MEMSET_KEEP_RESIDENT;
        return new Prediction(keepResidentBytes, warmSlots, strategy, reset, faults, warmSlots * warm[2] * pageSize,
                (long) warmSlots * keepResidentBytes, cold);
    }

    /** The prediction for the setting the profile was taken with, or empty when the profile does not say. */
    Optional<Prediction> current() {
        return kind.maxUnusedWarmSlots() < 0 ? Optional.empty()
                : Optional.of(predict(kind.keepResidentBytes(), kind.maxUnusedWarmSlots()));
    }

    /** Every combination of the sweeps, K first. */
    List<Prediction> sweep(List<Long> keepResidentBytes, List<Integer> warmSlots) {
        List<Prediction> out = new ArrayList<>();
        for (long k : keepResidentBytes) {
            for (int w : warmSlots) {
                out.add(predict(k, w));
            }
        }
        return out;
    }

    /**
     * The cheapest prediction whose idle RSS bound fits {@code budgetBytes}; among equal costs (within
     * 1%) the one with the least idle RSS. When the {@code current} setting fits the budget, it stays
     * unless the cheapest beats it by {@link #MARGIN} and goes cold at most {@link #COLD_SLACK} more
     * often: the model's errors must not talk an operator out of a setting that works.
     */
    static Optional<Prediction> recommend(List<Prediction> predictions, long budgetBytes, Optional<Prediction> current) {
        Prediction best = null;
        for (Prediction p : predictions) {
            if (p.idleBoundBytes() > budgetBytes) {
                continue;
            }
            if (best == null || p.totalNanos() < best.totalNanos() * 0.99
                    || (p.totalNanos() <= best.totalNanos() * 1.01 && p.idleBoundBytes() < best.idleBoundBytes())) {
                best = p;
            }
        }
        if (current.isPresent() && current.get().idleBoundBytes() <= budgetBytes) {
            Prediction now = current.get();
            if (best == null || best.totalNanos() > now.totalNanos() * (1 - MARGIN)
                    || best.coldShare() > now.coldShare() + COLD_SLACK) {
                return current;
            }
        }
        return Optional.ofNullable(best);
    }

    /** Keep-resident sizes to sweep: none, then powers of two from a page to the slot, and {@code also}. */
    static List<Long> keepResidentSweep(long pageSize, long slotBytes, long also) {
        List<Long> out = new ArrayList<>(List.of(0L));
        for (long k = pageSize; k <= slotBytes; k *= 2) {
            out.add(k);
        }
        if (also > 0 && !out.contains(also)) {
            out.add(also);
            out.sort(Long::compare);
        }
        return out;
    }

    /**
     * Warm-slot bounds to sweep: 0, then powers of two up to twice the most instances seen in use (at
     * least 2) times the stripes they are split over, and {@code also} (the current bound, when known).
     */
    static List<Integer> warmSlotSweep(ProfileSnapshot.Histogram inUse, int stripes, int also) {
        long most = 0;
        for (int i = 0; i < inUse.counts().length; i++) {
            if (inUse.counts()[i] > 0) {
                most = i < inUse.upperBounds().length ? inUse.upperBounds()[i] : 2 * inUse.upperBounds()[i - 1];
            }
        }
        List<Integer> out = new ArrayList<>(List.of(0));
        for (int w = 1; w <= Math.max(2, 2 * (most + 1)) * Math.max(1, stripes) && w <= 4096; w *= 2) {
            out.add(w);
        }
        if (also > 0 && !out.contains(also)) {
            out.add(also);
            out.sort(Integer::compare);
        }
        return out;
    }
}
