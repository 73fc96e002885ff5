package io.warmpool.integration;

import io.warmpool.fork.testing.ForkedChild;
import io.warmpool.natives.Fcntl;
import io.warmpool.natives.NativeMemory;
import io.warmpool.pool.Instance;
import io.warmpool.pool.InstanceRequest;
import io.warmpool.pool.WarmPool;
import org.junit.jupiter.api.Test;

import static io.warmpool.integration.ChildChecks.DEADLINE;
import static io.warmpool.integration.ChildChecks.OS;
import static io.warmpool.integration.ChildChecks.PAGE;
import static io.warmpool.integration.ChildChecks.TENANT_BYTE;
import static io.warmpool.integration.ChildChecks.cycle;
import static io.warmpool.integration.ChildChecks.memories;
import static io.warmpool.integration.ChildChecks.memoryRequest;
import static io.warmpool.integration.ChildChecks.readsZero;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bug fork safety exists for. A descriptor of {@code /proc/self/pagemap} opened before
 * {@code fork()} still describes the parent in the child. A child whose reset scanned with it would
 * look for dirty pages in its parent, find there the page that only the child wrote still clean,
 * skip it, and hand it to the next tenant with the last tenant's bytes in it. In the pool, the atfork
 * handler reopens registered descriptors and the pool rebuilds its reset contexts in the child, so
 * the child's resets scan the child.
 */
class ChildResetForkTest {
    private static final long PM_PRESENT = 1L << 63;

    @Test
    void childResetZeroesAPageThatOnlyTheChildDirtied() {
        ChildChecks.Events events = new ChildChecks.Events();
        // One slot, all of it kept resident: a reset zeroes exactly the dirty pages its scan finds and
        // gives nothing back to the kernel, so a page the scan misses stays dirty.
        try (WarmPool pool = WarmPool.create(memories(1).wipeOnFork(false).build(), events)) {
            // The parent only ever makes the first 4 pages accessible: page 10 of the slot (P) is
            // never touched, so the parent's pagemap says it is not present.
            assertEquals(0, cycle(pool, memoryRequest("tenant", 4), 0));
            InstanceRequest whole = memoryRequest("tenant", 16);
            long slot;
            try (Instance probe = pool.acquire(memoryRequest("tenant", 4))) {
                slot = probe.memory(0).address();
            }
            long pageP = slot + 10 * PAGE;
            events.watchedOffset = 10 * PAGE;
            // What a scanner that ignored fork would hold: a descriptor opened before the fork, not
            // registered with the atfork handlers.
            int inherited = OS.open("/proc/self/pagemap", Fcntl.O_RDONLY | Fcntl.O_CLOEXEC, 0);
            long entry = NativeMemory.allocate(8);
            try {
                assertFalse(present(inherited, pageP, entry), "P is clean in the parent");
                ForkedChild.Result result = ForkedChild.run(OS,
                        () -> dirtyPInTheChildAndReset(pool, whole, slot, pageP, inherited, entry, events), DEADLINE);
                assertTrue(result.exitedWith(0), result.toString());
                assertFalse(present(inherited, pageP, entry), "the child's write stayed in the child");
                assertEquals(0, cycle(pool, whole, 10), "the parent's pool is as it was");
            } finally {
                NativeMemory.free(entry);
                OS.close(inherited);
            }
        }
    }

    /** In the child: 0, or the number of the first check that failed. */
    private static int dirtyPInTheChildAndReset(WarmPool pool, InstanceRequest whole, long slot, long pageP,
                                                int inherited, long entry, ChildChecks.Events events) {
        Instance tenant = pool.acquire(whole); // the first pool operation here: the pool rebuilds for the child
        if (tenant.memory(0).address() != slot || !readsZero(tenant)) {
            return 1;
        }
        NativeMemory.fill(pageP, PAGE, TENANT_BYTE);
        // The control. The inherited descriptor describes the parent, where P is still clean ...
        if (present(inherited, pageP, entry)) {
            return 2;
        }
        // ... so a reset guided by it zeroes what the parent has present and leaves P dirty.
        for (long page = slot; page < slot + 16 * PAGE; page += PAGE) {
            if (present(inherited, page, entry)) {
                NativeMemory.zero(page, PAGE);
            }
        }
        if (NativeMemory.getByte(pageP) != TENANT_BYTE) {
            return 3;
        }
        long sawP = events.watchedDirty.get();
        tenant.close(); // the pool's reset, with a scanner of the child's own pagemap
        if (events.watchedDirty.get() != sawP + 1) {
            return 4; // its scan did not report P dirty
        }
        Instance next = pool.acquire(whole);
        boolean clean = next.memory(0).address() == slot && readsZero(next);
        next.close();
        return clean ? 0 : 5;
    }

    /** Whether the pagemap behind {@code fd} says the page at {@code address} is present. */
    private static boolean present(int fd, long address, long entry) {
        if (OS.pread(fd, entry, 8, address / PAGE * 8) != 8) {
            throw new IllegalStateException("short read of the pagemap entry of 0x" + Long.toHexString(address));
        }
        return (NativeMemory.getLong(entry) & PM_PRESENT) != 0;
    }
}
