package io.warmpool.integration;

import io.warmpool.fork.testing.ForkedChild;
import io.warmpool.natives.NativeMemory;
import io.warmpool.pool.Instance;
import io.warmpool.pool.InstanceRequest;
import io.warmpool.pool.WarmPool;
import io.warmpool.pool.config.ResetStrategy;
import io.warmpool.pool.config.SlotKind;
import io.warmpool.pool.event.Fallback;
import io.warmpool.pool.event.PoolListener;
import io.warmpool.pool.event.ResetRecord;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLongArray;

import static io.warmpool.integration.ChildChecks.DEADLINE;
import static io.warmpool.integration.ChildChecks.OS;
import static io.warmpool.integration.ChildChecks.PAGE;
import static io.warmpool.integration.ChildChecks.memories;
import static io.warmpool.integration.ChildChecks.memoryRequest;
import static io.warmpool.integration.ChildChecks.readsZero;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A written-tracked pool across a real {@code fork()}: the child's mappings lost their
 * registration at the fork and its userfaultfd is its parent's, so its resets scan for present
 * pages instead, counted once as the {@code untracked} fallback and never an error; its tenants
 * read zero, and the parent goes on tracking.
 */
class TrackedResetForkTest {

    /** Resets by strategy and fallbacks by reason, counted without a lock. */
    static final class Counts implements PoolListener {
        final AtomicLongArray resets = new AtomicLongArray(ResetStrategy.values().length);
        final AtomicLongArray fallbacks = new AtomicLongArray(Fallback.values().length);

        @Override
        public void reset(ResetRecord record) {
            resets.incrementAndGet(record.strategy().ordinal());
        }

        @Override
        public void fallback(SlotKind kind, Fallback reason, String detail) {
            fallbacks.incrementAndGet(reason.ordinal());
        }
    }

    @Test
    void aForkedChildScansForPresentPagesCountedOnceAndItsTenantsReadZero() {
        Counts counts = new Counts();
        // Without wipe-on-fork the child inherits the slot's pages as they are: what the child's
        // tenants write is the child's resets' to find, without the parent's tracking.
        try (WarmPool pool = WarmPool.create(memories(1).wipeOnFork(false)
                .resetStrategy(ResetStrategy.WRITTEN_TRACKED).build(), counts)) {
            InstanceRequest request = memoryRequest("tenant", 16);
            assertEquals(0, tenants(pool, request, 4));
            assertEquals(1, counts.resets.get(ResetStrategy.PAGEMAP_GUIDED.ordinal()), "the first reset registers");
            assertEquals(3, counts.resets.get(ResetStrategy.WRITTEN_TRACKED.ordinal()));

            ForkedChild.Result result = ForkedChild.run(OS, () -> inTheChild(pool, request, counts), DEADLINE);
            assertTrue(result.exitedWith(0), result.toString());

            assertEquals(0, tenants(pool, request, 4), "the parent's tenants still read zero");
            assertEquals(7, counts.resets.get(ResetStrategy.WRITTEN_TRACKED.ordinal()), "and the parent still tracks");
            assertEquals(0, counts.fallbacks.get(Fallback.UNTRACKED.ordinal()));
        }
    }

    /** In the child: 0, or the number of the first check that failed. */
    private static int inTheChild(WarmPool pool, InstanceRequest request, Counts counts) {
        long tracked = counts.resets.get(ResetStrategy.WRITTEN_TRACKED.ordinal());
        long scanned = counts.resets.get(ResetStrategy.PAGEMAP_GUIDED.ordinal());
        int failed = tenants(pool, request, 6);
        if (failed != 0) {
            return 10 + failed;
        }
        if (counts.resets.get(ResetStrategy.WRITTEN_TRACKED.ordinal()) != tracked) {
            return 2; // a tracked reset ran in the child
        }
        if (counts.resets.get(ResetStrategy.PAGEMAP_GUIDED.ordinal()) != scanned + 6) {
            return 3;
        }
        if (counts.fallbacks.get(Fallback.UNTRACKED.ordinal()) != 1) {
            return 4; // not counted, or counted more than once
        }
        return 0;
    }

    /**
     * {@code count} tenants in turn, each checking that it reads zero and writing two pages (a
     * different pair each time): 0, or the 1-based number of the first tenant that read non-zero.
     */
    private static int tenants(WarmPool pool, InstanceRequest request, int count) {
        for (int t = 0; t < count; t++) {
            Instance instance = pool.acquire(request);
            boolean clean = readsZero(instance);
            long address = instance.memory(0).address();
            NativeMemory.putLong(address + (t % 16) * PAGE, 0x5A5A);
            NativeMemory.putLong(address + ((t + 7) % 16) * PAGE + 8, 0x5A5A);
            instance.close();
            if (!clean) {
                return t + 1;
            }
        }
        return 0;
    }
}
