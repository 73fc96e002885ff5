package io.warmpool.pool.reset;

import io.warmpool.fork.ForkGeneration;
import io.warmpool.natives.Mman;
import io.warmpool.natives.NativeCallException;
import io.warmpool.natives.NativeMemory;
import io.warmpool.natives.Syscalls;
import io.warmpool.pool.event.Fallback;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.function.LongSupplier;

/**
 * Gives ranges back to the kernel ({@code MADV_DONTNEED}) for released slots, in batches of
 * {@code batchSlots} slots, and tells the pool when each slot's ranges are gone: a slot returns to
 * the free lists only after its decommit ran.
 *
 * <pre>
 *  submit(slot, ranges)          copies the ranges into the open batch, under the queue's lock
 *    batch holds batchSlots, or  --> swap in an empty batch; flush the full one outside the lock:
 *    its first slot has waited       process_madvise(pidfd, iovec[n], MADV_DONTNEED)   one call, 6.13+
 *    MAX_WAIT_NANOS?                 or madvise(range) for each range                  any kernel
 *                                then completion.decommitted(slot) for each slot of the batch
 *  flushIfWaited()               the same once the first slot has waited MAX_WAIT_NANOS: the pool
 *                                calls it at each acquire, snapshot and resident-bytes measurement
 *  flush()                       the same for a batch that is not full (exhaustion, close)
 * </pre>
 *
 * <p>The wait is bounded because a queued slot is neither free nor clean of pages: it holds what its
 * tenant dirtied past the keep-resident budget until its batch runs, and in a pool that goes quiet
 * the batch would never fill. The bound is checked on the pool's own operations, so a pool that sees
 * no operation at all keeps its open batch: at most {@code batchSlots - 1} slots per kind, counted as
 * resetting in the snapshot, and {@code WarmPool.flushDecommits()} runs them on demand. The pool
 * starts no timer thread for that: one more thread to stop on close, and one a forked child lacks.
 *
 * With a batch of one slot nothing is queued: {@link #decommitNow} runs on the releasing thread.
 * When {@code process_madvise} fails, the batch is decommitted range by range with {@code madvise},
 * the fallback is counted, and {@code process_madvise} is not tried again; a range whose
 * {@code madvise} fails fails its slot alone.
 *
 * <p>The pidfd of {@code process_madvise} names the process that opened it: after a fork the queue
 * opens a new one for the child before its first use (a pidfd cannot be reopened by path).
 */
public final class DecommitQueue implements AutoCloseable {
    /** What the queue tells the pool about each slot of a flushed batch. */
    public interface Completion {
        /** The slot's ranges are gone: it may return to the free lists. */
        void decommitted(int slot);

        /** A range of the slot could not be decommitted: the slot must be recovered the slow, sure way. */
        void failed(int slot, RuntimeException cause);

        /** The queue took a slower path from now on ({@code process_madvise} failed). */
        void fellBack(Fallback reason, String detail);
    }

    private static final int IOV_MAX = 1024;

    /** How long a queued slot waits for its batch to fill, at most, before the pool's next operation runs it. */
    public static final long MAX_WAIT_NANOS = 100_000_000L;

    private final Syscalls os;
    private final int batchSlots;
    private final Completion completion;
    private final LongSupplier nanoClock;
    private final ArrayDeque<Batch> spare = new ArrayDeque<>();
    private Batch open = new Batch();
    /** When the open batch took its first slot, by {@link #nanoClock}; under the lock. */
    private long openedAt;
    /** Whether the open batch holds a slot: read without the lock, so that an acquire pays one load. */
    private volatile boolean waiting;
    private volatile boolean processMadvise;
    private int pidfd = -1;
    private long pidfdGeneration = -1;
    private int pendingSlots;

    /**
     * @param batchSlots     slots whose ranges go in one batch; 1: none queued, {@link #decommitNow}
     * @param processMadvise whether to try {@code process_madvise} for a batch
     * @param nanoClock      the clock that times how long a batch waits ({@link System#nanoTime} but in tests)
     */
    public DecommitQueue(Syscalls os, int batchSlots, boolean processMadvise, Completion completion, LongSupplier nanoClock) {
        this.os = os;
        this.batchSlots = batchSlots;
        this.processMadvise = processMadvise;
        this.completion = completion;
        this.nanoClock = nanoClock;
    }

    public int batchSlots() {
        return batchSlots;
    }

    /** Slots whose decommit is queued and not yet run. */
    public synchronized int pending() {
        return pendingSlots;
    }

    /** Runs the ranges' decommits on this thread; returns the nanoseconds it took. */
    public long decommitNow(RangeList ranges) {
        long t0 = System.nanoTime();
        for (int i = 0; i < ranges.size(); i++) {
            os.madvise(ranges.start(i), ranges.end(i) - ranges.start(i), Mman.MADV_DONTNEED);
        }
        return System.nanoTime() - t0;
    }

    /** Queues the slot's ranges; flushes on this thread when the batch is full. */
    public void submit(int slot, RangeList ranges) {
        Batch full = null;
        synchronized (this) {
            open.add(slot, ranges);
            pendingSlots++;
            if (open.slotCount == 1) {
                openedAt = nanoClock.getAsLong();
                waiting = true;
            }
            if (open.slotCount >= batchSlots || waitedTooLong()) {
                full = swap();
            }
        }
        if (full != null) {
            run(full);
        }
    }

    /** Runs whatever is queued, on this thread. */
    public void flush() {
        flush(false);
    }

    /** Runs the open batch on this thread if its first slot has waited {@link #MAX_WAIT_NANOS} or longer. */
    public void flushIfWaited() {
        if (waiting) {
            flush(true);
        }
    }

    private void flush(boolean onlyIfWaited) {
        Batch batch;
        synchronized (this) {
            if (open.slotCount == 0 || (onlyIfWaited && !waitedTooLong())) {
                return;
            }
            batch = swap();
        }
        run(batch);
    }

    private boolean waitedTooLong() {
        return nanoClock.getAsLong() - openedAt >= MAX_WAIT_NANOS;
    }

    private Batch swap() {
        Batch full = open;
        open = spare.isEmpty() ? new Batch() : spare.pop();
        waiting = false;
        return full;
    }

    private void run(Batch batch) {
        try {
            boolean done = false;
            if (processMadvise && batch.rangeCount > 1) {
                done = tryProcessMadvise(batch);
            }
            if (!done) {
                madviseEach(batch);
            }
            for (int i = 0; i < batch.slotCount; i++) {
                if (batch.failures[i] == null) {
                    completion.decommitted(batch.slots[i]);
                } else {
                    completion.failed(batch.slots[i], batch.failures[i]);
                }
            }
        } finally {
            synchronized (this) {
                pendingSlots -= batch.slotCount;
                batch.clear();
                spare.push(batch);
            }
        }
    }

    private void madviseEach(Batch batch) {
        for (int r = 0; r < batch.rangeCount; r++) {
            int owner = batch.owner[r];
            if (batch.failures[owner] != null) {
                continue;
            }
            try {
                os.madvise(batch.starts[r], batch.lengths[r], Mman.MADV_DONTNEED);
            } catch (NativeCallException e) {
                batch.failures[owner] = e;
            }
        }
    }

    /** One process_madvise per IOV_MAX ranges; false (and madvise from then on) if one fails. */
    private boolean tryProcessMadvise(Batch batch) {
        try {
            int fd = pidfd();
            batch.ensureIovec();
            for (int from = 0; from < batch.rangeCount; from += IOV_MAX) {
                int count = Math.min(IOV_MAX, batch.rangeCount - from);
                long want = 0;
                for (int r = 0; r < count; r++) {
                    batch.iovec.putLong(16 * r, batch.starts[from + r]);
                    batch.iovec.putLong(16 * r + 8, batch.lengths[from + r]);
                    want += batch.lengths[from + r];
                }
                long advised = os.processMadvise(fd, batch.iovecAddress, count, Mman.MADV_DONTNEED, 0);
                if (advised != want) {
                    throw new IllegalStateException("process_madvise advised " + advised + " of " + want
                            + " bytes in " + count + " ranges");
                }
            }
            return true;
        } catch (RuntimeException e) {
            processMadvise = false;
            completion.fellBack(Fallback.MADVISE, "process_madvise of " + batch.describe()
                    + " failed, decommitting with madvise from now on: " + e.getMessage());
            return false;
        }
    }

    private synchronized int pidfd() {
        long generation = ForkGeneration.current();
        if (pidfd < 0 || generation != pidfdGeneration) {
            int fresh = os.pidfdOpen(os.getpid(), 0);
            if (pidfd >= 0) {
                os.close(pidfd); // in a forked child: the parent's pidfd, inherited
            }
            pidfd = fresh;
            pidfdGeneration = generation;
        }
        return pidfd;
    }

    /**
     * For a forked child, where a thread of the parent may hold this queue's lock for good: a new,
     * empty queue like this one. This one is abandoned without its lock: its inherited pidfd (the
     * parent's) is closed; its iovec buffers, a few KiB at most, are left behind, since freeing them
     * would trust lists that a parent thread may have been changing. The slots of its batches are
     * the caller's to reclaim.
     */
    public DecommitQueue forChild() {
        if (pidfd >= 0) {
            os.close(pidfd);
            pidfd = -1;
        }
        return new DecommitQueue(os, batchSlots, processMadvise, completion, nanoClock);
    }

    @Override
    public synchronized void close() {
        if (pidfd >= 0) {
            os.close(pidfd);
            pidfd = -1;
        }
        open.free();
        for (Batch batch : spare) {
            batch.free();
        }
        spare.clear();
    }

    /** The ranges of up to {@code batchSlots} slots, and the iovec array handed to the kernel. */
    private final class Batch {
        int[] slots = new int[Math.max(1, batchSlots)];
        RuntimeException[] failures = new RuntimeException[slots.length];
        int slotCount;
        long[] starts = new long[16];
        long[] lengths = new long[16];
        int[] owner = new int[16];
        int rangeCount;
        long iovecAddress;
        int iovecCapacity;
        ByteBuffer iovec;

        void add(int slot, RangeList ranges) {
            if (slotCount == slots.length) {
                slots = java.util.Arrays.copyOf(slots, slotCount * 2);
                failures = java.util.Arrays.copyOf(failures, slotCount * 2);
            }
            int index = slotCount++;
            slots[index] = slot;
            failures[index] = null;
            for (int i = 0; i < ranges.size(); i++) {
                if (rangeCount == starts.length) {
                    starts = java.util.Arrays.copyOf(starts, rangeCount * 2);
                    lengths = java.util.Arrays.copyOf(lengths, rangeCount * 2);
                    owner = java.util.Arrays.copyOf(owner, rangeCount * 2);
                }
                starts[rangeCount] = ranges.start(i);
                lengths[rangeCount] = ranges.end(i) - ranges.start(i);
                owner[rangeCount] = index;
                rangeCount++;
            }
        }

        void ensureIovec() {
            int needed = Math.min(rangeCount, IOV_MAX);
            if (iovecCapacity < needed) {
                free();
                iovecCapacity = Math.max(needed, 64);
                iovecAddress = NativeMemory.allocate(16L * iovecCapacity);
                iovec = NativeMemory.view(iovecAddress, 16L * iovecCapacity);
            }
        }

        /** The ranges for a message: how many, how many bytes, from where to where. */
        String describe() {
            long low = Long.MAX_VALUE;
            long high = 0;
            long bytes = 0;
            for (int r = 0; r < rangeCount; r++) {
                low = Math.min(low, starts[r]);
                high = Math.max(high, starts[r] + lengths[r]);
                bytes += lengths[r];
            }
            return rangeCount + " range(s), " + bytes + " bytes within [0x" + Long.toHexString(low) + ", 0x"
                    + Long.toHexString(high) + ")";
        }

        void clear() {
            slotCount = 0;
            rangeCount = 0;
        }

        void free() {
            if (iovecAddress != 0) {
                NativeMemory.free(iovecAddress);
                iovecAddress = 0;
                iovecCapacity = 0;
                iovec = null;
            }
        }
    }
}
