package io.warmpool.pool.reset;

import io.warmpool.fork.PidCheckedFd;
import io.warmpool.natives.Call;
import io.warmpool.natives.Errno;
import io.warmpool.natives.Syscalls;
import io.warmpool.natives.testing.FaultInjectingSyscalls;
import io.warmpool.pagemap.ScanMode;
import io.warmpool.pool.config.SlotKind;
import io.warmpool.pool.event.Fallback;
import io.warmpool.pool.event.PoolListener;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

import static io.warmpool.pool.TestPools.PAGE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ResetContexts}: contexts lent for one release at a time, reused rather than made anew,
 * kept up to a bound, all over one pagemap descriptor; and what a forked child gets of them (the
 * fork itself is exercised in the integration tests' *ForkTest classes).
 */
class ResetContextsTest {
    private static final Syscalls OS = Syscalls.linux();

    private static ResetContexts contexts() {
        return new ResetContexts(ScanMode.PAGEMAP_SCAN, OS, PoolListener.NONE);
    }

    /** Whether the context's scanner still scans (a closed one throws). */
    private static boolean scans(ResetContext context) {
        try {
            context.scanner.scan(0, PAGE, 0, (start, end, categories) -> { });
            return true;
        } catch (IllegalStateException closed) {
            return false;
        }
    }

    @Test
    void aContextGivenBackIsLentAgainRatherThanANewOne() {
        try (ResetContexts contexts = contexts()) {
            ResetContext first = contexts.borrow();
            contexts.giveBack(first);
            for (int release = 0; release < 100; release++) {
                ResetContext context = contexts.borrow();
                assertSame(first, context, "release " + release);
                contexts.giveBack(context);
            }
        }
    }

    @Test
    void contextsLentAtOnceAreDistinctShareOneDescriptorAndOnlyCapacityAreKept() {
        try (ResetContexts contexts = contexts()) {
            int lent = contexts.capacity() + 3;
            List<ResetContext> out = new ArrayList<>();
            Set<ResetContext> distinct = Collections.newSetFromMap(new IdentityHashMap<>());
            for (int i = 0; i < lent; i++) {
                ResetContext context = contexts.borrow();
                out.add(context);
                distinct.add(context);
            }
            assertEquals(lent, distinct.size(), "no context is lent twice");
            PidCheckedFd shared = contexts.pagemap();
            out.forEach(contexts::giveBack);
            long closed = out.stream().filter(context -> !scans(context)).count();
            assertEquals(3, closed, "the contexts beyond the capacity are closed when given back");
            assertTrue(shared.fd() >= 0, "closing a context leaves the shared descriptor open");

            Set<ResetContext> again = Collections.newSetFromMap(new IdentityHashMap<>());
            for (int i = 0; i < contexts.capacity(); i++) {
                again.add(contexts.borrow());
            }
            assertTrue(distinct.containsAll(again), "the kept ones are lent again");
            again.forEach(contexts::giveBack);
        }
    }

    @Test
    void closeClosesTheIdleContextsThenTheDescriptorAndAContextGivenBackLater() {
        ResetContexts contexts = contexts();
        ResetContext idle = contexts.borrow();
        ResetContext late = contexts.borrow();
        contexts.giveBack(idle);
        PidCheckedFd shared = contexts.pagemap();
        contexts.close();
        assertFalse(scans(idle), "the idle context is closed");
        assertThrows(IllegalStateException.class, shared::fd, "the descriptor is closed");
        contexts.giveBack(late);
        assertFalse(scans(late), "a context given back after close is closed, not kept");
    }

    @Test
    void aForkedChildNeverLendsAContextBorrowedBeforeTheForkAndOpensItsOwnDescriptor() {
        ResetContexts parent = contexts();
        ResetContext heldAtTheFork = parent.borrow(); // by a thread the child does not have
        ResetContext idle = parent.borrow();
        parent.giveBack(idle);
        PidCheckedFd inherited = parent.pagemap();

        try (ResetContexts child = parent.forChild()) {
            assertFalse(scans(idle), "the idle context is closed in the child");
            assertThrows(IllegalStateException.class, inherited::fd, "the inherited descriptor is closed");
            ResetContext first = child.borrow();
            assertNotSame(heldAtTheFork, first);
            assertNotSame(idle, first);
            assertTrue(scans(first), "a fresh context over a fresh descriptor");
            assertNotSame(inherited, child.pagemap());
            child.giveBack(first);
            parent.giveBack(heldAtTheFork); // were its thread to return: the old set takes it and closes it
            assertFalse(scans(heldAtTheFork));
            assertSame(first, child.borrow());
        }
    }

    @Test
    void aReleaseGetsAContextEvenWhereNoScannerCanBeOpenedAndTheRefusalIsTold() {
        FaultInjectingSyscalls os = new FaultInjectingSyscalls(Syscalls.linux());
        os.failAlways(Call.OPEN, Errno.EMFILE);
        List<String> told = new ArrayList<>();
        PoolListener listener = new PoolListener() {
            @Override
            public void fallback(SlotKind kind, Fallback fallback, String detail) {
                told.add(fallback + ": " + detail);
            }
        };
        try (ResetContexts contexts = new ResetContexts(ScanMode.PAGEMAP_SCAN, os, listener)) {
            assertThrows(RuntimeException.class, contexts::borrow, "a forced scan mode without a descriptor");
            ResetContext context = contexts.borrowForRelease();
            assertFalse(context.canScan(), "its resets run as memset-keep-resident");
            contexts.giveBack(context);
            assertEquals(1, told.size(), told.toString());
            assertTrue(told.get(0).startsWith("NO_SCANNER") && told.get(0).contains("EMFILE"), told.toString());
        }
    }
}
