package io.warmpool.service;

import io.warmpool.bench.BenchRun;
import io.warmpool.bench.Contender;
import io.warmpool.bench.Contenders;
import io.warmpool.bench.ImageContenders;
import io.warmpool.bench.Measurement;
import io.warmpool.bench.Progress;
import io.warmpool.bench.Workload;
import io.warmpool.natives.Syscalls;
import io.warmpool.pool.config.ByteSize;
import io.warmpool.pool.config.PoolSetting;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code warmpool bench}: the pool's resets against the alternatives and a C reference. */
final class BenchCommand implements Command {
    static final Set<String> VALUED = Set.of("slot-bytes", PoolSetting.MEMORY_MAX.key(), PoolSetting.MEMORY_KEEP_RESIDENT.key(),
            "dirty-pages", "spread-bytes", "iterations", "warmup", "warmup-seconds", "time-limit", "seed", "rounds", "strategy", "json",
            "plot", "profile-out", "image-bytes");
    /** The most rounds a run takes: each one runs every contender's warmup again. */
    static final int MAX_ROUNDS = 1000;
    /** Old flag names, still read with a notice, and the pool settings they are now named for. */
    private static final Map<String, PoolSetting> RENAMED = Map.of("max-bytes", PoolSetting.MEMORY_MAX,
            "keep-resident-bytes", PoolSetting.MEMORY_KEEP_RESIDENT);

    @Override
    public String name() {
        return "bench";
    }

    @Override
    public String summary() {
        return "measure the pool's resets against allocateDirect, mmap and a C reference";
    }

    @Override
    public String help() {
        return """
                usage: warmpool bench [options]

                Runs one cycle per iteration on each contender: acquire a memory, write pages at random,
                release it (which resets it); prints per contender the median and p99 nanoseconds of the
                write phase, the reset and the whole cycle, and the bytes it kept resident, then the
                ratios the targets of BENCHMARKS.md are stated in. Workload flags take a comma-separated
                list: every combination is run. Sizes take units: 4096, 64KiB, 16MiB, 4GiB.

                workload:
                  --slot-bytes LIST           the tenant's accessible bytes (default 64MiB)
                  --pool.memory-max LIST      the slot's maximum (default: the slot bytes)
                  --pool.memory-keep-resident LIST
                                              the pool's keep-resident bytes per slot (default 1MiB)
                  --dirty-pages LIST          distinct pages written per cycle (default 64); above the
                                              pages of the spread, every page of it is written
                  --spread-bytes LIST         the writes fall in the first this many bytes (default 256KiB)
                contenders:
                  --strategy LIST             all (default), or some of:
                                              %s
                  --image-bytes SIZE          the tenant's memory starts from a memory image of SIZE
                                              bytes (default 0: none); the contenders are then
                                              %s
                                              (see BENCHMARKS.md, "Memory images"), and the JSON
                                              gives each its pss: 64 idle warm slots of the image
                measurement:
                  --iterations N              measured cycles per contender and workload (default 1000)
                  --warmup N                  cycles run first, not measured (default: a fifth of N)
                  --warmup-seconds DURATION   and the warmup lasts at least this long, so that the JIT
                                              has compiled the paths (default 1s; 0: cycles only)
                  --time-limit DURATION       stop a contender early after this long, once it has 10
                                              samples (default 10s; 0: never)
                  --seed N                    the seed of the pages written (default 1)
                  --rounds N                  the contenders take turns N times (default 1), each
                                              time with its own warmup and an Nth of the iterations
                                              and of the time limit; a median is the median of the
                                              rounds' medians. Load that drifts during a run then
                                              weighs on every contender alike
                output:
                  --json FILE                 also write the results as JSON
                  --plot FILE                 write an SVG of median reset against dirty pages, a line
                                              per contender
                  --profile-out FILE          write the tenant profile the pool recorded (written-tracked's
                                              run, which counts the pages written; else pagemap-guided's,
                                              else auto's) for warmpool tune; one workload only
                  --help                      print this help

                %s

                A progress bar shows on a terminal when the run takes more than a second.""".formatted(
                wrap(String.join(", ", Contenders.names()), 60, "\n" + " ".repeat(30)),
                wrap(String.join(", ", ImageContenders.names()), 60, "\n" + " ".repeat(30)), WasmBench.HELP.strip());
    }

    /** {@code text} broken at spaces into lines of at most {@code width}, joined by {@code newline}. */
    static String wrap(String text, int width, String newline) {
        StringBuilder out = new StringBuilder();
        int lineStart = 0;
        for (String word : text.split(" ")) {
            if (out.length() > lineStart && out.length() - lineStart + 1 + word.length() > width) {
                out.append(newline);
                lineStart = out.length();
            } else if (out.length() > lineStart) {
                out.append(' ');
            }
            out.append(word);
        }
        return out.toString();
    }

    /** What the command line asks for. */
    record Request(List<Workload> workloads, List<String> contenders, Measurement measurement, Path json, Path plot,
                   Path profileOut, long imageBytes, int rounds) {

        /** The contenders the request names: the image contenders when it asks for an image. */
        List<Contender> named() {
            return imageBytes > 0 ? ImageContenders.named(contenders, imageBytes) : Contenders.named(contenders);
        }
    }

    static Request parse(List<String> args, long pageSize) {
        Set<String> valued = new java.util.HashSet<>(VALUED);
        valued.addAll(RENAMED.keySet());
        Options o = Options.parse("bench", args, valued, Set.of());
        if (!o.positional().isEmpty()) {
            throw new UsageException("bench: unexpected argument '" + o.positional().get(0) + "'");
        }
        List<Long> slots = sizes(o, "slot-bytes", "64MiB");
        String maxFlag = renamed(o, "max-bytes");
        List<Long> maxes = maxFlag != null ? sizes(o, maxFlag, null) : null;
        String keepFlag = renamed(o, "keep-resident-bytes");
        List<Long> keeps = sizes(o, keepFlag != null ? keepFlag : PoolSetting.MEMORY_KEEP_RESIDENT.key(), "1MiB");
        List<Long> dirty = counts(o, "dirty-pages", "64");
        List<Long> spreads = sizes(o, "spread-bytes", "256KiB");
        List<Workload> workloads = new ArrayList<>();
        for (long slot : slots) {
            for (long max : maxes == null ? List.of(slot) : maxes) {
                for (long keep : keeps) {
                    for (long spread : spreads) {
                        for (long d : dirty) {
                            try {
                                workloads.add(new Workload(slot, max, keep, d, spread).validate(pageSize));
                            } catch (IllegalArgumentException e) {
                                throw new UsageException("bench: " + e.getMessage());
                            }
                        }
                    }
                }
            }
        }
        int iterations = (int) count("iterations", o.get("iterations", "1000"), 1);
        int warmup = (int) count("warmup", o.get("warmup", Integer.toString(iterations / 5)), 0);
        long warmupNanos = o.durationNanos("warmup-seconds", "1s");
        long timeLimitNanos = o.durationNanos("time-limit", "10s");
        long seed = count("seed", o.get("seed", "1"), Long.MIN_VALUE);
        long rounds = count("rounds", o.get("rounds", "1"), 1);
        if (rounds > MAX_ROUNDS) {
            throw new UsageException("bench: --rounds = " + rounds + ": at most " + MAX_ROUNDS);
        }
        List<String> contenders = List.of(o.get("strategy", "all").split(","));
        long imageBytes;
        try {
            imageBytes = ByteSize.parse(o.get("image-bytes", "0"));
        } catch (IllegalArgumentException e) {
            throw new UsageException("bench: --image-bytes: " + e.getMessage());
        }
        try {
            if (imageBytes > 0) {
                ImageContenders.named(contenders, imageBytes);
            } else {
                Contenders.named(contenders);
            }
        } catch (IllegalArgumentException e) {
            throw new UsageException("bench: --strategy: " + e.getMessage());
        }
        Path profileOut = path(o, "profile-out");
        if (profileOut != null && workloads.size() != 1) {
            throw new UsageException("bench: --profile-out writes the profile of one workload, and these flags make "
                    + workloads.size());
        }
        if (profileOut != null && !contenders.contains("all") && !contenders.contains("pagemap-guided")
                && !contenders.contains("auto") && !contenders.contains("written-tracked")) {
            throw new UsageException("bench: --profile-out needs a strategy whose resets scan: written-tracked,"
                    + " pagemap-guided or auto");
        }
        return new Request(workloads, contenders, new Measurement(iterations, warmup, warmupNanos, timeLimitNanos, seed),
                path(o, "json"), path(o, "plot"), profileOut, imageBytes, (int) rounds);
    }

    /** The flag that gives the setting the old flag name {@code old} was renamed to (see {@link Options#renamed}). */
    private static String renamed(Options o, String old) {
        return o.renamed(old, RENAMED.get(old).key());
    }

    private static Path path(Options o, String flag) {
        return o.has(flag) ? Path.of(o.get(flag, "")) : null;
    }

    private static List<Long> sizes(Options o, String flag, String fallback) {
        List<Long> out = new ArrayList<>();
        for (String item : o.get(flag, fallback).split(",")) {
            try {
                out.add(ByteSize.parse(item));
            } catch (IllegalArgumentException e) {
                throw new UsageException("bench: --" + flag + ": " + e.getMessage());
            }
        }
        return out;
    }

    private static List<Long> counts(Options o, String flag, String fallback) {
        List<Long> out = new ArrayList<>();
        for (String item : o.get(flag, fallback).split(",")) {
            out.add(count(flag, item, 0));
        }
        return out;
    }

    private static long count(String flag, String text, long minimum) {
        long value;
        try {
            value = Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw new UsageException("bench: --" + flag + " = '" + text + "' is not a whole number");
        }
        if (value < minimum) {
            throw new UsageException("bench: --" + flag + " = " + value + ": must be at least " + minimum);
        }
        if (value > Integer.MAX_VALUE && (flag.equals("iterations") || flag.equals("warmup"))) {
            throw new UsageException("bench: --" + flag + " = " + value + ": at most " + Integer.MAX_VALUE);
        }
        return value;
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
        if (WasmBench.asked(args)) {
            return WasmBench.run(args, out, err);
        }
        Request request = parse(args, Syscalls.linux().pageSize());
        List<Contender> contenders = request.named();
        BenchRun run = new BenchRun(request.workloads(), contenders, request.measurement(), request.rounds());
        Progress progress = TerminalProgress.forConsole(err, run.plannedCycles());
        List<BenchRun.WorkloadResult> results;
        try {
            results = run.run(progress);
        } finally {
            if (progress instanceof TerminalProgress bar) {
                bar.clear();
            }
        }
        out.println(BenchReport.text(results, request.measurement(), request.rounds()));
        if (request.json() != null) {
            write(request.json(), BenchReport.json(results, request.measurement(), request.rounds()));
        }
        if (request.plot() != null) {
            write(request.plot(), BenchReport.plot(results));
        }
        if (request.profileOut() != null) {
            write(request.profileOut(), results.get(0).profile());
        }
        return 0;
    }

    private static void write(Path file, String text) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }
}
