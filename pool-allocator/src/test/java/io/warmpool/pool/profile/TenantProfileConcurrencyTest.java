package io.warmpool.pool.profile;

import io.warmpool.pool.Instance;
import io.warmpool.pool.InstanceRequest;
import io.warmpool.pool.TestPools;
import io.warmpool.pool.WarmPool;
import io.warmpool.pool.config.PoolConfig;
import io.warmpool.pool.config.ResetStrategy;
import io.warmpool.pool.config.SlotKind;
import io.warmpool.pool.event.ResetRecord;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static io.warmpool.pool.TestPools.PAGE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The tenant profile under many threads: no count lost, however many threads record at once.
 * (That no count is lost while every cell is held, and that the cells stay bounded however many
 * threads ever counted, is CounterCellsTest's.) (A forked child
 * recording while parent threads held cells is in the integration tests' TenantProfileForkTest.)
 */
class TenantProfileConcurrencyTest {
    private static final long SLOT = 256 * PAGE;
    private static final long BASE = 1L << 40;
    private static final PoolConfig CONFIG = TestPools.memories(8, SLOT, 16 * PAGE).stacks(4).stackSize(32 * PAGE)
            .stackKeepResident(8 * PAGE).build();

    private static TenantProfile profile() {
        return new TenantProfile(CONFIG);
    }

    /** The record of a reset of {@code kind} that found {@code regions} one-page regions, every other page from {@code firstPage}. */
    private static ResetRecord record(SlotKind kind, int firstPage, int regions) {
        long[] offsets = new long[regions];
        for (int r = 0; r < regions; r++) {
            offsets[r] = (firstPage + 2L * r) * PAGE;
        }
        long keep = CONFIG.kind(kind).keepResidentBytes();
        return new FixedResetRecord(kind, ResetStrategy.PAGEMAP_GUIDED, kind == SlotKind.STACK ? 32 * PAGE : SLOT, keep,
                keep / PAGE, regions, offsets, PAGE);
    }

    /** One thread's share: a few kinds of reset, unscanned ones too, and acquires. */
    private static void recordShare(TenantProfile profile, int thread, int rounds) {
        ResetRecord memory = record(SlotKind.MEMORY, thread, 1 + thread % 5);
        ResetRecord stack = record(SlotKind.STACK, 0, 3);
        long keep = CONFIG.memories().keepResidentBytes();
        ResetRecord unscanned = new FixedResetRecord(SlotKind.MEMORY, ResetStrategy.MEMSET_KEEP_RESIDENT, SLOT, keep,
                keep / PAGE, -1, new long[0], PAGE);
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
    }

    @Test
    void twoHundredShortLivedReleasingThreadsAreEachCounted() throws Exception {
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
        }
    }
}
