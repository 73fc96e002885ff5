package io.warmpool.pool.reset;

import io.warmpool.natives.Syscalls;
import io.warmpool.pool.config.ResetStrategy;
import io.warmpool.pool.config.SlotKind;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The plan of every reset strategy, on exact region lists and without the kernel: the dirty pages
 * come from {@link FakeDirtyPages}, the zeroing is recorded, and the decommits are the list the
 * resetter hands its caller. Addresses are counted in pages from a made-up slot base; the real
 * kernel's part (that a plan leaves every byte clean) is the invariant tests'.
 */
class SlotResetterPlanTest {
    private static final long PAGE = 4096;
    private static final long BASE = 1L << 32;
    private static final long SLOT_PAGES = 64;

    private final List<String> zeroed = new ArrayList<>();
    private final Zeroing recording = (address, bytes) -> zeroed.add(range(address, address + bytes));

    private static long page(long n) {
        return BASE + n * PAGE;
    }

    /** {@code [a, b)} in pages from the base. */
    private static String range(long start, long end) {
        return "[" + (start - BASE) / PAGE + ", " + (end - BASE) / PAGE + ")";
    }

    private static List<String> ranges(RangeList list) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            out.add(range(list.start(i), list.end(i)));
        }
        return out;
    }

    /** Resets a slot of {@code kind} whose tenant reached pages {@code [0, accessiblePages)}. */
    private ResetContext reset(SlotKind kind, DirtyPageScan scan, long accessiblePages, long keepPages,
                               ResetStrategy strategy) {
        ResetContext ctx = new ResetContext(scan, recording);
        new SlotResetter(kind, PAGE, 1, null, Syscalls.linux()).reset(ctx, 0, BASE, BASE, page(accessiblePages), keepPages * PAGE, strategy);
        return ctx;
    }

    @Test
    void madviseAllGivesBackEverythingAndZeroesNothing() {
        ResetContext ctx = reset(SlotKind.MEMORY, new FakeDirtyPages(PAGE).present(page(0), page(4)), SLOT_PAGES, 8,
                ResetStrategy.MADVISE_ALL);
        assertEquals(List.of(), zeroed);
        assertEquals(List.of("[0, 64)"), ranges(ctx.decommits));
        assertEquals(ResetStrategy.MADVISE_ALL, ctx.record.strategy());
        assertEquals(-1, ctx.record.dirtyPages(), "it did not scan");
        assertEquals(8, ctx.record.budgetPages());
        assertFalse(ctx.record.stoppedAtBudget());
    }

    @Test
    void memsetKeepResidentZeroesTheLowWindowAndGivesBackTheRest() {
        ResetContext ctx = reset(SlotKind.MEMORY, new FakeDirtyPages(PAGE), SLOT_PAGES, 8,
                ResetStrategy.MEMSET_KEEP_RESIDENT);
        assertEquals(List.of("[0, 8)"), zeroed);
        assertEquals(List.of("[8, 64)"), ranges(ctx.decommits));
        assertEquals(8 * PAGE, ctx.record.zeroedBytes());
        assertEquals(56 * PAGE, ctx.record.decommittedBytes());
    }

    @Test
    void aStackKeepsItsTopWindow() {
        ResetContext ctx = reset(SlotKind.STACK, new FakeDirtyPages(PAGE), 16, 4, ResetStrategy.MEMSET_KEEP_RESIDENT);
        assertEquals(List.of("[12, 16)"), zeroed);
        assertEquals(List.of("[0, 12)"), ranges(ctx.decommits));
    }

    @Test
    void pagemapGuidedZeroesPresentRegionsAndGivesBackSwappedOnesAndTheUnscannedRest() {
        FakeDirtyPages dirty = new FakeDirtyPages(PAGE).present(page(1), page(3)).swapped(page(5), page(6))
                .present(page(20), page(22));
        ResetContext ctx = reset(SlotKind.MEMORY, dirty, SLOT_PAGES, 8, ResetStrategy.PAGEMAP_GUIDED);
        assertEquals(List.of("[" + BASE + ", " + page(SLOT_PAGES) + ") max 8"), dirty.scans, "one scan, budget 8 pages");
        assertEquals(List.of("[1, 3)", "[20, 22)"), zeroed);
        assertEquals(List.of("[5, 6)"), ranges(ctx.decommits), "the swapped page; the scan covered everything");
        assertEquals(5, ctx.record.dirtyPages());
        assertEquals(3, ctx.record.dirtyRegionCount());
        assertEquals(20 * PAGE, ctx.record.dirtyRegionOffset(2));
        assertFalse(ctx.record.stoppedAtBudget());
    }

    @Test
    void pagemapGuidedStopsAtTheBudgetAndGivesBackEverythingPastIt() {
        FakeDirtyPages dirty = new FakeDirtyPages(PAGE).present(page(0), page(6)).present(page(10), page(14));
        ResetContext ctx = reset(SlotKind.MEMORY, dirty, SLOT_PAGES, 8, ResetStrategy.PAGEMAP_GUIDED);
        assertEquals(List.of("[0, 6)", "[10, 12)"), zeroed, "eight pages: the budget");
        assertEquals(List.of("[12, 64)"), ranges(ctx.decommits), "past the budget, scanned or not");
        assertEquals(8, ctx.record.dirtyPages());
        assertTrue(ctx.record.stoppedAtBudget());
    }

    @Test
    void aStackScansEverythingAndKeepsTheBudgetFromTheTopDown() {
        FakeDirtyPages dirty = new FakeDirtyPages(PAGE).swapped(page(10), page(11)).present(page(50), page(64));
        ResetContext ctx = reset(SlotKind.STACK, dirty, SLOT_PAGES, 8, ResetStrategy.PAGEMAP_GUIDED);
        assertEquals(List.of("[" + BASE + ", " + page(SLOT_PAGES) + ") max 0"), dirty.scans, "no page limit");
        assertEquals(List.of("[56, 64)"), zeroed);
        assertEquals(List.of("[50, 56)", "[10, 11)"), ranges(ctx.decommits));
        assertEquals(15, ctx.record.dirtyPages());
    }

    @Test
    void withNothingToKeepEveryStrategyGivesBackEverything() {
        for (ResetStrategy strategy : ResetStrategy.values()) {
            zeroed.clear();
            ResetContext ctx = reset(SlotKind.MEMORY, new FakeDirtyPages(PAGE).present(page(0), page(2)), SLOT_PAGES, 0,
                    strategy);
            assertEquals(List.of(), zeroed, strategy.toString());
            assertEquals(List.of("[0, 64)"), ranges(ctx.decommits), strategy.toString());
            assertEquals(ResetStrategy.MADVISE_ALL, ctx.record.strategy(), "the record says what ran");
        }
    }

    @Test
    void withoutAScannerPagemapGuidedAndAutoRunAsMemset() {
        for (ResetStrategy strategy : List.of(ResetStrategy.PAGEMAP_GUIDED, ResetStrategy.AUTO)) {
            zeroed.clear();
            ResetContext ctx = reset(SlotKind.MEMORY, null, SLOT_PAGES, 8, strategy);
            assertEquals(ResetStrategy.MEMSET_KEEP_RESIDENT, ctx.record.strategy(), strategy.toString());
            assertEquals(List.of("[0, 8)"), zeroed, strategy.toString());
        }
    }

    @Test
    void theBudgetIsTheKeepResidentBytesOrTheAccessibleBytesIfFewer() {
        ResetContext ctx = reset(SlotKind.MEMORY, new FakeDirtyPages(PAGE).present(page(0), page(3)), 4, 8,
                ResetStrategy.PAGEMAP_GUIDED);
        assertEquals(4, ctx.record.budgetPages());
        assertEquals(8 * PAGE, ctx.record.keepResidentBytes(), "the setting itself, as the pool had it");
        assertEquals(List.of("[0, 3)"), zeroed);
        assertEquals(List.of(), ranges(ctx.decommits));
    }

    @Test
    void autoScansFirstAndTakesTheMemsetPathOnceTheWindowIsMostlyDirty() {
        FakeDirtyPages dirty = new FakeDirtyPages(PAGE).present(page(0), page(7));
        SlotResetter resetter = new SlotResetter(SlotKind.MEMORY, PAGE, 1, null, Syscalls.linux());
        ResetContext ctx = new ResetContext(dirty, recording);
        resetter.reset(ctx, 0, BASE, BASE, page(SLOT_PAGES), 8 * PAGE, ResetStrategy.AUTO);
        assertEquals(ResetStrategy.PAGEMAP_GUIDED, ctx.record.strategy(), "a slot's first reset scans");
        resetter.reset(ctx, 0, BASE, BASE, page(SLOT_PAGES), 8 * PAGE, ResetStrategy.AUTO);
        assertEquals(ResetStrategy.MEMSET_KEEP_RESIDENT, ctx.record.strategy(), "7 of 8 pages dirty: zero the window");
        resetter.forget(0);
        resetter.reset(ctx, 0, BASE, BASE, page(SLOT_PAGES), 8 * PAGE, ResetStrategy.AUTO);
        assertEquals(ResetStrategy.PAGEMAP_GUIDED, ctx.record.strategy(), "a new tenant starts over at scanning");
    }
}
