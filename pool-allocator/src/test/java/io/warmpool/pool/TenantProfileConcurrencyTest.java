package io.warmpool.pool;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static io.warmpool.pool.TestPools.PAGE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The tenant profile under many threads: no count lost, however many threads record at once or
 * hold a cell; and memory bounded by its cells, however many threads ever recorded. (A forked child
 * recording while parent threads held cells is in the integration tests' TenantProfileForkTest.)
 */
class TenantProfileConcurrencyTest {
    private static final long SLOT = 256 * PAGE;
    private static final long BASE = 1L << 40;
    private static final PoolConfig CONFIG = TestPools.memories(8, SLOT, 16 * PAGE).totalStacks(4).stackBytes(32 * PAGE)
            .stackKeepResidentBytes(8 * PAGE).build();

    private static TenantProfile profile() {
        return new TenantProfile(CONFIG, kind -> CONFIG.keepResidentBytes(kind));
    }

    /** The record of a reset of {@code kind} that found {@code regions} one-page regions, every other page from {@code firstPage}. */
    private static ResetRecord record(SlotKind kind, int firstPage, int regions) {
        RangeList found = new RangeList();
        for (int r = 0; r < regions; r++) {
            long page = firstPage + 2L * r;
            found.add(BASE + page * PAGE, BASE + (page + 1) * PAGE);
        }
        ResetRecord record = new ResetRecord();
        record.begin(kind, 0, BASE, kind == SlotKind.STACK ? 32 * PAGE : SLOT);
        record.strategy = ResetStrategy.PAGEMAP_GUIDED;
        record.dirtyPages = regions;
        record.regions = found;
        return record;
    }

    /** One thread's share: a few kinds of reset, unscanned ones too, and acquires. */
    private static void recordShare(TenantProfile profile, int thread, int rounds) {
        ResetRecord memory = record(SlotKind.MEMORY, thread, 1 + thread % 5);
        ResetRecord stack = record(SlotKind.STACK, 0, 3);
        ResetRecord unscanned = record(SlotKind.MEMORY, 0, 0);
        unscanned.dirtyPages = -1;
        unscanned.regions = null;
        for (int i = 0; i < rounds; i++) {
            profile.acquiring(i % 7);
            profile.reset(memory);
            profile.reset(i % 3 == 0 ? stack : unscanned);
        }
    }

    private static ProfileSnapshot sequentially(int threads, int rounds) {
        TenantProfile profile = profile();
        for (int t = 0; t < threads; t++) {
            recordShare(profile, t, rounds);
        }
        return profile.snapshot();
    }

    /** Runs {@code body(t)} on {@code threads} threads started together; fails with the first failure. */
    private static void onThreads(int threads, ThreadBody body) throws Exception {
        CyclicBarrier start = new CyclicBarrier(threads);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> running = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int me = t;
            Thread thread = new Thread(() -> {
                try {
                    start.await();
                    body.run(me);
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }, "profile-" + t);
            running.add(thread);
            thread.start();
        }
        for (Thread thread : running) {
            thread.join();
        }
        assertNull(failure.get(), () -> "a thread failed: " + failure.get());
    }

    private interface ThreadBody {
        void run(int thread) throws Exception;
    }

    @Test
    void countsAreExactWhenEightThreadsRecordAtOnceWhileSnapshotsAreTaken() throws Exception {
        int threads = 8;
        int rounds = 20_000;
        TenantProfile profile = profile();
        AtomicBoolean done = new AtomicBoolean();
        AtomicReference<Throwable> readerFailure = new AtomicReference<>();
        Thread reader = new Thread(() -> {
            long seen = 0;
            while (!done.get()) {
                long scanned = profile.snapshot().kind(SlotKind.MEMORY).scannedResets();
                if (scanned < seen) {
                    readerFailure.compareAndSet(null, new AssertionError("scanned resets went back from " + seen
                            + " to " + scanned));
                }
                seen = scanned;
            }
        }, "profile-reader");
        reader.start();
        try {
            onThreads(threads, t -> recordShare(profile, t, rounds));
        } finally {
            done.set(true);
            reader.join();
        }
        assertNull(readerFailure.get());
        ProfileSnapshot snapshot = profile.snapshot();
        assertEquals(sequentially(threads, rounds), snapshot, "eight threads at once count what one thread counts");
        assertEquals((long) threads * rounds, snapshot.kind(SlotKind.MEMORY).scannedResets());
        assertTrue(profile.cells().cellCount() <= profile.cells().capacity(), profile.cells().cellCount() + " cells");
    }

    @Test
    void recordsWhileEveryCellIsTakenAreFoldedInExactly() throws Exception {
        TenantProfile profile = profile();
        CounterCells cells = profile.cells();
        Set<long[]> taken = Collections.newSetFromMap(new IdentityHashMap<>());
        for (int i = 0; i < cells.capacity(); i++) {
            assertTrue(taken.add(cells.claim()), "claim " + i + " is a cell no one holds");
        }
        assertEquals(cells.capacity(), cells.cellCount(), "every cell exists and is taken");
        onThreads(4, t -> recordShare(profile, t, 500)); // as threads stopped while holding a cell leave it
        assertEquals(cells.capacity(), cells.cellCount(), "the records past the taken cells made no cell that stays");
        for (long[] cell : taken) {
            cells.release(cell);
        }
        assertEquals(sequentially(4, 500), profile.snapshot());
    }

    @Test
    void twoHundredShortLivedReleasingThreadsLeaveNoMoreCellsThanTheBound() throws Exception {
        PoolConfig config = TestPools.memories(8, 16 * PAGE, 4 * PAGE).resetStrategy(ResetStrategy.PAGEMAP_GUIDED).build();
        try (WarmPool pool = WarmPool.create(config)) {
            for (int round = 0; round < 25; round++) { // 25 x 8 threads, each new, each releases once
                onThreads(8, t -> {
                    try (Instance instance = pool.acquire(InstanceRequest.memory(Thread.currentThread().getName(), 16 * PAGE))) {
                        instance.memory(0).buffer().put((int) (3 * PAGE), (byte) 1);
                    }
                });
            }
            ProfileSnapshot.KindProfile memory = pool.profile().snapshot().kind(SlotKind.MEMORY);
            assertEquals(200, memory.scannedResets(), "every release of every thread counted");
            assertEquals(200, pool.profile().snapshot().inUseAtAcquire().count());
            CounterCells cells = pool.profile().cells();
            assertTrue(cells.cellCount() <= cells.capacity(), cells.cellCount() + " cells for 200 threads; at most "
                    + cells.capacity());
            assertTrue(cells.capacity() <= Math.max(4, 4 * Runtime.getRuntime().availableProcessors()),
                    "the bound follows the processors, not the threads: " + cells.capacity());
        }
    }

    @Test
    void aCellIsNeverHandedToTwoHoldersAndFreedCellsAreReused() {
        CounterCells cells = new CounterCells(4);
        long[] first = cells.claim();
        long[] second = cells.claim();
        assertTrue(first != second, "a taken cell is not handed out again");
        cells.release(first);
        cells.release(second);
        for (int i = 0; i < 100; i++) {
            long[] again = cells.claim();
            again[CounterCells.FIRST + 2]++;
            cells.release(again);
        }
        assertTrue(cells.cellCount() <= 2, cells.cellCount() + " cells after one thread's 100 claims");
        assertEquals(100, cells.sum()[CounterCells.FIRST + 2]);
    }
}
