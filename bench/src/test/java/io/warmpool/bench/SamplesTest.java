package io.warmpool.bench;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SamplesTest {

    @Test
    void quantilesTakeTheSampleAtTheNearestRank() {
        Samples s = Samples.of(50, 10, 40, 20, 30);
        assertEquals(30, s.quantile(0.5));
        assertEquals(10, s.quantile(0.01));
        assertEquals(50, s.quantile(1));
        assertEquals(new Samples.Summary(30, 50), s.summary());
    }

    @Test
    void theMedianOfAnEvenCountIsTheLowerMiddleSample() {
        assertEquals(2, Samples.of(4, 1, 3, 2).quantile(0.5));
    }

    @Test
    void theNinetyNinthPercentileOfAHundredSamplesIsTheSecondLargest() {
        Samples s = new Samples(1);
        for (int i = 1; i <= 100; i++) {
            s.add(i);
        }
        assertEquals(99, s.quantile(0.99));
        assertEquals(100, s.size());
        s.add(0);
        assertEquals(50, s.quantile(0.5), "adding after a quantile sorts again");
    }

    @Test
    void noSamplesOrAQuantileOutsideTheUnitIntervalIsRefused() {
        assertThrows(IllegalStateException.class, () -> new Samples(4).quantile(0.5));
        assertThrows(IllegalArgumentException.class, () -> Samples.of(1).quantile(0));
        assertThrows(IllegalArgumentException.class, () -> Samples.of(1).quantile(1.5));
    }
}
