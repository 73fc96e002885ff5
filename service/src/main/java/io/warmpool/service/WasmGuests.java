package io.warmpool.service;

import io.warmpool.bench.guest.GuestBench;
import io.warmpool.bench.guest.GuestContender;
import io.warmpool.pool.WarmPool;
import io.warmpool.pool.config.ByteSize;
import io.warmpool.pool.config.PoolConfig;
import io.warmpool.wasm.Engine;
import io.warmpool.wasm.GuestModule;
import io.warmpool.wasm.GuestTrapException;
import io.warmpool.wasm.WasmHost;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * serve's side of the wasm module's host: a {@link GuestChoice} loaded on a pool as {@link GuestCalls},
 * and the settings and banner line of the workload that calls it.
 */
final class WasmGuests {
    /** The bench contenders this build runs. */
    static final List<String> AVAILABLE = List.of("chicory-memory", "pooled", "pooled-image");

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
        return load(WasmHost.on(pool, engine), pool, guest);
    }

    /** The guest's module loaded on {@code host}; {@code pool} is the host's, or null for Chicory's memory. */
    static GuestModule load(WasmHost host, WarmPool pool, GuestChoice guest) {
        GuestModule module;
        try {
            module = host.load(guest.bytes());
        } catch (GuestTrapException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        long slot = pool == null ? Long.MAX_VALUE : pool.config().memories().slotBytes();
        if (module.initialMemoryBytes() > slot) {
            throw new IllegalArgumentException("its memory starts at " + ByteSize.format(module.initialMemoryBytes())
                    + ", more than a pool slot holds (pool.memory-max = " + ByteSize.format(slot) + ")");
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
        List<GuestContender> all();

        /** The request's settings, with the export's arguments (n for each parameter unless given). */
        GuestBench.Settings settings();

        /** Closes the contenders, the module and the pool. */
        @Override
        void close();
    }

    /**
     * The contenders {@code request} names, on {@code engine}, over a pool made for them: a memory per
     * idle instance and two more (of up to 64 MiB each, reserved, not resident), the keep-resident bytes
     * asked for, no tables or stacks.
     *
     * @throws UsageException for a contender this build cannot run, or a module that does not load
     */
    static BenchContenders benchContenders(WasmBench.Request request, Engine engine) {
        for (String name : request.contenders()) {
            if (!AVAILABLE.contains(name)) {
                throw new UsageException("bench: --contenders " + name + ": " + unavailable(name));
            }
        }
        WarmPool pool = WarmPool.create(PoolConfig.builder()
                .memories(request.settings().idleInstances() + 2).memoryMax(64L << 20).memoryGuard(64L << 10)
                .memoryKeepResident(request.keepResidentBytes()).tables(0).stacks(0).build());
        try {
            GuestModule module = load(WasmHost.on(pool, engine).withImages(false), pool, request.guest());
            int parameters = parameters(module, request.guest());
            GuestBench.Settings asked = request.settings();
            GuestArguments arguments = request.guest().arguments().orElse(GuestArguments.requestNumber(parameters));
            if (arguments.count() != parameters) {
                throw new UsageException("bench: " + request.guest().name() + "." + request.guest().export() + " takes "
                        + parameters + " parameter(s), and --args gives " + arguments.count());
            }
            GuestBench.Settings settings = new GuestBench.Settings(
                    asked.export(), arguments::of, asked.check(), asked.checkText(), asked.iterations(), asked.warmup(),
                    asked.warmupNanos(), asked.timeLimitNanos(), asked.idleInstances());
            List<GuestContender> all = new ArrayList<>();
            for (String name : request.contenders()) {
                GuestModule m = name.equals("chicory-memory")
                        ? load(WasmHost.withChicoryMemory(engine), null, request.guest())
                        : load(WasmHost.on(pool, engine).withImages(name.equals("pooled-image")), pool, request.guest());
                // the image's pages live once, in the memfd's page cache, whichever slots map them
                long shared = name.equals("pooled-image") ? m.imageBytes() : 0;
                all.add(new HostGuestContender(name, WasmBenchReport.legend(name), m, shared, name.equals("chicory-memory")));
            }
            return new BenchContenders() {
                @Override
                public List<GuestContender> all() {
                    return all;
                }

                @Override
                public GuestBench.Settings settings() {
                    return settings;
                }

                @Override
                public void close() {
                    pool.close();
                }
            };
        } catch (IllegalArgumentException e) {
            pool.close();
            throw new UsageException("bench: --module " + request.guest().name() + ": " + e.getMessage());
        } catch (RuntimeException | Error e) {
            pool.close();
            throw e;
        }
    }

    /** Why this build cannot run a contender. */
    static String unavailable(String contender) {
        return "no such contender (the contenders: " + String.join(", ", AVAILABLE) + ")";
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
