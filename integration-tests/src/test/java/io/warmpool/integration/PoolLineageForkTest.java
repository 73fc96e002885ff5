package io.warmpool.integration;

import io.warmpool.fork.ForkGeneration;
import io.warmpool.fork.testing.ForkedChild;
import io.warmpool.natives.ForkHandlers;
import io.warmpool.pool.Instance;
import io.warmpool.pool.InstanceRequest;
import io.warmpool.pool.WarmPool;
import io.warmpool.pool.event.Fallback;
import org.junit.jupiter.api.Test;

import java.util.function.IntSupplier;

import static io.warmpool.integration.ChildChecks.DEADLINE;
import static io.warmpool.integration.ChildChecks.OS;
import static io.warmpool.integration.ChildChecks.cycle;
import static io.warmpool.integration.ChildChecks.dirty;
import static io.warmpool.integration.ChildChecks.drain;
import static io.warmpool.integration.ChildChecks.memories;
import static io.warmpool.integration.ChildChecks.memoryRequest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One pool across many forks, forks of forks, and processes launched with exec. */
class PoolLineageForkTest {
    private static final int SLOTS = 4;

    @Test
    void hundredSequentialForksEachGetAWorkingPoolOfTheirOwn() {
        try (WarmPool pool = WarmPool.create(memories(SLOTS).wipeOnFork(false).build())) {
            InstanceRequest request = memoryRequest("child", 16);
            Instance[] room = new Instance[SLOTS + 1];
            long generation = ForkGeneration.current();
            for (int i = 0; i < 100; i++) {
                // The parent leaves a different slot dirty and held at each fork.
                Instance held = pool.acquire(memoryRequest("parent-" + i % SLOTS, 16));
                dirty(held);
                int heldSlot = held.memory(0).index();
                ForkedChild.Result result = ForkedChild.run(OS, () -> {
                    if (ForkGeneration.current() != generation + 1) {
                        return 1;
                    }
                    int free = drain(pool, request, room, heldSlot);
                    if (free != SLOTS - 1) {
                        return free < 0 ? 10 - free : 2;
                    }
                    return cycle(pool, request, 20);
                }, DEADLINE);
                assertTrue(result.exitedWith(0), "fork " + i + ": " + result);
                held.close();
            }
            assertEquals(generation, ForkGeneration.current());
            assertEquals(SLOTS, drain(pool, request, room, -1));
        }
    }

    @Test
    void grandchildrenGetAWorkingPoolWhetherOrNotTheirParentUsedIt() {
        ChildChecks.Events events = new ChildChecks.Events();
        try (WarmPool pool = WarmPool.create(memories(SLOTS).wipeOnFork(false).build(), events)) {
            InstanceRequest request = memoryRequest("k", 16);
            Instance[] room = new Instance[SLOTS + 1];
            long generation = ForkGeneration.current();
            Instance[] heldByChild = new Instance[1];
            // Built here: a lambda first evaluated in a forked child would link a call site there.
            IntSupplier grandchild = () -> {
                if (ForkGeneration.current() != generation + 2) {
                    return 31;
                }
                int heldSlot = heldByChild[0] == null ? -1 : heldByChild[0].memory(0).index();
                int free = drain(pool, request, room, heldSlot);
                if (free != (heldByChild[0] == null ? SLOTS : SLOTS - 1)) {
                    return free < 0 ? 40 - free : 32;
                }
                return cycle(pool, request, 50);
            };
            assertEquals(0, cycle(pool, request, 0));
            ForkedChild.Result result = ForkedChild.run(OS, () -> {
                // A grandchild of a child that never touched the pool: it rebuilds from the parent's state.
                int code = exitCode(ForkedChild.run(OS, grandchild, DEADLINE));
                if (code != 0) {
                    return code;
                }
                if (cycle(pool, request, 10) != 0 || events.count(Fallback.FORKED) != 0) {
                    return 11;
                }
                heldByChild[0] = pool.acquire(request);
                dirty(heldByChild[0]);
                // A grandchild of a child that rebuilt the pool, and holds a dirty instance of it.
                code = exitCode(ForkedChild.run(OS, grandchild, DEADLINE));
                heldByChild[0].close();
                return code != 0 ? code : cycle(pool, request, 60);
            }, DEADLINE);
            assertTrue(result.exitedWith(0), result.toString());
            assertEquals(0, cycle(pool, request, 0));
        }
    }

    private static int exitCode(ForkedChild.Result result) {
        if (result.killed() || !result.status().exited()) {
            return 90;
        }
        return result.status().exitCode();
    }

    @Test
    void processBuilderLaunchesLeaveThePoolAndItsDescriptorsAlone() throws Exception {
        ChildChecks.Events events = new ChildChecks.Events();
        try (WarmPool pool = WarmPool.create(memories(SLOTS).build(), events)) {
            InstanceRequest request = memoryRequest("k", 16);
            assertEquals(0, cycle(pool, request, 0));
            long generation = ForkGeneration.current();
            long reopened = ForkHandlers.reopened();
            Instance held = pool.acquire(request);
            dirty(held);
            for (int i = 0; i < 3; i++) {
                // With the fork launch mechanism (this module's setting) the atfork handlers run in the
                // launched child before its exec; close-on-exec then drops what they reopened.
                Process process = new ProcessBuilder("/bin/sh", "-c", "ls -l /proc/self/fd; exit 7")
                        .redirectErrorStream(true).start();
                String listing = new String(process.getInputStream().readAllBytes());
                assertEquals(7, process.waitFor(), listing);
                assertFalse(listing.contains("pagemap"), "no pagemap descriptor crossed the exec:\n" + listing);
            }
            assertEquals(generation, ForkGeneration.current(), "the parent's generation");
            assertEquals(reopened, ForkHandlers.reopened(), "nothing was reopened in the parent");
            assertFalse(ChildChecks.readsZero(held), "the held instance keeps its bytes");
            held.close();
            assertEquals(0, events.count(Fallback.REMAPPED), "the held instance was reset, not remapped");
            assertEquals(0, cycle(pool, request, 0));
        }
    }
}
