package io.warmpool.metrics;

import io.micrometer.prometheus.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@SuppressWarnings("deprecation")
class WasmMetersTest {
    private final PrometheusMeterRegistry registry = MetricsServer.newRegistry();

    @Test
    void everySeriesOfAModuleIsExportedAtZeroFromItsFirstUse() {
        try (WasmMeters meters = new WasmMeters()) {
            meters.bindTo(registry);
            meters.module("request-handler");
            Exposition scrape = new Exposition(registry.scrape());
            assertEquals(0.0, scrape.value("warmpool_wasm_instances_total{module=\"request-handler\",}"));
            assertEquals(0.0, scrape.value("warmpool_wasm_call_seconds_count{module=\"request-handler\",}"));
            for (WasmTrap trap : WasmTrap.values()) {
                assertEquals(0.0, scrape.value("warmpool_wasm_traps_total{module=\"request-handler\",trap=\""
                        + trap.label() + "\",}"));
            }
            assertEquals("counter", scrape.types.get("warmpool_wasm_instances_total"));
            assertEquals("histogram", scrape.types.get("warmpool_wasm_call_seconds"));
            assertTrue(scrape.sum("warmpool_wasm_call_seconds_bucket", "le=\"10.0\"") == 0);
        }
    }

    @Test
    void callsAndTrapsAreCountedByModuleAndTheCallTimeLandsInItsBucket() {
        try (WasmMeters meters = new WasmMeters()) {
            WasmMeters.Module early = meters.module("a"); // asked for before binding: registered at bindTo
            meters.bindTo(registry);
            WasmMeters.Module b = meters.module("b");
            assertSame(early, meters.module("a"));
            early.completed(30_000);
            early.completed(30_000);
            early.trapped(WasmTrap.UNREACHABLE, 2_000_000);
            b.trapped(WasmTrap.OUT_OF_BOUNDS, 1_000);
            Exposition scrape = new Exposition(registry.scrape());
            assertEquals(3.0, scrape.value("warmpool_wasm_instances_total{module=\"a\",}"));
            assertEquals(1.0, scrape.value("warmpool_wasm_traps_total{module=\"a\",trap=\"unreachable\",}"));
            assertEquals(0.0, scrape.value("warmpool_wasm_traps_total{module=\"a\",trap=\"out_of_bounds\",}"));
            assertEquals(1.0, scrape.value("warmpool_wasm_traps_total{module=\"b\",trap=\"out_of_bounds\",}"));
            assertEquals(0.0, scrape.value("warmpool_wasm_call_seconds_bucket{module=\"a\",le=\"2.5E-5\",}"));
            assertEquals(2.0, scrape.value("warmpool_wasm_call_seconds_bucket{module=\"a\",le=\"5.0E-5\",}"));
            assertEquals(3.0, scrape.value("warmpool_wasm_call_seconds_bucket{module=\"a\",le=\"0.0025\",}"));
            assertEquals(3, early.instances());
            assertEquals(1, early.traps());
            assertEquals(3, early.calls().count());
            assertTrue(early.calls().quantile(0.5) <= 50e-6, "median " + early.calls().quantile(0.5));
        }
    }

    @Test
    void closeRemovesTheMetersAndLaterCallsAreNotCounted() {
        WasmMeters meters = new WasmMeters();
        meters.bindTo(registry);
        WasmMeters.Module m = meters.module("m");
        m.completed(1);
        meters.close();
        m.completed(1);
        m.trapped(WasmTrap.OTHER, 1);
        assertFalse(registry.scrape().contains("warmpool_wasm"), registry.scrape());
        assertEquals(0, m.instances());
        assertThrows(IllegalStateException.class, () -> {
            try (WasmMeters twice = new WasmMeters()) {
                twice.bindTo(registry);
                twice.bindTo(registry);
            }
        });
        assertThrows(IllegalArgumentException.class, () -> new WasmMeters().module(" "));
    }

    @Test
    void threadsThatAskForTheSameModuleAtOnceShareOneSetOfMeters() throws Exception {
        try (WasmMeters meters = new WasmMeters()) {
            meters.bindTo(registry);
            ExecutorService threads = Executors.newFixedThreadPool(4);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    done.add(threads.submit(() -> {
                        for (int i = 0; i < 1000; i++) {
                            meters.module("m" + (i % 3)).completed(1000);
                        }
                    }));
                }
                for (Future<?> f : done) {
                    f.get();
                }
            } finally {
                threads.shutdownNow();
            }
            assertEquals(4000, meters.module("m0").instances() + meters.module("m1").instances()
                    + meters.module("m2").instances());
        }
    }

    @Test
    void trapsAreNamedFromTheSpecsMessages() {
        assertEquals(WasmTrap.UNREACHABLE, WasmTrap.ofMessage("Trapped on unreachable instruction"));
        assertEquals(WasmTrap.OUT_OF_BOUNDS, WasmTrap.ofMessage("out of bounds memory access: attempted to access address"));
        assertEquals(WasmTrap.ARITHMETIC, WasmTrap.ofMessage("integer divide by zero"));
        assertEquals(WasmTrap.ARITHMETIC, WasmTrap.ofMessage("integer overflow"));
        assertEquals(WasmTrap.STACK_EXHAUSTED, WasmTrap.ofMessage("call stack exhausted"));
        assertEquals(WasmTrap.INDIRECT_CALL, WasmTrap.ofMessage("indirect call type mismatch"));
        assertEquals(WasmTrap.OTHER, WasmTrap.ofMessage("the pool is closed"));
        assertEquals(WasmTrap.OTHER, WasmTrap.ofMessage(null));
    }
}
