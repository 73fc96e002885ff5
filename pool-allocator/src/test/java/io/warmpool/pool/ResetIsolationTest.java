package io.warmpool.pool;

import io.warmpool.natives.NativeMemory;
import io.warmpool.pagemap.ScanMode;
import io.warmpool.pool.config.PoolConfig;
import io.warmpool.pool.config.ResetStrategy;
import io.warmpool.pool.config.SlotKind;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static io.warmpool.pool.TestPools.PAGE;
import static io.warmpool.pool.TestPools.assertReadsZero;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Invariant 1, by brute force: whatever a tenant wrote, wherever, under any strategy and budget,
 * the next tenant of the slot reads zeros in every byte it can reach.
 *
 * <p>It prints its seed; replay a failure with
 * {@code mvn -B test -pl pool-allocator -am -Dsurefire.failIfNoSpecifiedTests=false -Dtest=ResetIsolationTest -Dwarmpool.seed=SEED}.
 */
class ResetIsolationTest {
    private static final int CYCLES = 10_240;
    private static final long MAX_PAGES = 48;
    private static final long[] KEEP_PAGES = {0, 1, 8, 20, MAX_PAGES};
    private static final Object[] KEYS = {"module-a", "module-b", "module-c", null};

    private enum Pattern { FIRST_BYTE, LAST_BYTE, PAST_BUDGET, EVERY_PAGE, SCATTERED, NOTHING }

    @Test
    void everyAccessibleByteOfTheNextTenantReadsZero() {
        long seed = Long.getLong("warmpool.seed", System.nanoTime());
        System.out.println("ResetIsolationTest seed=" + seed + " (replay with -Dwarmpool.seed=" + seed + ")");
        SplittableRandom random = new SplittableRandom(seed);
        List<Object[]> combos = new ArrayList<>();
        for (ResetStrategy strategy : ResetStrategy.values()) {
            for (long keep : KEEP_PAGES) {
                combos.add(new Object[] {strategy, keep, ScanMode.AUTO});
            }
        }
        combos.add(new Object[] {ResetStrategy.PAGEMAP_GUIDED, 8L, ScanMode.PAGEMAP_READ});
        combos.add(new Object[] {ResetStrategy.AUTO, 20L, ScanMode.PAGEMAP_READ});
        combos.add(new Object[] {ResetStrategy.PAGEMAP_GUIDED, 8L, ScanMode.NONE});
        int perCombo = CYCLES / combos.size() + 1;
        int cycles = 0;
        for (Object[] combo : combos) {
            cycles += run(random, (ResetStrategy) combo[0], (Long) combo[1] * PAGE, (ScanMode) combo[2], perCombo, seed);
        }
        assertTrue(cycles >= 10_000, cycles + " cycles");
    }

    private int run(SplittableRandom random, ResetStrategy strategy, long keep, ScanMode scanMode, int cycles, long seed) {
        PoolConfig config = TestPools.memories(4, MAX_PAGES * PAGE, keep)
                .tables(3).tableElements(MAX_PAGES * PAGE / 8).tableKeepResident(keep)
                .stacks(3).stackSize(MAX_PAGES * PAGE).stackKeepResident(keep)
                .maxUnusedWarmSlots(random.nextInt(4)).decommitBatch(1 + random.nextInt(3))
                .resetStrategy(strategy).scanMode(scanMode).build();
        TestPools.Recorder recorder = new TestPools.Recorder();
        String where = "seed " + seed + ", " + strategy + ", keep " + keep + ", scan " + scanMode;
        List<Instance> live = new ArrayList<>();
        int released = 0;
        try (WarmPool pool = WarmPool.create(config, recorder)) {
            while (released < cycles) {
                if (live.isEmpty() || (live.size() < 3 && random.nextBoolean())) {
                    live.add(acquireAndDirty(pool, random, where + ", cycle " + released));
                } else {
                    live.remove(random.nextInt(live.size())).close();
                    released++;
                }
            }
            live.forEach(Instance::close);
            assertEquals(List.of(), recorder.fallbacks.stream().filter(f -> !f.contains("no_scanner")).toList(), where);
        }
        return released;
    }

    private static Instance acquireAndDirty(WarmPool pool, SplittableRandom random, String where) {
        long initial = random.nextInt(4) == 0 ? 0 : (1 + random.nextLong(MAX_PAGES)) * PAGE;
        Object key = KEYS[random.nextInt(KEYS.length)];
        boolean stack = random.nextBoolean();
        Instance instance = pool.acquire(InstanceRequest.builder().affinityKey(key).memory(initial)
                .tables(random.nextInt(2)).stack(stack).build());
        List<PoolSlot> slots = new ArrayList<>(instance.memories());
        slots.addAll(instance.tables());
        instance.stack().ifPresent(slots::add);
        for (PoolSlot slot : slots) {
            assertReadsZero(slot, where + ", on acquire");
        }
        MemorySlot memory = instance.memory(0);
        if (random.nextInt(3) == 0 && memory.accessibleBytes() < MAX_PAGES * PAGE) {
            long room = MAX_PAGES * PAGE - memory.accessibleBytes();
            memory.grow(PAGE * (1 + random.nextLong(room / PAGE)));
            assertReadsZero(memory, where + ", after grow");
        }
        for (PoolSlot slot : slots) {
            dirty(slot, random, pool.keepResidentBytes(slot.kind()));
        }
        return instance;
    }

    private static void dirty(PoolSlot slot, SplittableRandom random, long keep) {
        long base = slot.address();
        long bytes = slot.accessibleBytes();
        if (bytes == 0) {
            return;
        }
        byte value = (byte) (1 + random.nextInt(255));
        switch (Pattern.values()[random.nextInt(Pattern.values().length)]) {
            case FIRST_BYTE -> NativeMemory.putByte(base, value);
            case LAST_BYTE -> NativeMemory.putByte(base + bytes - 1, value);
            case PAST_BUDGET -> {
                // a stack's budget is its top: "past" it is below
                long offset = slot.kind() == SlotKind.STACK ? bytes - keep - 1 : keep;
                if (offset >= 0 && offset < bytes) {
                    NativeMemory.putByte(base + offset, value);
                }
                NativeMemory.putByte(base + random.nextLong(bytes), value);
            }
            case EVERY_PAGE -> {
                for (long page = 0; page < bytes; page += PAGE) {
                    NativeMemory.putLong(base + page + 8 * random.nextInt((int) (PAGE / 8)), random.nextLong() | 1);
                }
            }
            case SCATTERED -> {
                for (int i = random.nextInt(12); i >= 0; i--) {
                    NativeMemory.putByte(base + random.nextLong(bytes), value);
                }
            }
            case NOTHING -> {
            }
        }
    }
}
