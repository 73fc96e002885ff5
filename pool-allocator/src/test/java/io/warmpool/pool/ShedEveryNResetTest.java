package io.warmpool.pool;

import io.warmpool.natives.NativeMemory;
import io.warmpool.pool.config.PoolConfig;
import io.warmpool.pool.config.ResetStrategy;
import io.warmpool.pool.config.SlotKind;
import io.warmpool.pool.event.PoolListener;
import io.warmpool.pool.event.ResetRecord;
import org.junit.jupiter.api.Test;

import static io.warmpool.pool.TestPools.PAGE;
import static io.warmpool.pool.TestPools.assertReadsZero;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * pagemap-shed-every-n on the real kernel: a tenant writing a new page each time piles pages up in a
 * pagemap-guided slot; every-N gives them back now and then, so what stays resident is bounded, and
 * every tenant still reads zeros; a hot set written every time is never shed.
 */
class ShedEveryNResetTest {
    private static final long SLOT_PAGES = 512;
    private static final long KEEP_PAGES = 512;
    private static final int TENANTS = 400;

    @Test
    void newPagesEachTimeAreShedSoWhatStaysResidentIsBounded() {
        int[] sheds = {0};
        long[] mostDirty = {0};
        PoolListener listener = new PoolListener() {
            @Override
            public void reset(ResetRecord r) {
                assertEquals(ResetStrategy.PAGEMAP_SHED_EVERY_N, r.strategy());
                sheds[0] += r.decommittedBytes() == SLOT_PAGES * PAGE ? 1 : 0; // everything accessible given back
                mostDirty[0] = Math.max(mostDirty[0], r.dirtyPages());
            }
        };
        PoolConfig config = TestPools.memories(1, SLOT_PAGES * PAGE, KEEP_PAGES * PAGE)
                .resetStrategy(ResetStrategy.PAGEMAP_SHED_EVERY_N).build();
        InstanceRequest request = InstanceRequest.memory("tenant", SLOT_PAGES * PAGE);
        try (WarmPool pool = WarmPool.create(config, listener)) {
            for (int t = 0; t < TENANTS; t++) {
                try (Instance tenant = pool.acquire(request)) {
                    assertReadsZero(tenant.memory(0), "tenant " + t);
                    NativeMemory.putLong(tenant.memory(0).address() + (t % SLOT_PAGES) * PAGE, 1 + t);
                }
            }
            assertTrue(sheds[0] > 0, "it shed");
            assertTrue(mostDirty[0] < SLOT_PAGES / 2, "at most " + mostDirty[0] + " pages piled up, of " + TENANTS
                    + " written; " + sheds[0] + " sheds");
            assertTrue(pool.residentBytes(SlotKind.MEMORY) < SLOT_PAGES / 2 * PAGE);
        }
    }

    @Test
    void aHotSetWrittenEveryTimeIsNeverShed() {
        long[] decommitted = {0};
        PoolListener listener = new PoolListener() {
            @Override
            public void reset(ResetRecord r) {
                decommitted[0] += r.decommittedBytes();
            }
        };
        PoolConfig config = TestPools.memories(1, SLOT_PAGES * PAGE, KEEP_PAGES * PAGE)
                .resetStrategy(ResetStrategy.PAGEMAP_SHED_EVERY_N).build();
        InstanceRequest request = InstanceRequest.memory("tenant", SLOT_PAGES * PAGE);
        try (WarmPool pool = WarmPool.create(config, listener)) {
            for (int t = 0; t < TENANTS; t++) {
                try (Instance tenant = pool.acquire(request)) {
                    assertReadsZero(tenant.memory(0), "tenant " + t);
                    for (long p = 0; p < 8; p++) {
                        NativeMemory.putLong(tenant.memory(0).address() + 3 * p * PAGE, 1 + t);
                    }
                }
            }
        }
        assertEquals(0, decommitted[0], "nothing given back: never shed");
    }
}
