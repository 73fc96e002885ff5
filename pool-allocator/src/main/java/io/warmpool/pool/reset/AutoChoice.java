package io.warmpool.pool.reset;

import io.warmpool.pool.config.ResetStrategy;

import io.warmpool.pagemap.PageCosts;

import java.util.function.Supplier;

/**
 * What the {@code auto} strategy chooses for each slot of a kind, and what it learned to choose it.
 * Every choice weighs whole cycles: what a reset costs the release plus what it makes the next
 * tenant pay in faults, since a reset that gives pages back is cheap only until they are written again.
 *
 * <pre>
 *  per slot: SCAN ──(share >= 3/4)──────────────────────────────────────► MEMSET
 *     ▲  │     │ estimate < scan cycle                                    ▲  │ every probeEvery-th reset
 *     │  │     ▼                                                          │  │ (32, doubling up to 1024 each
 *     │  │   TRIAL: four memset resets; the median of the last three     ─┘  │ time a probe sends it back):
 *     │  │          (the first pays the window's faults), zeroing and        │ a probe (below); share < 1/2
 *     │  │          decommit as the release paid them plus the faults of     ▼ goes back to SCAN
 *     │  │          the pages it gives back, against the scan cycle to beat
 *     │  │     │ not cheaper
 *     │  │     ▼
 *     │  │   REVERT: one madvise-all reset (a memset leaves the whole window resident, and a
 *     │  │           scan would find it all dirty for good), then SCAN; no new trial for
 *     │  │           1024 scans, doubling with each revert
 *     │  │
 *     │  └─ SHED: pages piling up (a tenant writing new pages each time, each kept resident and
 *     │           zeroed by every later scan) are given back by one madvise-all reset once what
 *     └────────── they cost since the last shed reaches what faulting the tenant's pages back in
 *                 costs (ShedEveryN's rule, on auto's own state), then SCAN afresh
 *
 *  share       = dirty pages the scan found in the keep-resident window / the window's pages
 *  scan cycle  = the scan reset (scan + zeroing) + faults x fault cost, where faults = the dirty
 *                pages found - the pages the slot's last reset left resident (a page the reset kept
 *                is found again without a fault; every other dirty page was faulted in; none
 *                counted after a fresh start, whose faults any strategy pays, nor after auto's own
 *                madvise-all, whose faults are the price of leaving a mode, not of scanning); the
 *                median of the slot's last four (one preempted scan does not decide; a slot's
 *                first scan alone decides nothing; a slot that sheds now and then pays its faults
 *                in some of them, which the median weighs and the cheapest would not). Both sides
 *                take their median, so that noise favours neither.
 *  estimate    = CALL + window pages x zeroing cost; CALL (one native call's overhead) is taken
 *                as 0.08 µs. The estimate runs low (the zeroing was measured in cache, a large
 *                window is not), hence the trial.
 *  fault cost, zeroing cost: per page, measured once per process (PageCosts).
 *  A new tenant (an acquire without affinity) starts the slot over at SCAN.
 *
 *  tracked     where written-page tracking works here: SCAN ──► TRACKED TRIAL when the scans show
 *              pages piling up, found >= 2 x first + 16 (first: the pages the slot's first scan after
 *              a fresh start found, which is what a tenant writes; found: what a scan finds now, which
 *              adds every page earlier tenants wrote and resets kept resident), once the kind has
 *              scanned 1,000 times (the JIT), outside a hold. The trial: four written-tracked resets
 *              (the first registers the window and is not timed), each costing its release plus a
 *              write-protect fault per page written (FirstWriteCost, measured once per process: the
 *              tenant pays those) plus a fault per dirty page it gave back beyond the window; the
 *              median of the last three against the scan cycle to beat.
 *                not cheaper ──► REVERT (as above), hold doubling
 *                cheaper     ──► TRACKED: stays while the tenants write under 3/4 of the window;
 *                                at 3/4 or more ──► MEMSET; a memset estimated cheaper than the
 *                                median of its last four tracked resets ──► a memset TRIAL against
 *                                them (lost: REVERT, as above)
 *
 *  probe       two resets. A memset leaves the whole window resident, so a scan right after it finds
 *              every page dirty whatever the tenant wrote: it would measure the memset, not the
 *              tenant, and the slot would never scan again. So the probe first sheds a sample of the
 *              window: the memset reset also gives back one of SAMPLES chunks of the window (the
 *              chunks in turn, each 1/16 of the window, at least a page); the next reset scans, and
 *              its share is the share of that chunk the tenant wrote (a page there is resident only
 *              if the tenant touched it). Under half of the chunk written: one madvise-all reset
 *              (what the memsets left resident goes), then SCAN, and the next probe waits twice as
 *              long (a tenant scattering its writes comes back to MEMSET as they pile up).
 * </pre>
 *
 * Costs count only after the kind's first 1,000 scans: until the JIT has compiled the reset path,
 * the scan's timings are inflated. Not thread-safe per slot, and needs not be: a slot is reset by
 * one thread at a time; the scan count is a racy count, used as a clock.
 */
final class AutoChoice {
    static final double MEMSET_ABOVE = 0.75;
    static final double SCAN_BELOW = 0.5;
    static final int PROBE_EVERY = 32;
    /** The longest wait between probes, after probes that kept sending the slot back to scanning. */
    static final int PROBE_EVERY_MAX = 1024;
    /** Scans of the kind before auto weighs costs (the JIT compiles the reset path meanwhile). */
    static final long COSTS_AFTER_SCANS = 1_000;
    /** A trial starts when the window's estimated memset costs less than this share of the scan cycle. */
    static final double MEMSET_CHEAPER = 1.0;
    /** What one native call costs beyond its work, about: the estimate of a memset's rate leaves it out. */
    static final double CALL_NANOS = 80;
    /** Memset resets of a trial; all but the first are timed. */
    static final int TRIAL_RESETS = 4;
    /** Scan costs remembered per slot. */
    static final int SCANS_KEPT = 4;
    /** Scans without a trial after a revert, doubled with each further revert (up to 2^10 times). */
    static final long HOLD_SCANS = 1024;
    /** Scans of the kind before a tracked trial may start. */
    static final long TRACK_AFTER_SCANS = 1_000;
    /** A tracked trial starts when a scan finds at least twice the first scan's pages and this many more. */
    static final long TRACK_GROWTH = 16;
    /** A probe samples one of this many chunks of the window. */
    static final int SAMPLES = 16;
    private static final byte NO_PROBE = 0;
    private static final byte SHEDDING = 1;
    private static final byte MEASURING = 2;

    private final Supplier<PageCosts> costs;
    private final ShedEveryN shed;
    private final boolean[] memsetMode;
    private final int[] sinceProbe;
    private final int[] probeEvery;
    private final double[] scanCosts;
    private final int[] scansSeen;
    private final int[] trial;
    private final double[] costToBeat;
    /** Per slot, the timed resets of its trial so far ({@link #TRIAL_RESETS} - 1 of them). */
    private final double[] trialCosts;
    private final int[] trialTimed;
    private final boolean[] revert;
    private final long[] holdUntil;
    private final int[] reverts;
    /** Per slot: NO_PROBE, SHEDDING (the next memset sheds a sample) or MEASURING (the next scan measures it). */
    private final byte[] probe;
    private final int[] probes;
    private final boolean[] trackedMode;
    private final int[] trackTrial;
    /** The pages the slot's first scan after a fresh start found, or -1 before it. */
    private final long[] firstFound;
    /**
     * The pages the slot's last reset left resident and clean: the next tenant writes them without a
     * fault; -1 when not known (a fresh slot, a new tenant), when no fault is counted.
     */
    private final long[] kept;
    /** The dirty pages the slot's last scan found outside the window: a memset gives them back, and they fault again. */
    private final long[] outside;
    private long scans;

    /**
     * @param costs what a page fault and a page's zeroing cost here, asked when a cost is first weighed
     */
    AutoChoice(int slots, Supplier<PageCosts> costs) {
        this.costs = costs;
        shed = new ShedEveryN(slots, () -> costs.get().faultNanos());
        memsetMode = new boolean[slots];
        sinceProbe = new int[slots];
        probeEvery = new int[slots];
        java.util.Arrays.fill(probeEvery, PROBE_EVERY);
        scanCosts = new double[slots * SCANS_KEPT];
        scansSeen = new int[slots];
        trial = new int[slots];
        costToBeat = new double[slots];
        trialCosts = new double[slots * (TRIAL_RESETS - 1)];
        trialTimed = new int[slots];
        revert = new boolean[slots];
        holdUntil = new long[slots];
        reverts = new int[slots];
        probe = new byte[slots];
        probes = new int[slots];
        trackedMode = new boolean[slots];
        trackTrial = new int[slots];
        firstFound = new long[slots];
        java.util.Arrays.fill(firstFound, -1);
        kept = new long[slots];
        java.util.Arrays.fill(kept, -1);
        outside = new long[slots];
    }

    /** How many slots it chooses for. */
    int slots() {
        return memsetMode.length;
    }

    /** A new tenant takes the slot: what was learned of the last one does not apply. */
    void forget(int slot) {
        memsetMode[slot] = false;
        sinceProbe[slot] = 0;
        probeEvery[slot] = PROBE_EVERY;
        scansSeen[slot] = 0;
        trial[slot] = 0;
        revert[slot] = false;
        holdUntil[slot] = 0;
        reverts[slot] = 0;
        probe[slot] = NO_PROBE;
        trackedMode[slot] = false;
        trackTrial[slot] = 0;
        firstFound[slot] = -1;
        outside[slot] = 0;
        kept[slot] = -1;
        shed.forget(slot);
    }

    /** The strategy of the slot's next reset, with a scanner at hand. */
    ResetStrategy choose(int slot) {
        if (revert[slot]) {
            revert[slot] = false;
            firstFound[slot] = -1; // the window is empty again: the next scan finds what its tenant wrote
            shed.forget(slot);
            return ResetStrategy.MADVISE_ALL;
        }
        if (trackedMode[slot]) {
            return ResetStrategy.WRITTEN_TRACKED;
        }
        if (!memsetMode[slot] || probe[slot] == MEASURING) {
            return ResetStrategy.PAGEMAP_GUIDED;
        }
        if (trial[slot] == 0 && ++sinceProbe[slot] >= probeEvery[slot]) {
            sinceProbe[slot] = 0;
            probe[slot] = SHEDDING;
        }
        return ResetStrategy.MEMSET_KEEP_RESIDENT;
    }

    /**
     * Asked by a memset reset of an auto slot: the sample chunk (0 to {@link #SAMPLES} - 1) it must
     * give back after zeroing the window, for the probe scan that follows; or -1.
     */
    int sampleToShed(int slot) {
        if (probe[slot] != SHEDDING) {
            return -1;
        }
        probe[slot] = MEASURING;
        return probes[slot]++ & (SAMPLES - 1);
    }

    /** Asked by a scan reset of an auto slot: the sample chunk its share must be measured on, or -1 (the window). */
    int sampleMeasured(int slot) {
        return probe[slot] == MEASURING ? (probes[slot] - 1) & (SAMPLES - 1) : -1;
    }

    /**
     * The slot's reset is over: it left {@code keptPages} pages resident and clean (zeroed or restored),
     * which the next tenant writes without a fault; -1 after a reset that gave everything back (a
     * shed or a revert), whose faults the next scan does not count.
     */
    void resetDone(int slot, long keptPages) {
        kept[slot] = keptPages;
    }

    /** As {@link #scanned(int, double, long, long, double, double, boolean)}, the pages not counted (tests). */
    void scanned(int slot, double share, double scanNanos, double memsetEstimateNanos) {
        scanned(slot, share, -1, -1, scanNanos, memsetEstimateNanos, false);
    }

    /** As {@link #scanned(int, double, long, long, double, double, boolean)}, the slot's dirty pages not counted (tests). */
    void scanned(int slot, double share, double scanNanos, double memsetEstimateNanos, long found, boolean canTrack) {
        scanned(slot, share, found, -1, scanNanos, memsetEstimateNanos, canTrack);
    }

    /**
     * A scan reset of the slot found {@code share} of the window dirty ({@code found} pages of it, -1:
     * not counted) and {@code dirtyPages} dirty pages in all (-1: not counted), cost
     * {@code scanNanos} (scan and zeroing), and gives {@code memsetEstimateNanos} for zeroing the
     * whole window (NaN: no estimate); {@code canTrack}: written-page tracking works here.
     */
    void scanned(int slot, double share, long found, long dirtyPages, double scanNanos, double memsetEstimateNanos,
                 boolean canTrack) {
        long now = ++scans;
        // no cost is weighed before COSTS_AFTER_SCANS scans: nor is the fault cost asked for (measured on first use)
        long faults = dirtyPages < 0 || kept[slot] < 0 || now <= COSTS_AFTER_SCANS ? 0
                : Math.max(0, dirtyPages - kept[slot]);
        double cost = rememberScan(slot, scanNanos + (faults == 0 ? 0 : faults * costs.get().faultNanos()));
        outside[slot] = dirtyPages < 0 || found < 0 ? 0 : Math.max(0, dirtyPages - found);
        probe[slot] = NO_PROBE;
        boolean firstSinceStart = firstFound[slot] < 0;
        if (firstSinceStart) {
            firstFound[slot] = found;
        }
        if (memsetMode[slot]) {
            memsetMode[slot] = share >= SCAN_BELOW;
            if (!memsetMode[slot]) {
                revert[slot] = true; // the memsets left the window resident: a scan would find it all dirty
                probeEvery[slot] = Math.min(PROBE_EVERY_MAX, probeEvery[slot] * 2);
            }
            return;
        }
        if (share >= MEMSET_ABOVE) {
            memsetMode[slot] = true;
            return;
        }
        // a memset trial before a tracked one: its estimate is of the whole cost, a tracked trial's is not
        if (now > COSTS_AFTER_SCANS && now >= holdUntil[slot] && worthATrial(cost, memsetEstimateNanos)) {
            memsetMode[slot] = true;
            trial[slot] = TRIAL_RESETS;
            costToBeat[slot] = cost;
            trialTimed[slot] = 0;
            return;
        }
        if (!firstSinceStart && canTrack && wouldTrack(slot, share, found, now) && !Double.isNaN(cost)) {
            trackedMode[slot] = true;
            trackTrial[slot] = TRIAL_RESETS;
            costToBeat[slot] = cost;
            trialTimed[slot] = 0;
            return;
        }
        if (dirtyPages >= 0 && shed.scanned(slot, scanNanos, dirtyPages)) {
            revert[slot] = true; // pages piled up: give them back, as every-N would
        }
    }

    /** Keeps a scan cycle's cost; returns the median of the slot's last four, or NaN after its first scan. */
    private double rememberScan(int slot, double cycleNanos) {
        int seen = scansSeen[slot]++;
        scanCosts[slot * SCANS_KEPT + seen % SCANS_KEPT] = cycleNanos;
        if (seen == 0) {
            return Double.NaN;
        }
        return median(scanCosts, slot * SCANS_KEPT, Math.min(seen + 1, SCANS_KEPT));
    }

    /** Keeps a timed reset of the slot's trial; returns whether it was the trial's last. */
    private boolean timeTrial(int slot, double nanos) {
        trialCosts[slot * (TRIAL_RESETS - 1) + trialTimed[slot]++] = nanos;
        return trialTimed[slot] == TRIAL_RESETS - 1;
    }

    /** Whether the slot's trial, over, beat the scan cycle it had to. */
    private boolean trialWon(int slot) {
        return median(trialCosts, slot * (TRIAL_RESETS - 1), TRIAL_RESETS - 1) < costToBeat[slot];
    }

    /** The median of {@code values[from, from + count)}, {@code count} from 1 to 4; allocates nothing (a reset calls it). */
    static double median(double[] values, int from, int count) {
        double a = values[from];
        if (count == 1) {
            return a;
        }
        double b = values[from + 1];
        if (count == 2) {
            return (a + b) / 2;
        }
        double c = values[from + 2];
        double lo = Math.min(a, Math.min(b, c));
        double hi = Math.max(a, Math.max(b, c));
        double mid = a + b + c - lo - hi;
        if (count == 3) {
            return mid;
        }
        double d = values[from + 3]; // of four: the mean of the two middle ones
        return d <= lo ? (lo + mid) / 2 : d >= hi ? (mid + hi) / 2 : (mid + d) / 2;
    }

    /**
     * A memset reset of the slot took {@code nanos} (zeroing and decommit); ends a trial when it is
     * its last. The dirty pages the last scan found outside the window count as faults: the memset
     * gave them back.
     */
    void memsetDone(int slot, long nanos) {
        if (trial[slot] == 0) {
            return;
        }
        if (trial[slot] < TRIAL_RESETS) {
            double faults = outside[slot] == 0 ? 0 : outside[slot] * costs.get().faultNanos();
            timeTrial(slot, nanos + faults);
        }
        if (--trial[slot] > 0) {
            return;
        }
        if (!trialWon(slot)) {
            memsetMode[slot] = false;
            revert[slot] = true;
            holdUntil[slot] = scans + (HOLD_SCANS << Math.min(reverts[slot]++, 10));
        }
    }

    /**
     * A written-tracked reset of the slot cost {@code nanos} (its release, its tenant's write-protect
     * faults and the faults of what it gave back) and found {@code written} of the window's
     * {@code windowPages} written: judges a tracked trial, and leaves tracking for memset when the
     * tenants write most of the window.
     */
    void trackedDone(int slot, double nanos, long written, long windowPages) {
        if (!trackedMode[slot]) {
            return;
        }
        if (trackTrial[slot] > 0) {
            if (trackTrial[slot] < TRIAL_RESETS) {
                timeTrial(slot, nanos);
            }
            if (--trackTrial[slot] == 0) {
                if (trialWon(slot)) {
                    scansSeen[slot] = 0; // from now on the slot's costs are tracked resets'
                } else {
                    trackedMode[slot] = false;
                    revert[slot] = true;
                    holdUntil[slot] = scans + (HOLD_SCANS << Math.min(reverts[slot]++, 10));
                }
            }
            return;
        }
        if (written >= MEMSET_ABOVE * windowPages) {
            trackedMode[slot] = false;
            memsetMode[slot] = true;
            return;
        }
        double cost = rememberScan(slot, nanos);
        if (scansSeen[slot] >= SCANS_KEPT && scans >= holdUntil[slot]
                && worthATrial(cost, memsetEstimate(windowPages))) {
            trackedMode[slot] = false; // a memset trial against tracking, as against a scan
            memsetMode[slot] = true;
            trial[slot] = TRIAL_RESETS;
            costToBeat[slot] = cost;
            trialTimed[slot] = 0;
        }
    }

    /**
     * Whether a scan that found {@code found} pages ({@code share} of the window) would start a
     * tracked trial, if tracking works: asked first, so that only then is that found out.
     */
    boolean wouldTrack(int slot, double share, long found) {
        return firstFound[slot] >= 0 && wouldTrack(slot, share, found, scans + 1);
    }

    private boolean wouldTrack(int slot, double share, long found, long now) {
        return !memsetMode[slot] && share < MEMSET_ABOVE && now > TRACK_AFTER_SCANS && now >= holdUntil[slot]
                && found >= 0 && found >= 2 * firstFound[slot] + TRACK_GROWTH;
    }

    /** Written-page tracking does not work here (any more): the slot scans. */
    void untrackable(int slot) {
        if (trackedMode[slot]) {
            trackedMode[slot] = false;
            trackTrial[slot] = 0;
            firstFound[slot] = -1;
            revert[slot] = true; // what tracking kept resident would read as dirty to every scan
        }
    }

    /** Whether the slot is tracked or on trial (tests). */
    boolean tracking(int slot) {
        return trackedMode[slot];
    }

    /** Whether a trial of memset is worth it: a clear estimated win over the scan cycle. */
    static boolean worthATrial(double scanCycleNanos, double memsetEstimateNanos) {
        return memsetEstimateNanos < MEMSET_CHEAPER * scanCycleNanos; // false for NaN
    }

    /**
     * Whether the next scan's costs are weighed (the kind has scanned {@link #COSTS_AFTER_SCANS} times):
     * before, a scan need not estimate a memset, and the page costs are not measured yet.
     */
    boolean weighsCosts() {
        return scans + 1 > COSTS_AFTER_SCANS;
    }

    /** What zeroing a whole window of {@code windowPages} is estimated to cost here. */
    double memsetEstimate(long windowPages) {
        return memsetEstimate(windowPages, costs.get().zeroNanos());
    }

    /** What zeroing a whole window of {@code windowPages} costs at {@code zeroNanos} a page, with one call's overhead. */
    static double memsetEstimate(long windowPages, double zeroNanos) {
        return CALL_NANOS + windowPages * zeroNanos;
    }
}
