package io.warmpool.integration;

import io.warmpool.fork.testing.ForkedChild;
import io.warmpool.pool.WarmPool;
import io.warmpool.wasm.GuestModule;
import io.warmpool.wasm.WasmHost;
import io.warmpool.wasm.testing.Wat;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static io.warmpool.integration.ChildChecks.DEADLINE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * WebAssembly guests after {@code fork()}: a child instantiates and runs a guest on its copy of the
 * pool and gets the right results; no instance of the child reads a byte that a parent tenant wrote,
 * neither one released before the fork nor one still running in another parent thread at the fork.
 */
class WasmGuestForkTest {
    /**
     * One page of memory with "warm" at 16; {@code nonzero} counts the 8-byte words of the page that
     * are not zero (1: "warm"'s), {@code secret} writes 0x5A over all of it, {@code bump} counts calls in the instance.
     */
    private static final String GUEST = """
            (module
              (memory 1 1)
              (data (i32.const 16) "warm")
              (func (export "nonzero") (result i32)
                (local $i i32) (local $n i32)
                (block $done (loop $next
                  (br_if $done (i32.ge_u (local.get $i) (i32.const 65536)))
                  (if (i64.ne (i64.load (local.get $i)) (i64.const 0))
                    (then (local.set $n (i32.add (local.get $n) (i32.const 1)))))
                  (local.set $i (i32.add (local.get $i) (i32.const 8)))
                  (br $next)))
                (local.get $n))
              (func (export "secret") (memory.fill (i32.const 0) (i32.const 0x5A) (i32.const 65536)))
              (func (export "bump") (result i32)
                (i32.store (i32.const 0) (i32.add (i32.load (i32.const 0)) (i32.const 1)))
                (i32.load (i32.const 0))))
            """;

    @Test
    void aChildRunsGuestsOnThePoolAndReadsNoneOfAParentTenantsBytes() throws Exception {
        byte[] wasm = Wat.assemble(GUEST);
        try (WarmPool pool = WarmPool.create(ChildChecks.memories(3).build())) {
            GuestModule guest = WasmHost.on(pool).load(wasm);
            // The parent's tenants: every path the child takes, run here first (a child must load no
            // class), and each leaves its slot full of secret bytes for the reset to clear.
            for (int i = 0; i < 4; i++) {
                assertEquals(1L, guest.call("nonzero")[0]);
                assertArrayEquals(new long[] {1}, guest.call("bump"));
                guest.withInstance(g -> g.call("secret"));
            }
            CountDownLatch running = new CountDownLatch(1);
            CountDownLatch done = new CountDownLatch(1);
            Thread holder = new Thread(() -> guest.withInstance(g -> {
                g.call("secret");
                running.countDown();
                try {
                    done.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return null;
            }), "parent-tenant");
            holder.start();
            try {
                assertTrue(running.await(30, TimeUnit.SECONDS), "the parent's tenant runs");
                System.gc(); // an empty young generation: the child's few allocations need no collection
                ForkedChild.Result result = ForkedChild.run(ChildChecks.OS, () -> runGuestsInTheChild(guest), DEADLINE);
                assertTrue(result.exitedWith(0), result.toString());
            } finally {
                done.countDown();
                holder.join();
            }
            assertEquals(1L, guest.call("nonzero")[0], "the parent's pool is as it was");
            assertEquals(0, pool.outstanding());
        }
    }

    /** In the child: 0, or the number of the first check that failed. */
    private static int runGuestsInTheChild(GuestModule guest) {
        for (int round = 0; round < 3; round++) {
            if (guest.call("nonzero")[0] != 1) {
                return 10 + round; // a byte besides "warm": a tenant's, the parent's or the child's
            }
            if (guest.call("bump")[0] != 1) {
                return 20 + round;
            }
            guest.call("secret");
        }
        return 0;
    }
}
