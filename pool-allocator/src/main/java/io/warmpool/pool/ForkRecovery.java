package io.warmpool.pool;

import io.warmpool.fork.ForkGeneration;
import io.warmpool.fork.PidCheckedFd;
import io.warmpool.natives.Syscalls;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Makes a {@link WarmPool} usable in a forked child, which has only the thread that called
 * {@code fork}: the threads that held the pool's locks, held instances, or were resetting slots at
 * that moment do not exist there, and a Java monitor held by a thread that does not exist stays
 * held forever.
 *
 * <pre>
 *  every acquire, release, snapshot, ...:  bookkeeping.generation == ForkGeneration.current()?
 *      yes (one load; with -Dwarmpool.fork.checkPid=true also a getpid) ──► go on
 *      no: the first pool operation in a new fork generation ──► rebuild, once (CAS on the epoch;
 *          another thread of the child that gets here spins until the rebuild is published)
 *
 *  rebuild, per slot kind:
 *    allocator      new locks over the same arrays; its lists rebuilt from each slot's state:
 *                     warm, cold, quarantined in the parent ──► the same in the child (clean)
 *                     taken in the parent, and held by an instance that is not released
 *                     (or that this very call releases) ──► stays in use; its release remaps it
 *                       instead of trusting a reset: its accessible size and contents are the
 *                       parent's, and a parent thread may have been growing it
 *                     taken, no live holder: in flight (being acquired, reset, queued for
 *                       decommit, evicted by a thread that is gone) ──► fresh mapping, cold;
 *                       the remap fails ──► quarantined and sealed (SlotPool.sealQuarantined).
 *                       Counted as Fallback.FORKED.
 *    decommit queue a new one (new lock); the parent's pidfd closed
 *    counts         in use = the held slots; resetting = 0
 *  then the pool:   new monitors; new reset contexts (ResetContexts.forChild): the idle ones and
 *                   the shared pagemap descriptor closed, those a parent thread had borrowed never
 *                   handed out, and this thread opens a descriptor of its own at its next release;
 *                   outstanding = the instances still held; the tenant profile's counter cells
 *                   that parent threads were counting in freed (CounterCells)
 * </pre>
 *
 * <p>With {@code MADV_WIPEONFORK} (the default) every slot reads zero in the child, held ones
 * included; their accessible sizes (their protection) are inherited unchanged, and the bookkeeping
 * above keeps them right. Without it, slots hold the parent's bytes until reset or remapped: the
 * free ones were clean, the held ones are the holders' to release, and the in-flight ones are
 * remapped before anyone can take them.
 *
 * <p>Forks covered: {@code fork()} through glibc, and everything built on it, whose atfork
 * handlers bump the {@link ForkGeneration}. With the debug switch {@code -Dwarmpool.fork.checkPid=true}
 * also forks that bypass them (raw {@code clone}, {@code syscall(SYS_fork)}, {@code vfork} without
 * exec), at the cost of a {@code getpid} per operation. Children that exec inherit nothing of the
 * pool. Not covered: a fork from inside a {@link PoolListener} callback or during
 * {@link WarmPool#close()}. The listener is called in the child too (for the remaps above): a
 * listener that takes a lock a parent thread may have held will wait for it forever.
 *
 * <p>An instance acquired in the parent by a thread that does not exist in the child stays out of
 * service in the child unless the child releases it. A fork while another thread is between taking
 * slots and returning its instance may leave those slots out of service in the child; never dirty.
 */
final class ForkRecovery {
    /** The fork generation and pid the pool's bookkeeping belongs to, or why rebuilding it failed. */
    private static final class Epoch {
        final long generation;
        final int pid;
        final RuntimeException failure;

        Epoch(long generation, int pid, RuntimeException failure) {
            this.generation = generation;
            this.pid = pid;
            this.failure = failure;
        }

        boolean is(long generation, int pid) {
            return this.generation == generation && this.pid == pid;
        }
    }

    private final WarmPool pool;
    private final Map<SlotKind, SlotPool> kinds;
    private final PoolListener listener;
    private final Syscalls os;
    /**
     * References between two slots' entries in {@link #holders}: 64 bytes with compressed references,
     * so that acquires of different slots on different threads write no cache line in common.
     */
    private static final int STRIDE = 16;
    /**
     * The instance last given each slot, by kind ordinal then {@link #at(int) slot}; null when it was
     * never held, or it was in flight at a fork.
     */
    private final Instance[][] holders = new Instance[SlotKind.values().length][];
    private final AtomicReference<Epoch> claimed;
    private volatile Epoch current;

    ForkRecovery(WarmPool pool, PoolConfig config, Map<SlotKind, SlotPool> kinds, PoolListener listener,
                 Syscalls os) {
        this.pool = pool;
        this.kinds = kinds;
        this.listener = listener;
        this.os = os;
        for (SlotKind kind : SlotKind.values()) {
            holders[kind.ordinal()] = new Instance[at(config.total(kind)) + STRIDE];
        }
        Epoch epoch = new Epoch(ForkGeneration.current(), os.getpid(), null);
        this.current = epoch;
        this.claimed = new AtomicReference<>(epoch);
    }

    /** Before a pool operation: rebuilds the bookkeeping if this is a forked child that has not yet. */
    void check() {
        check(null);
    }

    /**
     * Before the release of {@code releasing} (already marked released): as {@link #check()}, and a
     * rebuild keeps that instance's slots as held, for this release to return them.
     *
     * @throws IllegalStateException when rebuilding the bookkeeping in this process failed
     */
    void check(Instance releasing) {
        Epoch epoch = current;
        if (epoch.generation != ForkGeneration.current() || epoch.failure != null
                || (PidCheckedFd.checksPid() && epoch.pid != os.getpid())) {
            recover(releasing);
        }
    }

    /**
     * An acquire hands these slots to {@code instance}. A release writes nothing here: a slot whose
     * holder is released counts as in flight (see {@link #rebuild}), so a release stays off this
     * array, which every thread's acquire writes.
     */
    void held(Instance instance) {
        Instance[] memories = holders[SlotKind.MEMORY.ordinal()];
        for (int slot : instance.memorySlots) {
            memories[at(slot)] = instance;
        }
        Instance[] tables = holders[SlotKind.TABLE.ordinal()];
        for (int slot : instance.tableSlots) {
            tables[at(slot)] = instance;
        }
        if (instance.stackSlot >= 0) {
            holders[SlotKind.STACK.ordinal()][at(instance.stackSlot)] = instance;
        }
    }

    /** Where a slot's holder is in its kind's {@link #holders}: padded on both sides. */
    private static int at(int slot) {
        return (slot + 1) * STRIDE;
    }

    private void recover(Instance releasing) {
        long generation = ForkGeneration.current();
        int pid = PidCheckedFd.checksPid() ? os.getpid() : ForkGeneration.pid();
        Epoch seen = claimed.get();
        if (!seen.is(generation, pid)) {
            Epoch mine = new Epoch(generation, pid, null);
            if (claimed.compareAndSet(seen, mine)) {
                try {
                    rebuild(generation, pid, releasing);
                    current = mine;
                    return;
                } catch (RuntimeException e) {
                    current = new Epoch(generation, pid, e);
                    throw e;
                }
            }
        }
        while (true) { // another thread of this process is rebuilding: this is a child that started threads
            Epoch now = current;
            if (now.is(generation, pid)) {
                if (now.failure != null) {
                    throw new IllegalStateException("the pool cannot be used in this process (pid " + pid
                            + ", fork generation " + generation + "): rebuilding its bookkeeping after the fork"
                            + " failed: " + now.failure.getMessage(), now.failure);
                }
                return;
            }
            Thread.onSpinWait();
        }
    }

    private void rebuild(long generation, int pid, Instance releasing) {
        String why = "it was held when pid " + pid + " was forked (fork generation " + generation
                + "): a forked child does not trust its accessible size or contents";
        List<Instance> instancesOut = new ArrayList<>();
        for (SlotPool slots : kinds.values()) {
            rebuild(slots, generation, pid, why, releasing, instancesOut);
        }
        pool.renewAfterFork(instancesOut);
    }

    /** Rebuilds one kind's bookkeeping; adds to {@code instancesOut} the instances counted at one of its slots. */
    private void rebuild(SlotPool slots, long generation, int pid, String why, Instance releasing,
                         List<Instance> instancesOut) {
        SlotKind kind = slots.kind();
        SlotIndexAllocator allocator = slots.allocator().forChild();
        Instance[] holder = holders[kind.ordinal()];
        int held = 0;
        int remapped = 0;
        int quarantined = 0;
        String firstFailure = null;
        for (int slot = slots.capacity() - 1; slot >= 0; slot--) {
            if (!allocator.isTaken(slot)) {
                continue;
            }
            Instance instance = holder[at(slot)];
            if (instance != null && (!instance.isReleased() || instance == releasing)) {
                slots.distrust(slot, why);
                held++;
                if (countedAt(instance, kind, slot)) {
                    instancesOut.add(instance);
                }
                continue;
            }
            holder[at(slot)] = null;
            try {
                slots.replaceWithFreshMapping(slot);
                allocator.makeCold(slot);
                remapped++;
            } catch (RuntimeException e) {
                allocator.quarantine(slot);
                quarantined++;
                String sealed = slots.sealQuarantined(slot);
                if (firstFailure == null) {
                    firstFailure = e.getMessage() + sealed;
                }
            }
        }
        slots.replaceBookkeeping(allocator, held);
        if (remapped > 0) {
            listener.fallback(kind, Fallback.FORKED, remapped + " " + kind.label() + " slot(s) in flight when pid "
                    + pid + " was forked (fork generation " + generation + ") replaced by fresh mappings");
        }
        if (quarantined > 0) {
            listener.fallback(kind, Fallback.QUARANTINED, quarantined + " " + kind.label() + " slot(s) in flight"
                    + " in the parent could not be replaced by fresh mappings in the forked child: " + firstFailure);
        }
    }

    /** Whether {@code instance} is counted at this slot: its first memory, else its first table, else its stack. */
    private static boolean countedAt(Instance instance, SlotKind kind, int slot) {
        if (instance.memorySlots.length > 0) {
            return kind == SlotKind.MEMORY && instance.memorySlots[0] == slot;
        }
        if (instance.tableSlots.length > 0) {
            return kind == SlotKind.TABLE && instance.tableSlots[0] == slot;
        }
        return kind == SlotKind.STACK && instance.stackSlot == slot;
    }
}
