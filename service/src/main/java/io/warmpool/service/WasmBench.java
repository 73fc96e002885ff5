package io.warmpool.service;

import io.warmpool.bench.guest.GuestBench;
import io.warmpool.bench.guest.GuestContender;
import io.warmpool.pool.config.ByteSize;
import io.warmpool.pool.config.PoolSetting;
import io.warmpool.wasm.Engine;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code warmpool bench --module FILE|GUEST}: a WebAssembly guest's requests (instantiate, call,
 * release) on Chicory's own memory, on pooled memory without a memory image and on pooled memory
 * with one; per contender the median and p99 of each phase, instances per second, and the resident
 * memory of idle warm instances; then the ratios to Chicory's own memory.
 */
final class WasmBench {
    /** The contenders, in the order they run and print. */
    static final List<String> CONTENDERS = List.of("chicory-memory", "pooled", "pooled-image");
    /** The pool setting's one name ({@link PoolSetting#MEMORY_KEEP_RESIDENT}), as serve and bench's other runs take it. */
    private static final String KEEP_RESIDENT = PoolSetting.MEMORY_KEEP_RESIDENT.key();

    static final Set<String> VALUED = Set.of("module", "export", "args", "contenders", "engine", "iterations", "warmup",
            "warmup-seconds", "time-limit", "idle-instances", KEEP_RESIDENT);

    static final String HELP = """
                WebAssembly guests (bench --module):
                  --module FILE|GUEST         measure this guest instead: a .wasm file, or a bundled one
                                              (request-handler, scattered-pages, lookup-table)
                  --export NAME --args LIST   the export and its arguments, as serve takes them (n: the
                                              request's number); a bundled guest has its own
                  --contenders LIST           chicory-memory, pooled, pooled-image (default: those this
                                              build runs; it says why it runs no other)
                  --engine LIST               interpreter (default), compiler (Chicory's ahead-of-time
                                              compiler to JVM bytecode), or both
                  --idle-instances N          idle warm instances weighed per contender (default 16; 0: none)
                  --pool.memory-keep-resident SIZE
                                              the pool's keep-resident bytes per memory (default 1MiB)
                  --iterations, --warmup, --warmup-seconds, --time-limit as above
                Each cycle is one request on one thread: open (acquire + instantiate), call, close
                (release: the pool's reset); instances/s is cycles per second of their own time.""";

    /**
     * What the command line asks for.
     *
     * @param guest             the guest, its export and arguments
     * @param contenders        the contenders' names, in CONTENDERS order
     * @param engines           interpreter, aot
     * @param settings          the measurement (its export, arguments and check from the guest)
     * @param keepResidentBytes the pool's keep-resident bytes per memory
     */
    record Request(GuestChoice guest, List<String> contenders, List<String> engines, GuestBench.Settings settings,
                   long keepResidentBytes) {
    }

    private WasmBench() {
    }

    /** Whether {@code args} ask for a guest bench. */
    static boolean asked(List<String> args) {
        for (String arg : args) {
            if (arg.equals("--module") || arg.startsWith("--module=")) {
                return true;
            }
        }
        return false;
    }

    static Request parse(List<String> args) {
        Options o = Options.parse("bench", args, VALUED, Set.of());
        if (!o.positional().isEmpty()) {
            throw new UsageException("bench: unexpected argument '" + o.positional().get(0) + "'");
        }
        GuestChoice guest;
        try {
            guest = GuestChoice.of(o.get("module", ""), o.get("export", ""), o.get("args", ""));
        } catch (IllegalArgumentException e) {
            throw new UsageException("bench: --module " + o.get("module", "") + ": " + e.getMessage());
        }
        List<String> contenders = new ArrayList<>();
        for (String name : o.get("contenders", String.join(",", WasmGuests.AVAILABLE)).split(",")) {
            String n = name.strip().toLowerCase(Locale.ROOT);
            if (!CONTENDERS.contains(n)) {
                throw new UsageException("bench: --contenders: no contender '" + name.strip() + "' (there are: "
                        + String.join(", ", CONTENDERS) + ")");
            }
            if (!contenders.contains(n)) {
                contenders.add(n);
            }
        }
        contenders.sort(java.util.Comparator.comparingInt(CONTENDERS::indexOf));
        List<String> engines = new ArrayList<>();
        for (String name : o.get("engine", "interpreter").split(",")) {
            String n = name.strip().toLowerCase(Locale.ROOT);
            try {
                n = Engine.fromConfigName(n).configName();
            } catch (IllegalArgumentException e) {
                throw new UsageException("bench: --engine: " + e.getMessage());
            }
            if (!engines.contains(n)) {
                engines.add(n);
            }
        }
        int iterations = (int) count(o, "iterations", "1000", 1, Integer.MAX_VALUE);
        int warmup = (int) count(o, "warmup", Integer.toString(iterations / 5), 0, Integer.MAX_VALUE);
        long warmupNanos = o.durationNanos("warmup-seconds", "1");
        long timeLimitNanos = o.durationNanos("time-limit", "10");
        int idle = (int) count(o, "idle-instances", "16", 0, 4096);
        long keep;
        try {
            keep = ByteSize.parse(o.get(KEEP_RESIDENT, "1MiB"));
        } catch (IllegalArgumentException e) {
            throw new UsageException("bench: --" + KEEP_RESIDENT + ": " + e.getMessage());
        }
        GuestArguments arguments = guest.arguments().orElse(null);
        GuestBench.Settings settings = new GuestBench.Settings(guest.export(),
                arguments == null ? n -> null : arguments::of, guest.check().ok(), guest.check().description(),
                iterations, warmup, warmupNanos, timeLimitNanos, idle);
        return new Request(guest, contenders, engines, settings, keep);
    }

    private static long count(Options o, String flag, String fallback, long min, long max) {
        String text = o.get(flag, fallback);
        long value;
        try {
            value = Long.parseLong(text.strip());
        } catch (NumberFormatException e) {
            throw new UsageException("bench: --" + flag + " = '" + text + "' is not a whole number");
        }
        if (value < min || value > max) {
            throw new UsageException("bench: --" + flag + " = " + value + ": must be between " + min + " and " + max);
        }
        return value;
    }

    /** Runs the guest bench {@code args} ask for and prints its report to {@code out}. */
    static int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
        Request request = parse(args);
        List<GuestBench.Result> results = new ArrayList<>();
        List<String> engines = new ArrayList<>();
        for (String engine : request.engines()) {
            try (WasmGuests.BenchContenders contenders = WasmGuests.benchContenders(request, Engine.fromConfigName(engine))) {
                GuestBench bench = new GuestBench(contenders.settings());
                for (GuestContender contender : contenders.all()) {
                    err.println("bench: " + contender.name() + " (" + engine + ") ...");
                    results.add(bench.run(contender));
                    engines.add(engine);
                }
            }
        }
        out.println(WasmBenchReport.text(request, results, engines));
        return 0;
    }
}
