package io.warmpool.service;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.IntFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The soak's verdict (deploy/soak/slopes.awk): a series that grows fails, a flat or noisy one passes. */
class SoakSlopesTest {
    private static final Path SLOPES = Path.of("..", "deploy", "soak", "slopes.awk").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    /** Runs slopes.awk with the soak's default bounds over 60 samples a second apart, warm-up 10 s. */
    private List<String> verdict(IntFunction<String> row) throws Exception {
        StringBuilder samples = new StringBuilder("t_s\trss_kib\tfds\tmaps\tthreads\n");
        for (int i = 0; i < 60; i++) {
            samples.append(i).append('\t').append(row.apply(i)).append('\n');
        }
        Path file = dir.resolve("samples.tsv");
        Files.writeString(file, samples);
        Process awk = new ProcessBuilder("awk", "-F\t", "-v", "settle=10", "-v", "max_rss=2048", "-v", "max_fds=2",
                "-v", "max_maps=6", "-v", "max_threads=2", "-f", SLOPES.toString(), file.toString())
                .redirectErrorStream(true).start();
        String out = new String(awk.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, awk.waitFor(), out);
        return out.lines().toList();
    }

    @Test
    void flatSeriesWithAWarmUpAndNoisePass() throws Exception {
        List<String> lines = verdict(i -> (i < 10 ? 1000 * i : 100_000 + 200 * (i % 3)) + "\t" + (18 + i % 2) + "\t"
                + (360 + (i % 5 == 0 ? 2 : 0)) + "\t28");
        assertEquals(5, lines.size(), lines.toString());
        assertTrue(lines.stream().allMatch(line -> line.startsWith("ok  ")), lines.toString());
        assertTrue(lines.get(4).contains("50 samples"), lines.get(4));
    }

    @Test
    void oneDescriptorLeakedEveryTwoSecondsFails() throws Exception {
        List<String> lines = verdict(i -> "100000\t" + (18 + i / 2) + "\t360\t28");
        assertTrue(lines.get(1).startsWith("FAIL fds") && lines.get(1).contains("slope     29.9"), lines.toString());
        assertTrue(lines.get(0).startsWith("ok   rss_kib"), lines.toString());
        assertTrue(lines.get(4).startsWith("FAIL"), lines.toString());
    }

    @Test
    void rssGrowingBy64KiBASecondFailsAndSoDoThreadsAndMappings() throws Exception {
        List<String> lines = verdict(i -> (100_000 + 64 * i) + "\t18\t" + (360 + i / 6) + "\t" + (28 + i / 10));
        assertTrue(lines.get(0).startsWith("FAIL rss_kib") && lines.get(0).contains("3840.00"), lines.toString());
        assertTrue(lines.get(2).startsWith("FAIL maps"), lines.toString());
        assertTrue(lines.get(3).startsWith("FAIL threads"), lines.toString());
    }

    @Test
    void tooFewSamplesAfterTheWarmUpFail() throws Exception {
        StringBuilder samples = new StringBuilder("t_s\trss_kib\tfds\tmaps\tthreads\n1\t1\t1\t1\t1\n");
        Path file = dir.resolve("few.tsv");
        Files.writeString(file, samples);
        Process awk = new ProcessBuilder("awk", "-F\t", "-v", "settle=0", "-f", SLOPES.toString(), file.toString())
                .redirectErrorStream(true).start();
        String out = new String(awk.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        awk.waitFor();
        assertTrue(out.startsWith("FAIL only 1 samples"), out);
    }
}
