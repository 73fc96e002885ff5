package io.warmpool.pool;

import io.warmpool.pool.concurrent.StripedCounter;
import io.warmpool.pool.config.PoolConfig;
import io.warmpool.pool.config.PoolSetting;
import io.warmpool.pool.config.SlotKind;
import io.warmpool.pool.event.AcquireKind;
import io.warmpool.pool.event.AcquireOutcome;
import io.warmpool.pool.profile.TenantProfile;
import io.warmpool.pool.reset.ResetContext;
import io.warmpool.pool.reset.ResetContexts;
import io.warmpool.pool.slab.AffinityKey;
import io.warmpool.pool.slab.SlotIndexAllocator;
import io.warmpool.pool.slab.SlotPool;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * How a {@link WarmPool} lends its slots: an acquire takes every slot its request asks for, or none,
 * and hands them out as one {@link Lease} in an {@link Instance}; the instance's release resets them
 * and takes them back. Waiting in line for slots to be released is {@link AcquireLine}'s (which this
 * owns); one try is drawn here.
 *
 * <pre>
 *  refused first, before any slot is taken: a closed pool; a request no pool state could serve
 *  (a kind the pool has none of, more slots of a kind than it holds, a memory or image too large,
 *  a closed image)
 *
 *  one try, inside the pool's gate:
 *    memories in order, then tables, then the stack: each SlotPool.acquire(key, ...)
 *      a kind without a free slot ──► give back what was taken, last first, untouched (no reset);
 *                                     the line hears which kinds came back ──► answer the kind
 *      a resize failed on every slot it tried ──► the same, then the failure reaches the caller
 *    every slot taken ──► the listener hears how each was found (once the whole instance is taken)
 *                     ──► counted out in this thread's cell ──► a Lease, an Instance
 *
 *  release (never refused by the gate: the instance out kept the pool open):
 *    each slot reset and freed, memories and tables last first ──► the count out drops
 *    ──► one waiter in line tries (once for the instance, not once per slot)
 *
 *  while it takes them, each element of the slot arrays holds one int:
 *    bits  31 30 | 29 28 | 27 .............................. 0
 *          image | how   | slot (a kind has fewer than 2^28 slots: PoolConfig checks)
 *    image: 0 none asked, 1 the slot mapped it already, 2 remapped     how: AcquireKind's ordinal
 *    SlotIndexAllocator.NONE (-1): no slot          the lease gets the slots alone (toSlots)
 * </pre>
 *
 * A try allocates nothing the instance does not keep: a forked child may acquire, where an
 * allocation that needs the heap lock could wait forever.
 */
final class Leasing {
    private static final int[] NO_SLOTS = {};
    /** Where how a slot was found starts in {@link #taken}: above every slot index (two bits). */
    private static final int HOW_SHIFT = 28;
    /** Where whether a memory's slot already mapped its image starts in {@link #taken} (two bits). */
    private static final int IMAGE_SHIFT = 30;
    private static final AcquireKind[] HOWS = AcquireKind.values();

    private final PoolConfig config;
    private final SlotPools kinds;
    private final PoolGate gate;
    private final ForkRecovery forks;
    private final GuardedListener listener;
    private final TenantProfile profile;
    private final StripedCounter outstanding;
    private final Consumer<Lease> giveBack;
    private AcquireLine line = new AcquireLine(); // replaced in a forked child (renewAfterFork)

    /**
     * @param outstanding the pool's instances out: each acquire counts one up in its thread's cell,
     *                    its release counts it down there
     * @param giveBack    what an instance's release calls with its lease (the pool, which calls {@link #release})
     */
    Leasing(PoolConfig config, SlotPools kinds, PoolGate gate, ForkRecovery forks, GuardedListener listener,
            TenantProfile profile, StripedCounter outstanding, Consumer<Lease> giveBack) {
        this.config = config;
        this.kinds = kinds;
        this.gate = gate;
        this.forks = forks;
        this.listener = listener;
        this.profile = profile;
        this.outstanding = outstanding;
        this.giveBack = giveBack;
    }

    /** {@link WarmPool#acquire(InstanceRequest)}: one try. */
    Instance acquire(InstanceRequest request) {
        gate.checkOpen();
        forks.check();
        checkRequest(request);
        Object got = tryAcquireInside(request, AffinityKey.of(request.affinityKey()));
        if (got instanceof Instance instance) {
            listener.instanceAcquired(AcquireOutcome.ACQUIRED, 0);
            return instance;
        }
        SlotKind exhausted = (SlotKind) got;
        listener.acquired(exhausted, AcquireKind.EXHAUSTED);
        listener.instanceAcquired(AcquireOutcome.EXHAUSTED, 0);
        throw new PoolExhaustedException(kinds.of(exhausted).snapshot(), "");
    }

    /** {@link WarmPool#acquire(InstanceRequest, Duration)}: tries, in line, until {@code timeout}. */
    Instance acquire(InstanceRequest request, Duration timeout) throws InterruptedException {
        long timeoutNanos = saturatedNanos(Objects.requireNonNull(timeout, "timeout"));
        gate.checkOpen();
        forks.check();
        checkRequest(request);
        AffinityKey key = AffinityKey.of(request.affinityKey());
        long started = System.nanoTime();
        AcquireLine waiting = line;
        Object got = null;
        if (waiting.isEmpty()) {
            got = tryAcquireInside(request, key);
            if (got instanceof Instance instance) {
                listener.instanceAcquired(AcquireOutcome.ACQUIRED, 0);
                return instance;
            }
        }
        AcquireLine.Waiter me = waiting.join();
        boolean done = false;
        try {
            while (true) {
                gate.checkOpen();
                if (waiting.mayTry(me)) {
                    got = tryAcquireInside(request, key);
                    if (got instanceof Instance instance) {
                        done = true;
                        listener.instanceAcquired(AcquireOutcome.ACQUIRED, Math.max(1, System.nanoTime() - started));
                        return instance;
                    }
                    waiting.lacked(me, (SlotKind) got);
                }
                long left = timeoutNanos - (System.nanoTime() - started);
                if (left <= 0) {
                    SlotKind exhausted = got instanceof SlotKind kind ? kind : firstKind(request);
                    listener.acquired(exhausted, AcquireKind.EXHAUSTED);
                    listener.instanceAcquired(AcquireOutcome.TIMED_OUT, System.nanoTime() - started);
                    throw new PoolExhaustedException(kinds.of(exhausted).snapshot(), " within " + timeout);
                }
                LockSupport.parkNanos(waiting, left);
                if (Thread.interrupted()) {
                    throw new InterruptedException("interrupted while waiting " + (System.nanoTime() - started)
                            + " ns in line for " + request);
                }
            }
        } finally {
            waiting.leave(me, done);
        }
    }

    /**
     * Resets and returns the slots of a lease its instance gave back, with the reset contexts the
     * pool has once the caller checked for a fork ({@link ForkRecovery#check(Lease)}, which renews
     * them in a forked child). Never refused by the gate: the instance out kept the pool open
     * ({@link PoolGate}), and its count drops only at the end.
     */
    void release(Lease lease, ResetContexts contexts) {
        int cell = gate.enterAlways();
        ResetContext ctx = contexts.borrowForRelease(); // never throws: the slots below must be reset
        try {
            releaseAll(ctx, SlotKind.MEMORY, lease.memorySlots, lease.memorySlots.length, lease.key);
            releaseAll(ctx, SlotKind.TABLE, lease.tableSlots, lease.tableSlots.length, lease.key);
            if (lease.stackSlot >= 0) {
                kinds.of(SlotKind.STACK).release(ctx, lease.stackSlot, lease.key);
            }
        } finally {
            contexts.giveBack(ctx); // before the count drops: close() refuses while it is up, so never closes ctx in use
            outstanding.add(lease.countedIn, -1);
            line.slotFreed(); // once for the instance's slots: one waiter tries, not one per slot
            gate.exit(cell);
        }
    }

    /**
     * Releases the first {@code count} of {@code taken}, last first: the first one becomes the most
     * recently used slot of the key, so that the next instance with the key gets each of its
     * memories (and tables) back in the same place, not swapped.
     */
    private void releaseAll(ResetContext ctx, SlotKind kind, int[] taken, int count, AffinityKey key) {
        for (int i = count - 1; i >= 0; i--) {
            kinds.of(kind).release(ctx, taken[i], key);
        }
    }

    /** A queued decommit freed a slot: one waiter in line tries. */
    void slotFreed() {
        line.slotFreed();
    }

    /** The pool closes: every waiter wakes, and fails with "the pool is closed". */
    void wakeAll() {
        line.wakeAll();
    }

    /** In a forked child: a new line (the parent's waiters do not exist here, and one may hold the old line's monitor). */
    void renewAfterFork() {
        line = new AcquireLine();
    }

    /** The first kind a request asks for: what a refusal names when the waiter never reached the head. */
    private static SlotKind firstKind(InstanceRequest request) {
        return request.memories() > 0 ? SlotKind.MEMORY : request.tables() > 0 ? SlotKind.TABLE : SlotKind.STACK;
    }

    /** The duration in nanoseconds, from 0 (zero or negative) to {@code Long.MAX_VALUE} (too long to count). */
    private static long saturatedNanos(Duration duration) {
        if (duration.isNegative()) {
            return 0;
        }
        try {
            return duration.toNanos();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE;
        }
    }

    /**
     * Refuses, before any slot is taken, a request that no pool state could serve: a kind the pool
     * has no slots of, more slots of a kind than the pool holds, a memory larger than the maximum.
     */
    private void checkRequest(InstanceRequest request) {
        checkCount(SlotKind.MEMORY, request.memories(), request);
        checkCount(SlotKind.TABLE, request.tables(), request);
        checkCount(SlotKind.STACK, request.stack() ? 1 : 0, request);
        long max = config.memories().slotBytes();
        for (int i = 0; i < request.memories(); i++) {
            if (request.memoryBytes(i) > max) {
                throw new IllegalArgumentException("memory " + i + " asks for " + request.memoryBytes(i)
                        + " initial bytes; the maximum is " + max + " (" + PoolSetting.MEMORY_MAX.key() + ")");
            }
            MemoryImage image = request.memoryImage(i);
            if (image != null && image.byteSize() > max) {
                throw new IllegalArgumentException("memory " + i + " names a memory image of " + image.byteSize()
                        + " bytes; the maximum is " + max + " (" + PoolSetting.MEMORY_MAX.key() + ")");
            }
            if (image != null && image.isClosed()) {
                throw new IllegalArgumentException("memory " + i + " names a closed memory image (" + image + ")");
            }
        }
    }

    private void checkCount(SlotKind kind, int wanted, InstanceRequest request) {
        int total = config.kind(kind).count();
        if (wanted > total) {
            throw new IllegalArgumentException(request + " asks for " + wanted + " " + kind.label()
                    + " slot(s); the pool has " + total + " (" + PoolSetting.count(kind).key() + ")");
        }
    }

    /** {@link #tryAcquire} inside the pool's gate: refused once the pool is closed or closing. */
    private Object tryAcquireInside(InstanceRequest request, AffinityKey key) {
        int cell = gate.enter();
        try {
            return tryAcquire(request, key);
        } finally {
            gate.exit(cell);
        }
    }

    /**
     * Takes every slot {@code request} asks for, or none, as the class comment draws it.
     *
     * @return the instance, or the kind that had no free slot
     */
    private Object tryAcquire(InstanceRequest request, AffinityKey key) {
        int[] memories = request.memories() == 0 ? NO_SLOTS : new int[request.memories()];
        int[] tables = request.tables() == 0 ? NO_SLOTS : new int[request.tables()];
        int stack = -1;
        int memoriesTaken = 0;
        int tablesTaken = 0;
        SlotKind exhausted = null;
        try {
            for (; memoriesTaken < memories.length; memoriesTaken++) {
                long initial = PoolConfig.roundUp(request.memoryBytes(memoriesTaken), config.pageSize());
                MemoryImage image = request.memoryImage(memoriesTaken);
                memories[memoriesTaken] = taken(kinds.of(SlotKind.MEMORY).acquire(key,
                        image == null ? null : image.file(), initial));
                if (memories[memoriesTaken] == SlotIndexAllocator.NONE) {
                    exhausted = SlotKind.MEMORY;
                    break;
                }
            }
            for (; exhausted == null && tablesTaken < tables.length; tablesTaken++) {
                tables[tablesTaken] = taken(kinds.of(SlotKind.TABLE).acquire(key, 0));
                if (tables[tablesTaken] == SlotIndexAllocator.NONE) {
                    exhausted = SlotKind.TABLE;
                    break;
                }
            }
            if (exhausted == null && request.stack()) {
                stack = taken(kinds.of(SlotKind.STACK).acquire(key, 0));
                if (stack == SlotIndexAllocator.NONE) {
                    exhausted = SlotKind.STACK;
                }
            }
        } catch (RuntimeException e) { // a resize failed on every slot it tried: give back the others
            untake(SlotKind.MEMORY, memories, memoriesTaken, key);
            untake(SlotKind.TABLE, tables, tablesTaken, key);
            line.slotReturned(null);
            throw e;
        }
        if (exhausted != null) {
            untake(SlotKind.MEMORY, memories, memoriesTaken, key);
            untake(SlotKind.TABLE, tables, tablesTaken, key);
            if (memoriesTaken > 0) {
                line.slotReturned(SlotKind.MEMORY);
            }
            if (tablesTaken > 0) {
                line.slotReturned(SlotKind.TABLE);
            }
            return exhausted;
        }
        // Every slot is taken: the acquire succeeded as a whole, and says so once per slot (the
        // listener is guarded: what it throws is counted, and never undoes the acquire).
        tell(SlotKind.MEMORY, memories);
        tell(SlotKind.TABLE, tables);
        if (request.stack()) {
            listener.acquired(SlotKind.STACK, howOf(stack));
        }
        toSlots(memories);
        toSlots(tables);
        int countedIn = outstanding.cellOfThisThread();
        // The profile's instances-in-use: exact for this thread's own, a few acquires late for the
        // others' (summing every thread's count on each acquire would read lines they all write).
        profile.acquiring((int) outstanding.sumSeenFrom(countedIn));
        outstanding.add(countedIn, 1);
        Lease lease = new Lease(key, memories, imagesOf(request), tables, request.stack() ? slotOf(stack) : -1,
                countedIn);
        Instance instance = new Instance(lease, kinds, config, giveBack);
        forks.held(lease);
        return instance;
    }

    /**
     * What {@link SlotPool#acquire} answered, as one int: the slot in the low {@link #HOW_SHIFT}
     * bits, how it was found above them; or {@link SlotIndexAllocator#NONE}. Slots of a kind are
     * fewer than 2^{@value #HOW_SHIFT} ({@code PoolConfig} checks).
     */
    private static int taken(long answer) {
        int slot = SlotPool.slotOf(answer);
        return slot == SlotIndexAllocator.NONE ? slot
                : slot | SlotPool.howOf(answer).ordinal() << HOW_SHIFT | SlotPool.imageOf(answer) << IMAGE_SHIFT;
    }

    private static int slotOf(int taken) {
        return taken & ((1 << HOW_SHIFT) - 1);
    }

    private static AcquireKind howOf(int taken) {
        return HOWS[(taken >>> HOW_SHIFT) & 3];
    }

    /** The request's memory images for its lease, or null when it names none. */
    private static MemoryImage[] imagesOf(InstanceRequest request) {
        for (int i = 0; i < request.memories(); i++) {
            if (request.memoryImage(i) != null) {
                MemoryImage[] images = new MemoryImage[request.memories()];
                for (int j = i; j < images.length; j++) {
                    images[j] = request.memoryImage(j);
                }
                return images;
            }
        }
        return null;
    }

    /** Strips how each slot was found, leaving the slots. */
    private static void toSlots(int[] taken) {
        for (int i = 0; i < taken.length; i++) {
            taken[i] = slotOf(taken[i]);
        }
    }

    /** Gives back the first {@code count} of {@code taken}, last first, untouched. */
    private void untake(SlotKind kind, int[] taken, int count, AffinityKey key) {
        for (int i = count - 1; i >= 0; i--) {
            kinds.of(kind).untake(slotOf(taken[i]), key);
        }
    }

    private void tell(SlotKind kind, int[] taken) {
        for (int t : taken) {
            listener.acquired(kind, howOf(t));
            int image = (t >>> IMAGE_SHIFT) & 3;
            if (image != 0) {
                listener.imageAcquired(image == 1);
            }
        }
    }
}
