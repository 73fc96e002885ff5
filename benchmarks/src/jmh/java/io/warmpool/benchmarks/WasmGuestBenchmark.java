package io.warmpool.benchmarks;

import io.warmpool.pool.WarmPool;
import io.warmpool.pool.config.PoolConfig;
import io.warmpool.pool.config.ResetStrategy;
import io.warmpool.wasm.Engine;
import io.warmpool.wasm.GuestModule;
import io.warmpool.wasm.WasmHost;
import io.warmpool.wasm.testing.Wat;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.concurrent.TimeUnit;

/**
 * One guest call, as a host runs it: acquire (or allocate) the memory, instantiate, call, release.
 * {@code empty} calls a function that does nothing: what instantiation and release cost.
 * {@code sum} walks 64 KiB of linear memory with i32 loads and stores (16384 of each): what the
 * engine and the memory's loads and stores cost. The guest has 4 pages (256 KiB) and a 64 KiB data
 * segment. Compare {@code memory} (Chicory's own heap memory against a pool slot) and {@code engine}
 * (the interpreter against the ahead-of-time compiler).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class WasmGuestBenchmark {
    private static final String GUEST = """
            (module
              (memory 4)
              (data (i32.const 65536) "%s")
              (func (export "empty"))
              (func (export "sum") (result i32)
                (local $i i32) (local $s i32)
                (block $done (loop $next
                  (br_if $done (i32.ge_u (local.get $i) (i32.const 65536)))
                  (local.set $s (i32.add (local.get $s) (i32.load offset=65536 (local.get $i))))
                  (i32.store (local.get $i) (local.get $s))
                  (local.set $i (i32.add (local.get $i) (i32.const 4)))
                  (br $next)))
                (local.get $s)))
            """;

    @Param({"chicory", "pooled"})
    public String memory;

    @Param({"interpreter", "compiler"})
    public String engine;

    private WarmPool pool;
    private GuestModule guest;

    @Setup
    public void load() {
        StringBuilder data = new StringBuilder();
        for (int i = 0; i < 65536; i++) {
            data.append(String.format("\\%02x", (i * 7) & 0xff));
        }
        byte[] wasm = Wat.assemble(GUEST.formatted(data));
        Engine e = Engine.fromConfigName(engine);
        if (memory.equals("pooled")) {
            pool = WarmPool.create(PoolConfig.builder().memories(4).memoryMax(1 << 20).memoryGuard(64 << 10)
                    .memoryKeepResident(256 << 10).tables(0).stacks(0).resetStrategy(ResetStrategy.AUTO).build());
            guest = WasmHost.on(pool, e).load(wasm);
        } else {
            guest = WasmHost.withChicoryMemory(e).load(wasm);
        }
    }

    @Benchmark
    public long[] empty() {
        return guest.call("empty");
    }

    @Benchmark
    public long[] sum() {
        return guest.call("sum");
    }

    @TearDown
    public void close() {
        if (pool != null) {
            pool.close();
        }
    }
}
