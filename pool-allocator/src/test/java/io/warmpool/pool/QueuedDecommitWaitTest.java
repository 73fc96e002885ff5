package io.warmpool.pool;

import io.warmpool.natives.NativeMemory;
import io.warmpool.pagemap.PagemapScanner;
import io.warmpool.pagemap.ScanMode;
import io.warmpool.pagemap.ScanSelection;
import io.warmpool.pool.config.PoolConfig;
import io.warmpool.pool.config.ResetStrategy;
import io.warmpool.pool.config.SlotKind;
import io.warmpool.pool.event.PoolListener;
import io.warmpool.pool.event.PoolSnapshot;
import io.warmpool.pool.reset.DecommitQueue;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static io.warmpool.pool.TestPools.PAGE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * With batched decommits a released slot waits for its batch to fill, holding what its tenant
 * dirtied past the keep-resident budget, and is not free meanwhile. In a pool that goes quiet the
 * batch would never fill: once its first slot has waited {@link DecommitQueue#MAX_WAIT_NANOS}, the
 * pool's next acquire, release, snapshot or resident-bytes measurement runs it. The pool's clock
 * ({@link io.warmpool.natives.Syscalls#nanoTime}) is a counter here, so that no test waits and none
 * depends on how fast the machine is.
 */
class QueuedDecommitWaitTest {
    private static final long MAX = 64 * PAGE;
    private static final long KEEP = 4 * PAGE;
    private static final int BATCH = 4;

    private final AtomicLong clock = new AtomicLong(1_000_000_000L);

    private WarmPool pool() {
        PoolConfig config = TestPools.memories(BATCH, MAX, KEEP).resetStrategy(ResetStrategy.PAGEMAP_GUIDED)
                .scanMode(ScanMode.AUTO).decommitBatch(BATCH).stripes(1).build();
        return WarmPool.create(config, PoolListener.NONE, ClockedSyscalls.over(clock));
    }

    /**
     * A tenant of {@code key} writes all of its memory and releases it: its reset queues a decommit.
     * Returns the memory's address.
     */
    private static long releaseDirty(WarmPool pool, Object key) {
        try (Instance instance = pool.acquire(InstanceRequest.memory(key, MAX))) {
            NativeMemory.fill(instance.memory(0).address(), MAX, (byte) 0x6d);
            return instance.memory(0).address();
        }
    }

    /** The resident bytes of the memory at {@code address}, read off pagemap without asking the pool (which would run the batch). */
    private static long residentAt(long address) {
        try (PagemapScanner scanner = PagemapScanner.open(ScanMode.AUTO).orElseThrow()) {
            return scanner.countPages(address, address + MAX, ScanSelection.RESIDENT) * PAGE;
        }
    }


    @Test
    void aBatchThatNeverFillsRunsAtTheFirstSnapshotAfterTheWait() {
        try (WarmPool pool = pool()) {
            releaseDirty(pool, "a");
            assertEquals(1, pool.snapshot().kind(SlotKind.MEMORY).resetting(), "queued, its batch not full");
            clock.addAndGet(DecommitQueue.MAX_WAIT_NANOS - 1);
            assertEquals(1, pool.snapshot().kind(SlotKind.MEMORY).resetting(), "not waited long enough yet");
            clock.addAndGet(1);
            PoolSnapshot.KindSnapshot after = pool.snapshot().kind(SlotKind.MEMORY);
            assertEquals(0, after.resetting(), after.toString());
            assertEquals(1, after.warm(), after.toString());
        }
    }

    @Test
    void residentBytesMeasuredAfterTheWaitAreWithinTheBudget() {
        try (WarmPool pool = pool()) {
            releaseDirty(pool, "a");
            assertEquals(MAX, pool.residentBytes(SlotKind.MEMORY), "the queued slot holds all its tenant wrote");
            clock.addAndGet(DecommitQueue.MAX_WAIT_NANOS);
            long resident = pool.residentBytes(SlotKind.MEMORY);
            assertTrue(resident <= KEEP, resident + " B resident; the budget is " + KEEP + " B");
        }
    }

    @Test
    void anAcquireAfterTheWaitRunsTheBatchAndGetsTheKeysSlotBack() {
        try (WarmPool pool = pool()) {
            long slot = releaseDirty(pool, "a");
            clock.addAndGet(DecommitQueue.MAX_WAIT_NANOS);
            try (Instance again = pool.acquire(InstanceRequest.memory("a", MAX))) {
                assertEquals(slot, again.memory(0).address(), "the slot of \"a\", free again");
                TestPools.assertReadsZero(again.memory(0), "after the batch ran");
            }
        }
    }

    @Test
    void aReleaseAfterTheWaitRunsTheBatchItJoins() {
        try (WarmPool pool = pool()) {
            Instance held = pool.acquire(InstanceRequest.memory("c", MAX));
            NativeMemory.fill(held.memory(0).address(), MAX, (byte) 0x6d); // its reset will queue a decommit
            long a = releaseDirty(pool, "a");
            long b = releaseDirty(pool, "b");
            assertEquals(MAX, residentAt(a), "within the wait, the batch fills up: a's decommit waits in it");
            assertEquals(MAX, residentAt(b), "and so does b's");
            clock.addAndGet(DecommitQueue.MAX_WAIT_NANOS);
            held.close();
            assertTrue(residentAt(a) <= KEEP && residentAt(b) <= KEEP,
                    "the first slot waited long enough: the release ran the batch, a's and b's decommits with it");
        }
    }
}
