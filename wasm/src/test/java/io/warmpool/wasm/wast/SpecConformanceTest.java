package io.warmpool.wasm.wast;

import io.warmpool.pool.WarmPool;
import io.warmpool.pool.config.ResetStrategy;
import io.warmpool.wasm.Engine;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The memory-related scripts of the WebAssembly spec testsuite ({@code ../shared/wasm-spec}, beside
 * the project) pass with pooled memories under every reset strategy, and give command for command
 * the outcomes they give with Chicory's own memory: the pool changes nothing a guest can observe.
 */
class SpecConformanceTest {
    private static Path converted;
    /** Script → its converted JSON, in name order. */
    private static final Map<Path, Path> SCRIPTS = new LinkedHashMap<>();

    /**
     * The spec scripts: {@code -Dwarmpool.wasm-spec=DIR}, or {@code shared/wasm-spec} in the nearest
     * ancestor of the working directory that has it (the tests run in the module's directory; the
     * project's root is its parent, and {@code shared} sits beside the root).
     */
    static Path specDirectory() {
        String given = System.getProperty("warmpool.wasm-spec");
        if (given != null) {
            return Path.of(given);
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve("shared").resolve("wasm-spec");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new AssertionError("no shared/wasm-spec above " + Path.of("").toAbsolutePath()
                + " (set -Dwarmpool.wasm-spec=DIR)");
    }

    @BeforeAll
    static void convertEveryScriptOnce() throws IOException {
        Path spec = specDirectory();
        converted = Files.createTempDirectory("warmpool-spec-");
        WastRunner converter = WastRunner.withChicoryMemory(Engine.INTERPRETER);
        try (Stream<Path> files = Files.list(spec)) {
            for (Path script : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".wast")).sorted()::iterator) {
                Path dir = Files.createDirectories(converted.resolve(script.getFileName().toString()));
                SCRIPTS.put(script, converter.convert(script, dir));
            }
        }
        assertTrue(SCRIPTS.size() >= 12, "the memory scripts of the testsuite: " + SCRIPTS.keySet());
    }

    @AfterAll
    static void deleteConverted() throws IOException {
        try (Stream<Path> files = Files.walk(converted)) {
            for (Path f : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(f);
            }
        }
    }

    private static List<WastResult> runAll(WastRunner runner) {
        List<WastResult> results = new ArrayList<>();
        for (Map.Entry<Path, Path> e : SCRIPTS.entrySet()) {
            results.add(runner.runConverted(e.getKey(), e.getValue()));
        }
        return results;
    }

    private static void assertAllPass(List<WastResult> results, String how) {
        List<String> failures = new ArrayList<>();
        int passed = 0;
        for (WastResult r : results) {
            failures.addAll(r.failures());
            passed += r.passed();
        }
        assertEquals(List.of(), failures, how);
        assertTrue(passed > 5000, how + ": only " + passed + " commands passed");
    }

    private static List<WastResult> pooled(ResetStrategy strategy, Engine engine, boolean images) {
        try (WarmPool pool = WarmPool.create(WastRunner.scriptPoolConfig(strategy))) {
            List<WastResult> results = runAll(WastRunner.withPooledMemory(pool, engine).withImages(images));
            assertEquals(0, pool.outstanding(), "every slot a script took is back in the pool");
            int imaged = results.stream().mapToInt(WastResult::imageModules).sum();
            assertTrue(images ? imaged >= 40 : imaged == 0, imaged + " modules instantiated on an image");
            return results;
        }
    }

    @Test
    void everyScriptPassesWithPooledMemoriesAndImagesUnderEveryResetStrategy() {
        for (ResetStrategy strategy : ResetStrategy.values()) {
            assertAllPass(pooled(strategy, Engine.INTERPRETER, true), "pooled memories with images, " + strategy);
        }
    }

    @Test
    void everyScriptPassesWithPooledMemoriesThatWriteTheirDataSegments() {
        assertAllPass(pooled(ResetStrategy.AUTO, Engine.INTERPRETER, false), "pooled memories without images");
    }

    @Test
    void pooledMemoriesGiveTheSameOutcomesAsChicorysOwnCommandForCommand() {
        List<WastResult> own = runAll(WastRunner.withChicoryMemory(Engine.INTERPRETER));
        List<WastResult> pooled = pooled(ResetStrategy.AUTO, Engine.INTERPRETER, true);
        assertEquals(own.size(), pooled.size());
        for (int i = 0; i < own.size(); i++) {
            assertEquals(own.get(i).outcomes(), pooled.get(i).outcomes(), own.get(i).file().toString());
            assertFalse(own.get(i).outcomes().isEmpty());
        }
        assertAllPass(own, "Chicory's own memory");
    }

    @Test
    void theCompilerEngineOnPooledMemoriesPassesEveryScriptToo() {
        assertAllPass(pooled(ResetStrategy.PAGEMAP_GUIDED, Engine.COMPILER, true), "pooled memories, compiler");
    }

    @Test
    void aWrongExpectationIsAFailureNamingTheLineAndWhatCame() throws IOException {
        Path dir = Files.createTempDirectory(converted, "wrong");
        Path script = dir.resolve("wrong.wast");
        Files.writeString(script, """
                (module
                  (memory 1)
                  (data (i32.const 0) "\\2a")
                  (func (export "load") (param i32) (result i32) (i32.load8_u (local.get 0))))
                (assert_return (invoke "load" (i32.const 0)) (i32.const 42))
                (assert_return (invoke "load" (i32.const 0)) (i32.const 7))
                (assert_trap (invoke "load" (i32.const 65536)) "out of bounds memory access")
                (assert_trap (invoke "load" (i32.const 1)) "out of bounds memory access")
                """);
        try (WarmPool pool = WarmPool.create(WastRunner.scriptPoolConfig(ResetStrategy.AUTO))) {
            WastResult r = WastRunner.withPooledMemory(pool, Engine.INTERPRETER).run(script);
            assertEquals(3, r.passed(), r.outcomes().toString());
            assertEquals(2, r.failed());
            assertEquals(List.of("wrong.wast:6: assert_return: invoke load(i32:0): expected [i32:7], got [i32:42]",
                    "wrong.wast:8: assert_trap: invoke load(i32:1): expected trap \"out of bounds memory access\", "
                            + "got results [0x0]"), r.failures());
        }
    }

    @Test
    void aMissingConverterIsAClearErrorNamingTheDebianPackage() {
        WastRunner runner = WastRunner.withChicoryMemory(Engine.INTERPRETER).withConverter("wast2json-not-installed");
        WastConverterException e = assertThrows(WastConverterException.class,
                () -> runner.run(SCRIPTS.keySet().iterator().next()));
        assertTrue(e.getMessage().contains("wabt"), e.getMessage());
    }
}
