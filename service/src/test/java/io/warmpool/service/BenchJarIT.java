package io.warmpool.service;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * bench and tune from the shaded jar, as the README runs them: the C reference comes out of the jar
 * and runs, the profile bench writes is one tune reads. A few cycles only: nothing here is timed.
 */
class BenchJarIT {

    private static String run(Process p) throws Exception {
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), output);
        assertEquals(0, p.exitValue(), output);
        return output;
    }

    @Test
    void benchRunsTheCReferenceFromTheJarAndTuneReadsItsProfile(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("bench.json");
        Path profile = dir.resolve("profile.prom");
        Path plot = dir.resolve("plot.svg");
        String bench = run(ProbeJarIT.java("bench", "--slot-bytes", "1MiB", "--pool.memory-keep-resident", "256KiB",
                "--dirty-pages", "4,8", "--spread-bytes", "64KiB", "--strategy", "pagemap-guided,c-pagemap-guided",
                "--iterations", "5", "--warmup", "0", "--warmup-seconds", "0", "--json", json.toString(), "--plot",
                plot.toString()));
        assertTrue(bench.contains("  c-pagemap-guided  ") && bench.contains("ratio pagemap-guided / c-pagemap-guided"),
                bench);
        assertTrue(Files.readString(json).contains("\"name\":\"c-pagemap-guided\""));
        assertTrue(Files.readString(plot).contains("<polyline"));

        // a hot set (all 16 pages of the spread, every cycle): auto scans every reset, never sheds what piles up
        run(ProbeJarIT.java("bench", "--slot-bytes", "1MiB", "--pool.memory-keep-resident", "256KiB", "--dirty-pages", "16",
                "--spread-bytes", "64KiB", "--strategy", "auto", "--iterations", "20", "--warmup", "0",
                "--warmup-seconds", "0", "--profile-out", profile.toString()));
        assertTrue(Files.readString(profile).contains("warmpool_profile_resets_total{kind=\"memory\",scanned=\"true\"} 20"));

        String tune = run(ProbeJarIT.java("tune", "--profile", profile.toString(), "--pool.memory-keep-resident", "0,64KiB,256KiB",
                "--pool.max-unused-warm-slots", "0,1", "--rss-budget", "1MiB"));
        assertTrue(tune.contains("profile of 20 scanned resets"), tune);
        assertTrue(tune.contains("recommended within --rss-budget 1 MiB: --pool.memory-keep-resident "), tune);
    }
}
