package io.warmpool.pagemap;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.warmpool.natives.Errno;
import io.warmpool.natives.Mman;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

import static io.warmpool.pagemap.TestMapping.OS;
import static io.warmpool.pagemap.TestMapping.PAGE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Both scan modes on fuzzer-chosen ranges within, around and far from a mapping whose written pages
 * the input chooses: the ioctl ({@code PAGEMAP_SCAN}) and the fallback ({@code pread} of
 * {@code /proc/self/pagemap}) report the same regions and stop at the same address, both agree with
 * the pages written, and where one refuses the other refuses the same way: an
 * {@link IllegalArgumentException} for a bad range or budget, a {@link PageScanException} whose
 * message names the call, the range's addresses and the errno. Nothing else escapes.
 *
 * <pre>
 *  one reservation for the class:   | 8 guard pages | 64 read-write pages | 8 guard pages |
 *                                     PROT_NONE        each input writes     PROT_NONE
 *                                                      the pages its bits say
 *  a range is near (from the first guard page to the last, sometimes unaligned or reversed)
 *          or far (address 0, the top of user space, past it, the kernel's half; up to 16 pages)
 *  budget 0 (none) or 1 .. 70 pages;  selection DIRTY or RESIDENT
 * </pre>
 *
 * Inputs: {@code src/test/resources/io/warmpool/pagemap/ScannerFuzzTestInputs/}; docs/FUZZING.md.
 */
class ScannerFuzzTest {
    private static final int GUARD = 8;
    private static final int PAGES = 64;
    private static final long[] FAR = {0, PAGE, 0x7fff_ffff_0000L, 0x7fff_ffff_f000L, 0x8000_0000_0000L,
            0xffff_8000_0000_0000L, -PAGE};

    private static long reservation;
    private static long base;
    private static PagemapScanner ioctl;
    private static PagemapScanner pread;

    @BeforeAll
    static void map() {
        long bytes = (PAGES + 2 * GUARD) * PAGE;
        reservation = OS.mmap(0, bytes, Mman.PROT_NONE, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS | Mman.MAP_NORESERVE, -1, 0);
        base = reservation + GUARD * PAGE;
        OS.mprotect(base, PAGES * PAGE, Mman.PROT_READ | Mman.PROT_WRITE);
        OS.madvise(reservation, bytes, Mman.MADV_NOHUGEPAGE);
        ioctl = PagemapScanner.open(ScanMode.PAGEMAP_SCAN).orElseThrow();
        pread = PagemapScanner.open(ScanMode.PAGEMAP_READ).orElseThrow();
    }

    @AfterAll
    static void unmap() {
        ioctl.close();
        pread.close();
        OS.munmap(reservation, (PAGES + 2 * GUARD) * PAGE);
    }

    /** What one scan did: its regions and where it stopped, or what it threw. */
    private record Outcome(List<Regions.Region> regions, long stop, RuntimeException failure) {
    }

    @FuzzTest
    void bothModesAgreeWithEachOtherAndWithThePagesWritten(FuzzedDataProvider data) {
        BitSet written = BitSet.valueOf(data.consumeBytes(PAGES / 8));
        OS.madvise(base, PAGES * PAGE, Mman.MADV_DONTNEED);
        written.stream().forEach(p -> io.warmpool.natives.NativeMemory.putByte(base + p * PAGE + 17, (byte) 0x5a));

        long start;
        long end;
        boolean near = data.consumeInt(0, 3) != 0;
        if (near) {
            int first = data.consumeInt(-GUARD, PAGES + GUARD);
            int last = data.consumeInt(first - 2, PAGES + GUARD); // past the guard lie other mappings
            start = base + first * PAGE + (data.consumeInt(0, 7) == 0 ? data.consumeInt(1, (int) PAGE - 1) : 0);
            end = base + last * PAGE - (data.consumeBoolean() ? data.consumeInt(0, (int) PAGE - 1) : 0);
        } else {
            start = data.pickValue(FAR);
            end = data.consumeInt(0, 7) == 0 ? -1 : start + data.consumeInt(0, 16) * PAGE - data.consumeInt(0, 1);
        }
        long budget = data.consumeBoolean() ? 0 : data.consumeLong(data.consumeInt(0, 15) == 0 ? -2 : 1, PAGES + 6);
        ScanSelection selection = data.consumeBoolean() ? ScanSelection.DIRTY : ScanSelection.RESIDENT;
        String context = "scan of [0x" + Long.toHexString(start) + ", 0x" + Long.toHexString(end) + ") budget " + budget
                + " " + selection + ", written pages " + written;

        Outcome byIoctl = scan(ioctl, start, end, selection, budget);
        Outcome byPread = scan(pread, start, end, selection, budget);
        if (byIoctl.failure() != null || byPread.failure() != null) {
            assertTrue(byIoctl.failure() != null && byPread.failure() != null, context + ": one mode failed, the other not: "
                    + byIoctl + " / " + byPread);
            checkFailure(byIoctl.failure(), start, context);
            checkFailure(byPread.failure(), start, context);
            assertEquals(byIoctl.failure().getClass(), byPread.failure().getClass(), context);
            if (byIoctl.failure() instanceof PageScanException a && byPread.failure() instanceof PageScanException b) {
                assertEquals(a.errno(), b.errno(), context);
            }
            return;
        }
        assertEquals(byIoctl.regions(), byPread.regions(), context);
        assertEquals(byIoctl.stop(), byPread.stop(), context);
        long alignedEnd = (end + PAGE - 1) & -PAGE;
        if (near) {
            assertEquals(expected(written, start, alignedEnd, budget), byIoctl.regions(), context);
        }
        long pages = byIoctl.regions().stream().mapToLong(r -> (r.end() - r.start()) / PAGE).sum();
        if (budget != 0 && pages == budget) {
            assertEquals(byIoctl.regions().get(byIoctl.regions().size() - 1).end(), byIoctl.stop(), context);
        } else {
            assertEquals(alignedEnd, byIoctl.stop(), context + ": a finished scan returns its end, rounded up to a page");
        }
    }

    private static Outcome scan(PagemapScanner scanner, long start, long end, ScanSelection selection, long budget) {
        Regions regions = new Regions();
        try {
            long stop = scanner.scan(start, end, selection, budget, regions);
            return new Outcome(regions.merged(), stop, null);
        } catch (IllegalArgumentException | PageScanException e) {
            return new Outcome(regions.merged(), 0, e);
        }
    }

    /** A refusal says what is wrong; a native failure names the call, the range's start and the errno. */
    private static void checkFailure(RuntimeException e, long start, String context) {
        String message = e.getMessage();
        assertTrue(message != null && !message.isBlank(), context);
        if (e instanceof PageScanException scan) {
            String errno = Errno.nameOf(scan.errno());
            assertTrue(message.contains(errno), context + ": no errno " + errno + " in: " + message);
            assertTrue(message.contains("0x" + Long.toHexString(start)), context + ": no address in: " + message);
            assertTrue(message.contains("ioctl") || message.contains("pread"), context + ": no call in: " + message);
        } else if (!(e instanceof IllegalArgumentException)) {
            fail(context + ": " + e);
        }
    }

    /** The written pages of [start, alignedEnd) inside the read-write pages, as regions, cut at the budget. */
    private static List<Regions.Region> expected(BitSet written, long start, long alignedEnd, long budget) {
        List<Regions.Region> out = new ArrayList<>();
        long left = budget == 0 ? Long.MAX_VALUE : budget;
        for (int p = 0; p < PAGES && left > 0; p++) {
            long at = base + p * PAGE;
            if (!written.get(p) || at < start || at >= alignedEnd) {
                continue;
            }
            left--;
            Regions.Region last = out.isEmpty() ? null : out.get(out.size() - 1);
            if (last != null && last.end() == at) {
                out.set(out.size() - 1, new Regions.Region(last.start(), at + PAGE, last.categories()));
            } else {
                out.add(new Regions.Region(at, at + PAGE, PageCategory.PRESENT));
            }
        }
        return out;
    }
}
