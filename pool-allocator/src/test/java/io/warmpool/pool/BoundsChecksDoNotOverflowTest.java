package io.warmpool.pool;

import io.warmpool.pool.config.PoolConfig;
import io.warmpool.pool.config.PoolConfigException;
import io.warmpool.pool.config.ReservationException;
import io.warmpool.pool.config.SlotKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import static io.warmpool.pool.TestPools.PAGE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Bug 4 of issue 16: every bounds check of the API holds for numbers that overflow a sum:
 * {@code Long.MAX_VALUE}, {@code Integer.MAX_VALUE}, negative numbers. Each is refused with an
 * exception, before any view or mapping is made, and nothing changes.
 */
class BoundsChecksDoNotOverflowTest {

    @Test
    void bufferRefusesEveryRangeThatIsNotInsideTheAccessibleBytes() {
        try (WarmPool pool = WarmPool.create(TestPools.memories(1, 16 * PAGE, PAGE).build());
             Instance instance = pool.acquire(InstanceRequest.memory("a", 4 * PAGE))) {
            MemorySlot memory = instance.memory(0);
            long bytes = memory.accessibleBytes();
            Map<String, Executable> outside = new LinkedHashMap<>();
            outside.put("buffer(Long.MAX_VALUE, 1)", () -> memory.buffer(Long.MAX_VALUE, 1));
            outside.put("buffer(Long.MAX_VALUE, Integer.MAX_VALUE)", () -> memory.buffer(Long.MAX_VALUE, Integer.MAX_VALUE));
            outside.put("buffer(Long.MAX_VALUE - 10, 100)", () -> memory.buffer(Long.MAX_VALUE - 10, 100));
            outside.put("buffer(Long.MIN_VALUE, 1)", () -> memory.buffer(Long.MIN_VALUE, 1));
            outside.put("buffer(-1, 1)", () -> memory.buffer(-1, 1));
            outside.put("buffer(0, -1)", () -> memory.buffer(0, -1));
            outside.put("buffer(0, Integer.MIN_VALUE)", () -> memory.buffer(0, Integer.MIN_VALUE));
            outside.put("buffer(0, Integer.MAX_VALUE)", () -> memory.buffer(0, Integer.MAX_VALUE));
            outside.put("buffer(Integer.MAX_VALUE, Integer.MAX_VALUE)", () -> memory.buffer(Integer.MAX_VALUE, Integer.MAX_VALUE));
            outside.put("buffer(bytes, 1)", () -> memory.buffer(bytes, 1));
            outside.put("buffer(bytes - 1, 2)", () -> memory.buffer(bytes - 1, 2));
            outside.put("buffer(bytes + 1, 0)", () -> memory.buffer(bytes + 1, 0));
            StringBuilder passed = new StringBuilder();
            outside.forEach((call, use) -> {
                try {
                    use.execute();
                    passed.append(call).append(" returned a view; ");
                } catch (IndexOutOfBoundsException expected) {
                    // refused
                } catch (Throwable other) {
                    passed.append(call).append(" threw ").append(other).append("; ");
                }
            });
            assertEquals("", passed.toString(), "each range outside the " + bytes + " accessible bytes is an IndexOutOfBoundsException");
            assertEquals(1, memory.buffer(bytes - 1, 1).capacity(), "the last byte is inside");
            assertEquals(0, memory.buffer(bytes, 0).capacity(), "an empty range at the end is inside");
        }
    }

    @Test
    void growRefusesSizesThatOverflowAndChangesNothing() {
        try (WarmPool pool = WarmPool.create(TestPools.memories(1, 16 * PAGE, PAGE).build());
             Instance instance = pool.acquire(InstanceRequest.memory("a", 4 * PAGE))) {
            MemorySlot memory = instance.memory(0);
            for (long bytes : new long[]{Long.MAX_VALUE, Long.MAX_VALUE - PAGE + 2, Long.MIN_VALUE, -1, Integer.MAX_VALUE,
                    12 * PAGE + 1, -PAGE}) {
                assertThrows(IllegalArgumentException.class, () -> memory.grow(bytes), "grow(" + bytes + ")");
                assertEquals(4 * PAGE, memory.accessibleBytes(), "grow(" + bytes + ") changed nothing");
            }
            assertEquals(16 * PAGE, memory.grow(12 * PAGE), "the room left is accepted");
        }
    }

    @Test
    void requestsAndTimeoutsOfExtremeSizeAreRefusedOrSaturated() throws Exception {
        try (WarmPool pool = WarmPool.create(TestPools.memories(1, 16 * PAGE, PAGE).build())) {
            assertThrows(IllegalArgumentException.class, () -> pool.acquire(InstanceRequest.memory(null, Long.MAX_VALUE)));
            assertThrows(IllegalArgumentException.class, () -> pool.acquire(InstanceRequest.memory(null, Long.MAX_VALUE - PAGE + 2)));
            assertThrows(IllegalArgumentException.class, () -> InstanceRequest.memory(null, Long.MIN_VALUE));
            assertThrows(IllegalArgumentException.class, () -> InstanceRequest.builder().tables(Integer.MIN_VALUE));
            assertThrows(IllegalArgumentException.class,
                    () -> pool.acquire(InstanceRequest.builder().memory(PAGE).tables(Integer.MAX_VALUE).build()));
            assertThrows(IllegalArgumentException.class,
                    () -> pool.setKeepResidentBytes(SlotKind.MEMORY, Long.MAX_VALUE));
            assertThrows(IllegalArgumentException.class,
                    () -> pool.setKeepResidentBytes(SlotKind.MEMORY, Long.MIN_VALUE));
            assertThrows(IllegalArgumentException.class, () -> pool.setMaxUnusedWarmSlots(Integer.MIN_VALUE));
            try (Instance one = pool.acquire(InstanceRequest.memory(null, PAGE), Duration.ofSeconds(Long.MAX_VALUE))) {
                assertEquals(PAGE, one.memory(0).accessibleBytes());
                assertThrows(PoolExhaustedException.class,
                        () -> pool.acquire(InstanceRequest.memory(null, PAGE), Duration.ofSeconds(Long.MIN_VALUE)));
            }
            assertEquals(0, pool.outstanding());
            assertEquals(0, pool.snapshot().kind(SlotKind.MEMORY).inUse());
        }
    }

    @Test
    void configurationSizesThatOverflowAreRefusedNamingTheSetting() {
        Map<String, Executable> builds = new LinkedHashMap<>();
        long top = Long.MAX_VALUE & -PAGE;
        builds.put("memoryMax(top)", () -> PoolConfig.builder().memoryMax(top).build());
        builds.put("memoryGuard(top)", () -> PoolConfig.builder().memoryGuard(top).build());
        builds.put("memories(MAX_INT) x 1 GiB", () -> PoolConfig.builder().memories(Integer.MAX_VALUE).build());
        builds.put("stackSize(top)", () -> PoolConfig.builder().stackSize(top).build());
        builds.put("tableElements(Long.MAX_VALUE)", () -> PoolConfig.builder().tableElements(Long.MAX_VALUE).build());
        builds.put("tableElements(Long.MAX_VALUE / 8)", () -> PoolConfig.builder().tableElements(Long.MAX_VALUE / 8).build());
        builds.put("memoryKeepResident(top)", () -> PoolConfig.builder().memoryKeepResident(top).build());
        builds.put("memoryKeepResident(MIN)", () -> PoolConfig.builder().memoryKeepResident(Long.MIN_VALUE).build());
        builds.put("memoryMax(MIN)", () -> PoolConfig.builder().memoryMax(Long.MIN_VALUE).build());
        builds.put("decommitBatch(MIN)", () -> PoolConfig.builder().decommitBatch(Integer.MIN_VALUE).build());
        builds.forEach((what, build) -> {
            RuntimeException e = assertThrows(RuntimeException.class, build, what);
            assertEquals(true, e instanceof PoolConfigException || e instanceof ReservationException,
                    what + " is refused as a configuration error, not " + e);
        });
    }
}
