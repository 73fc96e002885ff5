package io.warmpool.integration;

import io.warmpool.fork.testing.ForkedChild;
import io.warmpool.pool.InstanceRequest;
import io.warmpool.pool.WarmPool;
import io.warmpool.pool.config.SlotKind;
import io.warmpool.pool.profile.ProfileSnapshot;
import io.warmpool.pool.profile.TenantProfile;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static io.warmpool.integration.ChildChecks.DEADLINE;
import static io.warmpool.integration.ChildChecks.OS;
import static io.warmpool.integration.ChildChecks.cycle;
import static io.warmpool.integration.ChildChecks.memories;
import static io.warmpool.integration.ChildChecks.memoryRequest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The tenant profile in a forked child: every acquire and reset counts in it, and a parent thread
 * that was counting at the fork (so holds a cell of counts that no thread of the child will ever
 * give back) must not make the child wait, lose the child's counts or count them twice. Each child
 * runs on a thread that never counted before, the kind of thread that had to register its counters
 * with the profile when each thread had its own.
 */
class TenantProfileForkTest {
    private static final int SLOTS = 4;

    @Test
    void aChildCountsItsResetsWhileAParentThreadHoldsEveryCellOfTheProfile() throws Exception {
        try (WarmPool pool = WarmPool.create(memories(SLOTS).build())) {
            InstanceRequest request = memoryRequest("k", 8);
            assertEquals(0, childCounts(pool, request), "the same checks in the parent");
            List<long[]> held = new ArrayList<>();
            CountDownLatch holding = new CountDownLatch(1);
            CountDownLatch done = new CountDownLatch(1);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread holder = new Thread(() -> {
                try {
                    held.addAll(claimEveryCell(pool.profile()));
                    holding.countDown();
                    done.await();
                    releaseAll(pool.profile(), held);
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                    holding.countDown();
                }
            }, "holds-every-profile-cell");
            holder.start();
            assertTrue(holding.await(10, TimeUnit.SECONDS), "the holder thread took every cell");
            assertNull(failure.get());
            try {
                ForkedChild.Result result = forkFromANewThread(pool, request);
                assertTrue(result.exitedWith(0), result + " (" + held.size() + " cells held by a parent thread)");
                assertEquals(0, childCounts(pool, request), "the parent counts past the held cells too");
            } finally {
                done.countDown();
                holder.join();
            }
            assertNull(failure.get());
            assertEquals(0, childCounts(pool, request), "the parent's profile once the cells are back");
        }
    }

    @Test
    void aChildForkedWhileTwoThreadsResetCountsExactlyItsOwnResets() throws Exception {
        try (WarmPool pool = WarmPool.create(memories(SLOTS + 2).build())) {
            InstanceRequest request = memoryRequest("child", 8);
            assertEquals(0, childCounts(pool, request));
            InstanceRequest[] mine = {memoryRequest("churn-0", 8), memoryRequest("churn-1", 8)};
            Churners churners = Churners.start(2, (t, i) -> {
                if (cycle(pool, mine[t], 0) != 0) {
                    throw new AssertionError("a churner was handed a dirty slot");
                }
            });
            try (churners) {
                for (int fork = 0; fork < 10; fork++) {
                    churners.awaitMore(2);
                    ForkedChild.Result result = forkFromANewThread(pool, request);
                    assertTrue(result.exitedWith(0), "fork " + fork + ": " + result);
                }
            }
            assertNull(churners.failure(), () -> "a churner failed: " + churners.failure());
            ProfileSnapshot profile = pool.profile().snapshot();
            assertEquals(2 + 2 * churners.cycles(), profile.kind(SlotKind.MEMORY).scannedResets(),
                    "the parent counted each of its resets once (two per cycle), its children's none");
        }
    }

    /**
     * Two cycles (two acquires, two resets) and the profile's count of them: 0, or the code of the
     * first thing that did not hold.
     */
    private static int childCounts(WarmPool pool, InstanceRequest request) {
        ProfileSnapshot before = pool.profile().snapshot();
        int dirty = cycle(pool, request, 0);
        if (dirty != 0) {
            return dirty;
        }
        ProfileSnapshot after = pool.profile().snapshot();
        if (after.kind(SlotKind.MEMORY).scannedResets() != before.kind(SlotKind.MEMORY).scannedResets() + 2) {
            return 3;
        }
        if (after.inUseAtAcquire().count() != before.inUseAtAcquire().count() + 2) {
            return 4;
        }
        return after.kind(SlotKind.MEMORY).dirtyPages().count() == before.kind(SlotKind.MEMORY).dirtyPages().count() + 2
                ? 0 : 5;
    }

    /** Forks from a thread that never used the pool, which runs {@link #childCounts} in the child. */
    private static ForkedChild.Result forkFromANewThread(WarmPool pool, InstanceRequest request) throws InterruptedException {
        AtomicReference<ForkedChild.Result> result = new AtomicReference<>();
        Thread forker = new Thread(() -> result.set(ForkedChild.run(OS, () -> childCounts(pool, request), DEADLINE)),
                "forks-fresh");
        forker.start();
        forker.join();
        return result.get();
    }

    /**
     * Claims cells of the profile's counts until every one is held, as parent threads stopped in the
     * middle of counting would hold them. By reflection: the test must hold them as a pool thread does.
     */
    private static List<long[]> claimEveryCell(TenantProfile profile) throws ReflectiveOperationException {
        Object cells = cells(profile);
        Method claim = cells.getClass().getDeclaredMethod("claim");
        Method capacity = cells.getClass().getDeclaredMethod("capacity");
        claim.setAccessible(true);
        capacity.setAccessible(true);
        List<long[]> held = new ArrayList<>();
        for (int i = 0; i < (int) capacity.invoke(cells); i++) {
            held.add((long[]) claim.invoke(cells));
        }
        return held;
    }

    private static void releaseAll(TenantProfile profile, List<long[]> held) throws ReflectiveOperationException {
        Object cells = cells(profile);
        Method release = cells.getClass().getDeclaredMethod("release", long[].class);
        release.setAccessible(true);
        for (long[] cell : held) {
            release.invoke(cells, (Object) cell);
        }
    }

    private static Object cells(TenantProfile profile) throws ReflectiveOperationException {
        Field cells = TenantProfile.class.getDeclaredField("cells");
        cells.setAccessible(true);
        return cells.get(profile);
    }
}
