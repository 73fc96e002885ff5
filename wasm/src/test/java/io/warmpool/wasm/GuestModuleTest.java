package io.warmpool.wasm;

import io.warmpool.pool.WarmPool;
import io.warmpool.wasm.memory.PooledMemory;
import io.warmpool.wasm.testing.Wat;
import io.warmpool.pool.config.PoolConfig;
import io.warmpool.pool.config.ResetStrategy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GuestModuleTest {
    /**
     * A guest with 2 pages of memory, a data segment ("warm" at 16) and a counter at 0 that each call
     * of {@code bump} increments: a fresh instance must always answer 1.
     */
    static final String COUNTER = """
            (module
              (memory 2 8)
              (data (i32.const 16) "warm")
              (func (export "bump") (result i32)
                (i32.store (i32.const 0) (i32.add (i32.load (i32.const 0)) (i32.const 1)))
                (i32.load (i32.const 0)))
              (func (export "data") (result i32) (i32.load (i32.const 16)))
              (func (export "dirty") (param $pages i32)
                (local $i i32)
                (block $done (loop $next
                  (br_if $done (i32.ge_u (local.get $i) (local.get $pages)))
                  (i32.store (i32.mul (local.get $i) (i32.const 65536)) (i32.const -1))
                  (i32.store offset=16 (i32.mul (local.get $i) (i32.const 65536)) (i32.const -1))
                  (local.set $i (i32.add (local.get $i) (i32.const 1)))
                  (br $next))))
              (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
              (func (export "size") (result i32) (memory.size))
              (func (export "peek") (param i32) (result i32) (i32.load (local.get 0)))
              (func (export "trap") (result i32) (i32.load (i32.const 2000000)))
              (func (export "add") (param i64 i64) (result i64) (i64.add (local.get 0) (local.get 1))))
            """;
    static final int WARM = 'w' | 'a' << 8 | 'r' << 16 | 'm' << 24;

    private final List<WarmPool> pools = new ArrayList<>();

    private WarmPool pool(ResetStrategy strategy, int slots) {
        WarmPool pool = WarmPool.create(PoolConfig.builder().memories(slots).memoryMax(16L << 16).memoryGuard(1L << 16)
                .memoryKeepResident(1L << 16).tables(0).stacks(0).resetStrategy(strategy).build());
        pools.add(pool);
        return pool;
    }

    @AfterEach
    void closePools() {
        pools.forEach(WarmPool::close);
    }

    @Test
    void aCallRunsTheExportOnAFreshInstanceAndReturnsItsResults() {
        WarmPool pool = pool(ResetStrategy.AUTO, 2);
        GuestModule guest = WasmHost.on(pool).load(Wat.assemble(COUNTER));
        assertArrayEquals(new long[] {1}, guest.call("bump"));
        assertArrayEquals(new long[] {1}, guest.call("bump"), "the second call's instance starts afresh");
        assertArrayEquals(new long[] {WARM}, guest.call("data"));
        assertArrayEquals(new long[] {5_000_000_007L}, guest.call("add", 5_000_000_000L, 7));
        assertEquals(0, pool.outstanding());
        assertEquals(2L << 16, guest.initialMemoryBytes());
        assertEquals(1, guest.imageSegmentCount());
        assertEquals(4096, guest.imageBytes(), "the page that holds \"warm\"");
        assertTrue(guest.exportedFunctions().contains("bump"));
    }

    @Test
    void everyReuseOfASlotStartsFromTheModulesDataUnderEveryStrategy() {
        byte[] wasm = Wat.assemble(COUNTER);
        for (ResetStrategy strategy : ResetStrategy.values()) {
            WarmPool pool = pool(strategy, 1);
            GuestModule guest = WasmHost.on(pool).load(wasm);
            for (int i = 0; i < 200; i++) {
                int iteration = i;
                guest.withInstance(g -> {
                    assertTrue(((PooledMemory) g.memory()).slot().image().isPresent(), "the slot maps the image");
                    assertEquals(0, g.readInt(0), strategy + ", reuse " + iteration + ": the counter");
                    assertEquals(WARM, g.readInt(16), strategy + ", reuse " + iteration + ": the data segment");
                    assertEquals(2, g.memoryPages());
                    g.call("grow", 3);
                    g.call("dirty", 5); // over the data segment too: the release restores the image page
                    g.call("bump");
                    return null;
                });
            }
            assertEquals(0, pool.outstanding(), strategy.toString());
        }
    }

    @Test
    void aLargeDataSegmentReadsRightAfterManyReusesThatOverwritePartsOfItUnderEveryStrategy() {
        byte[] table = new byte[150_000]; // spans 37 pages of 4 KiB, from an unaligned offset
        for (int i = 0; i < table.length; i++) {
            table[i] = (byte) (i * 31 + (i >>> 8));
        }
        StringBuilder data = new StringBuilder();
        for (byte b : table) {
            data.append(String.format("\\%02x", b & 0xff));
        }
        byte[] wasm = Wat.assemble("(module (memory 4) (data (i32.const 1001) \"" + data + "\"))");
        for (ResetStrategy strategy : ResetStrategy.values()) {
            WarmPool pool = pool(strategy, 1);
            GuestModule guest = WasmHost.on(pool).load(wasm);
            assertEquals(1, guest.imageSegmentCount());
            for (int i = 0; i < 40; i++) {
                int reuse = i;
                guest.withInstance(g -> {
                    assertArrayEquals(new byte[1001], g.read(0, 1001), strategy + ", reuse " + reuse + ": below the table");
                    assertArrayEquals(table, g.read(1001, table.length), strategy + ", reuse " + reuse + ": the table");
                    byte[] noise = new byte[5000 + reuse * 1000];
                    java.util.Arrays.fill(noise, (byte) 0x5A);
                    g.write(reuse * 3001 % 200_000, noise); // over part of the table, and past it
                    return null;
                });
            }
            assertEquals(0, pool.outstanding(), strategy.toString());
        }
    }

    @Test
    void aTrapIsAGuestTrapExceptionAndTheSlotGoesBack() {
        WarmPool pool = pool(ResetStrategy.AUTO, 1);
        GuestModule guest = WasmHost.on(pool).load(Wat.assemble(COUNTER));
        for (int i = 0; i < 3; i++) {
            GuestTrapException e = assertThrows(GuestTrapException.class, () -> guest.call("trap"));
            assertTrue(e.getMessage().contains("out of bounds memory access"), e.getMessage());
        }
        assertEquals(0, pool.outstanding());
        assertArrayEquals(new long[] {1}, guest.call("bump"));
    }

    @Test
    void aBodyThatThrowsStillReleasesTheSlot() {
        WarmPool pool = pool(ResetStrategy.AUTO, 1);
        GuestModule guest = WasmHost.on(pool).load(Wat.assemble(COUNTER));
        assertThrows(IllegalStateException.class, () -> guest.withInstance(g -> {
            g.call("bump");
            throw new IllegalStateException("the caller's own failure");
        }));
        assertEquals(0, pool.outstanding());
        assertThrows(IllegalArgumentException.class, () -> guest.call("no-such-export"));
        assertEquals(0, pool.outstanding());
    }

    @Test
    void anInstanceKeptPastItsReleaseFailsCleanlyAndNeverReachesTheNextTenant() {
        WarmPool pool = pool(ResetStrategy.AUTO, 1);
        GuestModule guest = WasmHost.on(pool).load(Wat.assemble(COUNTER));
        AtomicReference<GuestInstance> kept = new AtomicReference<>();
        AtomicReference<com.dylibso.chicory.runtime.Instance> keptChicory = new AtomicReference<>();
        guest.withInstance(g -> {
            g.writeInt(100, 0x5ec2e7);
            kept.set(g);
            keptChicory.set(g.chicory());
            return null;
        });
        guest.withInstance(next -> {
            next.writeInt(200, 0x07e4);
            assertThrows(IllegalStateException.class, () -> kept.get().readInt(200));
            assertThrows(IllegalStateException.class, () -> kept.get().call("bump"));
            assertThrows(IllegalStateException.class, () -> keptChicory.get().memory().readInt(200));
            assertThrows(IllegalStateException.class, () -> keptChicory.get().export("peek").apply(200));
            assertEquals(0, next.readInt(100), "the previous tenant's byte");
            return null;
        });
    }

    @Test
    void callsFromManyThreadsEachGetTheirOwnInstance() throws Exception {
        WarmPool pool = pool(ResetStrategy.AUTO, 3);
        GuestModule guest = WasmHost.on(pool).load(Wat.assemble(COUNTER));
        ExecutorService threads = Executors.newFixedThreadPool(3);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                results.add(threads.submit(() -> {
                    int ones = 0;
                    for (int i = 0; i < 300; i++) {
                        ones += guest.call("bump")[0] == 1 ? 1 : 0;
                    }
                    return ones;
                }));
            }
            for (Future<Integer> r : results) {
                assertEquals(300, r.get());
            }
        } finally {
            threads.shutdownNow();
        }
        assertEquals(0, pool.outstanding());
    }

    @Test
    void theCompilerEngineGivesTheInterpretersResultsOnTheSamePooledMemory() {
        WarmPool pool = pool(ResetStrategy.AUTO, 1);
        byte[] wasm = Wat.assemble(COUNTER);
        GuestModule interpreted = WasmHost.on(pool).load(wasm);
        GuestModule compiled = WasmHost.on(pool, Engine.COMPILER).load(wasm);
        for (String export : List.of("bump", "data", "size")) {
            assertArrayEquals(interpreted.call(export), compiled.call(export), export);
        }
        assertArrayEquals(new long[] {2}, compiled.call("grow", 6));
        assertEquals(-1, (int) compiled.call("grow", 7)[0], "past the module's maximum of 8 pages");
        GuestTrapException e = assertThrows(GuestTrapException.class, () -> compiled.call("trap"));
        assertTrue(e.getMessage().contains("out of bounds memory access"), e.getMessage());
        assertEquals(0, pool.outstanding());
    }

    @Test
    void aHostWithChicorysOwnMemoryGivesThePooledResultsWithoutAPool() {
        WarmPool pool = pool(ResetStrategy.AUTO, 1);
        byte[] wasm = Wat.assemble(COUNTER);
        GuestModule pooled = WasmHost.on(pool).load(wasm);
        GuestModule own = WasmHost.withChicoryMemory(Engine.INTERPRETER).load(wasm);
        for (String export : List.of("bump", "data", "size")) {
            assertArrayEquals(pooled.call(export), own.call(export), export);
        }
        assertEquals(2L << 16, own.initialMemoryBytes());
        own.withInstance(g -> {
            assertEquals(WARM, g.readInt(16));
            assertTrue(!(g.memory() instanceof io.warmpool.wasm.memory.PooledMemory), "Chicory's own memory");
            return null;
        });
        GuestTrapException e = assertThrows(GuestTrapException.class, () -> own.call("trap"));
        assertTrue(e.getMessage().contains("out of bounds memory access"), e.getMessage());
    }

    @Test
    void withoutImagesTheSlotMapsNoneAndInstantiationWritesTheSegments() {
        WarmPool pool = pool(ResetStrategy.AUTO, 1);
        GuestModule guest = WasmHost.on(pool).withImages(false).load(Wat.assemble(COUNTER));
        assertEquals(0, guest.imageBytes());
        for (int i = 0; i < 3; i++) {
            guest.withInstance(g -> {
                assertTrue(((PooledMemory) g.memory()).slot().image().isEmpty());
                assertEquals(WARM, g.readInt(16));
                g.call("dirty", 2);
                return null;
            });
        }
    }

    @Test
    void aClosedModuleRefusesCalls() {
        WarmPool pool = pool(ResetStrategy.AUTO, 1);
        GuestModule guest = WasmHost.on(pool).load(Wat.assemble(COUNTER));
        guest.call("bump");
        guest.close();
        assertThrows(IllegalStateException.class, () -> guest.call("bump"));
        assertEquals(0, pool.outstanding());
    }

    @Test
    void aModuleWithoutMemoryTakesNoSlot() {
        WarmPool pool = pool(ResetStrategy.AUTO, 1);
        GuestModule guest = WasmHost.on(pool).load(Wat.assemble(
                "(module (func (export \"twice\") (param i32) (result i32) (i32.mul (local.get 0) (i32.const 2))))"));
        assertArrayEquals(new long[] {42}, guest.call("twice", 21));
        assertEquals(0, guest.initialMemoryBytes());
    }

    @Test
    void bytesThatAreNotAModuleFailAtLoad() {
        WarmPool pool = pool(ResetStrategy.AUTO, 1);
        assertThrows(GuestTrapException.class, () -> WasmHost.on(pool).load(new byte[] {0, 'a', 's', 'm', 9, 9}));
    }
}
