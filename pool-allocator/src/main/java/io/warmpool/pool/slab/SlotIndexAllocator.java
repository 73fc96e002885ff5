package io.warmpool.pool.slab;

import io.warmpool.pool.concurrent.Striping;
import io.warmpool.pool.event.AcquireKind;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.IntPredicate;

/**
 * Chooses which free slot of a kind an acquire gets, in O(1), and decides which warm slots go cold.
 *
 * <pre>
 *  slots 0..n-1, cut into stripes of contiguous slots; each stripe has its own lock and lists:
 *
 *  stripe s                                  per affinity key (MRU first)     cold slots
 *  ┌────────────────────────────────────┐    "mod-a": 7 ⇄ 3                   ┌───────────┐
 *  │ LRU list of warm slots             │    "mod-b": 5                       │ 9 8 6 ... │ stack
 *  │  head (least recent) 3 ⇄ 5 ⇄ 7 tail│                                     └───────────┘
 *  └────────────────────────────────────┘    a warm slot is on both lists (intrusive int links)
 *
 *  hints[hash(key) & mask] = hash(key) << 32 | (stripe + 1)     one long per entry, no lock
 *    "the stripe where the most recent warm slot of a key with this hash went", or 0
 *
 *  acquire(key):
 *    0. the hinted stripe, when it is not the home stripe: its most       AFFINITY
 *       recently used warm slot of `key`; no such slot: clear the hint
 *  then home stripe = hash(key), then the others in turn:
 *    1. the most recently used warm slot of `key`                         AFFINITY
 *    2. a cold slot, while the unused warm slots are under their bound    COLD
 *    3. the least recently used warm slot (of any key)                     WARM
 *    4. a cold slot                                                        COLD
 *  release(slot, key): the slot, just reset, becomes the most recent warm slot of `key`, and the
 *    key's hint names its stripe; if the stripe now holds more warm slots than its share of the
 *    bound, the least recently used one is returned for a full decommit, after which the caller
 *    makes it cold.
 * </pre>
 *
 * The bound on unused warm slots is split across stripes, so the sum is exact. Stripes keep threads
 * that acquire different keys off each other's lock; an acquire whose home stripe is empty takes
 * from the next one, where the slot stays (slots never change stripe). The hint lets the key's next
 * acquire find that slot there, at the cost of one more stripe's lock, instead of taking a cold or
 * another key's slot at home. It is only a hint: two keys whose hashes collide share an entry, a
 * slot taken by another key leaves it stale; either costs one look into a stripe, never a wrong slot.
 */
public final class SlotIndexAllocator {
    /** No slot: what an acquire of a full allocator gets, and an eviction with nothing to evict. */
    public static final int NONE = Taken.NONE;

    private static final int[] NO_SLOTS = {};

    private final Stripe[] stripes;
    private final int slots;
    private final AtomicLongArray hints;

    /** An allocator of {@code slots} slots in {@code stripeCount} stripes, at most {@code maxUnusedWarm} unused warm. */
    public SlotIndexAllocator(int slots, int stripeCount, int maxUnusedWarm) {
        if (slots < 0 || stripeCount < 1) {
            throw new IllegalArgumentException(slots + " slots in " + stripeCount + " stripes");
        }
        this.slots = slots;
        int count = Math.max(1, Math.min(stripeCount, slots));
        this.stripes = new Stripe[count];
        for (int s = 0; s < count; s++) {
            int first = (int) ((long) slots * s / count);
            int end = (int) ((long) slots * (s + 1) / count);
            stripes[s] = new Stripe.Padded(s, first, end - first);
        }
        this.hints = new AtomicLongArray(count == 1 ? 1 : Integer.highestOneBit(Math.max(8, slots) * 2 - 1) * 2);
        setMaxUnusedWarm(maxUnusedWarm);
    }

    /** An allocator over {@code stripes}: see {@link #forChild()}. */
    private SlotIndexAllocator(Stripe[] stripes, int slots, AtomicLongArray hints) {
        this.stripes = stripes;
        this.slots = slots;
        this.hints = hints;
    }

    /**
     * For a forked child, where a thread that held a stripe's lock at the fork does not exist and
     * never releases it: an allocator with new locks over the same slots, each stripe's lists rebuilt
     * from its slots' states, which are read without the old locks. Warm, cold and quarantined slots
     * stay so, in slot order; taken slots stay taken, for the caller to keep or to {@link #makeCold}
     * or {@link #quarantine}. Use this allocator no more afterwards.
     */
    public SlotIndexAllocator forChild() {
        Stripe[] fresh = new Stripe[stripes.length];
        for (int s = 0; s < stripes.length; s++) {
            fresh[s] = new Stripe.Padded(stripes[s]);
        }
        return new SlotIndexAllocator(fresh, slots, hints); // hints need no lock, and may be wrong
    }

    /** Whether the slot is neither free nor quarantined: held, or in flight between the lists. */
    public boolean isTaken(int slot) {
        Stripe stripe = stripeOf(slot);
        synchronized (stripe) {
            return stripe.isTaken(slot - stripe.first);
        }
    }

    /** How many stripes to use for {@code slots} slots on this machine: enough to spread the processors. */
    public static int defaultStripes(int slots) {
        return Math.max(1, Math.min(Striping.WAYS, slots / 4));
    }

    public int slots() {
        return slots;
    }

    public int stripeCount() {
        return stripes.length;
    }

    /** Splits the bound across stripes; excess warm slots are trimmed by {@link #evictExcess}. */
    public void setMaxUnusedWarm(int maxUnusedWarm) {
        if (maxUnusedWarm < 0) {
            throw new IllegalArgumentException("maxUnusedWarmSlots = " + maxUnusedWarm + ": must be at least 0");
        }
        for (int s = 0; s < stripes.length; s++) {
            int share = maxUnusedWarm / stripes.length + (s < maxUnusedWarm % stripes.length ? 1 : 0);
            synchronized (stripes[s]) {
                stripes[s].maxWarm = share;
            }
        }
    }

    /**
     * Takes a free slot for {@code key} (which may be null: no affinity).
     *
     * @return the slot and how it was found, packed ({@link #slotOf}, {@link #kindOf}); {@link #NONE} as the slot when
     *         every stripe is empty
     */
    public long acquire(Object key) {
        int hash = key == null ? 0 : spread(key.hashCode());
        int home = key == null ? (int) (Thread.currentThread().getId() % stripes.length)
                : Math.floorMod(hash, stripes.length);
        if (key != null && stripes.length > 1) {
            int hinted = hintedStripe(hash);
            if (hinted != NONE && hinted != home) {
                int slot = takeHinted(stripes[hinted], hinted, key, hash);
                if (slot != NONE) {
                    return Taken.pack(slot, AcquireKind.AFFINITY);
                }
            }
        }
        for (int i = 0; i < stripes.length; i++) {
            Stripe stripe = stripes[(home + i) % stripes.length];
            long taken;
            synchronized (stripe) {
                taken = stripe.take(key);
            }
            if (slotOf(taken) != NONE) {
                return taken;
            }
        }
        return Taken.pack(NONE, AcquireKind.EXHAUSTED);
    }

    /**
     * Takes the most recently used warm slot of {@code key} (not null), from the stripe its hint
     * names and then from its home stripe; takes nothing else.
     *
     * @return the slot, or {@link #NONE}
     */
    public int acquireAffinity(Object key) {
        int hash = spread(key.hashCode());
        int home = Math.floorMod(hash, stripes.length);
        if (stripes.length > 1) {
            int hinted = hintedStripe(hash);
            if (hinted != NONE && hinted != home) {
                int slot = takeHinted(stripes[hinted], hinted, key, hash);
                if (slot != NONE) {
                    return slot;
                }
            }
        }
        Stripe stripe = stripes[home];
        synchronized (stripe) {
            int slot = stripe.takeAffinity(key);
            return slot == NONE ? NONE : stripe.first + slot;
        }
    }

    /**
     * Returns a slot that was just reset: it becomes the most recent warm slot of {@code key}.
     *
     * @return a warm slot beyond the bound, now taken out of the lists, that the caller must
     *         decommit entirely and then pass to {@link #makeCold}; or {@link #NONE}
     */
    public int release(int slot, Object key) {
        Stripe stripe = stripeOf(slot);
        synchronized (stripe) {
            stripe.linkWarm(slot - stripe.first, key);
            int victim = stripe.evictIfOverBound();
            if (key != null && stripes.length > 1 && victim != slot) {
                int hash = spread(key.hashCode());
                int at = hash & (hints.length() - 1);
                long hint = hint(hash, stripe.index);
                if (hints.get(at) != hint) { // mostly it says so already: keep the shared line unwritten
                    hints.set(at, hint);
                }
            }
            return victim;
        }
    }

    private static long hint(int hash, int stripe) {
        return ((long) hash << 32) | (stripe + 1);
    }

    /** The stripe the hint of {@code hash} names, or {@link #NONE}. */
    private int hintedStripe(int hash) {
        long hint = hints.get(hash & (hints.length() - 1));
        return hint != 0 && (int) (hint >>> 32) == hash ? (int) hint - 1 : NONE;
    }

    /**
     * The most recently used warm slot of {@code key} in the hinted stripe, or {@link #NONE}. The
     * hint is cleared when that stripe has no warm slot of the key left (unless a release has just
     * pointed it elsewhere).
     */
    private int takeHinted(Stripe stripe, int index, Object key, int hash) {
        synchronized (stripe) {
            int slot = stripe.takeAffinity(key);
            if (!stripe.hasWarm(key)) {
                hints.compareAndSet(hash & (hints.length() - 1), hint(hash, index), 0);
            }
            return slot == NONE ? NONE : stripe.first + slot;
        }
    }

    /** The slot, decommitted or remapped, has nothing resident: it joins the cold slots. */
    public void makeCold(int slot) {
        Stripe stripe = stripeOf(slot);
        synchronized (stripe) {
            stripe.pushCold(slot - stripe.first);
        }
    }

    /** The slot could not be made clean: it is never handed out again. */
    public void quarantine(int slot) {
        Stripe stripe = stripeOf(slot);
        synchronized (stripe) {
            stripe.quarantine(slot - stripe.first);
        }
    }

    /** One warm slot of stripe {@code s} beyond its bound (out of the lists now), or {@link #NONE}. */
    public int evictExcess(int s) {
        synchronized (stripes[s]) {
            return stripes[s].evictIfOverBound();
        }
    }

    /**
     * Runs {@code action} on warm slots under their stripe's lock, so that no acquire takes one while
     * it runs: on every warm slot, or on {@code only} alone when it is warm ({@link #NONE}: every
     * one). A slot for which {@code action} returns false is taken out of the lists, for the caller to
     * recover as it recovers a taken slot ({@link #makeCold} or {@link #quarantine}).
     *
     * @return the slots taken out, usually none
     */
    public int[] visitWarm(int only, IntPredicate action) {
        int[] refused = NO_SLOTS;
        for (Stripe stripe : stripes) {
            if (only != NONE && (only < stripe.first || only >= stripe.first + stripe.count)) {
                continue;
            }
            synchronized (stripe) {
                refused = stripe.visitWarm(only == NONE ? NONE : only - stripe.first, action, refused);
            }
        }
        return refused;
    }

    /** Free warm slots now. */
    public int warm() {
        int sum = 0;
        for (Stripe stripe : stripes) {
            synchronized (stripe) {
                sum += stripe.warm;
            }
        }
        return sum;
    }

    /** Free cold slots now. */
    public int cold() {
        int sum = 0;
        for (Stripe stripe : stripes) {
            synchronized (stripe) {
                sum += stripe.coldTop;
            }
        }
        return sum;
    }

    /** Slots quarantined for good. */
    public int quarantined() {
        int sum = 0;
        for (Stripe stripe : stripes) {
            synchronized (stripe) {
                sum += stripe.quarantined;
            }
        }
        return sum;
    }

    private Stripe stripeOf(int slot) {
        if (slot < 0 || slot >= slots) {
            throw new IllegalArgumentException("slot " + slot + " is not in 0.." + (slots - 1));
        }
        int guess = (int) ((long) slot * stripes.length / slots);
        while (slot < stripes[guess].first) {
            guess--;
        }
        while (slot >= stripes[guess].first + stripes[guess].count) {
            guess++;
        }
        return stripes[guess];
    }

    private static int spread(int hash) {
        return hash ^ (hash >>> 16);
    }

    /** The slot of a packed answer of {@link #acquire}, or {@link #NONE}. */
    static int slotOf(long packed) {
        return Taken.slot(packed);
    }

    /** How the slot of a packed answer of {@link #acquire} was found. */
    static AcquireKind kindOf(long packed) {
        return Taken.how(packed);
    }
}
