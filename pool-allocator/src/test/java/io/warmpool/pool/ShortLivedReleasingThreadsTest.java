package io.warmpool.pool;

import io.warmpool.natives.NativeMemory;
import io.warmpool.pagemap.ScanMode;
import io.warmpool.pool.config.PoolConfig;
import io.warmpool.pool.config.ResetStrategy;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicReference;

import static io.warmpool.pool.TestPools.PAGE;
import static io.warmpool.pool.TestPools.assertReadsZero;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A host whose releases run on ever new threads (thread pools that retire their threads, one thread
 * per request): the pool's resets keep scanning pagemap on every one of them, and the process does
 * not collect a pagemap descriptor per thread (the fork handlers register at most 64; a thread
 * beyond them would have had no scanner at all).
 */
class ShortLivedReleasingThreadsTest {
    private static final int THREADS = 200;
    private static final int AT_ONCE = 8;
    private static final long MAX = 16 * PAGE;

    @Test
    void releasesFromTwoHundredShortLivedThreadsAllScanThroughAFewDescriptors() throws Exception {
        TestPools.Recorder recorder = new TestPools.Recorder();
        PoolConfig config = TestPools.memories(AT_ONCE, MAX, 4 * PAGE).resetStrategy(ResetStrategy.PAGEMAP_GUIDED)
                .scanMode(ScanMode.AUTO).build();
        int before = openPagemapDescriptors();
        int most = 0;
        try (WarmPool pool = WarmPool.create(config, recorder)) {
            AtomicReference<Throwable> failure = new AtomicReference<>();
            for (int round = 0; round < THREADS / AT_ONCE; round++) {
                CyclicBarrier together = new CyclicBarrier(AT_ONCE); // releases overlap: contexts are in use at once
                List<Thread> threads = new ArrayList<>();
                for (int t = 0; t < AT_ONCE; t++) {
                    Thread thread = new Thread(() -> {
                        try (Instance instance = pool.acquire(InstanceRequest.memory(Thread.currentThread().getName(), MAX))) {
                            assertReadsZero(instance.memory(0), Thread.currentThread().getName());
                            NativeMemory.fill(instance.memory(0).address() + 2 * PAGE, 3 * PAGE, (byte) 0x3c);
                            together.await();
                        } catch (Throwable e) {
                            failure.compareAndSet(null, e);
                        }
                    }, "short-lived-" + round + "-" + t);
                    threads.add(thread);
                    thread.start();
                }
                for (Thread thread : threads) {
                    thread.join();
                }
                most = Math.max(most, openPagemapDescriptors() - before);
            }
            assertNull(failure.get(), () -> "a thread failed: " + failure.get());
            assertEquals(0, recorder.count(recorder.fallbacks, "memory:no_scanner"),
                    () -> "the first fallback: " + recorder.fallbacks.get(0));
            assertEquals(THREADS, recorder.resets.size());
            assertEquals(THREADS, recorder.count(recorder.resets, "memory:pagemap-guided"), "every reset scanned");
        }
        System.out.println(THREADS + " releasing threads: at most " + most + " pagemap descriptor(s) open at once");
        assertTrue(most <= 2, most + " pagemap descriptors open at once for " + THREADS + " threads");
        assertEquals(before, openPagemapDescriptors(), "the pool closed its pagemap descriptors");
    }

    /** The descriptors of this process open on some process's {@code pagemap}. */
    static int openPagemapDescriptors() throws IOException {
        int count = 0;
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path fd : fds) {
                try {
                    if (Files.readSymbolicLink(fd).toString().endsWith("/pagemap")) {
                        count++;
                    }
                } catch (IOException closedMeanwhile) {
                    // the directory stream's own descriptor, or one closed while we looked
                }
            }
        }
        return count;
    }
}
