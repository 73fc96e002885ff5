package io.warmpool.pool.reset;

import io.warmpool.fork.PidCheckedFd;
import io.warmpool.natives.Syscalls;
import io.warmpool.pagemap.PagemapScanner;
import io.warmpool.pagemap.ScanMode;
import io.warmpool.pool.concurrent.Padding;
import io.warmpool.pool.concurrent.Striping;
import io.warmpool.pool.concurrent.ThreadIndex;
import io.warmpool.pool.config.SlotKind;
import io.warmpool.pool.event.Fallback;
import io.warmpool.pool.event.PoolListener;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The reset contexts of one pool, lent to each release for as long as it runs, and the one
 * {@code /proc/self/pagemap} descriptor that all their scanners share.
 *
 * <pre>
 *  idle[0 .. capacity)      each element an idle context or null; capacity = Striping.WAYS; each
 *                           element alone on its Padding.BYTES, so that threads that borrow from
 *                           different elements write no line in common
 *
 *  borrow():     the calling thread's own element i = ThreadIndex & (capacity - 1) (handed out in
 *                order, so a pool's threads have different elements):
 *                  non-null and getAndSet(i, null) returns it  ──► that context, this thread's alone now
 *                  empty, and fewer than capacity contexts exist ──► a new context: a scanner with
 *                    buffers of its own over the shared descriptor (so each busy thread soon has one)
 *                  empty, capacity contexts exist ──► the other elements in turn, then a new one
 *  giveBack(c):  from its borrower's element: compareAndSet(i, null, c) ──► idle again, for the next
 *                release; every element full (more releases ran at once than capacity) ──► c is closed
 *  pagemap       opened with the first scanner (under this object's monitor, the only lock here);
 *                closed by close(), after every idle context
 * </pre>
 *
 * <p>A context is in one place at a time: one element, or one borrower. Once as many contexts exist
 * as releases run at once, a release borrows and gives back with two atomic operations, no lock and
 * no allocation. A thread takes another thread's idle context only once capacity contexts exist:
 * two threads that took turns with one context (each giving it back to its own element, where the
 * other took it from) would write the same record and lists on every release. A thread holds a context only inside a release, so threads that come and go leave
 * nothing behind, and the process keeps one pagemap descriptor per pool however many threads release
 * (the ioctl and {@code pread} at an offset keep no state in the open file; the fork handlers
 * reopen at most 64 registered descriptors).
 *
 * <p>In a forked child ({@link #forChild}) the contexts a parent thread had borrowed at the fork are
 * in no element, so the child never hands them out; their buffers are left behind (a few KiB each:
 * freeing them would trust a thread that is gone). The idle ones and the inherited descriptor are
 * closed, and the child's first release opens a descriptor of its own.
 */
public final class ResetContexts implements AutoCloseable {
    private final ScanMode scanMode;
    private final Syscalls os;
    private final PoolListener listener;
    private static final int STRIDE = Padding.REFERENCES;

    private final AtomicReferenceArray<ResetContext> idle;
    private final int mask;
    /** Contexts made and not closed (lent or idle): changes only when one is made or closed. */
    private final AtomicInteger alive = new AtomicInteger();
    private volatile PidCheckedFd pagemap;
    private volatile boolean closed;

    /**
     * @param scanMode the mode of the contexts' scanners
     * @param listener told when a context gets no scanner
     */
    public ResetContexts(ScanMode scanMode, Syscalls os, PoolListener listener) {
        this.scanMode = scanMode;
        this.os = os;
        this.listener = listener;
        this.idle = new AtomicReferenceArray<>(Padding.length(Striping.WAYS, STRIDE));
        this.mask = Striping.WAYS - 1;
    }

    /** How many idle contexts are kept at most. */
    public int capacity() {
        return mask + 1;
    }

    /** Where element {@code i} of the idle contexts lies in {@link #idle}: padded on both sides. */
    private static int at(int i) {
        return Padding.index(i, STRIDE);
    }

    /** A context for the calling thread alone, until it gives it back. */
    public ResetContext borrow() {
        int thread = ThreadIndex.current();
        int start = thread & mask;
        ResetContext context = takeIdle(start);
        if (context == null && alive.get() >= capacity()) {
            for (int i = 1; i <= mask && context == null; i++) {
                context = takeIdle((start + i) & mask);
            }
        }
        if (context == null) {
            context = newContext();
            alive.incrementAndGet();
        }
        if (context.borrower != thread) { // mostly it is this thread's already: no write
            context.borrower = thread;
        }
        return context;
    }

    /**
     * As {@link #borrow}, for a release, which must reset its slots whatever happens: where a new
     * context's scanner cannot be opened (a forced scan mode and the pagemap descriptor refused, say),
     * a context without one, whose resets run as memset-keep-resident, told as a
     * {@link Fallback#NO_SCANNER} fallback with the refusal. Never throws what {@link #borrow} would.
     */
    public ResetContext borrowForRelease() {
        try {
            return borrow();
        } catch (RuntimeException e) {
            listener.fallback(SlotKind.MEMORY, Fallback.NO_SCANNER, "a release could not open a scanner ("
                    + e.getMessage() + "); its resets run as memset-keep-resident");
            ResetContext context = new ResetContext(null);
            alive.incrementAndGet();
            context.borrower = ThreadIndex.current();
            return context;
        }
    }

    /** The idle context of element {@code i}, taken; or null. */
    private ResetContext takeIdle(int i) {
        int at = at(i);
        return idle.get(at) == null ? null : idle.getAndSet(at, null);
    }

    /** Takes back a context from {@link #borrow}: kept idle for the next release, or closed when there is no room. */
    public void giveBack(ResetContext context) {
        if (!closed) {
            int start = context.borrower & mask;
            for (int i = 0; i <= mask; i++) {
                if (idle.compareAndSet(at((start + i) & mask), null, context)) {
                    if (closed) {
                        drain(); // close() ran meanwhile and may have missed it
                    }
                    return;
                }
            }
        }
        closeContext(context);
    }

    private void closeContext(ResetContext context) {
        alive.decrementAndGet();
        context.close();
    }

    private ResetContext newContext() {
        PagemapScanner scanner = null;
        try {
            scanner = scanMode == ScanMode.NONE ? null : PagemapScanner.open(scanMode, os, pagemap()).orElse(null);
        } catch (RuntimeException e) {
            if (scanMode != ScanMode.AUTO) {
                throw e;
            }
            listener.fallback(SlotKind.MEMORY, Fallback.NO_SCANNER, "cannot open a scanner: " + e.getMessage());
        }
        if (scanner == null && scanMode != ScanMode.NONE) {
            listener.fallback(SlotKind.MEMORY, Fallback.NO_SCANNER, "scan mode " + scanMode
                    + " found no scanner: resets that would scan (pagemap-guided, auto) run as memset-keep-resident");
        }
        return new ResetContext(scanner);
    }

    /**
     * The pagemap descriptor the pool's scanners share, opened on first use; this object closes it.
     *
     * @throws IllegalStateException when closed
     */
    public PidCheckedFd pagemap() {
        PidCheckedFd fd = pagemap;
        if (fd != null) {
            return fd;
        }
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("the pool's reset contexts are closed");
            }
            if (pagemap == null) {
                pagemap = PagemapScanner.openPagemap(os);
            }
            return pagemap;
        }
    }

    /**
     * For a forked child, where only the calling thread exists and a parent thread may hold this
     * object's monitor: closes the idle contexts and the inherited descriptor without the monitor, and
     * returns an empty set of contexts like this one. Use this one no more.
     */
    public ResetContexts forChild() {
        closed = true;
        drain();
        PidCheckedFd inherited = pagemap;
        pagemap = null;
        if (inherited != null) {
            inherited.close();
        }
        return new ResetContexts(scanMode, os, listener);
    }

    /**
     * Closes the idle contexts and then the shared descriptor. The caller makes sure that no release
     * is running: a context given back later is closed, not kept.
     */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        drain();
        synchronized (this) {
            if (pagemap != null) {
                pagemap.close();
                pagemap = null;
            }
        }
    }

    private void drain() {
        for (int i = 0; i <= mask; i++) {
            ResetContext context = idle.getAndSet(at(i), null);
            if (context != null) {
                closeContext(context);
            }
        }
    }
}
