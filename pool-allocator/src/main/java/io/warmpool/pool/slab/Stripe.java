package io.warmpool.pool.slab;

import io.warmpool.pool.concurrent.Padding;
import io.warmpool.pool.event.AcquireKind;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.IntPredicate;

/**
 * One stripe of a {@link SlotIndexAllocator}: a run of contiguous slots with their states, the LRU
 * list of warm slots, a list of warm slots per affinity key, and a stack of cold slots, all as
 * intrusive {@code int} links in padded arrays. Every method runs under the stripe's monitor, and
 * indices are local to the stripe. Its fields sit between {@link Padding} layers ({@link Padded}
 * adds the one after), so that the lock word and list heads that every acquire and release of the
 * stripe writes share no cache line with another stripe's.
 */
abstract class Stripe extends Padding.Before {
    private static final byte COLD = 0;
    private static final byte WARM = 1;
    private static final byte TAKEN = 2;
    private static final byte QUARANTINED = 3;
    /**
     * Unused elements before and after each array's own, {@link Padding#BYTES} bytes at least
     * (the byte array's; more for the others): whatever the heap puts next to an array (another
     * stripe's lock word or lists, after a garbage collection) shares no cache line with the
     * elements this stripe writes. Element i of an array is at [PAD + i].
     */
    static final int PAD = Padding.BYTES;

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
    int lruHead = Taken.NONE;
    int lruTail = Taken.NONE;
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
    private static class KeyList extends Padding.Before {
        int head = Taken.NONE;
    }

    /** A key list padded after its fields too: like a stripe. */
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

    /** Whether local slot {@code slot} is neither free nor quarantined. */
    boolean isTaken(int slot) {
        return state[PAD + slot] == TAKEN;
    }

    long take(Object key) {
        int affine = takeAffinity(key);
        if (affine != Taken.NONE) {
            return Taken.pack(first + affine, AcquireKind.AFFINITY);
        }
        if (coldTop > 0 && warm < maxWarm) {
            return Taken.pack(first + popCold(), AcquireKind.COLD);
        }
        if (lruHead != Taken.NONE) {
            int slot = lruHead;
            unlinkWarm(slot);
            return Taken.pack(first + slot, AcquireKind.WARM);
        }
        if (coldTop > 0) {
            return Taken.pack(first + popCold(), AcquireKind.COLD);
        }
        return Taken.pack(Taken.NONE, AcquireKind.EXHAUSTED);
    }

    private static int padded(int count) {
        return count + 2 * PAD;
    }

    /** The most recently used warm slot of {@code key} (local index), taken; or {@link #Taken.NONE}. */
    int takeAffinity(Object key) {
        KeyList list = key == null ? null : byKey.get(key);
        if (list == null || list.head == Taken.NONE) {
            return Taken.NONE;
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
            if (lists.next().head == Taken.NONE) {
                lists.remove();
            }
        }
    }

    boolean hasWarm(Object key) {
        KeyList list = byKey.get(key);
        return list != null && list.head != Taken.NONE;
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
        lruNext[PAD + slot] = Taken.NONE;
        if (lruTail != Taken.NONE) {
            lruNext[PAD + lruTail] = slot;
        } else {
            lruHead = slot;
        }
        lruTail = slot;
        keyPrev[PAD + slot] = Taken.NONE;
        keyNext[PAD + slot] = Taken.NONE;
        if (key != null) {
            // No lambda here: a forked child must not be the first to link an invokedynamic call site.
            KeyList list = byKey.get(key);
            if (list == null) {
                list = new PaddedKeyList();
                byKey.put(key, list);
            }
            keyNext[PAD + slot] = list.head;
            if (list.head != Taken.NONE) {
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
            if (prev != Taken.NONE) {
                keyNext[PAD + prev] = next;
            } else {
                list.head = next;
            }
            if (next != Taken.NONE) {
                keyPrev[PAD + next] = prev;
            }
            if (list.head == Taken.NONE && byKey.size() > keysKept()) {
                dropEmptyKeyLists();
            }
        }
        int prev = lruPrev[PAD + slot];
        int next = lruNext[PAD + slot];
        if (prev != Taken.NONE) {
            lruNext[PAD + prev] = next;
        } else {
            lruHead = next;
        }
        if (next != Taken.NONE) {
            lruPrev[PAD + next] = prev;
        } else {
            lruTail = prev;
        }
        keyOf[PAD + slot] = null;
        state[PAD + slot] = TAKEN;
        warm--;
    }

    /**
     * Runs {@code action} on each warm slot (by its slot number), or on local slot {@code only} if it
     * is warm; a slot it refuses is taken out of the lists and appended to {@code refused}.
     *
     * @return {@code refused}, grown by the slots refused here
     */
    int[] visitWarm(int only, IntPredicate action, int[] refused) {
        if (only != Taken.NONE) {
            return state[PAD + only] == WARM ? visit(only, action, refused) : refused;
        }
        for (int slot = lruHead; slot != Taken.NONE; ) {
            int next = lruNext[PAD + slot];
            refused = visit(slot, action, refused);
            slot = next;
        }
        return refused;
    }

    private int[] visit(int slot, IntPredicate action, int[] refused) {
        if (action.test(first + slot)) {
            return refused;
        }
        unlinkWarm(slot);
        int[] grown = Arrays.copyOf(refused, refused.length + 1);
        grown[refused.length] = first + slot;
        return grown;
    }

    int evictIfOverBound() {
        if (warm <= maxWarm || lruHead == Taken.NONE) {
            return Taken.NONE;
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

    /**
     * A stripe, padded after its fields as {@link Stripe} is before them ({@link Padding}): the lock
     * word and the lists' heads and counts, written by every acquire and release in the stripe, share
     * no cache line with another stripe's, wherever a garbage collection puts them.
     */
    @SuppressWarnings("unused")
    static final class Padded extends Stripe {
        long q00, q01, q02, q03, q04, q05, q06, q07, q08, q09, q10, q11, q12, q13, q14, q15;

        Padded(int index, int first, int count) {
            super(index, first, count);
        }

        Padded(Stripe parent) {
            super(parent);
        }
    }
}
