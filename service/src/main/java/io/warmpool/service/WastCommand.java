package io.warmpool.service;

import io.warmpool.pool.WarmPool;
import io.warmpool.pool.config.ResetStrategy;
import io.warmpool.wasm.Engine;
import io.warmpool.wasm.wast.WastConverterException;
import io.warmpool.wasm.wast.WastMemory;
import io.warmpool.wasm.wast.WastResult;
import io.warmpool.wasm.wast.WastRunner;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * {@code warmpool wast FILE.wast...}: runs WebAssembly spec-test scripts against Chicory with pooled
 * memories (or Chicory's own), one line per script and a last line {@code N passed, N failed}; exit 1
 * on any failure.
 */
final class WastCommand implements Command {

    @Override
    public String name() {
        return "wast";
    }

    @Override
    public String summary() {
        return "run WebAssembly spec-test scripts (.wast) on pooled memories; exit 1 on any failure";
    }

    @Override
    public String help() {
        return """
                usage: warmpool wast [--strategy NAME] [--memory pooled|chicory] [--no-images] [--engine NAME] FILE.wast...

                Converts each script with wast2json (Debian package 'wabt') into a temporary directory and
                runs every module, action and assertion in it (assert_return with NaN patterns,
                assert_trap, assert_exhaustion, assert_invalid, assert_malformed, assert_uninstantiable,
                assert_unlinkable, register) against Chicory, each module that defines a memory on a
                slot of a pool. Prints one line per script, every failure (script, line, what was
                expected and what came), and a last line 'N passed, N failed'. assert_malformed of
                text-format modules is skipped and counted apart: only a text parser can check it.
                Exit status 1 on any failure, 2 for a bad command line.

                options:
                  --strategy NAME   the pool's reset strategy: %s (default auto)
                  --memory KIND     pooled: memories on pool slots (default); chicory: Chicory's own
                                    heap memories, the reference
                  --no-images       pooled memories without memory images: every data segment is
                                    written at instantiation (by default a module whose segments all
                                    have constant offsets gets a slot that maps them copy-on-write)
                  --engine NAME     interpreter (default) or compiler: Chicory's ahead-of-time
                                    compiler, wasm to JVM bytecode per module
                  --help            print this help""".formatted(ResetStrategy.names());
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) {
        Options options = Options.parse(name(), args, Set.of("strategy", "memory", "engine"), Set.of("no-images"));
        if (options.positional().isEmpty()) {
            throw new UsageException(name() + ": give one or more .wast scripts");
        }
        ResetStrategy strategy;
        WastMemory memory;
        Engine engine;
        try {
            strategy = ResetStrategy.fromConfigName(options.get("strategy", ResetStrategy.AUTO.configName()));
            memory = WastMemory.fromConfigName(options.get("memory", WastMemory.POOLED.configName()));
            engine = Engine.fromConfigName(options.get("engine", Engine.INTERPRETER.configName()));
        } catch (IllegalArgumentException e) {
            throw new UsageException(name() + ": " + e.getMessage());
        }
        if (memory == WastMemory.CHICORY && (options.has("strategy") || options.has("no-images"))) {
            throw new UsageException(name() + ": --strategy, --no-images and --memory chicory: Chicory's own "
                    + "memories use no pool");
        }
        WarmPool pool = memory == WastMemory.POOLED ? WarmPool.create(WastRunner.scriptPoolConfig(strategy)) : null;
        try {
            WastRunner runner = pool == null ? WastRunner.withChicoryMemory(engine) : WastRunner.withPooledMemory(pool, engine)
                    .withImages(!options.has("no-images"));
            int passed = 0;
            int failed = 0;
            int skipped = 0;
            for (String file : options.positional()) {
                WastResult result;
                try {
                    result = runner.run(Path.of(file));
                } catch (WastConverterException e) {
                    err.println("warmpool wast: " + e.getMessage());
                    return 1;
                }
                out.println(result.summary());
                for (String failure : result.failures()) {
                    out.println("  FAIL " + failure);
                }
                passed += result.passed();
                failed += result.failed();
                skipped += result.skipped();
            }
            if (skipped > 0) {
                out.println(skipped + " skipped (assert_malformed of text-format modules)");
            }
            out.println(passed + " passed, " + failed + " failed");
            return failed == 0 ? 0 : 1;
        } finally {
            if (pool != null) {
                pool.close();
            }
        }
    }
}
