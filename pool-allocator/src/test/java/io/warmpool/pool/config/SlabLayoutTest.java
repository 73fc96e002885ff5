package io.warmpool.pool.config;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The slab arithmetic, without the kernel: where each slot lies and what the slab reserves. */
class SlabLayoutTest {
    private static final long PAGE = 4096;

    @Test
    void slotsLieBetweenGuardsAStrideApart() {
        SlabLayout layout = new SlabLayout(3, 16 * PAGE, 2 * PAGE);
        assertEquals(18 * PAGE, layout.stride());
        assertEquals(2 * PAGE, layout.slotOffset(0), "the first guard lies below slot 0");
        assertEquals(20 * PAGE, layout.slotOffset(1));
        assertEquals(38 * PAGE, layout.slotOffset(2));
        assertEquals(2 * PAGE + 3 * 18 * PAGE, layout.reservationBytes(), "a guard above the last slot too");
    }

    @Test
    void noSlotsReserveNothing() {
        assertEquals(0, new SlabLayout(0, 16 * PAGE, PAGE).reservationBytes());
    }

    @Test
    void aLayoutPast63BitsIsRefusedWhenMadeSoNoOtherSumCanOverflow() {
        assertThrows(ArithmeticException.class, () -> new SlabLayout(Integer.MAX_VALUE, 1L << 40, PAGE));
        assertThrows(ArithmeticException.class, () -> new SlabLayout(2, Long.MAX_VALUE - PAGE, PAGE));
        assertThrows(IllegalArgumentException.class, () -> new SlabLayout(-1, PAGE, PAGE));
    }

    @Test
    void aConfigurationsKindsAreLaidOutAsTheirSlabsAre() {
        PoolConfig config = PoolConfig.builder().memories(2).memoryMax(64 * PAGE).memoryGuard(8 * PAGE).memoryKeepResident(PAGE).tables(1)
                .tableElements(1000).tableKeepResident(PAGE).stacks(0).build();
        assertEquals(new SlabLayout(2, 64 * PAGE, 8 * PAGE), config.memories().layout());
        assertEquals(new SlabLayout(1, 2 * PAGE, PAGE), config.tables().layout(), "8000 bytes: two pages, a guard page");
        assertEquals(0, config.stacks().reservationBytes());
        assertEquals(8 * PAGE + 2 * 72 * PAGE + PAGE + 3 * PAGE, config.reservationBytes());
    }
}
