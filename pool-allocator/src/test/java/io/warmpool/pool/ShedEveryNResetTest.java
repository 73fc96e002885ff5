package io.warmpool.pool;

import io.warmpool.natives.NativeMemory;
import io.warmpool.pool.config.PoolConfig;
import io.warmpool.pool.config.ResetStrategy;
import io.warmpool.pool.config.SlotKind;
import io.warmpool.pool.event.PoolListener;
import io.warmpool.pool.event.ResetRecord;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

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
    private static final int TENANTS = 400;

    @Test
    void newPagesEachTimeAreShedSoWhatStaysResidentIsBounded() {
        List<Reset> resets = new ArrayList<>();
        long resident = run(resets, t -> new long[] {t % SLOT_PAGES});
        long sheds = resets.stream().filter(r -> r.decommitted() == SLOT_PAGES * PAGE).count(); // all of it given back
        long mostDirty = resets.stream().mapToLong(Reset::dirtyPages).max().orElseThrow();
        assertTrue(sheds > 0, "it shed");
        assertTrue(mostDirty < SLOT_PAGES / 2, "at most " + mostDirty + " pages piled up, of " + TENANTS + " written; "
                + sheds + " sheds");
        assertTrue(resident < SLOT_PAGES / 2 * PAGE, resident + " bytes resident");
    }

    @Test
    void aHotSetWrittenEveryTimeIsNeverShed() {
        List<Reset> resets = new ArrayList<>();
        run(resets, t -> new long[] {0, 3, 6, 9, 12, 15, 18, 21});
        assertEquals(TENANTS, resets.size());
        assertEquals(0, resets.stream().mapToLong(Reset::decommitted).sum(), "nothing given back: never shed");
    }

    /** What a reset found and gave back (a listener's record is the pool's to reuse once it returns). */
    private record Reset(long dirtyPages, long decommitted) {
    }

    /**
     * {@link #TENANTS} tenants of one slot, all of it kept resident, each checking it reads zeros and
     * writing the pages {@code pages} gives for its number; returns the bytes resident at the end.
     */
    private static long run(List<Reset> resets, IntFunction<long[]> pages) {
        PoolListener listener = new PoolListener() {
            @Override
            public void reset(ResetRecord r) {
                assertEquals(ResetStrategy.PAGEMAP_SHED_EVERY_N, r.strategy());
                resets.add(new Reset(r.dirtyPages(), r.decommittedBytes()));
            }
        };
        PoolConfig config = TestPools.memories(1, SLOT_PAGES * PAGE, SLOT_PAGES * PAGE)
                .resetStrategy(ResetStrategy.PAGEMAP_SHED_EVERY_N).build();
        InstanceRequest request = InstanceRequest.memory("tenant", SLOT_PAGES * PAGE);
        try (WarmPool pool = WarmPool.create(config, listener)) {
            for (int t = 0; t < TENANTS; t++) {
                try (Instance tenant = pool.acquire(request)) {
                    assertReadsZero(tenant.memory(0), "tenant " + t);
                    for (long page : pages.apply(t)) {
                        NativeMemory.putLong(tenant.memory(0).address() + page * PAGE, 1 + t);
                    }
                }
            }
            return pool.residentBytes(SlotKind.MEMORY);
        }
    }
}
