package io.warmpool.service;

import io.warmpool.pool.WarmPool;
import io.warmpool.wasm.Engine;
import io.warmpool.wasm.GuestModule;
import io.warmpool.wasm.GuestTrapException;
import io.warmpool.wasm.WasmHost;

import java.time.Duration;
import java.util.OptionalInt;

/**
 * serve's side of the wasm module's host: a {@link GuestChoice} loaded on a pool as {@link GuestCalls},
 * and the settings and banner line of the workload that calls it.
 */
final class WasmGuests {
    private WasmGuests() {
    }

    /**
     * Loads the guest's module on {@code pool} (parsed and validated once, its data segments made the
     * memory image) and checks its export.
     *
     * @throws IllegalArgumentException when the module does not parse or validate, lacks the export, or
     *                                  the arguments do not fit the export's parameters
     */
    static GuestCalls open(WarmPool pool, GuestChoice guest, Engine engine) {
        GuestModule module = load(pool, guest, engine);
        int parameters = parameters(module, guest);
        return new GuestCalls() {
            @Override
            public String moduleName() {
                return guest.name();
            }

            @Override
            public String export() {
                return guest.export();
            }

            @Override
            public int parameters() {
                return parameters;
            }

            @Override
            public long[] call(long[] args, Duration wait) {
                return module.call(guest.export(), args);
            }

            @Override
            public void close() {
                // the module holds no resource of its own yet: its slots go with the pool
            }
        };
    }

    /**
     * The guest's module loaded on {@code pool}.
     *
     * @throws IllegalArgumentException when it does not load, or lacks the export
     */
    static GuestModule load(WarmPool pool, GuestChoice guest, Engine engine) {
        GuestModule module;
        try {
            module = WasmHost.on(pool, engine).load(guest.bytes());
        } catch (GuestTrapException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        if (!module.exportedFunctions().contains(guest.export())) {
            throw new IllegalArgumentException("exports no function '" + guest.export() + "' (its functions: "
                    + String.join(", ", module.exportedFunctions()) + ")");
        }
        return module;
    }

    /** How many parameters the guest's export takes. */
    static int parameters(GuestModule module, GuestChoice guest) {
        OptionalInt n = ExportParameters.of(guest.bytes(), guest.export());
        if (n.isEmpty()) {
            throw new IllegalArgumentException("exports no function '" + guest.export() + "'");
        }
        return n.getAsInt();
    }

    /** The contenders of one engine, on a pool of their own, and the settings that fit the loaded export. */
    interface BenchContenders extends AutoCloseable {
        /** The contenders the request names, in its order. */
        java.util.List<io.warmpool.bench.guest.GuestContender> all();

        /** The request's settings, with the export's arguments (n for each parameter unless given). */
        io.warmpool.bench.guest.GuestBench.Settings settings();

        /** Closes the contenders, the module and the pool. */
        @Override
        void close();
    }

    /**
     * The contenders {@code request} names, on {@code engine} (interpreter or aot), over a pool made
     * for them: one memory per idle instance and two more, the keep-resident bytes asked for.
     */
    static BenchContenders benchContenders(WasmBench.Request request, String engine) {
        throw new UnsupportedOperationException("the wasm module's host is not in this build yet");
    }

    /** The workload's settings: the guest's arguments, or n for each of the export's parameters. */
    static WasmWorkload.Settings settings(int threads, GuestChoice guest, GuestCalls calls) {
        GuestArguments arguments = guest.arguments().orElseGet(() -> GuestArguments.requestNumber(calls.parameters()));
        if (arguments.count() != calls.parameters()) {
            throw new IllegalArgumentException(calls.moduleName() + "." + calls.export() + " takes " + calls.parameters()
                    + " parameter(s), and args gives " + arguments.count() + " (" + arguments + ")");
        }
        return new WasmWorkload.Settings(threads, arguments, guest.check());
    }

    /** The banner's tenants line. */
    static String describe(WasmWorkload.Settings settings, GuestChoice guest, GuestCalls calls) {
        return "wasm: " + settings.threads() + " thread(s) calling " + calls.moduleName() + "." + calls.export() + "("
                + settings.arguments() + ")" + (guest.bundled().isPresent() ? " (bundled)" : "")
                + ", a fresh instance on a pooled slot per request; result check: " + settings.check().description();
    }
}
