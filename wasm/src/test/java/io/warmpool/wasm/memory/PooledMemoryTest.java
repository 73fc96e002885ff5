package io.warmpool.wasm.memory;

import com.dylibso.chicory.runtime.ByteBufferMemory;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasm.UninstantiableException;
import com.dylibso.chicory.wasm.types.ActiveDataSegment;
import com.dylibso.chicory.wasm.types.DataSegment;
import com.dylibso.chicory.wasm.types.Instruction;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import com.dylibso.chicory.wasm.types.OpCode;
import com.dylibso.chicory.wasm.types.PassiveDataSegment;
import io.warmpool.pool.Instance;
import io.warmpool.pool.InstanceRequest;
import io.warmpool.pool.WarmPool;
import io.warmpool.pool.config.PoolConfig;
import io.warmpool.pool.config.ResetStrategy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PooledMemoryTest {
    private static final int PAGE = Memory.PAGE_SIZE;
    /** Slots of 16 wasm pages. */
    private static final long SLOT_BYTES = 16L * PAGE;

    private WarmPool pool;
    private final List<Instance> leases = new ArrayList<>();

    @BeforeEach
    void createPool() {
        pool = WarmPool.create(PoolConfig.builder().memories(4).memoryMax(SLOT_BYTES).memoryGuard(PAGE)
                .memoryKeepResident(PAGE).tables(0).stacks(0).resetStrategy(ResetStrategy.MADVISE_ALL).build());
    }

    @AfterEach
    void closePool() {
        for (Instance lease : leases) {
            if (!lease.isReleased()) {
                lease.close();
            }
        }
        pool.close();
    }

    private PooledMemory pooled(MemoryLimits limits) {
        Instance lease = pool.acquire(InstanceRequest.memory("test", (long) limits.initialPages() * PAGE));
        leases.add(lease);
        return PooledMemory.on(lease.memory(0), limits);
    }

    /** What an operation did: its value, or its exception's type and message. */
    private static String outcome(Memory m, Function<Memory, Object> op) {
        try {
            Object v = op.apply(m);
            return "value " + (v instanceof byte[] b ? Arrays.toString(b) : String.valueOf(v));
        } catch (RuntimeException e) {
            return e.getClass().getName() + ": " + e.getMessage();
        }
    }

    @Test
    void loadsStoresAndTheirTrapsMatchChicorysOwnMemoryExactly() {
        MemoryLimits limits = new MemoryLimits(1, 4);
        Memory own = new ByteBufferMemory(limits);
        Memory pooled = pooled(limits);
        int[] addresses = {0, 1, 7, PAGE - 9, PAGE - 8, PAGE - 4, PAGE - 2, PAGE - 1, PAGE, PAGE + 1, -1, -8,
            Integer.MIN_VALUE, Integer.MAX_VALUE};
        List<Function<Memory, Object>> ops = new ArrayList<>();
        for (int a : addresses) {
            ops.add(m -> { m.writeByte(a, (byte) 0x81); return m.read(a); });
            ops.add(m -> { m.writeShort(a, (short) 0x8182); return m.readShort(a) + "/" + m.readU16(a) + "/" + m.readI16(a); });
            ops.add(m -> { m.writeI32(a, 0x81828384); return m.readInt(a) + "/" + m.readU32(a) + "/" + m.readI32(a); });
            ops.add(m -> { m.writeLong(a, 0x8182838485868788L); return m.readLong(a) + "/" + m.readI64(a); });
            ops.add(m -> { m.writeF32(a, -1.5f); return m.readFloat(a) + "/" + m.readF32(a); });
            ops.add(m -> { m.writeF64(a, -2.25); return m.readDouble(a) + "/" + m.readF64(a); });
            ops.add(m -> m.readU8(a) + "/" + m.readI8(a));
            ops.add(m -> m.readBytes(a, 3));
            ops.add(m -> { m.write(a, new byte[] {1, 2, 3}); return "ok"; });
            ops.add(m -> { m.write(a, new byte[] {1, 2, 3}, 1, 2); return "ok"; });
            ops.add(m -> { m.write(a, new byte[] {1, 2, 3}, 2, 2); return "ok"; });
            ops.add(m -> { m.fill((byte) 9, a, a + 5); return m.readBytes(a, 5); });
            ops.add(m -> { m.copy(a, 0, 4); return m.readBytes(a, 4); });
            ops.add(m -> { m.copy(0, a, 4); return m.readBytes(0, 4); });
        }
        for (int i = 0; i < ops.size(); i++) {
            assertEquals(outcome(own, ops.get(i)), outcome(pooled, ops.get(i)), "operation " + i);
        }
        assertArrayEquals(own.readBytes(0, PAGE), pooled.readBytes(0, PAGE), "the bytes after every operation");
    }

    @Test
    void anOutOfBoundsAccessTrapsWithChicorysTypeAndMessage() {
        Memory pooled = pooled(new MemoryLimits(1, 1));
        RuntimeException e = assertThrows(RuntimeException.class, () -> pooled.readInt(PAGE - 3));
        assertEquals("com.dylibso.chicory.runtime.WasmRuntimeException", e.getClass().getName());
        assertEquals("out of bounds memory access: attempted to access address: 65533 but limit is: 65536 and size: 4",
                e.getMessage());
    }

    @Test
    void growMakesPagesAccessibleUpToTheModulesMaximumThenReturnsMinusOne() {
        PooledMemory m = pooled(new MemoryLimits(1, 3));
        assertThrows(RuntimeException.class, () -> m.writeI32(PAGE, 1));
        assertEquals(1, m.grow(1));
        m.writeI32(2 * PAGE - 4, 42);
        assertEquals(42, m.readInt(2 * PAGE - 4));
        assertEquals(2, m.grow(1));
        assertEquals(3, m.pages());
        assertEquals(-1, m.grow(1), "past the module's maximum");
        assertEquals(3, m.grow(0));
        assertEquals(-1, m.grow(-1));
        assertEquals(3L * PAGE, m.slot().accessibleBytes());
    }

    @Test
    void growStopsAtTheSlotsMaximumWhenTheModuleAllowsMore() {
        PooledMemory m = pooled(new MemoryLimits(1, 65536));
        assertEquals(16, m.maximumPages());
        assertEquals(1, m.grow(15));
        assertEquals(-1, m.grow(1), "past the pool's memory-max");
        m.writeByte(16 * PAGE - 1, (byte) 1);
        assertEquals(1, m.read(16 * PAGE - 1));
    }

    @Test
    void aMemoryLargerThanTheSlotIsUninstantiable() {
        Instance lease = pool.acquire(InstanceRequest.memory("test", PAGE));
        leases.add(lease);
        UninstantiableException e = assertThrows(UninstantiableException.class,
                () -> PooledMemory.on(lease.memory(0), new MemoryLimits(17, 20)));
        assertTrue(e.getMessage().contains("17 pages"), e.getMessage());
    }

    @Test
    void copyOfOverlappingRangesIsAsIfThroughATemporary() {
        Memory m = pooled(new MemoryLimits(1, 1));
        byte[] bytes = new byte[300];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) i;
        }
        m.write(100, bytes);
        m.copy(150, 100, 300);
        for (int i = 0; i < 300; i++) {
            assertEquals((byte) i, m.read(150 + i), "forward overlap, byte " + i);
        }
        m.copy(100, 150, 300);
        for (int i = 0; i < 300; i++) {
            assertEquals((byte) i, m.read(100 + i), "backward overlap, byte " + i);
        }
    }

    @Test
    void largeFillsAndSmallFillsWriteExactlyTheirRange() {
        Memory m = pooled(new MemoryLimits(1, 1));
        m.fill((byte) 7, 10, 10 + 5000);
        m.fill((byte) 3, 20, 23);
        assertEquals(0, m.read(9));
        assertEquals(7, m.read(10));
        assertEquals(7, m.read(19));
        assertEquals(3, m.read(22));
        assertEquals(7, m.read(23));
        assertEquals(7, m.read(5009));
        assertEquals(0, m.read(5010));
    }

    private static ActiveDataSegment active(int offset, byte... data) {
        return new ActiveDataSegment(0, List.of(new Instruction(0, OpCode.I32_CONST, new long[] {offset}),
                new Instruction(0, OpCode.END, new long[0])), data);
    }

    @Test
    void initializeWritesActiveSegmentsDropsThemAndKeepsPassiveOnesUntilDataDrop() {
        PooledMemory m = pooled(new MemoryLimits(1, 1));
        DataSegment[] segments = {active(8, (byte) 1, (byte) 2), new PassiveDataSegment(new byte[] {5, 6, 7})};
        m.zero();
        m.initialize(null, segments);
        assertEquals(1, m.read(8));
        assertEquals(2, m.read(9));
        assertTrue(segments[0] instanceof ActiveDataSegment, "the caller's array is left alone");
        RuntimeException e = assertThrows(RuntimeException.class, () -> m.initPassiveSegment(0, 0, 0, 1),
                "an active segment is dropped once applied");
        assertTrue(e.getMessage().startsWith("out of bounds memory access"), e.getMessage());
        m.initPassiveSegment(0, 0, 0, 0);
        m.initPassiveSegment(1, 100, 1, 2);
        assertEquals(6, m.read(100));
        assertEquals(7, m.read(101));
        m.drop(1);
        assertThrows(RuntimeException.class, () -> m.initPassiveSegment(1, 100, 0, 1));
        m.initPassiveSegment(1, 100, 0, 0);
    }

    @Test
    void anActiveSegmentOutOfBoundsMakesTheInstanceUninstantiableWithChicorysMessage() {
        PooledMemory m = pooled(new MemoryLimits(1, 1));
        ByteBufferMemory own = new ByteBufferMemory(new MemoryLimits(1, 1));
        DataSegment[] segments = {active(PAGE - 1, (byte) 1, (byte) 2)};
        UninstantiableException expected = assertThrows(UninstantiableException.class, () -> own.initialize(null, segments));
        UninstantiableException actual = assertThrows(UninstantiableException.class, () -> m.initialize(null, segments));
        assertEquals(expected.getMessage(), actual.getMessage());
    }

    @Test
    void initializeWritesNothingWhenTheSlotsImageHoldsTheSegments() {
        Instance lease = pool.acquire(InstanceRequest.memory("test", PAGE));
        leases.add(lease);
        PooledMemory m = PooledMemory.on(lease.memory(0), new MemoryLimits(1, 1), true);
        m.zero();
        m.initialize(null, new DataSegment[] {active(8, (byte) 1)});
        assertEquals(0, m.read(8), "this slot has no image: the byte stays what the pool handed over");
        assertThrows(RuntimeException.class, () -> m.initPassiveSegment(0, 0, 0, 1), "and the segment is dropped");
    }

    @Test
    void zeroAfterInitializeClearsTheWholeMemory() {
        PooledMemory m = pooled(new MemoryLimits(1, 1));
        m.initialize(null, new DataSegment[0]);
        m.fill((byte) 1, 0, PAGE);
        m.zero();
        assertArrayEquals(new byte[PAGE], m.readBytes(0, PAGE));
    }

    @Test
    void aClosedMemoryRefusesEveryAccessAndTheSlotsNextTenantSeesOnlyZeros() {
        PooledMemory m = pooled(new MemoryLimits(1, 1));
        m.writeI32(0, 0x5ec2e7);
        Instance lease = leases.get(0);
        int slot = m.slot().index();
        m.close();
        lease.close();
        assertThrows(IllegalStateException.class, () -> m.readInt(0));
        assertThrows(IllegalStateException.class, () -> m.writeI32(0, 1));
        assertThrows(IllegalStateException.class, () -> m.readBytes(0, 4));
        assertThrows(IllegalStateException.class, () -> m.fill((byte) 1, 0, 4));
        assertThrows(IllegalStateException.class, () -> m.grow(1));
        assertThrows(IllegalStateException.class, m::pages);
        PooledMemory next = pooled(new MemoryLimits(1, 1));
        assertEquals(slot, next.slot().index(), "the same slot came back (affinity)");
        assertEquals(0, next.readInt(0));
        assertThrows(IllegalStateException.class, () -> m.readInt(0), "the stale memory still refuses");
    }
}
