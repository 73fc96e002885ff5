package io.warmpool.bench;

import io.warmpool.pool.config.ResetStrategy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The C reference: {@code src/main/c/warmpool_cref.c}, compiled by gcc during the build into this
 * module's jar under {@code io/warmpool/bench/cref/<os.arch>/}. It runs the same cycle as the pool
 * with the same system calls as {@code pagemap-guided}, {@code memset-keep-resident},
 * {@code madvise-all} or {@code written-tracked}, in a process of its own; this class copies the binary out of the jar once, runs it, and reads its samples.
 */
final class CReference implements Contender {
    static final String RESOURCE = "/io/warmpool/bench/cref/" + System.getProperty("os.arch") + "/warmpool-cref";
    /** The strategies warmpool_cref.c runs. */
    static final Set<ResetStrategy> RUNS = EnumSet.of(ResetStrategy.PAGEMAP_GUIDED,
            ResetStrategy.MEMSET_KEEP_RESIDENT, ResetStrategy.MADVISE_ALL, ResetStrategy.WRITTEN_TRACKED);
    private static Path binary;

    private final ResetStrategy strategy;

    CReference(ResetStrategy strategy) {
        if (!RUNS.contains(strategy)) {
            throw new IllegalArgumentException("the C reference runs " + RUNS + ", not " + strategy);
        }
        this.strategy = strategy;
    }

    @Override
    public String name() {
        return "c-" + strategy.configName();
    }

    @Override
    public Optional<String> unsupported(Workload workload) {
        return workload.keepResidentBytes() == 0 && strategy != ResetStrategy.MADVISE_ALL
                ? Optional.of("with nothing to keep resident the pool resets by madvise-all: see c-madvise-all")
                : Optional.empty();
    }

    /** The binary, copied out of the jar (or the build's classes) to a temporary file on first use. */
    static synchronized Path binary() throws IOException {
        if (binary == null) {
            try (InputStream in = CReference.class.getResourceAsStream(RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException("the C reference " + RESOURCE + " is not in this build (built for"
                            + " another architecture than " + System.getProperty("os.arch") + "?); rebuild with"
                            + " mvn -B -q -DskipTests package");
                }
                Path file = Files.createTempFile("warmpool-cref-", "",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                file.toFile().deleteOnExit();
                Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
                binary = file;
            }
        }
        return binary;
    }

    @Override
    public ContenderResult run(Workload w, Measurement m, Progress progress) throws Exception {
        progress.started(name(), w, m.iterations());
        List<String> command = List.of(binary().toString(), strategy.configName(), Long.toString(w.slotBytes()),
                Long.toString(w.maxBytes()), Long.toString(w.keepResidentBytes()), Long.toString(w.dirtyPages()),
                Long.toString(w.spreadBytes()), Integer.toString(m.iterations()), Integer.toString(m.warmup()),
                Long.toString(m.warmupNanos()), Long.toString(m.seed()), Long.toString(m.timeLimitNanos()));
        Process process = new ProcessBuilder(command).start();
        CompletableFuture<String> errors = CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
        Samples write = new Samples(m.iterations());
        Samples reset = new Samples(m.iterations());
        Samples cycle = new Samples(m.iterations());
        long resident = -1;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                if (line.startsWith("samples ")) {
                    continue;
                }
                if (line.startsWith("resident_bytes ")) {
                    resident = Long.parseLong(line.substring("resident_bytes ".length()));
                    continue;
                }
                String[] f = line.split(" ");
                if (f.length != 3) {
                    throw new IllegalStateException(name() + " printed an unexpected line: '" + line + "'");
                }
                write.add(Long.parseLong(f[0]));
                reset.add(Long.parseLong(f[1]));
                cycle.add(Long.parseLong(f[2]));
            }
        }
        int status = process.waitFor();
        if (status != 0 || resident < 0 || cycle.size() == 0) {
            throw new IllegalStateException(String.join(" ", command) + " exited with status " + status + ": "
                    + errors.join().strip());
        }
        progress.advanced(cycle.size());
        progress.finished(name(), cycle.size());
        return new ContenderResult(name(), cycle.size(), write.summary(), reset.summary(), cycle.summary(), resident,
                "PAGEMAP_SCAN of the slot, in the C process");
    }

    /** The pages the C reference's generator chooses: one array per cycle (for the tests). */
    static List<int[]> pages(int spreadPages, long dirty, int cycles, long seed) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(binary().toString(), "--pages", Integer.toString(spreadPages),
                Long.toString(dirty), Integer.toString(cycles), Long.toString(seed)).redirectErrorStream(true).start();
        String output = readAll(process.getInputStream());
        if (process.waitFor() != 0) {
            throw new IllegalStateException("warmpool-cref --pages failed: " + output);
        }
        List<int[]> cyclesOut = new ArrayList<>();
        for (String line : output.split("\n")) {
            cyclesOut.add(line.isEmpty() ? new int[0]
                    : Arrays.stream(line.split(" ")).mapToInt(Integer::parseInt).toArray());
        }
        return cyclesOut;
    }

    private static String readAll(InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
