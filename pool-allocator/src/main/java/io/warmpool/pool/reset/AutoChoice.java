package io.warmpool.pool.reset;

import io.warmpool.pool.config.ResetStrategy;

/**
 * What the {@code auto} strategy chooses for each slot of a kind, and what it learned to choose it.
 *
 * <pre>
 *  per slot: SCAN ──(share >= 3/4)──────────────────────────────────────► MEMSET
 *              │                                                          ▲  │ every 32nd reset: a probe
 *              │ share >= 1/4 and estimate < 0.9 x scan cost              │  │ (below); share < 1/2
 *              ▼ (only after the kind's first 10,000 scans)               │  ▼ goes back to SCAN
 *            TRIAL: four memset resets; the cheapest of the last three (the first ─┘
 *                   pays the faults of the window), zeroing and decommit as the release paid
 *                   them, against the scan cost it must beat
 *              │ not cheaper
 *              ▼
 *            REVERT: one madvise-all reset (a memset leaves the whole window resident, and a
 *                    scan would find it all dirty for good), then SCAN; no new trial for
 *                    1024 scans, doubling with each revert
 *
 *  share     = dirty pages the scan found in the keep-resident window / the window's pages
 *  scan cost = scan + zeroing of a reset, measured: the cheapest of the slot's last four (one
 *              preempted scan does not decide; a slot's first scan alone decides nothing). Both
 *              sides take their cheapest sample, so that noise favours neither.
 *  estimate  = CALL + window pages * rate,  rate = (time to zero the largest dirty region - CALL)
 *              / its pages; CALL (one native call's overhead) is taken as 0.08 µs. The estimate
 *              runs low (the dirty region was in cache, the window is not), hence the trial.
 *  A new tenant (an acquire without affinity) starts the slot over at SCAN.
 *
 *  tracked   where written-page tracking works here: SCAN ──► TRACKED TRIAL when the scans show
 *            pages piling up, found >= 2 x first + 16 (first: the pages the slot's first scan after
 *            a fresh start found, which is what a tenant writes; found: what a scan finds now, which
 *            adds every page earlier tenants wrote and resets kept resident), once the kind has
 *            scanned 500 times (the JIT), outside a hold. The trial: four written-tracked resets
 *            (the first registers the window and is not timed), each costing its release plus a
 *            write-protect fault per page written (FirstWriteCost, measured once per process: the
 *            tenant pays those); the cheapest of the last three against the scan cost to beat.
 *              not cheaper ──► REVERT (as above), hold doubling
 *              cheaper     ──► TRACKED: stays while the tenants write under 3/4 of the window;
 *                              at 3/4 or more ──► MEMSET
 *
 *  probe     two resets. A memset leaves the whole window resident, so a scan right after it finds
 *            every page dirty whatever the tenant wrote: it would measure the memset, not the
 *            tenant, and the slot would never scan again. So the probe first sheds a sample of the
 *            window: the memset reset also gives back one of SAMPLES chunks of the window (the
 *            chunks in turn, each 1/16 of the window, at least a page); the next reset scans, and
 *            its share is the share of that chunk the tenant wrote (a page there is resident only
 *            if the tenant touched it). The tenant pays faults on the chunk's pages it writes, once
 *            per probe: a sixteenth of what a madvise-all probe would cost it. Under half of the
 *            chunk written: one madvise-all reset (what the memsets left resident goes), then SCAN.
 * </pre>
 *
 * Costs count only after the kind's first 10,000 scans: until the JIT has compiled the reset path,
 * the scan's timings are inflated. Not thread-safe per slot, and needs not be: a slot is reset by
 * one thread at a time; the scan count is a racy count, used as a clock.
 */
final class AutoChoice {
    static final double MEMSET_ABOVE = 0.75;
    static final double SCAN_BELOW = 0.5;
    static final int PROBE_EVERY = 32;
    /** Below this share of the window dirty, auto does not weigh costs: it scans. */
    static final double COSTS_ABOVE = 0.25;
    /** Scans of the kind before auto weighs costs (the JIT compiles the reset path meanwhile). */
    static final long COSTS_AFTER_SCANS = 10_000;
    /** A trial starts when the window's estimated memset costs less than this share of the scan's reset. */
    static final double MEMSET_CHEAPER = 0.9;
    /** What one native call costs beyond its work, about: the estimate of a memset's rate leaves it out. */
    static final double CALL_NANOS = 80;
    /** Memset resets of a trial; all but the first are timed. */
    static final int TRIAL_RESETS = 4;
    /** Scan costs remembered per slot. */
    static final int SCANS_KEPT = 4;
    /** Scans without a trial after a revert, doubled with each further revert (up to 2^10 times). */
    static final long HOLD_SCANS = 1024;
    /** Scans of the kind before a tracked trial may start. */
    static final long TRACK_AFTER_SCANS = 500;
    /** A tracked trial starts when a scan finds at least twice the first scan's pages and this many more. */
    static final long TRACK_GROWTH = 16;
    /** A probe samples one of this many chunks of the window. */
    static final int SAMPLES = 16;
    private static final byte NO_PROBE = 0;
    private static final byte SHEDDING = 1;
    private static final byte MEASURING = 2;

    private final boolean[] memsetMode;
    private final int[] sinceProbe;
    private final double[] scanCosts;
    private final int[] scansSeen;
    private final int[] trial;
    private final double[] costToBeat;
    private final double[] trialBest;
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
    private long scans;

    AutoChoice(int slots) {
        memsetMode = new boolean[slots];
        sinceProbe = new int[slots];
        scanCosts = new double[slots * SCANS_KEPT];
        scansSeen = new int[slots];
        trial = new int[slots];
        costToBeat = new double[slots];
        trialBest = new double[slots];
        revert = new boolean[slots];
        holdUntil = new long[slots];
        reverts = new int[slots];
        probe = new byte[slots];
        probes = new int[slots];
        trackedMode = new boolean[slots];
        trackTrial = new int[slots];
        firstFound = new long[slots];
        java.util.Arrays.fill(firstFound, -1);
    }

    /** How many slots it chooses for. */
    int slots() {
        return memsetMode.length;
    }

    /** A new tenant takes the slot: what was learned of the last one does not apply. */
    void forget(int slot) {
        memsetMode[slot] = false;
        sinceProbe[slot] = 0;
        scansSeen[slot] = 0;
        trial[slot] = 0;
        revert[slot] = false;
        holdUntil[slot] = 0;
        reverts[slot] = 0;
        probe[slot] = NO_PROBE;
        trackedMode[slot] = false;
        trackTrial[slot] = 0;
        firstFound[slot] = -1;
    }

    /** The strategy of the slot's next reset, with a scanner at hand. */
    ResetStrategy choose(int slot) {
        if (revert[slot]) {
            revert[slot] = false;
            firstFound[slot] = -1; // the window is empty again: the next scan finds what its tenant wrote
            return ResetStrategy.MADVISE_ALL;
        }
        if (trackedMode[slot]) {
            return ResetStrategy.WRITTEN_TRACKED;
        }
        if (!memsetMode[slot] || probe[slot] == MEASURING) {
            return ResetStrategy.PAGEMAP_GUIDED;
        }
        if (trial[slot] == 0 && ++sinceProbe[slot] >= PROBE_EVERY) {
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
     * A scan reset of the slot found {@code share} of the window dirty, cost {@code scanNanos}, and
     * gives {@code memsetEstimateNanos} for zeroing the whole window (NaN: no estimate).
     */
    void scanned(int slot, double share, double scanNanos, double memsetEstimateNanos) {
        scanned(slot, share, scanNanos, memsetEstimateNanos, -1, false);
    }

    /**
     * As {@link #scanned(int, double, double, double)}, with the dirty pages the scan found in the
     * window ({@code found}, -1: not counted) and whether written-page tracking works here.
     */
    void scanned(int slot, double share, double scanNanos, double memsetEstimateNanos, long found, boolean canTrack) {
        long now = ++scans;
        double cost = rememberScan(slot, scanNanos);
        probe[slot] = NO_PROBE;
        if (firstFound[slot] < 0) {
            firstFound[slot] = found;
        } else if (canTrack && wouldTrack(slot, share, found, now) && !Double.isNaN(cost)) {
            trackedMode[slot] = true;
            trackTrial[slot] = TRIAL_RESETS;
            costToBeat[slot] = cost;
            trialBest[slot] = Double.POSITIVE_INFINITY;
            return;
        }
        if (memsetMode[slot]) {
            memsetMode[slot] = share >= SCAN_BELOW;
            revert[slot] = !memsetMode[slot]; // the memsets left the window resident: a scan would find it all dirty
            return;
        }
        if (share >= MEMSET_ABOVE) {
            memsetMode[slot] = true;
            return;
        }
        if (now > COSTS_AFTER_SCANS && now >= holdUntil[slot] && worthATrial(share, cost, memsetEstimateNanos)) {
            memsetMode[slot] = true;
            trial[slot] = TRIAL_RESETS;
            costToBeat[slot] = cost;
            trialBest[slot] = Double.POSITIVE_INFINITY;
        }
    }

    /** Keeps a scan's cost; returns the cheapest of the slot's last four, or NaN after its first scan. */
    private double rememberScan(int slot, double scanNanos) {
        int seen = scansSeen[slot]++;
        scanCosts[slot * SCANS_KEPT + seen % SCANS_KEPT] = scanNanos;
        if (seen == 0) {
            return Double.NaN;
        }
        double cheapest = Double.POSITIVE_INFINITY;
        for (int i = 0; i < Math.min(seen + 1, SCANS_KEPT); i++) {
            cheapest = Math.min(cheapest, scanCosts[slot * SCANS_KEPT + i]);
        }
        return cheapest;
    }

    /** A memset reset of the slot took {@code nanos} (zeroing and decommit); ends a trial when it is its last. */
    void memsetDone(int slot, long nanos) {
        if (trial[slot] == 0) {
            return;
        }
        if (trial[slot] < TRIAL_RESETS) {
            trialBest[slot] = Math.min(trialBest[slot], nanos);
        }
        if (--trial[slot] > 0) {
            return;
        }
        if (trialBest[slot] >= costToBeat[slot]) {
            memsetMode[slot] = false;
            revert[slot] = true;
            holdUntil[slot] = scans + (HOLD_SCANS << Math.min(reverts[slot]++, 10));
        }
    }

    /**
     * A written-tracked reset of the slot cost {@code nanos} (its release and its tenant's
     * write-protect faults) and found {@code written} of the window's {@code windowPages} written:
     * judges a tracked trial, and leaves tracking for memset when the tenants write most of the window.
     */
    void trackedDone(int slot, double nanos, long written, long windowPages) {
        if (!trackedMode[slot]) {
            return;
        }
        if (trackTrial[slot] > 0) {
            if (trackTrial[slot] < TRIAL_RESETS) {
                trialBest[slot] = Math.min(trialBest[slot], nanos);
            }
            if (--trackTrial[slot] == 0 && trialBest[slot] >= costToBeat[slot]) {
                trackedMode[slot] = false;
                revert[slot] = true;
                holdUntil[slot] = scans + (HOLD_SCANS << Math.min(reverts[slot]++, 10));
            }
            return;
        }
        if (written >= MEMSET_ABOVE * windowPages) {
            trackedMode[slot] = false;
            memsetMode[slot] = true;
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

    /** Whether a trial of memset is worth it: a fair share of the window dirty, and a clear estimated win. */
    static boolean worthATrial(double share, double scanNanos, double memsetEstimateNanos) {
        return share >= COSTS_ABOVE && memsetEstimateNanos < MEMSET_CHEAPER * scanNanos; // false for NaN
    }

    /**
     * What zeroing a whole window of {@code windowPages} is estimated to cost, from the time a
     * region of {@code pages} took to zero.
     */
    static double memsetEstimate(long windowPages, long regionNanos, long pages) {
        double rate = Math.max(0, regionNanos - CALL_NANOS) / pages;
        return CALL_NANOS + windowPages * rate;
    }
}
