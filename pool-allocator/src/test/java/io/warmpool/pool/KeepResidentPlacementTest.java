package io.warmpool.pool;

import io.warmpool.natives.NativeMemory;
import io.warmpool.pagemap.PagemapScanner;
import io.warmpool.pagemap.ScanMode;
import io.warmpool.pagemap.ScanSelection;
import io.warmpool.pool.config.PoolConfig;
import io.warmpool.pool.config.ResetStrategy;
import io.warmpool.pool.config.SlotKind;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.BitSet;
import java.util.stream.Stream;

import static io.warmpool.pool.TestPools.PAGE;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Which pages a reset keeps resident (zeroed) within the keep-resident budget: a memory keeps its
 * lowest dirty pages (pagemap-guided) or its first bytes (memset-keep-resident); a stack, which
 * grows down, keeps its top-most dirty pages or its top bytes. Everything else is given back.
 * Checked page by page with the scanner after the release.
 */
class KeepResidentPlacementTest {
    private static final int PAGES = 8;
    private static final long KEEP = 2 * PAGE;

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of(SlotKind.MEMORY, ResetStrategy.PAGEMAP_GUIDED, pages(1, 3, 6, 7), pages(1, 3)),
                Arguments.of(SlotKind.MEMORY, ResetStrategy.MEMSET_KEEP_RESIDENT, pages(1, 3, 6, 7), pages(0, 1)),
                Arguments.of(SlotKind.STACK, ResetStrategy.PAGEMAP_GUIDED, pages(0, 1, 5, 6, 7), pages(6, 7)),
                Arguments.of(SlotKind.STACK, ResetStrategy.PAGEMAP_GUIDED, pages(0, 2, 4), pages(2, 4)),
                Arguments.of(SlotKind.STACK, ResetStrategy.MEMSET_KEEP_RESIDENT, pages(0, 1, 5), pages(6, 7)),
                Arguments.of(SlotKind.STACK, ResetStrategy.MADVISE_ALL, pages(0, 7), pages()));
    }

    private static BitSet pages(int... pages) {
        BitSet set = new BitSet();
        for (int page : pages) {
            set.set(page);
        }
        return set;
    }

    @ParameterizedTest(name = "{0}, {1}: written {2}, kept {3}")
    @MethodSource("cases")
    void theResetKeepsTheHotEndsDirtyPagesAndGivesBackTheRest(SlotKind kind, ResetStrategy strategy, BitSet written,
                                                              BitSet kept) {
        PoolConfig config = TestPools.memories(1, PAGES * PAGE, KEEP).stacks(1).stackSize(PAGES * PAGE)
                .stackKeepResident(KEEP).resetStrategy(strategy).build();
        try (WarmPool pool = WarmPool.create(config);
             PagemapScanner scanner = PagemapScanner.open(ScanMode.AUTO).orElseThrow()) {
            Instance instance = pool.acquire(InstanceRequest.builder().memory(PAGES * PAGE).stack(kind == SlotKind.STACK).build());
            PoolSlot slot = kind == SlotKind.STACK ? instance.stack().orElseThrow() : instance.memory(0);
            long base = slot.address();
            assertEquals(PAGES * PAGE, slot.accessibleBytes());
            written.stream().forEach(page -> NativeMemory.putLong(base + page * PAGE + 64, 0x5eed));
            assertEquals(written, residentPages(scanner, base));
            instance.close();
            assertEquals(kept, residentPages(scanner, base), "resident after the reset");
            try (Instance next = pool.acquire(InstanceRequest.builder().memory(PAGES * PAGE).stack(true).build())) {
                TestPools.assertReadsZero(kind == SlotKind.STACK ? next.stack().orElseThrow() : next.memory(0), "next");
            }
        }
    }

    private static BitSet residentPages(PagemapScanner scanner, long base) {
        BitSet resident = new BitSet();
        for (int page = 0; page < PAGES; page++) {
            long start = base + page * PAGE;
            if (scanner.countPages(start, start + PAGE, ScanSelection.RESIDENT) > 0) {
                resident.set(page);
            }
        }
        return resident;
    }
}
