package io.warmpool.service;

import io.warmpool.bench.Workload;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchCommandTest {
    private static final long PAGE = 4096;

    private static BenchCommand.Request parse(String... args) {
        return BenchCommand.parse(List.of(args), PAGE);
    }

    private static String refusal(String... args) {
        return assertThrows(UsageException.class, () -> parse(args)).getMessage();
    }

    @Test
    void theDefaultsAreOneWorkloadOfEveryContender() {
        BenchCommand.Request r = parse();
        assertEquals(List.of(new Workload(64 << 20, 64 << 20, 1 << 20, 64, 256 << 10)), r.workloads());
        assertEquals(List.of("all"), r.contenders());
        assertEquals(1000, r.measurement().iterations());
        assertEquals(200, r.measurement().warmup());
        assertEquals(1_000_000_000L, r.measurement().warmupNanos());
        assertEquals(10_000_000_000L, r.measurement().timeLimitNanos());
        assertNull(r.json());
    }

    @Test
    void listsOfWorkloadValuesRunEveryCombination() {
        BenchCommand.Request r = parse("--slot-bytes", "1MiB", "--pool.memory-max=64MiB,4GiB", "--pool.memory-keep-resident", "256KiB",
                "--dirty-pages", "1,16,256", "--spread-bytes", "1MiB", "--strategy", "auto,mmap-munmap",
                "--iterations", "50", "--warmup", "0", "--time-limit", "0", "--seed", "9", "--json", "out/r.json");
        assertEquals(6, r.workloads().size());
        assertEquals(new Workload(1 << 20, 64 << 20, 256 << 10, 1, 1 << 20), r.workloads().get(0));
        assertEquals(new Workload(1 << 20, 4L << 30, 256 << 10, 256, 1 << 20), r.workloads().get(5));
        assertEquals(List.of("auto", "mmap-munmap"), r.contenders());
        assertEquals(0, r.measurement().timeLimitNanos());
        assertEquals(9, r.measurement().seed());
        assertEquals(Path.of("out/r.json"), r.json());
    }

    @Test
    void badValuesAreNamedWithTheirFlag() {
        assertTrue(refusal("--slot-bytes", "lots").startsWith("bench: --slot-bytes: 'lots' is not a byte size"));
        assertTrue(refusal("--dirty-pages", "1,x").startsWith("bench: --dirty-pages = 'x' is not a whole number"));
        assertTrue(refusal("--iterations", "0").startsWith("bench: --iterations = 0: must be at least 1"));
        assertTrue(refusal("--spread-bytes", "128MiB").startsWith("bench: spread-bytes = 134217728: must not exceed"));
        assertTrue(refusal("--strategy", "malloc").contains("unknown strategy or contender 'malloc'"));
        assertTrue(refusal("--frobnicate", "1").contains("unknown option --frobnicate"));
        assertTrue(refusal("extra").contains("unexpected argument 'extra'"));
    }

    @Test
    void roundsAreOneByDefaultAndARoundsCountOutOfRangeIsRefusedNotClamped() {
        assertEquals(1, parse().rounds());
        assertEquals(3, parse("--rounds", "3").rounds());
        assertTrue(refusal("--rounds", "0").startsWith("bench: --rounds = 0: must be at least 1"));
        assertTrue(refusal("--rounds", "1001").startsWith("bench: --rounds = 1001: at most 1000"));
        assertTrue(refusal("--rounds", "99999999999").startsWith("bench: --rounds = 99999999999: at most 1000"));
    }

    @Test
    void aProfileIsWrittenForOneWorkloadOfAStrategyThatScans() {
        assertEquals(Path.of("p.prom"), parse("--profile-out", "p.prom", "--strategy", "auto").profileOut());
        assertTrue(refusal("--profile-out", "p.prom", "--dirty-pages", "1,2").contains("one workload, and these flags make 2"));
        assertTrue(refusal("--profile-out", "p.prom", "--strategy", "madvise-all").contains("pagemap-guided or auto"));
    }

    @Test
    void longListsWrapAtSpaces() {
        assertEquals("aa bb\n  cc", BenchCommand.wrap("aa bb cc", 5, "\n  "));
        assertEquals("a-very-long-word", BenchCommand.wrap("a-very-long-word", 5, "\n"));
    }

    @Test
    void theOldFlagNamesStillWorkAsAliasesOfThePoolSettings() {
        BenchCommand.Request r = BenchCommand.parse(List.of("--slot-bytes", "1MiB", "--max-bytes", "4MiB",
                "--keep-resident-bytes", "64KiB", "--spread-bytes", "64KiB"), 4096);
        assertEquals(4L << 20, r.workloads().get(0).maxBytes());
        assertEquals(64L << 10, r.workloads().get(0).keepResidentBytes());
        assertTrue(refusal("--keep-resident-bytes", "64KiB", "--pool.memory-keep-resident", "64KiB")
                .contains("old name of --pool.memory-keep-resident"));
    }

    @Test
    void helpListsEveryFlagAndContender() {
        String help = new BenchCommand().help();
        for (String flag : BenchCommand.VALUED) {
            assertTrue(help.contains("--" + flag + " "), flag);
        }
        for (String line : help.split("\n")) {
            assertTrue(line.length() <= 100, line);
        }
        assertTrue(help.contains("some of:\n                              madvise-all, "), "the list lines up with the descriptions");
        assertTrue(help.contains("c-pagemap-guided") && help.contains("allocate-direct"), help);
    }
}
