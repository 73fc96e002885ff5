package io.warmpool.benchmarks;

import io.warmpool.natives.Mman;
import io.warmpool.natives.NativeMemory;
import io.warmpool.natives.Syscalls;
import io.warmpool.pagemap.PagemapScanner;
import io.warmpool.pagemap.RegionVisitor;
import io.warmpool.pagemap.ScanMode;
import io.warmpool.pagemap.ScanSelection;
import io.warmpool.pagemap.WrittenPageTracker;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.concurrent.TimeUnit;

/**
 * Written-page tracking (issue 17) in pieces, on 64 MiB slot-sized mappings:
 *
 * <pre>
 *  scanRegistered     a WRITTEN scan of 64 MiB registered and protected, nothing written
 *  scanUnregistered   a DIRTY scan of 64 MiB unregistered, its first 16 pages present (m1's slot)
 *  cycle              a keep-resident window of windowMiB, all of it resident (what earlier tenants
 *                     leave), registered: the tenant writes dirtyPages pages spread over it (a
 *                     write-protect fault each); the reset scans the window with `selection`, zeroes
 *                     each region, and protects it again `reprotect`:
 *                       per-region      UFFDIO_WRITEPROTECT of each region
 *                       window          one UFFDIO_WRITEPROTECT of the whole window
 *                       reprotect-scan  one PAGEMAP_SCAN with WP_MATCHING and no output over the window
 *  memsetWindow       today's cheapest reset of such a window: zero all of it (memset-keep-resident)
 * </pre>
 *
 * {@code cycle} against {@code memsetWindow} says whether tracking pays on a window (the rest of a
 * slot, unregistered, costs both the same scan); the reprotect variants say which way of protecting
 * again is cheapest; the selections what the exact scan costs over the kernel's fast one.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class WriteTrackingBenchmark {
    private static final long SLOT = 64L << 20;
    private static final Syscalls OS = Syscalls.linux();
    private static final long PAGE = OS.pageSize();

    private long registered;
    private long unregistered;
    private WrittenPageTracker tracker;
    private PagemapScanner scanner;
    private final RegionVisitor ignore = (start, end, categories) -> { };

    private static long map() {
        long base = OS.mmap(0, SLOT, Mman.PROT_READ | Mman.PROT_WRITE,
                Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS | Mman.MAP_NORESERVE, -1, 0);
        OS.madvise(base, SLOT, Mman.MADV_NOHUGEPAGE);
        return base;
    }

    @Setup
    public void mapSlots() {
        registered = map();
        unregistered = map();
        for (int i = 0; i < 16; i++) {
            NativeMemory.putLong(unregistered + i * PAGE, 1);
        }
        tracker = WrittenPageTracker.open(OS);
        tracker.register(registered, SLOT);
        scanner = PagemapScanner.open(ScanMode.PAGEMAP_SCAN, OS).orElseThrow();
    }

    @TearDown
    public void unmapSlots() {
        scanner.close();
        tracker.close();
        OS.munmap(registered, SLOT);
        OS.munmap(unregistered, SLOT);
    }

    @Benchmark
    public long scanRegistered() {
        return tracker.scanWritten(scanner, registered, registered + SLOT, 0, ignore);
    }

    @Benchmark
    public long scanUnregistered() {
        return scanner.scan(unregistered, unregistered + SLOT, 0, ignore);
    }

    /** A resident keep-resident window at the start of a slot, and the pages a tenant writes in it. */
    @State(Scope.Thread)
    public static class Window {
        /** Window size and pages written in it per cycle: "4:1" (m6's shape) or "16:64" (m3's). */
        @Param({"4:1", "16:64"})
        public String windowMiBAndDirtyPages;

        long base;
        long window;
        long[] written;

        @Setup
        public void mapWindow() {
            String[] shape = windowMiBAndDirtyPages.split(":");
            window = Long.parseLong(shape[0]) << 20;
            int dirtyPages = Integer.parseInt(shape[1]);
            long stride = window / dirtyPages / PAGE * PAGE;
            written = new long[dirtyPages];
            for (int i = 0; i < dirtyPages; i++) {
                written[i] = i * stride + stride / 2 / PAGE * PAGE;
            }
            base = map();
            NativeMemory.fill(base, window, (byte) 1);
        }

        @TearDown
        public void unmapWindow() {
            OS.munmap(base, SLOT);
        }
    }

    /**
     * A window like {@link Window}'s, registered with a tracker, and how its reset scans and protects
     * again. (Not a subclass of Window: JMH would run this setup before the window's.)
     */
    @State(Scope.Thread)
    public static class Tracked {
        @Param({"4:1", "16:64"})
        public String windowMiBAndDirtyPages;

        @Param({"per-region", "window", "reprotect-scan"})
        public String reprotect;

        @Param({"written", "written-dirty"})
        public String selection;

        final Window w = new Window();
        WrittenPageTracker tracker;
        PagemapScanner scanner;
        ScanSelection scanSelection;
        int how;
        long stored;
        final long[] regions = new long[2 * PagemapScanner.VECTOR_REGIONS];
        int regionCount;
        final RegionVisitor collect = (start, end, categories) -> {
            regions[2 * regionCount] = start;
            regions[2 * regionCount + 1] = end;
            regionCount++;
        };

        @Setup
        public void track() {
            w.windowMiBAndDirtyPages = windowMiBAndDirtyPages;
            w.mapWindow();
            tracker = WrittenPageTracker.open(OS);
            tracker.register(w.base, w.window);
            scanner = PagemapScanner.open(ScanMode.PAGEMAP_SCAN, OS).orElseThrow();
            scanSelection = "written".equals(selection) ? ScanSelection.WRITTEN : ScanSelection.WRITTEN_DIRTY;
            how = switch (reprotect) {
                case "per-region" -> 0;
                case "window" -> 1;
                case "reprotect-scan" -> 2;
                default -> throw new IllegalArgumentException("reprotect " + reprotect);
            };
        }

        @TearDown
        public void untrack() {
            scanner.close();
            tracker.close();
            w.unmapWindow();
        }
    }

    @Benchmark
    public int cycle(Tracked t) {
        Window w = t.w;
        t.stored++;
        for (long offset : w.written) {
            NativeMemory.putLong(w.base + offset, t.stored); // the tenant: a write-protect fault each
        }
        t.regionCount = 0;
        t.tracker.scan(t.scanner, w.base, w.base + w.window, t.scanSelection, 0, t.collect);
        for (int i = 0; i < t.regionCount; i++) {
            NativeMemory.zero(t.regions[2 * i], t.regions[2 * i + 1] - t.regions[2 * i]);
        }
        switch (t.how) {
            case 0 -> {
                for (int i = 0; i < t.regionCount; i++) {
                    t.tracker.protect(t.regions[2 * i], t.regions[2 * i + 1] - t.regions[2 * i]);
                }
            }
            case 1 -> t.tracker.protect(w.base, w.window);
            default -> t.tracker.reprotect(t.scanner, w.base, w.base + w.window);
        }
        if (t.regionCount != w.written.length) {
            throw new IllegalStateException(w.written.length + " pages written, " + t.regionCount + " regions found");
        }
        return t.regionCount;
    }

    @Benchmark
    public void memsetWindow(Window w) {
        NativeMemory.zero(w.base, w.window);
    }
}
