package io.warmpool.benchmarks;

import io.warmpool.natives.Mman;
import io.warmpool.natives.NativeMemory;
import io.warmpool.natives.Syscalls;
import io.warmpool.pagemap.PagemapScanner;
import io.warmpool.pagemap.RegionVisitor;
import io.warmpool.pagemap.ScanMode;
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
 * One dirty-page scan of a slot-sized mapping with a few or many resident pages spread over it,
 * by each scan mode: what a pagemap-guided reset pays before it zeroes anything.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ScanBenchmark {
    @Param({"256"})
    public int rangeMiB;

    @Param({"16", "512"})
    public int presentPages;

    @Param({"pagemap-scan", "pagemap-read"})
    public String mode;

    private final Syscalls os = Syscalls.linux();
    private long base;
    private long bytes;
    private PagemapScanner scanner;
    private long regions;
    private final RegionVisitor count = (start, end, categories) -> regions++;

    @Setup
    public void map() {
        long page = os.pageSize();
        bytes = (long) rangeMiB << 20;
        base = os.mmap(0, bytes, Mman.PROT_READ | Mman.PROT_WRITE,
                Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS | Mman.MAP_NORESERVE, -1, 0);
        os.madvise(base, bytes, Mman.MADV_NOHUGEPAGE);
        long stride = bytes / presentPages / page * page;
        for (int i = 0; i < presentPages; i++) {
            NativeMemory.putLong(base + i * stride, 1);
        }
        scanner = PagemapScanner.open(ScanMode.fromConfigName(mode), os).orElseThrow();
    }

    @Benchmark
    public long scan() {
        return scanner.scan(base, base + bytes, 0, count);
    }

    @TearDown
    public void unmap() {
        scanner.close();
        os.munmap(base, bytes);
    }
}
