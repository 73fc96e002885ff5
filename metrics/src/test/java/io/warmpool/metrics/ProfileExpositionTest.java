package io.warmpool.metrics;

import io.warmpool.pool.config.SlotKind;
import io.warmpool.pool.profile.ProfileSnapshot;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProfileExpositionTest {
    private static final long[] BOUNDS = {0, 1, 2, 4};

    private static ProfileSnapshot sample() {
        ProfileSnapshot.Histogram dirty = new ProfileSnapshot.Histogram(BOUNDS, new long[] {1, 0, 2, 3, 1}, 21);
        ProfileSnapshot.Histogram offsets = new ProfileSnapshot.Histogram(BOUNDS, new long[] {4, 4, 4, 8, 0}, 40);
        ProfileSnapshot.KindProfile memory = new ProfileSnapshot.KindProfile(1 << 20, 64 << 10, 7, 2, 1, 9, 7 << 20,
                dirty, offsets);
        return new ProfileSnapshot(4096, new ProfileSnapshot.Histogram(new long[] {0, 1}, new long[] {8, 1, 0}, 1),
                Map.of(SlotKind.MEMORY, memory));
    }

    @Test
    void aProfileReadsBackAsItWasWritten() {
        ProfileSnapshot profile = sample();
        String text = ProfileExposition.write(profile);
        assertEquals(profile, ProfileExposition.parse(text));
        assertEquals(text, ProfileExposition.write(ProfileExposition.parse(text)));
    }

    @Test
    void theTextIsPrometheusExpositionWithCumulativeBuckets() {
        String text = ProfileExposition.write(sample());
        assertTrue(text.contains("# TYPE warmpool_profile_dirty_pages histogram\n"), text);
        assertTrue(text.contains("warmpool_profile_dirty_pages_bucket{kind=\"memory\",le=\"2\"} 3\n"), text);
        assertTrue(text.contains("warmpool_profile_dirty_pages_bucket{kind=\"memory\",le=\"+Inf\"} 7\n"), text);
        assertTrue(text.contains("warmpool_profile_dirty_pages_count{kind=\"memory\"} 7\n"), text);
        assertTrue(text.contains("warmpool_profile_resets_total{kind=\"memory\",scanned=\"false\"} 2\n"), text);
        assertTrue(text.contains("warmpool_profile_in_use_at_acquire_bucket{le=\"0\"} 8\n"), text);
        for (String line : text.split("\n")) {
            assertTrue(line.startsWith("# HELP warmpool_profile_") || line.startsWith("# TYPE warmpool_profile_")
                    || line.matches("warmpool_profile_[a-z_]+(\\{[^}]*})? -?[0-9]+"), line);
        }
    }

    @Test
    void otherMetricsCommentsAndTimestampsOfAScrapeAreIgnored() {
        String scrape = "# HELP jvm_threads_live Live threads\njvm_threads_live 12.0\n"
                + "warmpool_acquires_total{kind=\"memory\",result=\"warm\"} 3.0 1700000000000\n"
                + ProfileExposition.write(sample()).replace("warmpool_profile_page_size_bytes 4096",
                "warmpool_profile_page_size_bytes 4096.0 1700000000000");
        assertEquals(sample(), ProfileExposition.parse(scrape));
    }

    @Test
    void whatIsWrongIsNamed() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ProfileExposition.parse("jvm_threads_live 3\n"))
                .getMessage().contains("holds no warmpool tenant profile"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ProfileExposition.parse("\nnot a sample\n"))
                .getMessage().startsWith("line 2 is not Prometheus exposition text"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> ProfileExposition.parse("warmpool_profile_slot_bytes{kind=memory} 1\n"))
                .getMessage().startsWith("line 1: cannot read the labels"));
        String text = ProfileExposition.write(sample());
        String shrinking = text.replace("warmpool_profile_dirty_pages_bucket{kind=\"memory\",le=\"4\"} 6",
                "warmpool_profile_dirty_pages_bucket{kind=\"memory\",le=\"4\"} 2");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ProfileExposition.parse(shrinking)).getMessage()
                .contains("bucket le=\"4\" counts 2, fewer than the bucket before it (3)"));
        String noKeep = text.replaceAll("(?m)^warmpool_profile_keep_resident_bytes\\{.*\\n", "");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ProfileExposition.parse(noKeep)).getMessage()
                .contains("lacks warmpool_profile_keep_resident_bytes for kind memory"));
    }

    /** Found by ProfileExpositionFuzzTest: a page size of 4097 (and any other nonsense number) was accepted. */
    @Test
    void numbersThatCountNothingAreRefusedByLine() {
        String text = ProfileExposition.write(sample());
        for (String[] change : new String[][] {
                {"warmpool_profile_page_size_bytes 4096", "warmpool_profile_page_size_bytes 4097.0", "is not a page size"},
                {"warmpool_profile_page_size_bytes 4096", "warmpool_profile_page_size_bytes 0", "is not a page size"},
                {"warmpool_profile_page_size_bytes 4096", "warmpool_profile_page_size_bytes -4096", "is not a count"},
                {"warmpool_profile_page_size_bytes 4096", "warmpool_profile_page_size_bytes 4096.5", "is not a count"},
                {"warmpool_profile_page_size_bytes 4096", "warmpool_profile_page_size_bytes NaN", "is not a count"},
                {"warmpool_profile_page_size_bytes 4096", "warmpool_profile_page_size_bytes 1e300", "is not a count"},
                {"warmpool_profile_resets_total{kind=\"memory\",scanned=\"true\"} 7",
                        "warmpool_profile_resets_total{kind=\"memory\",scanned=\"true\"} -7", "is not a count"},
                {"le=\"4\"} 6", "le=\"-4\"} 6", "le -4.0 is not a count"},
                {"warmpool_profile_keep_resident_bytes{kind=\"memory\"} 65536",
                        "warmpool_profile_keep_resident_bytes{kind=\"memory\"} 2097152", "keeps at most all of them"},
                {"warmpool_profile_slot_bytes{kind=\"memory\"} 1048576",
                        "warmpool_profile_slot_bytes{kind=\"memory\"} 0", "keeps at most all of them"}}) {
            String changed = text.replace(change[0], change[1]);
            assertTrue(!changed.equals(text), change[0]);
            String message = assertThrows(IllegalArgumentException.class, () -> ProfileExposition.parse(changed)).getMessage();
            assertTrue(message.contains(change[2]), change[1] + ": " + message);
        }
    }

    @Test
    void histogramRepresentativesKeepTheMeanAndCountsInterpolateInsideABucket() {
        ProfileSnapshot.Histogram h = sample().kind(SlotKind.MEMORY).dirtyPages();
        assertEquals(7, h.count());
        assertEquals(3.0, h.mean());
        double total = 0;
        for (int i = 0; i < h.counts().length; i++) {
            total += h.counts()[i] * h.representative(i);
        }
        assertEquals(21, total, 1e-9);
        assertEquals(3, h.countAtMost(2));
        assertEquals(4.5, h.countAtMost(3), 1e-9, "half of bucket (2, 4]");
        assertEquals(6, h.countAtMost(4));
    }
}
