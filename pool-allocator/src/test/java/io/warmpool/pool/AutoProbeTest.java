package io.warmpool.pool;

import io.warmpool.natives.NativeMemory;
import io.warmpool.pool.config.PoolConfig;
import io.warmpool.pool.config.ResetStrategy;
import io.warmpool.pool.event.PoolListener;
import io.warmpool.pool.event.ResetRecord;
import org.junit.jupiter.api.Test;

import java.util.EnumMap;
import java.util.Map;

import static io.warmpool.pool.TestPools.PAGE;
import static io.warmpool.pool.TestPools.assertReadsZero;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 16, bug 7: once a slot's tenant dirtied its whole window, auto zeroes the window outright;
 * its periodic probe must then measure what the later tenants write, not the pages its own memset
 * left resident, so that auto goes back to scanning when they write little (on the real kernel).
 */
class AutoProbeTest {
    private static final long WINDOW_PAGES = 64;
    private static final int TENANTS = 320;

    @Test
    void autoGoesBackToScanningWhenLaterTenantsWriteOnePageOfSixtyFour() {
        Map<ResetStrategy, Integer> strategies = run(1);
        int memsets = strategies.getOrDefault(ResetStrategy.MEMSET_KEEP_RESIDENT, 0);
        int scans = strategies.getOrDefault(ResetStrategy.PAGEMAP_GUIDED, 0);
        assertTrue(memsets <= 2 * AutoProbeChoiceBound.PROBE_EVERY, "memset " + memsets + " of " + TENANTS + ": " + strategies);
        assertTrue(scans >= TENANTS - 2 * AutoProbeChoiceBound.PROBE_EVERY, strategies.toString());
    }

    @Test
    void autoKeepsZeroingTheWindowWhileTenantsDirtyAllOfIt() {
        Map<ResetStrategy, Integer> strategies = run(WINDOW_PAGES);
        int memsets = strategies.getOrDefault(ResetStrategy.MEMSET_KEEP_RESIDENT, 0);
        assertTrue(memsets >= TENANTS - TENANTS / AutoProbeChoiceBound.PROBE_EVERY - 2, strategies.toString());
    }

    /**
     * The first tenant dirties the whole window; then {@link #TENANTS} tenants write {@code pages}
     * pages each, the same ones every time (a tenant writing new pages each time would make a
     * pagemap-guided slot keep more and more pages resident, which its scans rightly count).
     */
    private static Map<ResetStrategy, Integer> run(long pages) {
        Map<ResetStrategy, Integer> strategies = new EnumMap<>(ResetStrategy.class);
        PoolListener counting = new PoolListener() {
            @Override
            public void reset(ResetRecord record) {
                strategies.merge(record.strategy(), 1, Integer::sum);
            }
        };
        PoolConfig config = TestPools.memories(1, 4 * WINDOW_PAGES * PAGE, WINDOW_PAGES * PAGE)
                .resetStrategy(ResetStrategy.AUTO).build();
        InstanceRequest request = InstanceRequest.memory("tenant", WINDOW_PAGES * PAGE);
        try (WarmPool pool = WarmPool.create(config, counting)) {
            try (Instance first = pool.acquire(request)) {
                NativeMemory.fill(first.memory(0).address(), WINDOW_PAGES * PAGE, (byte) 1);
            }
            strategies.clear();
            for (int t = 0; t < TENANTS; t++) {
                try (Instance tenant = pool.acquire(request)) {
                    assertReadsZero(tenant.memory(0), "tenant " + t);
                    long address = tenant.memory(0).address();
                    for (long p = 0; p < pages; p++) {
                        long page = pages == WINDOW_PAGES ? p : 5 + 8 * p; // the same pages every time
                        NativeMemory.putLong(address + page * PAGE, 1 + t);
                    }
                }
            }
        }
        return strategies;
    }

    /** AutoChoice's probe period, which this package cannot see. */
    private static final class AutoProbeChoiceBound {
        static final int PROBE_EVERY = 32;
    }
}
