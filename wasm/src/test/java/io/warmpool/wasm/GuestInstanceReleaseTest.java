package io.warmpool.wasm;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.ValType;
import io.warmpool.pool.PoolExhaustedException;
import io.warmpool.pool.WarmPool;
import io.warmpool.pool.config.PoolConfig;
import io.warmpool.pool.config.ResetStrategy;
import io.warmpool.wasm.memory.PooledMemory;
import io.warmpool.wasm.testing.Wat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Releasing an instance while another thread is still inside it: the release waits until nothing of
 * the old instance can reach the slot, so the slot's next tenant neither sees the old tenant's bytes
 * nor has its own overwritten, and the old tenant never reads the new one's.
 */
class GuestInstanceReleaseTest {
    private static final byte OLD = (byte) 0xAA;
    private static final byte NEXT = (byte) 0x55;
    private static final int NEXT_WORD = 0x55555555;
    private static final int PAGE = Memory.PAGE_SIZE;
    /**
     * The scribbler's memory: 64 MiB, so that one fill of it takes longer than a release, a reset and
     * the next acquire (without the wait, the fill in flight carries on into the next tenant).
     */
    private static final int PAGES = 1024;
    private static final int BYTES = PAGES * PAGE;
    /** Each test releases this many instances under a scribbling thread. */
    private static final int ROUNDS = 3;

    /**
     * {@code scribble} fills its 64 MiB with 0xAA (one native fill), stores 0xAAAAAAAA across its first
     * page, copies a page of it, reads a word and hands it to the host, for as long as the host answers
     * 1. {@code fail} calls a host function that throws; {@code release}, one that closes the memory
     * it runs on, then reads it; {@code pause} stores, waits in the host until the test resumes it,
     * and stores again.
     */
    private static final String SCRIBBLER = """
            (module
              (import "test" "more" (func $more (param i32) (result i32)))
              (import "test" "fail" (func $fail))
              (import "test" "release" (func $release))
              (import "test" "pause" (func $pause))
              (memory 1024 1024)
              (func (export "scribble")
                (local $i i32)
                (loop $again
                  (memory.fill (i32.const 0) (i32.const 0xAA) (i32.const 67108864))
                  (local.set $i (i32.const 0))
                  (block $done (loop $next
                    (br_if $done (i32.ge_u (local.get $i) (i32.const 65536)))
                    (i32.store (local.get $i) (i32.const 0xAAAAAAAA))
                    (local.set $i (i32.add (local.get $i) (i32.const 1024)))
                    (br $next)))
                  (memory.copy (i32.const 65536) (i32.const 0) (i32.const 65536))
                  (br_if $again (call $more (i32.load (i32.const 100))))))
              (func (export "fail") (result i32)
                (i32.store (i32.const 8) (i32.const 7))
                (call $fail)
                (i32.const 1))
              (func (export "release") (result i32)
                (call $release)
                (i32.load (i32.const 8)))
              (func (export "pause")
                (i32.store (i32.const 0) (i32.const 1))
                (call $pause)
                (i32.store (i32.const 4) (i32.const 2)))
              (func (export "peek") (param i32) (result i32) (i32.load (local.get 0))))
            """;

    private final List<WarmPool> pools = new ArrayList<>();
    private final ExecutorService threads = Executors.newCachedThreadPool();
    /** Set when the scribbling tenant read a word the next tenant wrote. */
    private final AtomicBoolean oldTenantReadTheNext = new AtomicBoolean();
    /** Cleared to end a scribble (the old code kept scribbling past the release until told). */
    private final AtomicBoolean keepScribbling = new AtomicBoolean(true);
    private final AtomicInteger hostFailures = new AtomicInteger();
    private final CountDownLatch paused = new CountDownLatch(1);
    private final CountDownLatch resume = new CountDownLatch(1);

    @AfterEach
    void stop() throws InterruptedException {
        keepScribbling.set(false);
        resume.countDown();
        threads.shutdownNow();
        assertTrue(threads.awaitTermination(60, TimeUnit.SECONDS), "a test thread did not end");
        pools.forEach(WarmPool::close);
    }

    private GuestModule scribbler(WarmPool pool) {
        HostFunction more = new HostFunction("test", "more", FunctionType.of(List.of(ValType.I32), List.of(ValType.I32)),
                (instance, args) -> {
                    if ((int) args[0] == NEXT_WORD) {
                        oldTenantReadTheNext.set(true);
                    }
                    return new long[] {keepScribbling.get() ? 1 : 0};
                });
        HostFunction fail = new HostFunction("test", "fail", FunctionType.empty(), (instance, args) -> {
            hostFailures.incrementAndGet();
            throw new IllegalArgumentException("a host function's own failure");
        });
        HostFunction release = new HostFunction("test", "release", FunctionType.empty(), (instance, args) -> {
            ((PooledMemory) instance.memory()).close();
            return null;
        });
        HostFunction pause = new HostFunction("test", "pause", FunctionType.empty(), (instance, args) -> {
            paused.countDown();
            try {
                resume.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return null;
        });
        return WasmHost.on(pool).load(Wat.assemble(SCRIBBLER),
                ImportValues.builder().addFunction(more, fail, release, pause).build());
    }

    private WarmPool pool(int slots) {
        WarmPool pool = WarmPool.create(PoolConfig.builder().memories(slots).memoryMax(BYTES).memoryGuard(PAGE)
                .memoryKeepResident(PAGE).tables(0).stacks(0).resetStrategy(ResetStrategy.AUTO).build());
        pools.add(pool);
        return pool;
    }

    @Test
    void aCallStillScribblingWhenItsInstanceIsReleasedNeverReachesTheSlotsNextTenant() throws Exception {
        GuestModule module = scribbler(pool(1));
        for (int round = 0; round < ROUNDS; round++) {
            keepScribbling.set(true);
            Future<Throwable> straggler = releaseWhileAnotherThreadScribbles(module, guest -> guest.call("scribble"));

            nextTenantSeesOnlyItsOwnBytes(module, straggler);
            Throwable ended = straggler.get(60, TimeUnit.SECONDS);
            assertFalse(oldTenantReadTheNext.get(), "the released call read the next tenant's bytes");
            assertTrue(ended instanceof RuntimeException, "the released call should have failed, it ended with " + ended);
            assertTrue(String.valueOf(ended.getMessage()).contains("released"), String.valueOf(ended));
        }
    }

    @Test
    void aThreadWritingThroughAKeptMemoryWhenTheInstanceIsReleasedNeverReachesTheSlotsNextTenant() throws Exception {
        GuestModule module = scribbler(pool(1));
        byte[] old = new byte[4 << 20];
        Arrays.fill(old, OLD);
        for (int round = 0; round < ROUNDS; round++) {
            keepScribbling.set(true);
            Future<Throwable> straggler = releaseWhileAnotherThreadScribbles(module, guest -> {
                Memory memory = guest.memory();
                for (int i = 0; keepScribbling.get(); i++) {
                    memory.fill(OLD, 0, BYTES);
                    memory.write(BYTES - old.length, old);
                    memory.writeI32(4 * (i % (PAGE / 4)), 0xAAAAAAAA);
                    memory.copy(PAGE, 0, PAGE);
                    if (memory.readInt(100) == NEXT_WORD) {
                        oldTenantReadTheNext.set(true);
                    }
                }
            });

            nextTenantSeesOnlyItsOwnBytes(module, straggler);
            Throwable ended = straggler.get(60, TimeUnit.SECONDS);
            assertFalse(oldTenantReadTheNext.get(), "the kept memory read the next tenant's bytes");
            assertTrue(ended instanceof IllegalStateException, "the kept memory should have failed, it ended with " + ended);
        }
    }

    @Test
    void twoCallsAtOnceOnAReleasedInstanceNeverReachTheSlotsNextTenant() throws Exception {
        GuestModule module = scribbler(pool(1));
        for (int round = 0; round < ROUNDS; round++) {
            keepScribbling.set(true);
            Future<Throwable> stragglers = releaseWhileAnotherThreadScribbles(module, guest -> {
                // A second call on the same instance at the same time (WebAssembly instances are
                // single-threaded; a careless host does it anyway): its accesses count themselves.
                Future<Throwable> second = threads.submit(() -> {
                    try {
                        guest.call("scribble");
                        return null;
                    } catch (RuntimeException e) {
                        return e;
                    }
                });
                RuntimeException first = null;
                try {
                    guest.call("scribble");
                } catch (RuntimeException e) {
                    first = e;
                }
                try {
                    second.get(60, TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new IllegalStateException("the second call did not end", e);
                }
                if (first != null) {
                    throw first;
                }
            });

            nextTenantSeesOnlyItsOwnBytes(module, stragglers);
            assertTrue(stragglers.get(60, TimeUnit.SECONDS) != null, "the calls should have failed");
            assertFalse(oldTenantReadTheNext.get(), "a released call read the next tenant's bytes");
        }
    }

    /**
     * One thread runs an instance and hands it to a second, which scribbles on it (until it fails);
     * once the second's bytes are in the memory, the first returns, which releases the instance. The
     * future gives what the second thread's scribbling ended with.
     */
    private Future<Throwable> releaseWhileAnotherThreadScribbles(GuestModule module, Consumer<GuestInstance> scribble)
            throws Exception {
        CompletableFuture<GuestInstance> handedOver = new CompletableFuture<>();
        Future<Throwable> straggler = threads.submit(() -> {
            try {
                scribble.accept(handedOver.get());
                return null;
            } catch (RuntimeException e) {
                return e;
            }
        });
        Future<?> owner = threads.submit(() -> module.withInstance(guest -> {
            handedOver.complete(guest);
            while (guest.read(0, 1)[0] != OLD) {
                Thread.onSpinWait(); // the other thread is inside it, writing
            }
            return null;
        }));
        owner.get(60, TimeUnit.SECONDS);
        return straggler;
    }

    /**
     * The slot's next tenant (a pool of one slot: the same slot) finds zeros, writes 0x55 over its
     * memory and reads it back (a byte of every 4 KiB page), many times over, while the released
     * instance's thread may still be running.
     */
    private void nextTenantSeesOnlyItsOwnBytes(GuestModule module, Future<Throwable> straggler) throws Exception {
        Future<?> next = threads.submit(() -> {
            while (true) {
                try {
                    return module.withInstance(guest -> {
                        Memory memory = guest.memory();
                        for (int a = 0; a < BYTES; a += 4096) {
                            assertEquals(0, memory.read(a), "byte " + a + " of a fresh instance: the previous tenant's");
                        }
                        memory.fill(NEXT, 0, BYTES);
                        // Keep checking until the old thread has ended, and a while longer.
                        for (int round = 0; round < 200 || !straggler.isDone() && round < 100_000; round++) {
                            for (int a = 0; a < BYTES; a += 4096) {
                                if (memory.read(a) != NEXT) {
                                    throw new AssertionError("round " + round + ": byte " + a + " of the next tenant is "
                                            + memory.read(a) + ": the released instance wrote it");
                                }
                            }
                        }
                        return null;
                    });
                } catch (PoolExhaustedException e) {
                    Thread.onSpinWait(); // the released instance still holds the slot
                }
            }
        });
        try {
            next.get(120, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Error) {
                throw (Error) e.getCause();
            }
            throw e;
        } finally {
            keepScribbling.set(false);
        }
    }

    @Test
    void aHostFunctionThatThrowsLeavesNothingInFlightAndTheSlotGoesBack() {
        WarmPool pool = pool(1);
        GuestModule module = scribbler(pool);
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            for (int i = 0; i < 5; i++) {
                module.withInstance(guest -> {
                    RuntimeException e = assertThrows(RuntimeException.class, () -> guest.call("fail"));
                    assertTrue(String.valueOf(e).contains("a host function's own failure")
                            || e.getCause() != null && String.valueOf(e.getCause()).contains("a host function's own failure"), String.valueOf(e));
                    assertEquals(7, guest.readInt(8), "the call ran up to the host function");
                    assertThrows(IllegalArgumentException.class, () -> guest.call("no-such-export"));
                    assertThrows(GuestTrapException.class, () -> guest.call("peek", BYTES));
                    return null;
                });
                assertEquals(0, pool.outstanding(), "the slot went back");
            }
            // And a throwing call through the module: its instance goes back too.
            assertThrows(RuntimeException.class, () -> module.call("fail"));
            assertEquals(0, pool.outstanding());
            assertArrayEquals(new long[] {0}, module.call("peek", 8), "the next tenant starts from zeros");
        });
        assertEquals(6, hostFailures.get());
    }

    @Test
    void aHostFunctionThatClosesTheMemoryUnderItsOwnCallEndsTheCallInsteadOfWaitingForItself() {
        WarmPool pool = pool(1);
        GuestModule module = scribbler(pool);
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            module.withInstance(guest -> {
                RuntimeException e = assertThrows(RuntimeException.class, () -> guest.call("release"));
                assertTrue(String.valueOf(e).contains("released") || String.valueOf(e.getCause()).contains("released"),
                        String.valueOf(e));
                assertThrows(IllegalStateException.class, () -> guest.call("peek", 0));
                return null;
            });
            assertEquals(0, pool.outstanding(), "the slot went back");
            assertArrayEquals(new long[] {0}, module.call("peek", 8));
        });
    }

    @Test
    void theReleaseWaitsForACallInFlightWhichThenFailsAtItsNextAccess() throws Exception {
        WarmPool pool = pool(1);
        GuestModule module = scribbler(pool);
        CompletableFuture<GuestInstance> handedOver = new CompletableFuture<>();
        Future<Throwable> caller = threads.submit(() -> {
            try {
                handedOver.get().call("pause");
                return null;
            } catch (RuntimeException e) {
                return e;
            }
        });
        Future<?> owner = threads.submit(() -> module.withInstance(guest -> {
            handedOver.complete(guest);
            try {
                assertTrue(paused.await(60, TimeUnit.SECONDS), "the other thread's call reached the host");
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            assertEquals(1, guest.readInt(0), "its first store");
            return null;
        }));
        // The owner's body has returned; its release must not finish while the call is in the host.
        assertThrows(TimeoutException.class, () -> owner.get(300, TimeUnit.MILLISECONDS),
                "the release returned while a call was still running on the instance");
        assertEquals(1, pool.outstanding(), "the slot is still out");
        resume.countDown();
        owner.get(60, TimeUnit.SECONDS);
        Throwable ended = caller.get(60, TimeUnit.SECONDS);
        assertTrue(ended != null && String.valueOf(ended.getMessage()).contains("released"),
                "the call's store after the release should have failed: " + ended);
        assertEquals(0, pool.outstanding());
        assertArrayEquals(new long[] {0}, module.call("peek", 4), "the second store never landed");
    }

    @Test
    void aCallStartedAfterTheReleaseFailsWithTheReleasedError() {
        WarmPool pool = pool(1);
        GuestModule module = scribbler(pool);
        GuestInstance[] kept = new GuestInstance[1];
        Memory[] keptMemory = new Memory[1];
        module.withInstance(guest -> {
            kept[0] = guest;
            keptMemory[0] = guest.memory();
            return null;
        });
        IllegalStateException call = assertThrows(IllegalStateException.class, () -> kept[0].call("peek", 0));
        assertTrue(call.getMessage().contains("was released"), call.getMessage());
        assertThrows(IllegalStateException.class, () -> keptMemory[0].readInt(0));
        assertTrue(((PooledMemory) keptMemory[0]).isClosed());
        assertEquals(0, pool.outstanding());
    }
}
