package io.warmpool.service;

import io.warmpool.guests.Guest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** serve with WebAssembly guests from files and bundled, trapping ones included, on a real pool. */
class WasmServeTest {
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);

    private String log() {
        return err.toString(StandardCharsets.UTF_8);
    }

    /** Serves until the log matches {@code until}, then stops; returns the exit status. */
    private int serveUntil(Pattern until, String... flags) throws Exception {
        StopRequest stop = new StopRequest();
        ExecutorService runner = Executors.newSingleThreadExecutor();
        try {
            Future<Integer> status = runner.submit(() -> ServeCommand.serve(SmallServe.config(flags), e, stop));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (!until.matcher(log()).find() && !status.isDone()) {
                assertTrue(System.nanoTime() < deadline, "no " + until + " in\n" + log());
                Thread.sleep(20);
            }
            stop.request("asked by the test");
            return status.get(60, TimeUnit.SECONDS);
        } finally {
            runner.shutdownNow();
        }
    }

    @Test
    void aTrappingGuestIsCountedByKindLoggedOnceAndServingGoesOn() throws Exception {
        // dirty(seed, 4) with seed's top byte 1 grows the memory by a page: the 4 MiB slot has no room,
        // memory.grow answers -1 and the guest runs unreachable.
        int status = serveUntil(Pattern.compile("wasm scattered-pages \\d+/s, call p50 .+ p99 .+, [1-9]\\d* traps"),
                "module", "scattered-pages", "args", "16777216,4");
        assertEquals(0, status, log());
        String text = log();
        assertTrue(text.contains("WasmWorkload: scattered-pages.dirty trapped (unreachable; further traps of this kind"
                + " are counted in warmpool_wasm_traps_total, not logged): "), text);
        assertEquals(1, text.split("trapped \\(unreachable", -1).length - 1, "logged once: " + text);
    }

    @Test
    void aModuleFileRunsItsExportWithTheRequestNumberForEachParameter(@TempDir Path dir) throws Exception {
        Path file = Guest.LOOKUP_TABLE.writeTo(dir);
        int status = serveUntil(Pattern.compile("wasm lookup-table [1-9]\\d*/s"), "module", file.toString(), "export", "sum",
                "pool.memory-max", "8MiB");
        assertEquals(0, status, log());
        assertTrue(log().contains("  tenants          wasm: 1 thread(s) calling lookup-table.sum(n,n), a fresh instance on a"
                + " pooled slot per request; result check: none"), log());
    }

    @Test
    void aModuleWhoseMemoryDoesNotFitASlotStopsServe() throws Exception {
        int status = serveUntil(Pattern.compile("does not fit a memory slot"), "module", "lookup-table");
        assertEquals(2, status, log());
        // the module's data segments become its memory image when it loads, so the image is what is refused first
        assertTrue(log().contains("serve: module lookup-table: a memory image of 4259840 bytes does not fit a memory slot"
                + " of 4194304 bytes (pool.memory-max)"), log());
    }

    @Test
    void aModuleWithoutTheExportStopsServeNamingItsFunctions() throws Exception {
        int status = serveUntil(Pattern.compile("exports no function"), "module", "request-handler", "export", "lookup");
        assertEquals(2, status, log());
        assertTrue(log().contains("serve: module request-handler: exports no function 'lookup' (its functions: handle)"), log());
    }
}
