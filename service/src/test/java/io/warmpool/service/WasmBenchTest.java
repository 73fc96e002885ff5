package io.warmpool.service;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** bench --module's command line, and that a small run of every contender this build has measures. */
class WasmBenchTest {
    private static WasmBench.Request parse(String... args) {
        return WasmBench.parse(List.of(args));
    }

    @Test
    void moduleHandsTheBenchToTheGuestBench() {
        assertTrue(WasmBench.asked(List.of("--module", "lookup-table")));
        assertTrue(WasmBench.asked(List.of("--iterations", "5", "--module=x.wasm")));
        assertFalse(WasmBench.asked(List.of("--slot-bytes", "1MiB")));
    }

    @Test
    void aBundledGuestBringsItsExportAndArgumentsAndTheDefaultsAreThoseThisBuildRuns() {
        WasmBench.Request r = parse("--module", "lookup-table", "--args", "n,256");
        assertEquals("run", r.settings().export());
        assertArrayEquals(new long[] {4, 256}, r.settings().arguments().apply(4));
        assertEquals(WasmGuests.AVAILABLE, r.contenders());
        assertEquals(List.of("interpreter"), r.engines());
        assertEquals(16, r.settings().idleInstances());
        assertEquals(1L << 20, r.keepResidentBytes());
        assertEquals(List.of("interpreter", "compiler"), parse("--module", "request-handler", "--engine",
                "interpreter, compiler").engines());
    }

    @Test
    void badFlagsAreRefusedNamingTheFlag() {
        assertEquals("bench: --contenders: no contender 'heap' (there are: chicory-memory, pooled, pooled-image)",
                assertThrows(UsageException.class, () -> parse("--module", "lookup-table", "--contenders", "heap")).getMessage());
        assertTrue(assertThrows(UsageException.class, () -> parse("--module", "lookup-table", "--engine", "jit"))
                .getMessage().startsWith("bench: --engine: unknown engine 'jit'"));
        assertEquals("bench: --idle-instances = -1: must be between 0 and 4096",
                assertThrows(UsageException.class, () -> parse("--module", "lookup-table", "--idle-instances", "-1")).getMessage());
        assertTrue(assertThrows(UsageException.class, () -> parse("--module", "nothing-here")).getMessage()
                .startsWith("bench: --module nothing-here: no bundled guest named 'nothing-here'"));
    }

    @Test
    void aSmallRunMeasuresEveryContenderAndPrintsTheRatios() throws Exception {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        assertEquals(0, WasmBench.run(List.of("--module", "request-handler", "--iterations", "20", "--warmup", "2",
                "--warmup-seconds", "0", "--idle-instances", "2"), new java.io.PrintStream(out, true), new java.io.PrintStream(err, true)));
        String text = out.toString();
        assertTrue(text.startsWith("guest request-handler.handle(n): 20 iterations (warmup 2, at least 0 s)"), text);
        assertTrue(text.contains("\nchicory-memory  interpreter "), text);
        assertTrue(text.contains("\npooled          interpreter "), text);
        assertTrue(text.contains("(2 instances)"), text);
        assertTrue(text.contains("  pooled (interpreter): "), text);
        assertTrue(text.contains("\npooled-image    interpreter "), text);
        assertTrue(text.contains("  pooled-image (interpreter): "), text);
    }
}
