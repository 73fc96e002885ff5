package io.warmpool.pool;

import io.warmpool.fork.ForkGeneration;
import io.warmpool.fork.PidCheckedFd;
import io.warmpool.natives.Syscalls;
import io.warmpool.pool.concurrent.Padding;
import io.warmpool.pool.config.PoolConfig;
import io.warmpool.pool.config.SlotKind;
import io.warmpool.pool.slab.SlotPool;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.IntPredicate;

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
 *  rebuild: this class knows which lease holds each slot (held(), at every acquire); each owner
 *  renews its own state when told, with that knowledge:
 *    each SlotPool.renewAfterFork(held):  allocator with new locks, rebuilt from each slot's state:
 *                     warm, cold, quarantined in the parent ──► the same in the child (clean)
 *                     taken, and held by a lease that is not given back (or that this very call
 *                     gives back) ──► stays in use; its release remaps it instead of trusting a
 *                       reset: its accessible size and contents are the parent's, and a parent
 *                       thread may have been growing it
 *                     taken, no live holder: in flight (being acquired, reset, queued for
 *                       decommit, evicted by a thread that is gone) ──► fresh mapping, cold;
 *                       the remap fails ──► quarantined and sealed. Counted as Fallback.FORKED.
 *                   a new decommit queue (new lock); counts: in use = the held slots, resetting = 0
 *    then the pool (the renewal it passed in), with the leases still out: new monitors; new reset
 *                   contexts (ResetContexts.forChild); outstanding = those leases; the tenant
 *                   profile's counter cells that parent threads were counting in freed
 * </pre>
 *
 * <p>With {@code MADV_WIPEONFORK} (the default) every slot reads zero in the child, held ones
 * included; their accessible sizes (their protection) are inherited unchanged, and the bookkeeping
 * above keeps them right. The kernel wipes anonymous memory only: a memory image's range (a private
 * file mapping) keeps the parent's private pages. Idle slots read their image there (invariant 1);
 * in-flight ones are remapped above; a held one gets its image range dropped by the rebuild
 * ({@code MADV_DONTNEED}: it reads its image again), so until the child's first pool operation its
 * holder still reads what it wrote there in the parent. Without it, slots hold the parent's bytes until reset or remapped: the
 * free ones were clean, the held ones are the holders' to release, and the in-flight ones are
 * remapped before anyone can take them.
 *
 * <p>Forks covered: {@code fork()} through glibc, and everything built on it, whose atfork
 * handlers bump the {@link ForkGeneration}. With the debug switch {@code -Dwarmpool.fork.checkPid=true}
 * also forks that bypass them (raw {@code clone}, {@code syscall(SYS_fork)}, {@code vfork} without
 * exec), at the cost of a {@code getpid} per operation. Children that exec inherit nothing of the
 * pool. Not covered: a fork from inside a {@link io.warmpool.pool.event.PoolListener} callback or during
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

    private final SlotPools kinds;
    private final Consumer<List<Lease>> renewPool;
    private final Syscalls os;
    private static final int STRIDE = Padding.REFERENCES;
    /**
     * The lease last given each slot, by kind ordinal then {@link #at(int) slot}, padded so that
     * acquires of different slots on different threads write no cache line in common; null when the
     * slot was never held, or it was in flight at a fork.
     */
    private final Lease[][] holders = new Lease[SlotKind.values().length][];
    /** Per kind, which of its slots a live lease holds: made here, so that a forked child loads no class. */
    private final HeldBy[] heldBy = new HeldBy[SlotKind.values().length];
    private final AtomicReference<Epoch> claimed;
    private volatile Epoch current;

    /**
     * @param renewPool renews the pool's own state in a forked child, told the leases still out,
     *                  after every kind's slots are renewed
     */
    ForkRecovery(PoolConfig config, SlotPools kinds, Syscalls os, Consumer<List<Lease>> renewPool) {
        this.kinds = kinds;
        this.renewPool = renewPool;
        this.os = os;
        for (SlotKind kind : SlotKind.values()) {
            holders[kind.ordinal()] = new Lease[Padding.length(config.kind(kind).count(), STRIDE)];
            heldBy[kind.ordinal()] = new HeldBy(holders[kind.ordinal()]);
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
     * Before the release of {@code releasing} (already given back): as {@link #check()}, and a
     * rebuild keeps that lease's slots as held, for this release to return them.
     *
     * @throws IllegalStateException when rebuilding the bookkeeping in this process failed
     */
    void check(Lease releasing) {
        Epoch epoch = current;
        if (epoch.generation != ForkGeneration.current() || epoch.failure != null
                || (PidCheckedFd.checksPid() && epoch.pid != os.getpid())) {
            recover(releasing);
        }
    }

    /**
     * An acquire hands these slots to {@code lease}. A release writes nothing here: a slot whose
     * holder is given back counts as in flight (see {@link #rebuild}), so a release stays off this
     * array, which every thread's acquire writes.
     */
    void held(Lease lease) {
        Lease[] memories = holders[SlotKind.MEMORY.ordinal()];
        for (int slot : lease.memorySlots) {
            memories[at(slot)] = lease;
        }
        Lease[] tables = holders[SlotKind.TABLE.ordinal()];
        for (int slot : lease.tableSlots) {
            tables[at(slot)] = lease;
        }
        if (lease.stackSlot >= 0) {
            holders[SlotKind.STACK.ordinal()][at(lease.stackSlot)] = lease;
        }
    }

    private static int at(int slot) {
        return Padding.index(slot, STRIDE);
    }

    private void recover(Lease releasing) {
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

    private void rebuild(long generation, int pid, Lease releasing) {
        String why = "it was held when pid " + pid + " was forked (fork generation " + generation
                + "): a forked child does not trust its accessible size or contents";
        List<Lease> leasesOut = new ArrayList<>();
        for (SlotPool slots : kinds.all()) {
            Lease[] holder = holders[slots.kind().ordinal()];
            HeldBy held = heldBy[slots.kind().ordinal()];
            held.releasing = releasing;
            slots.renewAfterFork(held, why);
            for (int slot = 0; slot < slots.capacity(); slot++) {
                Lease lease = holder[at(slot)];
                if (lease == null) {
                    continue;
                }
                if (lease.isReleased() && lease != releasing) {
                    holder[at(slot)] = null; // in flight at the fork: its slot is remapped, not held
                } else if (countedAt(lease, slots.kind(), slot)) {
                    leasesOut.add(lease);
                }
            }
        }
        renewPool.accept(leasesOut);
    }

    /** Whether a slot is held by a lease that is not given back, or by the one being given back now. */
    private static final class HeldBy implements IntPredicate {
        private final Lease[] holder;
        Lease releasing;

        HeldBy(Lease[] holder) {
            this.holder = holder;
        }

        @Override
        public boolean test(int slot) {
            Lease lease = holder[at(slot)];
            return lease != null && (!lease.isReleased() || lease == releasing);
        }
    }

    /** Whether {@code lease} is counted at this slot: its first memory, else its first table, else its stack. */
    private static boolean countedAt(Lease lease, SlotKind kind, int slot) {
        if (lease.memorySlots.length > 0) {
            return kind == SlotKind.MEMORY && lease.memorySlots[0] == slot;
        }
        if (lease.tableSlots.length > 0) {
            return kind == SlotKind.TABLE && lease.tableSlots[0] == slot;
        }
        return kind == SlotKind.STACK && lease.stackSlot == slot;
    }
}
