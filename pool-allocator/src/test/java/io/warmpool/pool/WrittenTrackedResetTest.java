package io.warmpool.pool;

import io.warmpool.natives.Call;
import io.warmpool.natives.Errno;
import io.warmpool.natives.NativeMemory;
import io.warmpool.natives.Syscalls;
import io.warmpool.natives.testing.FaultInjectingSyscalls;
import io.warmpool.pool.config.PoolConfig;
import io.warmpool.pool.config.ResetStrategy;
import io.warmpool.pool.config.SlotKind;
import io.warmpool.pool.event.Fallback;
import io.warmpool.pool.event.PoolListener;
import io.warmpool.pool.event.ResetRecord;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;

import static io.warmpool.pool.TestPools.PAGE;
import static io.warmpool.pool.TestPools.assertReadsZero;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The written-tracked reset on the real kernel (userfaultfd write-protect, async mode): each reset
 * finds exactly the pages its tenant wrote, however many earlier tenants left resident; the window
 * follows the keep-resident bytes; the strategy gives way cleanly; a refused userfaultfd is a counted
 * fallback. The forked child's fallback is tested in integration-tests ({@code TrackedResetForkTest}).
 */
class WrittenTrackedResetTest {
    private static final long SLOT_PAGES = 256;
    private static final long KEEP_PAGES = 64;
    private static final int TENANTS = 60;

    /** What each reset said: its strategy, dirty pages and bytes given back. */
    static final class Records implements PoolListener {
        final List<ResetRecord> all = Collections.synchronizedList(new ArrayList<>());
        final List<String> fallbacks = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void reset(ResetRecord r) {
            all.add(new Copy(r.strategy(), r.dirtyPages(), r.decommittedBytes()));
        }

        @Override
        public void fallback(SlotKind kind, Fallback reason, String detail) {
            fallbacks.add(reason.label() + ": " + detail);
        }

        ResetRecord last() {
            return all.get(all.size() - 1);
        }
    }

    /** A record kept past its reset. */
    record Copy(ResetStrategy strategy, long dirtyPages, long decommittedBytes) implements ResetRecord {
        @Override public SlotKind kind() { return SlotKind.MEMORY; }
        @Override public int slot() { return 0; }
        @Override public long accessibleBytes() { return 0; }
        @Override public long keepResidentBytes() { return 0; }
        @Override public long budgetPages() { return 0; }
        @Override public long zeroedBytes() { return 0; }
        @Override public long scanNanos() { return 0; }
        @Override public long zeroNanos() { return 0; }
        @Override public long decommitNanos() { return 0; }
        @Override public long totalNanos() { return 0; }
        @Override public int dirtyRegionCount() { return 0; }
        @Override public long dirtyRegionOffset(int i) { return 0; }
        @Override public long dirtyRegionBytes(int i) { return 0; }
    }

    private static PoolConfig.Builder config(long keepPages) {
        return TestPools.memories(1, SLOT_PAGES * PAGE, keepPages * PAGE).resetStrategy(ResetStrategy.WRITTEN_TRACKED);
    }

    /** Writes {@code inWindow} random pages of the first {@code window} pages and {@code beyond} past them; returns how many distinct pages. */
    private static long write(Instance tenant, SplittableRandom random, long window, int inWindow, int beyond, int value) {
        long address = tenant.memory(0).address();
        BitSet pages = new BitSet();
        for (int i = 0; i < inWindow; i++) {
            pages.set((int) random.nextLong(window));
        }
        for (int i = 0; i < beyond; i++) {
            pages.set((int) (window + random.nextLong(SLOT_PAGES - window)));
        }
        pages.stream().forEach(p -> NativeMemory.putLong(address + p * PAGE + 8 * (p % 512), value));
        return pages.cardinality();
    }

    @Test
    void eachResetFindsWhatItsTenantWroteNotWhatEarlierTenantsLeftResident() {
        Records records = new Records();
        SplittableRandom random = new SplittableRandom(17);
        InstanceRequest request = InstanceRequest.memory("k", SLOT_PAGES * PAGE);
        try (WarmPool pool = WarmPool.create(config(KEEP_PAGES).build(), records)) {
            for (int t = 0; t < TENANTS; t++) {
                long wrote;
                try (Instance tenant = pool.acquire(request)) {
                    assertReadsZero(tenant.memory(0), "tenant " + t);
                    wrote = write(tenant, random, KEEP_PAGES, 1 + random.nextInt(6), random.nextInt(3), t + 1);
                }
                ResetRecord reset = records.last();
                if (t == 0) {
                    assertEquals(ResetStrategy.PAGEMAP_GUIDED, reset.strategy(), "the first reset registers the window");
                    continue;
                }
                assertEquals(ResetStrategy.WRITTEN_TRACKED, reset.strategy(), "tenant " + t);
                assertEquals(wrote, reset.dirtyPages(), "tenant " + t + " wrote " + wrote + " pages");
            }
            assertTrue(pool.residentBytes(SlotKind.MEMORY) <= KEEP_PAGES * PAGE, "only the window stays resident");
            assertTrue(pool.residentBytes(SlotKind.MEMORY) > 32 * PAGE, "the window's written pages stay resident");
            assertEquals(List.of(), records.fallbacks);
        }
    }

    @Test
    void aStackTracksTheWindowAtItsTop() {
        Records records = new Records();
        PoolConfig config = PoolConfig.builder().memories(1).memoryMax(16 * PAGE).memoryKeepResident(0).tables(0).stacks(1).stackSize(64 * PAGE)
                .stackKeepResident(16 * PAGE).resetStrategy(ResetStrategy.WRITTEN_TRACKED).build();
        InstanceRequest request = InstanceRequest.builder().affinityKey("s").stack(true).build();
        SplittableRandom random = new SplittableRandom(3);
        try (WarmPool pool = WarmPool.create(config, records)) {
            for (int t = 0; t < 60; t++) {
                BitSet pages = new BitSet();
                try (Instance tenant = pool.acquire(request)) {
                    StackSlot stack = tenant.stack().orElseThrow();
                    assertReadsZero(stack, "tenant " + t);
                    for (int i = 0; i < 3; i++) { // pages counted from the top: 0..15 the window, then below
                        int fromTop = random.nextInt(i == 2 ? 64 : 16);
                        pages.set(fromTop);
                        NativeMemory.putLong(stack.top() - (fromTop + 1) * PAGE, t + 1);
                    }
                }
                if (t > 0) {
                    assertEquals(ResetStrategy.WRITTEN_TRACKED, records.last().strategy());
                    assertEquals(pages.cardinality(), records.last().dirtyPages(), "tenant " + t);
                }
            }
            assertTrue(pool.residentBytes(SlotKind.STACK) <= 16 * PAGE);
        }
    }

    @Test
    void theWindowFollowsTheKeepResidentBytesUpAndDown() {
        Records records = new Records();
        SplittableRandom random = new SplittableRandom(5);
        InstanceRequest request = InstanceRequest.memory("k", SLOT_PAGES * PAGE);
        try (WarmPool pool = WarmPool.create(config(KEEP_PAGES).build(), records)) {
            for (int t = 0; t < 20; t++) {
                try (Instance tenant = pool.acquire(request)) {
                    write(tenant, random, KEEP_PAGES, KEEP_PAGES / 2 == t ? 64 : 8, 1, t + 1);
                }
            }
            // Lowered while the slot is idle: it is trimmed and its window moved now, so its next
            // reset is tracked in the smaller window.
            pool.setKeepResidentBytes(SlotKind.MEMORY, 16 * PAGE);
            assertTrue(pool.idleResidentBytes(SlotKind.MEMORY) <= 16 * PAGE);
            for (int t = 0; t < 20; t++) {
                long wrote;
                try (Instance tenant = pool.acquire(request)) {
                    assertReadsZero(tenant.memory(0), "after lowering, tenant " + t);
                    wrote = write(tenant, random, 16, 4, 2, t + 1);
                }
                assertEquals(ResetStrategy.WRITTEN_TRACKED, records.last().strategy(), "tenant " + t);
                assertEquals(wrote, records.last().dirtyPages(), "tenant " + t);
            }
            // Raised while a tenant holds the slot: its reset registers the larger window, untracked once.
            long wrote;
            try (Instance tenant = pool.acquire(request)) {
                pool.setKeepResidentBytes(SlotKind.MEMORY, 128 * PAGE);
                wrote = write(tenant, random, 128, 20, 0, 99);
            }
            assertEquals(ResetStrategy.PAGEMAP_GUIDED, records.last().strategy());
            for (int t = 0; t < 20; t++) {
                try (Instance tenant = pool.acquire(request)) {
                    assertReadsZero(tenant.memory(0), "after raising, tenant " + t);
                    wrote = write(tenant, random, 128, 6, 1, t + 1);
                }
                assertEquals(ResetStrategy.WRITTEN_TRACKED, records.last().strategy(), "tenant " + t);
                assertEquals(wrote, records.last().dirtyPages(), "tenant " + t);
            }
            pool.setKeepResidentBytes(SlotKind.MEMORY, 0);
            assertEquals(0, pool.idleResidentBytes(SlotKind.MEMORY));
            try (Instance tenant = pool.acquire(request)) {
                assertReadsZero(tenant.memory(0), "with nothing kept");
                write(tenant, random, 16, 4, 1, 7);
            }
            assertEquals(ResetStrategy.MADVISE_ALL, records.last().strategy());
            assertEquals(List.of(), records.fallbacks);
        }
    }

    @Test
    void anotherStrategyAfterTrackingSeesThePagesAsTheyAre() {
        Records records = new Records();
        SplittableRandom random = new SplittableRandom(9);
        InstanceRequest request = InstanceRequest.memory("k", SLOT_PAGES * PAGE);
        try (WarmPool pool = WarmPool.create(config(KEEP_PAGES).build(), records)) {
            for (int t = 0; t < 10; t++) {
                try (Instance tenant = pool.acquire(request)) {
                    write(tenant, random, 16, 4, 0, t + 1); // a quarter of the window at most: auto scans
                }
            }
            for (ResetStrategy next : List.of(ResetStrategy.PAGEMAP_GUIDED, ResetStrategy.WRITTEN_TRACKED,
                    ResetStrategy.AUTO, ResetStrategy.WRITTEN_TRACKED, ResetStrategy.MEMSET_KEEP_RESIDENT)) {
                pool.setResetStrategy(next);
                for (int t = 0; t < 5; t++) {
                    try (Instance tenant = pool.acquire(request)) {
                        assertReadsZero(tenant.memory(0), next + ", tenant " + t);
                        write(tenant, random, 16, 4, 0, t + 1); // a quarter of the window at most: auto scans
                    }
                    // A present-page scan of a window still registered would read each protected empty
                    // entry as swapped out and give it back; unregistered first, it gives back nothing.
                    if (next != ResetStrategy.MEMSET_KEEP_RESIDENT) { // which gives back all past the window, unscanned
                        assertEquals(0, records.last().decommittedBytes(), next + ", tenant " + t);
                    }
                }
            }
        }
    }

    @Test
    void aRefusedUserfaultfdIsOneCountedFallbackAndResetsScanForPresentPages() {
        Records records = new Records();
        FaultInjectingSyscalls os = new FaultInjectingSyscalls(Syscalls.linux());
        os.failAlways(Call.USERFAULTFD, Errno.EPERM);
        SplittableRandom random = new SplittableRandom(11);
        InstanceRequest request = InstanceRequest.memory("k", SLOT_PAGES * PAGE);
        try (WarmPool pool = WarmPool.create(config(KEEP_PAGES).build(), records, os)) {
            for (int t = 0; t < 20; t++) {
                try (Instance tenant = pool.acquire(request)) {
                    assertReadsZero(tenant.memory(0), "tenant " + t);
                    write(tenant, random, KEEP_PAGES, 4, 2, t + 1);
                }
                assertEquals(ResetStrategy.PAGEMAP_GUIDED, records.last().strategy());
            }
        }
        assertEquals(1, records.fallbacks.size(), records.fallbacks.toString());
        assertTrue(records.fallbacks.get(0).startsWith("untracked: ") && records.fallbacks.get(0).contains("userfaultfd"),
                records.fallbacks.toString());
    }

    @Test
    void aRefusedRegistrationIsCountedAndTheSlotStaysCleanAndTriesAgain() {
        Records records = new Records();
        FaultInjectingSyscalls os = new FaultInjectingSyscalls(Syscalls.linux());
        os.failNth(Call.UFFDIO_REGISTER, 1, Errno.ENOMEM);
        SplittableRandom random = new SplittableRandom(13);
        InstanceRequest request = InstanceRequest.memory("k", SLOT_PAGES * PAGE);
        try (WarmPool pool = WarmPool.create(config(KEEP_PAGES).build(), records, os)) {
            List<ResetStrategy> ran = new ArrayList<>();
            for (int t = 0; t < 5; t++) {
                try (Instance tenant = pool.acquire(request)) {
                    assertReadsZero(tenant.memory(0), "tenant " + t);
                    write(tenant, random, KEEP_PAGES, 4, 2, t + 1);
                }
                ran.add(records.last().strategy());
            }
            assertEquals(List.of(ResetStrategy.PAGEMAP_GUIDED, ResetStrategy.PAGEMAP_GUIDED,
                    ResetStrategy.WRITTEN_TRACKED, ResetStrategy.WRITTEN_TRACKED, ResetStrategy.WRITTEN_TRACKED), ran);
        }
        assertEquals(1, records.fallbacks.size(), records.fallbacks.toString());
        assertTrue(records.fallbacks.get(0).contains("UFFDIO_REGISTER") || records.fallbacks.get(0).contains("ENOMEM"),
                records.fallbacks.toString());
    }
}
