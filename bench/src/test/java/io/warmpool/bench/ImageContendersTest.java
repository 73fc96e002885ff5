package io.warmpool.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The image contenders run a few cycles of a small image for real and measure their Pss; nothing is timed. */
class ImageContendersTest {
    private static final long PAGE = 4096;
    private static final long IMAGE = 16 * PAGE;
    private static final Workload SMALL = new Workload(256 * PAGE, 256 * PAGE, 64 * PAGE, 8, 16 * PAGE).validate(PAGE);

    @Test
    void everyImageContenderRunsAndTheSlotsThatKeepTheImageReportTheirPss() throws Exception {
        BenchRun run = new BenchRun(List.of(SMALL), ImageContenders.named(List.of("all"), IMAGE),
                new Measurement(5, 2, 0, 0, 3));
        List<ContenderResult> results = run.run(new Progress() {
        }).get(0).results();
        assertEquals(ImageContenders.names(), results.stream().map(ContenderResult::contender).toList());
        for (ContenderResult r : results) {
            assertEquals(5, r.samples(), r.contender());
            if (r.contender().equals("image-change")) {
                assertEquals(-1, r.pssBytes(), "two images in turn: no idle Pss");
            } else {
                assertTrue(r.pssBytes() >= IMAGE, r + ": at least the image itself, counted once");
            }
        }
        ContenderResult copy = results.get(1);
        assertTrue(copy.pssBytes() >= ImageContenders.IDLE_SLOTS * 8 * PAGE,
                "64 idle slots each keep the pages the copy and the tenant wrote: " + copy);
        assertTrue(Ratios.of(results).stream().anyMatch(r -> r.label().startsWith("image-copy / image, median cycle")));
    }

    @Test
    void anUnknownImageContenderIsNamedInTheRefusal() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ImageContenders.named(List.of("image", "nope"), IMAGE));
        assertTrue(e.getMessage().contains("'nope'") && e.getMessage().contains("image-change"), e.getMessage());
    }
}
