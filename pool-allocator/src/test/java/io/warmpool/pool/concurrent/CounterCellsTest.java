package io.warmpool.pool.concurrent;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Counter cells: never one cell for two holders, no count lost, and a bound on cells whatever the threads. */
class CounterCellsTest {
    private static final int COUNT = CounterCells.FIRST + 2;

    /** Each of {@code threads} new threads claims a cell, adds {@code adds} times one, and releases it. */
    private static void addOnNewThreads(CounterCells cells, int threads, int adds) throws InterruptedException {
        List<Thread> running = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread thread = new Thread(() -> {
                for (int i = 0; i < adds; i++) {
                    long[] cell = cells.claim();
                    cell[COUNT]++;
                    cells.release(cell);
                }
            });
            running.add(thread);
            thread.start();
        }
        for (Thread thread : running) {
            thread.join();
        }
    }

    @Test
    void aCellIsNeverHandedToTwoHoldersAndFreedCellsAreReused() {
        CounterCells cells = new CounterCells(4);
        long[] first = cells.claim();
        long[] second = cells.claim();
        assertTrue(first != second, "a taken cell is not handed out again");
        cells.release(first);
        cells.release(second);
        for (int i = 0; i < 100; i++) {
            long[] again = cells.claim();
            again[COUNT]++;
            cells.release(again);
        }
        assertTrue(cells.cellCount() <= 2, cells.cellCount() + " cells after one thread's 100 claims");
        assertEquals(100, cells.sum()[COUNT]);
    }

    @Test
    void countsAddedWhileEveryCellIsHeldAreFoldedInExactly() throws InterruptedException {
        CounterCells cells = new CounterCells(4);
        Set<long[]> taken = Collections.newSetFromMap(new IdentityHashMap<>());
        for (int i = 0; i < cells.capacity(); i++) {
            assertTrue(taken.add(cells.claim()), "claim " + i + " is a cell no one holds");
        }
        assertEquals(cells.capacity(), cells.cellCount(), "every cell exists and is taken");
        addOnNewThreads(cells, 4, 500); // as threads stopped while holding a cell leave it
        assertEquals(cells.capacity(), cells.cellCount(), "the adds past the taken cells made no cell that stays");
        for (long[] cell : taken) {
            cells.release(cell);
        }
        assertEquals(2000, cells.sum()[COUNT]);
    }

    @Test
    void twoHundredShortLivedThreadsLeaveNoMoreCellsThanTheBound() throws InterruptedException {
        CounterCells cells = new CounterCells(4);
        for (int round = 0; round < 25; round++) {
            addOnNewThreads(cells, 8, 3);
        }
        assertEquals(600, cells.sum()[COUNT]);
        assertTrue(cells.cellCount() <= cells.capacity(), cells.cellCount() + " cells for 200 threads; at most "
                + cells.capacity());
        assertEquals(Striping.WAYS, cells.capacity(), "the bound follows the processors, not the threads");
    }
}
