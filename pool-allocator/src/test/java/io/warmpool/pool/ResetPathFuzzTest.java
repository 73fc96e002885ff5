package io.warmpool.pool;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.warmpool.natives.NativeMemory;
import io.warmpool.pagemap.ScanMode;
import io.warmpool.pool.config.PoolConfig;
import io.warmpool.pool.config.PoolConfigException;
import io.warmpool.pool.config.ResetStrategy;
import io.warmpool.pool.config.SlotKind;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The reset path under a fuzzer-chosen life: a small real pool (its scan mode, strategy, decommit
 * batch and budgets from the input), then up to 96 steps of acquires, writes, growth, releases and
 * runtime changes of strategy, keep-resident bytes and the warm-slot bound. After every acquire
 * every accessible byte of every slot reads zero, and so do the bytes a growth makes accessible:
 * no tenant ever sees another's byte. Bad setting values are refused with PoolConfigException and
 * change nothing that matters to the invariant.
 *
 * <pre>
 *  input bytes -> pool: 2 memories of 1 MiB (guard 64 KiB), 2 tables of 512 elements, 2 stacks of 64 KiB
 *                 scan mode, strategy, decommit batch 1..3, keep-resident of each kind (pages)
 *              -> steps, each one byte of opcode and its arguments:
 *                 acquire | write | grow | release | strategy | keep-resident | warm bound | flush
 * </pre>
 *
 * Inputs: {@code src/test/resources/io/warmpool/pool/ResetPathFuzzTestInputs/}; docs/FUZZING.md.
 */
class ResetPathFuzzTest {
    private static final long PAGE = 4096;
    private static final long MEMORY_MAX = 1 << 20;
    private static final long TABLE_BYTES = 512 * 8;
    private static final long STACK = 64 << 10;
    private static final Object[] KEYS = {null, "a", "b"};

    @FuzzTest
    void everyAcquireAndEveryGrowthSeesOnlyZeros(FuzzedDataProvider data) {
        PoolConfig config = PoolConfig.builder().memories(2).memoryMax(MEMORY_MAX).memoryGuard(64 << 10)
                .tables(2).tableElements(TABLE_BYTES / 8).stacks(2).stackSize(STACK)
                .scanMode(data.pickValue(new ScanMode[] {ScanMode.AUTO, ScanMode.PAGEMAP_SCAN, ScanMode.PAGEMAP_READ, ScanMode.NONE}))
                .resetStrategy(data.pickValue(ResetStrategy.values()))
                .decommitBatch(data.consumeInt(1, 3))
                .memoryKeepResident(PAGE * data.consumeInt(0, (int) (MEMORY_MAX / PAGE)))
                .tableKeepResident(PAGE * data.consumeInt(0, (int) (TABLE_BYTES / PAGE)))
                .stackKeepResident(PAGE * data.consumeInt(0, (int) (STACK / PAGE)))
                .maxUnusedWarmSlots(data.consumeInt(0, 2)).build();
        List<Instance> held = new ArrayList<>();
        try (WarmPool pool = WarmPool.create(config)) {
            try {
                for (int step = 0; step < 96 && data.remainingBytes() > 0; step++) {
                    step(pool, held, data);
                }
            } finally {
                held.forEach(Instance::close);
            }
        }
    }

    private static void step(WarmPool pool, List<Instance> held, FuzzedDataProvider data) {
        switch (data.consumeInt(0, 7)) {
            case 0 -> acquire(pool, held, data);
            case 1 -> {
                if (!held.isEmpty()) {
                    write(pickSlot(held, data), data);
                }
            }
            case 2 -> {
                List<MemorySlot> memories = held.isEmpty() ? List.of() : data.pickValue(held).memories();
                if (!memories.isEmpty()) {
                    grow(data.pickValue(memories), data);
                }
            }
            case 3 -> {
                if (!held.isEmpty()) {
                    held.remove(data.consumeInt(0, held.size() - 1)).close();
                }
            }
            case 4 -> pool.setResetStrategy(data.pickValue(ResetStrategy.values()));
            case 5 -> keepResident(pool, data);
            case 6 -> pool.setMaxUnusedWarmSlots(data.consumeInt(0, 3));
            default -> pool.flushDecommits();
        }
    }

    private static void acquire(WarmPool pool, List<Instance> held, FuzzedDataProvider data) {
        InstanceRequest.Builder request = InstanceRequest.builder().affinityKey(data.pickValue(KEYS));
        if (data.consumeBoolean()) {
            request.memory(data.consumeLong(0, MEMORY_MAX));
        }
        request.tables(data.consumeInt(0, 1)).stack(data.consumeBoolean());
        Instance instance;
        try {
            instance = pool.acquire(request.build());
        } catch (PoolExhaustedException e) {
            return; // two of each kind: a third instance may find none
        }
        held.add(instance);
        for (PoolSlot slot : slots(instance)) {
            assertClean(slot, 0, slot.accessibleBytes(), "after an acquire");
        }
    }

    private static List<PoolSlot> slots(Instance instance) {
        List<PoolSlot> slots = new ArrayList<>(instance.memories());
        slots.addAll(instance.tables());
        instance.stack().ifPresent(slots::add);
        return slots;
    }

    private static PoolSlot pickSlot(List<Instance> held, FuzzedDataProvider data) {
        List<PoolSlot> slots = slots(data.pickValue(held));
        return slots.isEmpty() ? null : data.pickValue(slots);
    }

    /** Writes a run of non-zero bytes somewhere in the slot's accessible bytes (a stack's near its top, often). */
    private static void write(PoolSlot slot, FuzzedDataProvider data) {
        if (slot == null || slot.accessibleBytes() == 0) {
            return;
        }
        long accessible = slot.accessibleBytes();
        long offset = data.consumeLong(0, accessible - 1);
        long length = Math.min(accessible - offset, data.consumeLong(1, 3 * PAGE));
        NativeMemory.fill(slot.address() + offset, length, (byte) data.consumeInt(1, 255));
    }

    private static void grow(MemorySlot memory, FuzzedDataProvider data) {
        long before = memory.accessibleBytes();
        long by = data.consumeLong(0, MEMORY_MAX);
        if (by > MEMORY_MAX - before) {
            assertThrows(IllegalArgumentException.class, () -> memory.grow(by));
            assertEquals(before, memory.accessibleBytes(), "a refused growth changes nothing");
            return;
        }
        long after = memory.grow(by);
        assertEquals(after, memory.accessibleBytes());
        assertEquals(before + (by + PAGE - 1) / PAGE * PAGE, after);
        assertClean(memory, before, after - before, "after growing from " + before);
    }

    private static void keepResident(WarmPool pool, FuzzedDataProvider data) {
        SlotKind kind = data.pickValue(SlotKind.values());
        long bytes = data.consumeLong(-PAGE, 2 * MEMORY_MAX);
        long slotBytes = switch (kind) {
            case MEMORY -> MEMORY_MAX;
            case TABLE -> TABLE_BYTES;
            case STACK -> STACK;
        };
        if (bytes < 0 || bytes % PAGE != 0 || bytes > slotBytes) {
            long kept = pool.keepResidentBytes(kind);
            assertThrows(PoolConfigException.class, () -> pool.setKeepResidentBytes(kind, bytes), kind + " " + bytes);
            assertEquals(kept, pool.keepResidentBytes(kind), "a refused value changes nothing");
        } else {
            pool.setKeepResidentBytes(kind, bytes);
            assertEquals(bytes, pool.keepResidentBytes(kind));
        }
    }

    private static void assertClean(PoolSlot slot, long from, long length, String when) {
        long dirty = NativeMemory.firstNonZero(slot.address() + from, length);
        if (dirty >= 0) {
            fail(slot + " " + when + ": byte " + (from + dirty) + " of " + slot.accessibleBytes() + " reads "
                    + NativeMemory.getByte(slot.address() + from + dirty) + ", a previous tenant's");
        }
    }
}
