package io.warmpool.bench;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PageChooserTest {

    private static int[] draw(PageChooser chooser, long dirty) {
        int n = chooser.next(dirty);
        int[] pages = new int[n];
        for (int i = 0; i < n; i++) {
            pages[i] = chooser.page(i);
        }
        return pages;
    }

    @Test
    void eachCycleWritesDistinctPagesInsideTheSpread() {
        PageChooser chooser = new PageChooser(7, 100);
        for (int cycle = 0; cycle < 50; cycle++) {
            int[] pages = draw(chooser, 30);
            Set<Integer> distinct = new HashSet<>();
            for (int p : pages) {
                assertTrue(p >= 0 && p < 100, "page " + p);
                distinct.add(p);
            }
            assertEquals(30, distinct.size());
        }
    }

    @Test
    void moreDirtyPagesThanTheSpreadHoldsWritesEveryPageOnce() {
        int[] pages = draw(new PageChooser(1, 32), 64);
        assertEquals(32, pages.length);
        assertEquals(32, new HashSet<>(java.util.Arrays.stream(pages).boxed().toList()).size());
    }

    @Test
    void theSameSeedChoosesTheSamePagesAndAnotherSeedOthers() {
        PageChooser a = new PageChooser(42, 1000);
        PageChooser b = new PageChooser(42, 1000);
        PageChooser c = new PageChooser(43, 1000);
        int[] first = draw(a, 10);
        assertArrayEquals(first, draw(b, 10));
        assertNotEquals(java.util.Arrays.toString(first), java.util.Arrays.toString(draw(c, 10)));
    }

    @Test
    void theCReferenceChoosesExactlyTheSamePages() throws Exception {
        List<int[]> fromC = CReference.pages(300, 17, 20, 99);
        PageChooser java = new PageChooser(99, 300);
        assertEquals(20, fromC.size());
        for (int[] cycle : fromC) {
            assertArrayEquals(cycle, draw(java, 17));
        }
    }

    @Test
    void anEmptySpreadIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new PageChooser(1, 0));
    }
}
