package io.warmpool.pool;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

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
final class SlotIndexAllocator {
    static final int NONE = -1;

    private final Stripe[] stripes;
    private final int slots;
    private final AtomicLongArray hints;

    SlotIndexAllocator(int slots, int stripeCount, int maxUnusedWarm) {
        if (slots < 0 || stripeCount < 1) {
            throw new IllegalArgumentException(slots + " slots in " + stripeCount + " stripes");
        }
        this.slots = slots;
        int count = Math.max(1, Math.min(stripeCount, slots));
        this.stripes = new Stripe[count];
        for (int s = 0; s < count; s++) {
            int first = (int) ((long) slots * s / count);
            int end = (int) ((long) slots * (s + 1) / count);
            stripes[s] = new PaddedStripe(s, first, end - first);
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
    SlotIndexAllocator forChild() {
        Stripe[] fresh = new Stripe[stripes.length];
        for (int s = 0; s < stripes.length; s++) {
            fresh[s] = new PaddedStripe(stripes[s]);
        }
        return new SlotIndexAllocator(fresh, slots, hints); // hints need no lock, and may be wrong
    }

    /** Whether the slot is neither free nor quarantined: held, or in flight between the lists. */
    boolean isTaken(int slot) {
        Stripe stripe = stripeOf(slot);
        synchronized (stripe) {
            return stripe.state[Stripe.PAD + slot - stripe.first] == Stripe.TAKEN;
        }
    }

    /** How many stripes to use for {@code slots} slots on this machine: enough to spread the processors. */
    static int defaultStripes(int slots) {
        int wanted = Integer.highestOneBit(Math.max(1, Runtime.getRuntime().availableProcessors()) * 2 - 1) * 2;
        return Math.max(1, Math.min(wanted, slots / 4));
    }

    int slots() {
        return slots;
    }

    int stripeCount() {
        return stripes.length;
    }

    /** Splits the bound across stripes; excess warm slots are trimmed by {@link #evictExcess}. */
    void setMaxUnusedWarm(int maxUnusedWarm) {
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
     * @return the slot and how it was found, packed by {@link #pack}; {@link #NONE} as the slot when
     *         every stripe is empty
     */
    long acquire(Object key) {
        int hash = key == null ? 0 : spread(key.hashCode());
        int home = key == null ? (int) (Thread.currentThread().getId() % stripes.length)
                : Math.floorMod(hash, stripes.length);
        if (key != null && stripes.length > 1) {
            int hinted = hintedStripe(hash);
            if (hinted != NONE && hinted != home) {
                int slot = takeHinted(stripes[hinted], hinted, key, hash);
                if (slot != NONE) {
                    return pack(slot, AcquireKind.AFFINITY);
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
        return pack(NONE, AcquireKind.EXHAUSTED);
    }

    /**
     * Returns a slot that was just reset: it becomes the most recent warm slot of {@code key}.
     *
     * @return a warm slot beyond the bound, now taken out of the lists, that the caller must
     *         decommit entirely and then pass to {@link #makeCold}; or {@link #NONE}
     */
    int release(int slot, Object key) {
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
    void makeCold(int slot) {
        Stripe stripe = stripeOf(slot);
        synchronized (stripe) {
            stripe.pushCold(slot - stripe.first);
        }
    }

    /** The slot could not be made clean: it is never handed out again. */
    void quarantine(int slot) {
        Stripe stripe = stripeOf(slot);
        synchronized (stripe) {
            stripe.quarantine(slot - stripe.first);
        }
    }

    /** One warm slot of stripe {@code s} beyond its bound (out of the lists now), or {@link #NONE}. */
    int evictExcess(int s) {
        synchronized (stripes[s]) {
            return stripes[s].evictIfOverBound();
        }
    }

    /** Free warm slots now. */
    int warm() {
        int sum = 0;
        for (Stripe stripe : stripes) {
            synchronized (stripe) {
                sum += stripe.warm;
            }
        }
        return sum;
    }

    /** Free cold slots now. */
    int cold() {
        int sum = 0;
        for (Stripe stripe : stripes) {
            synchronized (stripe) {
                sum += stripe.coldTop;
            }
        }
        return sum;
    }

    /** Slots quarantined for good. */
    int quarantined() {
        int sum = 0;
        for (Stripe stripe : stripes) {
            synchronized (stripe) {
                sum += stripe.quarantined;
            }
        }
        return sum;
    }

    /** How many keys the stripes remember, those whose lists are empty included (tests). */
    int keysRemembered() {
        int sum = 0;
        for (Stripe stripe : stripes) {
            synchronized (stripe) {
                sum += stripe.byKey.size();
            }
        }
        return sum;
    }

    /** The key a warm slot was last used with, or null (cold, in use, or no key). For tests and statistics. */
    Object keyOf(int slot) {
        Stripe stripe = stripeOf(slot);
        synchronized (stripe) {
            return stripe.keyOf[Stripe.PAD + slot - stripe.first];
        }
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

    static long pack(int slot, AcquireKind kind) {
        return ((long) kind.ordinal() << 32) | (slot & 0xffffffffL);
    }

    static int slotOf(long packed) {
        return (int) packed;
    }

    static AcquireKind kindOf(long packed) {
        return AcquireKind.values()[(int) (packed >>> 32)];
    }

    /**
     * 128 bytes of nothing ahead of a stripe's fields (or a key list's), and {@link PaddedStripe}
     * adds as many after them: the lock word and the lists' heads and counts, written by every acquire and release in the
     * stripe, share no cache line (nor the neighbouring one, which is fetched with it) with another
     * stripe's. Needed because a garbage collection copies the stripes side by side (they are
     * reached one after the other from the allocator's array), where they would otherwise share lines.
     */
    @SuppressWarnings("unused")
    private abstract static class PaddingBefore {
        long p00, p01, p02, p03, p04, p05, p06, p07, p08, p09, p10, p11, p12, p13, p14, p15;
    }

    /** A stripe, padded after its fields: see {@link PaddingBefore}. */
    @SuppressWarnings("unused")
    private static final class PaddedStripe extends Stripe {
        long q00, q01, q02, q03, q04, q05, q06, q07, q08, q09, q10, q11, q12, q13, q14, q15;

        PaddedStripe(int index, int first, int count) {
            super(index, first, count);
        }

        PaddedStripe(Stripe parent) {
            super(parent);
        }
    }

    /** The lists of one stripe. Every method runs under the stripe's monitor. Indices are local. */
    private abstract static class Stripe extends PaddingBefore {
        private static final byte COLD = 0;
        private static final byte WARM = 1;
        private static final byte TAKEN = 2;
        private static final byte QUARANTINED = 3;
        /**
         * Unused elements before and after each array's own, 128 bytes at least (the byte array's;
         * 512 for the others): whatever the heap puts next to an array (another stripe's lock word
         * or lists, after a garbage collection) shares no cache line with the elements this stripe
         * writes. Element i of an array is at [PAD + i].
         */
        static final int PAD = 128;

        final int index;
        final int first;
        final int count;
        final byte[] state;
        final Object[] keyOf;
        final int[] keyPrev;
        final int[] keyNext;
        final int[] lruPrev;
        final int[] lruNext;
        final int[] cold;
        final Map<Object, KeyList> byKey = new HashMap<>();
        int lruHead = NONE;
        int lruTail = NONE;
        int coldTop;
        int warm;
        int quarantined;
        int maxWarm;

        /**
         * The warm slots last used with one key, most recently used first. A key's list stays in
         * {@link #byKey} when it empties (the key's next release refills it, with no allocation and
         * no change to the map) until the map holds more than {@link #keysKept} keys; then the
         * empty lists go, at least half of the map, so the sweep costs O(1) a release on average.
         */
        private static class KeyList extends PaddingBefore {
            int head = NONE;
        }

        /** A key list padded after its fields too: like a stripe, see {@link PaddingBefore}. */
        @SuppressWarnings("unused")
        private static final class PaddedKeyList extends KeyList {
            long q00, q01, q02, q03, q04, q05, q06, q07, q08, q09, q10, q11, q12, q13, q14, q15;
        }

        Stripe(int index, int first, int count) {
            this.index = index;
            this.first = first;
            this.count = count;
            this.state = new byte[padded(count)];
            this.keyOf = new Object[padded(count)];
            this.keyPrev = new int[padded(count)];
            this.keyNext = new int[padded(count)];
            this.lruPrev = new int[padded(count)];
            this.lruNext = new int[padded(count)];
            this.cold = new int[padded(count)];
            for (int i = 0; i < count; i++) {
                cold[PAD + i] = count - 1 - i; // lowest index on top: slots are handed out in address order
            }
            this.coldTop = count;
        }

        /**
         * A stripe with a new monitor over {@code parent}'s arrays (a forked child's): the lists are
         * rebuilt from the slots' states, nothing else of the parent's lists is trusted.
         */
        Stripe(Stripe parent) {
            this.index = parent.index;
            this.first = parent.first;
            this.count = parent.count;
            this.state = parent.state;
            this.keyOf = parent.keyOf;
            this.keyPrev = parent.keyPrev;
            this.keyNext = parent.keyNext;
            this.lruPrev = parent.lruPrev;
            this.lruNext = parent.lruNext;
            this.cold = parent.cold;
            this.maxWarm = parent.maxWarm;
            for (int slot = count - 1; slot >= 0; slot--) {
                if (state[PAD + slot] == COLD) {
                    cold[PAD + coldTop++] = slot; // lowest index on top, as at the start
                } else if (state[PAD + slot] == QUARANTINED) {
                    quarantined++;
                }
            }
            for (int slot = 0; slot < count; slot++) {
                if (state[PAD + slot] == WARM) {
                    state[PAD + slot] = TAKEN;
                    linkWarm(slot, keyOf[PAD + slot]);
                }
            }
        }

        long take(Object key) {
            int affine = takeAffinity(key);
            if (affine != NONE) {
                return pack(first + affine, AcquireKind.AFFINITY);
            }
            if (coldTop > 0 && warm < maxWarm) {
                return pack(first + popCold(), AcquireKind.COLD);
            }
            if (lruHead != NONE) {
                int slot = lruHead;
                unlinkWarm(slot);
                return pack(first + slot, AcquireKind.WARM);
            }
            if (coldTop > 0) {
                return pack(first + popCold(), AcquireKind.COLD);
            }
            return pack(NONE, AcquireKind.EXHAUSTED);
        }

        private static int padded(int count) {
            return count + 2 * PAD;
        }

        /** The most recently used warm slot of {@code key} (local index), taken; or {@link #NONE}. */
        int takeAffinity(Object key) {
            KeyList list = key == null ? null : byKey.get(key);
            if (list == null || list.head == NONE) {
                return NONE;
            }
            int slot = list.head;
            unlinkWarm(slot, list);
            return slot;
        }

        /** Keys the map may hold before the empty lists are dropped: twice the slots, and some. */
        private int keysKept() {
            return 2 * count + 16;
        }

        /** Drops every empty key list (no lambda: this may first run in a forked child). */
        private void dropEmptyKeyLists() {
            for (Iterator<KeyList> lists = byKey.values().iterator(); lists.hasNext(); ) {
                if (lists.next().head == NONE) {
                    lists.remove();
                }
            }
        }

        boolean hasWarm(Object key) {
            KeyList list = byKey.get(key);
            return list != null && list.head != NONE;
        }

        private int popCold() {
            int slot = cold[PAD + --coldTop];
            state[PAD + slot] = TAKEN;
            return slot;
        }

        void pushCold(int slot) {
            requireState(slot, TAKEN, "made cold");
            state[PAD + slot] = COLD;
            cold[PAD + coldTop++] = slot;
        }

        void quarantine(int slot) {
            requireState(slot, TAKEN, "quarantined");
            state[PAD + slot] = QUARANTINED;
            quarantined++;
        }

        void linkWarm(int slot, Object key) {
            requireState(slot, TAKEN, "released");
            state[PAD + slot] = WARM;
            keyOf[PAD + slot] = key;
            warm++;
            lruPrev[PAD + slot] = lruTail;
            lruNext[PAD + slot] = NONE;
            if (lruTail != NONE) {
                lruNext[PAD + lruTail] = slot;
            } else {
                lruHead = slot;
            }
            lruTail = slot;
            keyPrev[PAD + slot] = NONE;
            keyNext[PAD + slot] = NONE;
            if (key != null) {
                // No lambda here: a forked child must not be the first to link an invokedynamic call site.
                KeyList list = byKey.get(key);
                if (list == null) {
                    list = new PaddedKeyList();
                    byKey.put(key, list);
                }
                keyNext[PAD + slot] = list.head;
                if (list.head != NONE) {
                    keyPrev[PAD + list.head] = slot;
                }
                list.head = slot;
            }
        }

        void unlinkWarm(int slot) {
            Object key = keyOf[PAD + slot];
            unlinkWarm(slot, key == null ? null : byKey.get(key));
        }

        /** Takes a warm slot out of the lists; {@code list} is its key's (null when it has none). */
        private void unlinkWarm(int slot, KeyList list) {
            requireState(slot, WARM, "taken from the warm lists");
            if (list != null) {
                int prev = keyPrev[PAD + slot];
                int next = keyNext[PAD + slot];
                if (prev != NONE) {
                    keyNext[PAD + prev] = next;
                } else {
                    list.head = next;
                }
                if (next != NONE) {
                    keyPrev[PAD + next] = prev;
                }
                if (list.head == NONE && byKey.size() > keysKept()) {
                    dropEmptyKeyLists();
                }
            }
            int prev = lruPrev[PAD + slot];
            int next = lruNext[PAD + slot];
            if (prev != NONE) {
                lruNext[PAD + prev] = next;
            } else {
                lruHead = next;
            }
            if (next != NONE) {
                lruPrev[PAD + next] = prev;
            } else {
                lruTail = prev;
            }
            keyOf[PAD + slot] = null;
            state[PAD + slot] = TAKEN;
            warm--;
        }

        int evictIfOverBound() {
            if (warm <= maxWarm || lruHead == NONE) {
                return NONE;
            }
            int victim = lruHead;
            unlinkWarm(victim);
            return first + victim;
        }

        private void requireState(int slot, byte expected, String action) {
            if (state[PAD + slot] != expected) {
                throw new IllegalStateException("slot " + (first + slot) + " cannot be " + action + " in state "
                        + state[PAD + slot] + " (expected " + expected + ")");
            }
        }
    }
}
