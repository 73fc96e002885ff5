package io.warmpool.bench;

import io.warmpool.natives.Syscalls;

import java.nio.ByteBuffer;

/**
 * A contender that runs in this JVM: the cycle loop, timed with {@link System#nanoTime()}.
 *
 * <pre>
 *  choose the pages                                  not timed
 *  t0  acquire(): a buffer over the spread           the contender's way of getting memory
 *  t1  one 8-byte store at the start of each page    faults, where the page is not resident
 *  t2  release()                                     the contender's way of giving it back clean
 *  t3
 *  write = t2 - t1, reset = t3 - t2, cycle = t3 - t0
 * </pre>
 */
abstract class InProcessContender implements Contender {
    protected final Syscalls os = Syscalls.linux();
    protected final long pageSize = os.pageSize();

    /** Prepares for the workload (a pool, say). */
    protected abstract void setUp(Workload workload);

    /** Gets the tenant's memory; returns a view of its first {@code spreadBytes}. */
    protected abstract ByteBuffer acquire(Workload workload);

    /** Gives the memory back. */
    protected abstract void release();

    /** The bytes still resident after the run, and how that was found. */
    protected abstract Resident resident();

    /**
     * A phase after the cycles, for contenders that measure one: the proportional set size of idle
     * instances, in bytes; -1 (the default) when the contender does not measure it.
     */
    protected long idlePss(Workload workload, PageChooser chooser) {
        return -1;
    }

    /** Frees what {@link #setUp} made; runs even when the cycle failed. */
    protected abstract void tearDown();

    /** Bytes resident after a run, and how they were measured. */
    protected record Resident(long bytes, String how) {
    }

    @Override
    public final ContenderResult run(Workload workload, Measurement m, Progress progress) {
        Samples write = new Samples(m.iterations());
        Samples reset = new Samples(m.iterations());
        Samples cycle = new Samples(m.iterations());
        PageChooser chooser = new PageChooser(m.seed(), (int) (workload.spreadBytes() / pageSize));
        progress.started(name(), workload, m.iterations());
        setUp(workload);
        try {
            long warmupStarted = System.nanoTime();
            long cycles = 0;
            while (!m.warmedUp(cycles, System.nanoTime() - warmupStarted)) {
                cycle(workload, chooser, cycles++);
            }
            long measuredSince = System.nanoTime();
            int reported = 0;
            while (cycle.size() < m.iterations()) {
                cycle(workload, chooser, cycles++);
                write.add(t2 - t1);
                reset.add(t3 - t2);
                cycle.add(t3 - t0);
                if (cycle.size() - reported >= 64) {
                    progress.advanced(cycle.size() - reported);
                    reported = cycle.size();
                }
                if (m.timeIsUp(cycle.size(), t3 - measuredSince)) {
                    break;
                }
            }
            progress.advanced(cycle.size() - reported);
            Resident resident = resident();
            long pss = idlePss(workload, chooser);
            progress.finished(name(), cycle.size());
            return new ContenderResult(name(), cycle.size(), write.summary(), reset.summary(), cycle.summary(),
                    resident.bytes(), resident.how(), pss);
        } finally {
            tearDown();
        }
    }

    private long t0;
    private long t1;
    private long t2;
    private long t3;

    /** One cycle, timed into t0..t3; a method of its own so that the JIT compiles it whole, not on stack. */
    private void cycle(Workload workload, PageChooser chooser, long number) {
        int pages = chooser.next(workload.dirtyPages());
        long value = (number << 1) | 1;
        t0 = System.nanoTime();
        ByteBuffer memory = acquire(workload);
        t1 = System.nanoTime();
        for (int p = 0; p < pages; p++) {
            memory.putLong((int) (chooser.page(p) * pageSize), value);
        }
        t2 = System.nanoTime();
        release();
        t3 = System.nanoTime();
    }
}
