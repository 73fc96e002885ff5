package io.warmpool.pool;

import io.warmpool.natives.NativeMemory;
import io.warmpool.pagemap.ScanMode;
import io.warmpool.pool.config.PoolConfig;
import io.warmpool.pool.config.ResetStrategy;
import io.warmpool.pool.config.SlotKind;
import io.warmpool.pool.event.PoolSnapshot;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static io.warmpool.pool.TestPools.PAGE;
import static io.warmpool.pool.TestPools.assertReadsZero;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Invariant 4: after a churn of many instances, the memory slab's resident bytes, measured by
 * scanning it, are at most the bytes of the instances still in use plus warm slots times
 * keep-resident bytes. Batched decommits are flushed first: a slot waiting for its batch still
 * holds what its tenant dirtied.
 */
class IdleResidentBudgetTest {
    private static final int SLOTS = 12;
    private static final long MAX_PAGES = 64;
    private static final long KEEP_PAGES = 8;
    private static final int WARM_BOUND = 5;
    private static final int CHURN = 600;
    private static final int STILL_IN_USE = 3;

    static Stream<Arguments> strategies() {
        return Stream.of(
                Arguments.of(ResetStrategy.PAGEMAP_GUIDED, ScanMode.PAGEMAP_SCAN, 1),
                Arguments.of(ResetStrategy.PAGEMAP_GUIDED, ScanMode.PAGEMAP_READ, 1),
                Arguments.of(ResetStrategy.AUTO, ScanMode.AUTO, 4),
                Arguments.of(ResetStrategy.MEMSET_KEEP_RESIDENT, ScanMode.AUTO, 1),
                Arguments.of(ResetStrategy.MADVISE_ALL, ScanMode.AUTO, 3));
    }

    @ParameterizedTest(name = "{0}, scan {1}, decommit batch {2}")
    @MethodSource("strategies")
    void residentBytesStayWithinInUseBytesPlusWarmSlotsTimesKeepResident(ResetStrategy strategy, ScanMode scanMode,
                                                                         int batch) {
        long seed = Long.getLong("warmpool.seed", System.nanoTime());
        System.out.println("IdleResidentBudgetTest seed=" + seed + " (replay with -Dwarmpool.seed=" + seed + ")");
        SplittableRandom random = new SplittableRandom(seed);
        PoolConfig config = TestPools.memories(SLOTS, MAX_PAGES * PAGE, KEEP_PAGES * PAGE).maxUnusedWarmSlots(WARM_BOUND)
                .resetStrategy(strategy).scanMode(scanMode).decommitBatch(batch).build();
        try (WarmPool pool = WarmPool.create(config)) {
            List<Tenant> live = new ArrayList<>();
            for (int i = 0; i < CHURN; i++) {
                if (live.size() < SLOTS - 2 && (live.isEmpty() || random.nextBoolean())) {
                    live.add(acquireAndDirty(pool, random));
                } else {
                    live.remove(random.nextInt(live.size())).instance.close();
                }
            }
            while (live.size() < STILL_IN_USE) {
                live.add(acquireAndDirty(pool, random));
            }
            while (live.size() > STILL_IN_USE) {
                live.remove(0).instance.close();
            }
            pool.flushDecommits();

            long inUseBytes = 0;
            long dirtyBytes = 0;
            for (Tenant tenant : live) {
                inUseBytes += tenant.instance.memory(0).accessibleBytes();
                dirtyBytes += tenant.dirtyPages * PAGE;
            }
            PoolSnapshot.KindSnapshot memories = pool.snapshot().kind(SlotKind.MEMORY);
            long resident = pool.residentBytes(SlotKind.MEMORY);
            String state = "seed " + seed + ": " + resident + " B resident, " + inUseBytes + " B in use, " + memories;
            System.out.println(state);
            assertEquals(STILL_IN_USE, memories.inUse(), state);
            assertTrue(memories.warm() <= WARM_BOUND, state);
            assertTrue(resident <= inUseBytes + memories.residentBudgetBytes(), state);
            assertTrue(resident >= dirtyBytes, "the instances still in use dirtied " + dirtyBytes + " B: " + state);

            live.forEach(tenant -> tenant.instance.close());
            pool.flushDecommits();
            long idle = pool.residentBytes(SlotKind.MEMORY);
            PoolSnapshot.KindSnapshot after = pool.snapshot().kind(SlotKind.MEMORY);
            assertTrue(idle <= after.residentBudgetBytes(), "all released: " + idle + " B resident, " + after);
        }
    }

    /** An instance and how many of its pages it wrote. */
    private record Tenant(Instance instance, long dirtyPages) {
    }

    /**
     * One memory, grown or not; the tenant reads all of it (mapping the zero page), then writes every
     * page, or a few pages here and there.
     */
    private static Tenant acquireAndDirty(WarmPool pool, SplittableRandom random) {
        long initial = (1 + random.nextLong(MAX_PAGES)) * PAGE;
        Instance instance = pool.acquire(InstanceRequest.memory("key-" + random.nextInt(4), initial));
        MemorySlot memory = instance.memory(0);
        if (random.nextInt(4) == 0 && memory.accessibleBytes() < MAX_PAGES * PAGE) {
            memory.grow(PAGE * (1 + random.nextLong(MAX_PAGES - memory.accessibleBytes() / PAGE)));
        }
        assertReadsZero(memory, "on acquire");
        long pages = memory.accessibleBytes() / PAGE;
        BitSet written = new BitSet();
        boolean everyPage = random.nextBoolean();
        for (long i = 0; i < (everyPage ? pages : 3); i++) {
            long page = everyPage ? i : random.nextLong(pages);
            NativeMemory.putLong(memory.address() + page * PAGE + 8 * random.nextInt((int) (PAGE / 8)), 1 + page);
            written.set((int) page);
        }
        return new Tenant(instance, written.cardinality());
    }
}
