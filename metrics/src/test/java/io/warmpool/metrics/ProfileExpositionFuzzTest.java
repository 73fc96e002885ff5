package io.warmpool.metrics;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.warmpool.pool.profile.ProfileSnapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The tenant-profile parser that {@code warmpool tune --profile} and {@code --from} use, on any text:
 * it returns a profile whose numbers make sense, which reads back the same after it is written, or
 * it throws {@link IllegalArgumentException} (its documented refusal); nothing else escapes.
 * Inputs: {@code src/test/resources/io/warmpool/metrics/ProfileExpositionFuzzTestInputs/}.
 */
class ProfileExpositionFuzzTest {

    @FuzzTest
    void anyTextIsAProfileThatMakesSenseOrIsRefusedByName(byte[] input) {
        String text = new String(input, java.nio.charset.StandardCharsets.UTF_8);
        ProfileSnapshot profile;
        try {
            profile = ProfileExposition.parse(text);
        } catch (IllegalArgumentException refused) {
            assertTrue(refused.getMessage() != null && !refused.getMessage().isBlank(), "a refusal says why");
            return;
        }
        assertTrue(profile.pageSize() > 0 && Long.bitCount(profile.pageSize()) == 1, "page size " + profile.pageSize());
        checkHistogram(profile.inUseAtAcquire());
        for (ProfileSnapshot.KindProfile kind : profile.kinds().values()) {
            assertTrue(kind.slotBytes() > 0, kind.toString());
            assertTrue(kind.keepResidentBytes() >= 0 && kind.keepResidentBytes() <= kind.slotBytes(), kind.toString());
            assertTrue(kind.scannedResets() >= 0 && kind.unscannedResets() >= 0 && kind.budgetFullResets() >= 0
                    && kind.dirtyRegions() >= 0 && kind.accessibleBytes() >= 0, kind.toString());
            checkHistogram(kind.dirtyPages());
            checkHistogram(kind.dirtyOffsetPages());
        }
        assertEquals(profile, ProfileExposition.parse(ProfileExposition.write(profile)), "a profile reads back as written");
    }

    private static void checkHistogram(ProfileSnapshot.Histogram h) {
        for (long c : h.counts()) {
            assertTrue(c >= 0, h.toString());
        }
        for (long b : h.upperBounds()) {
            assertTrue(b >= 0, "a bound below 0 in a histogram of non-negative integers: " + h);
        }
        assertTrue(h.sum() >= 0, h.toString());
    }
}
