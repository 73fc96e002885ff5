package io.warmpool.benchmarks;

import io.warmpool.natives.HotCalls;
import io.warmpool.natives.Mman;
import io.warmpool.natives.NativeMemory;
import io.warmpool.natives.Syscalls;
import io.warmpool.pagemap.PageCategory;
import io.warmpool.pagemap.PagemapScanner;
import io.warmpool.pagemap.RegionVisitor;
import io.warmpool.pagemap.ScanMode;
import io.warmpool.pagemap.ScanSelection;
import io.warmpool.pool.Instance;
import io.warmpool.pool.InstanceRequest;
import io.warmpool.pool.WarmPool;
import io.warmpool.pool.config.PoolConfig;
import io.warmpool.pool.config.ResetStrategy;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.BenchmarkParams;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * The pieces of the smallest pagemap-guided reset that {@code BENCHMARKS.md} times (m1: a 64 MiB
 * slot, 1 MiB kept resident, 16 dirty pages, here the first 16), each alone, so that what the
 * scanner and the native calls add to the kernel's work shows:
 *
 * <pre>
 *  ioctl     the PAGEMAP_SCAN system call alone, through Syscalls, on an argument built once
 *  madvise   MADV_DONTNEED of one page that is not resident: little but the call itself
 *  scan      PagemapScanner.scan of the same range and budget: the ioctl, the argument, the regions
 *  zero      NativeMemory.zero of the 16 pages (64 KiB), one memset
 *  nanoTime  one System.nanoTime(), which the reset record's timings pay per reading
 *  cycle     the bench's whole cycle on a pool of one such slot: acquire (an affinity hit), one
 *            store in each of the 16 pages, release (the pagemap-guided reset)
 * </pre>
 *
 * The hot calls go through JNI ({@link HotCalls}); each piece with a {@code Jna} twin runs the same
 * code in a JVM whose JNI library is turned off ({@code -Dwarmpool.jni.library=none}), so one run
 * gives both bindings and their ratio. {@code scan - ioctl} is the scanner's own cost;
 * {@code cycle - scan - zero} the pool's (acquire and release, the reset's bookkeeping and timings);
 * {@code ioctl} against the C reference's scan (about 2.1 µs here) is what a call from Java costs
 * beyond C.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ResetPiecesBenchmark {
    private static final long SLOT = 64L << 20;
    private static final int DIRTY_PAGES = 16;
    private static final long BUDGET_PAGES = 256;
    private static final long PAGEMAP_SCAN = 0xC0606610L;
    private static final int VECTOR_REGIONS = PagemapScanner.VECTOR_REGIONS;

    private final Syscalls os = Syscalls.linux();
    private long page;
    private long base;
    private int pagemapFd = -1;
    private long arg;
    private PagemapScanner scanner;
    private long regions;
    private WarmPool pool;
    private InstanceRequest request;
    private long stored;
    private long notResident;
    private final RegionVisitor count = new RegionVisitor() {
        @Override
        public void region(long start, long end, long categories) {
            regions++;
        }
    };

    @Setup
    public void map(BenchmarkParams params) {
        String expected = params.getBenchmark().endsWith("Jna") ? "jna" : "jni";
        if (!HotCalls.binding().equals(expected)) {
            throw new IllegalStateException(params.getBenchmark() + " must run on " + expected + ", not "
                    + HotCalls.binding() + HotCalls.fallbackReason().map(r -> " (" + r + ")").orElse(""));
        }
        page = os.pageSize();
        base = os.mmap(0, SLOT, Mman.PROT_READ | Mman.PROT_WRITE,
                Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS | Mman.MAP_NORESERVE, -1, 0);
        os.madvise(base, SLOT, Mman.MADV_NOHUGEPAGE);
        for (int i = 0; i < DIRTY_PAGES; i++) {
            NativeMemory.putLong(base + i * page, 1);
        }
        scanner = PagemapScanner.open(ScanMode.PAGEMAP_SCAN, os).orElseThrow();
        pagemapFd = os.open("/proc/self/pagemap", 0, 0);
        arg = NativeMemory.allocate(96 + 24L * VECTOR_REGIONS);
        ScanSelection dirty = ScanSelection.DIRTY;
        long[] fields = {96, 0, base, base + SLOT, 0, arg + 96, VECTOR_REGIONS, BUDGET_PAGES,
                dirty.inverted(), dirty.mask(), dirty.anyof(), dirty.returnMask()};
        for (int i = 0; i < fields.length; i++) {
            NativeMemory.putLong(arg + 8L * i, fields[i]);
        }
        if (os.ioctl(pagemapFd, PAGEMAP_SCAN, arg) != 1
                || (NativeMemory.getLong(arg + 96 + 16) & PageCategory.PRESENT) == 0) {
            throw new IllegalStateException("the 16 dirty pages should be one present region");
        }
        notResident = base + SLOT - page;
        pool = WarmPool.create(PoolConfig.builder().memories(1).memoryMax(SLOT)
                .memoryKeepResident(BUDGET_PAGES * page).tables(0).stacks(0)
                .resetStrategy(ResetStrategy.PAGEMAP_GUIDED).build());
        request = InstanceRequest.memory("jmh", SLOT);
    }

    @Benchmark
    public int ioctl() {
        return os.ioctl(pagemapFd, PAGEMAP_SCAN, arg);
    }

    @Benchmark
    @Fork(jvmArgsAppend = "-D" + HotCalls.LIBRARY_PROPERTY + "=none")
    public int ioctlJna() {
        return ioctl();
    }

    @Benchmark
    public void madvise() {
        os.madvise(notResident, page, Mman.MADV_DONTNEED);
    }

    @Benchmark
    @Fork(jvmArgsAppend = "-D" + HotCalls.LIBRARY_PROPERTY + "=none")
    public void madviseJna() {
        madvise();
    }

    @Benchmark
    public long scan() {
        return scanner.scan(base, base + SLOT, BUDGET_PAGES, count);
    }

    @Benchmark
    @Fork(jvmArgsAppend = "-D" + HotCalls.LIBRARY_PROPERTY + "=none")
    public long scanJna() {
        return scan();
    }

    @Benchmark
    public void zero() {
        NativeMemory.zero(base, DIRTY_PAGES * page);
    }

    @Benchmark
    @Fork(jvmArgsAppend = "-D" + HotCalls.LIBRARY_PROPERTY + "=none")
    public void zeroJna() {
        zero();
    }

    @Benchmark
    @Fork(jvmArgsAppend = "-D" + HotCalls.LIBRARY_PROPERTY + "=none")
    public void cycleJna() {
        cycle();
    }

    @Benchmark
    public long nanoTime() {
        return System.nanoTime();
    }

    @Benchmark
    public void cycle() {
        Instance instance = pool.acquire(request);
        ByteBuffer memory = instance.memory(0).buffer(0, (int) (DIRTY_PAGES * page));
        stored++;
        for (int i = 0; i < DIRTY_PAGES; i++) {
            memory.putLong((int) (i * page), stored);
        }
        instance.close();
    }

    @TearDown
    public void unmap() {
        pool.close();
        scanner.close();
        os.close(pagemapFd);
        NativeMemory.free(arg);
        os.munmap(base, SLOT);
    }
}
