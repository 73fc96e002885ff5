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
 *  warm-slot bound W: an acquire that finds c instances already out gets a warm slot when c < W
 *  (the pool keeps W warm slots when idle; a burst past them takes cold ones), so
 *    P(cold) = share of acquires with c >= W              (from the in-use histogram)
 *    a cold instance faults on all its D pages, and its release evicts a warm slot: madvise * kept
 *  per instance = (1 - P(cold)) * warm + P(cold) * cold;   idle RSS = W * idle, at most W * K
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
     */
    record Prediction(long keepResidentBytes, int warmSlots, ResetStrategy strategy, double resetNanos,
                      double faultNanos, double idleBytes, long idleBoundBytes) {
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

    /** The share of acquires that would find no warm slot with a bound of {@code warmSlots}. */
    double coldShare(int warmSlots) {
        long n = inUse.count();
        if (n == 0) {
            return warmSlots == 0 ? 1 : 0;
        }
        return warmSlots == 0 ? 1 : 1 - inUse.countAtMost(warmSlots - 1) / n;
    }

    /** The prediction for one setting. */
    Prediction predict(long keepResidentBytes, int warmSlots) {
        long keepPages = keepResidentBytes / pageSize;
        double meanDirty = kind.dirtyPages().mean();
        double[] g = guided(keepPages);
        double[] m = memset(keepPages);
        boolean useGuided = g[0] + g[1] <= m[0] + m[1];
        double[] warm = keepPages == 0 ? madviseAll(meanDirty) : useGuided ? g : m;
        double coldReset = warm[0] + costs.decommitNanos() * Math.min(meanDirty, keepPages);
        double cold = coldShare(warmSlots);
        double reset = (1 - cold) * warm[0] + cold * coldReset;
        double faults = (1 - cold) * warm[1] + cold * costs.faultNanos() * meanDirty;
        ResetStrategy strategy = keepPages == 0 ? ResetStrategy.MADVISE_ALL
                : useGuided ? ResetStrategy.PAGEMAP_GUIDED : ResetStrategy.MEMSET_KEEP_RESIDENT;
        return new Prediction(keepResidentBytes, warmSlots, strategy, reset, faults, warmSlots * warm[2] * pageSize,
                warmSlots * keepResidentBytes);
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
     * 1%) the one with the least idle RSS.
     */
    static Optional<Prediction> recommend(List<Prediction> predictions, long budgetBytes) {
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

    /** Warm-slot bounds to sweep: 0, then powers of two up to twice the most instances seen in use (at least 2). */
    static List<Integer> warmSlotSweep(ProfileSnapshot.Histogram inUse) {
        long most = 0;
        for (int i = 0; i < inUse.counts().length; i++) {
            if (inUse.counts()[i] > 0) {
                most = i < inUse.upperBounds().length ? inUse.upperBounds()[i] : 2 * inUse.upperBounds()[i - 1];
            }
        }
        List<Integer> out = new ArrayList<>(List.of(0));
        for (int w = 1; w <= Math.max(2, 2 * (most + 1)) && w <= 4096; w *= 2) {
            out.add(w);
        }
        return out;
    }
}
