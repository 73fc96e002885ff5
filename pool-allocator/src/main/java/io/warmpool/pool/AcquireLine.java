package io.warmpool.pool;

import io.warmpool.pool.config.SlotKind;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.locks.LockSupport;

/**
 * The line of acquires that wait for slots to be released, first come first served.
 *
 * <pre>
 *  acquire(request, timeout):
 *    nobody in line ──► try at once (no lock, no shared write) ──► every kind had a slot: done
 *    someone in line, or a kind had none (what the try took goes back untouched, not reset):
 *      join at the tail, then until done:
 *        at the head, or called ──► try ──► every kind had a slot: leave, done
 *                                       └─► not: remember the kind it lacked; park
 *        park until called or the timeout ──► timeout or interrupt: leave, refuse
 *
 *  an instance is released (or a queued decommit frees a slot):
 *    call the first waiter not yet called, and wake it: one waiter tries per instance freed,
 *    never the whole line, and instances freed together go to as many waiters, in line order
 *  a try gives back slots of a kind untouched (it lacked another kind):
 *    call the first waiter not yet called that lacked that kind: a slot taken and given back in
 *    passing may be what it waits for, while the others need not wake for it
 *  a waiter leaves with its call unused (refused): the call passes to the next waiter not yet called
 *  a call that finds no waiter to take it is kept (unclaimed): the next waiter to join is called
 *  at once; a try that finds a kind without a slot clears what is kept
 * </pre>
 *
 * A new acquire does not pass a line that has formed, so slots go to waiters in the order they
 * came. Waiters never hold slots while they wait: an acquire that cannot have every kind it asks
 * for takes nothing, so under overload the pool resets only what tenants used. In a forked child
 * the pool starts a new line (the parent's waiters do not exist there, and one may have held this
 * monitor).
 */
final class AcquireLine {
    /** One waiter: its thread, whether it was called to try, and the kind it lacked at its last try. */
    static final class Waiter {
        final Thread thread = Thread.currentThread();
        boolean called; // these two under the line's monitor
        SlotKind lacked;
    }

    /** Calls no waiter could take (everyone waiting was called already, or nobody waited), at most {@link #UNCLAIMED_MAX}. */
    private static final int UNCLAIMED_MAX = 1024;

    private final ArrayDeque<Waiter> waiting = new ArrayDeque<>();
    /**
     * Slots freed or given back while no waiter could be called for them (under the monitor): the
     * next waiters to join are called at once, so that no freed slot waits for a release that may
     * never come. A try that finds a kind without a slot clears it: there was nothing left to claim.
     */
    private int unclaimed;
    /** Waiters in line: read without the lock by acquires deciding whether they may try at once. */
    private volatile int length;

    /** Whether nobody waits: then a new acquire may try at once. */
    boolean isEmpty() {
        return length == 0;
    }

    /** The calling thread joins the line at its tail. */
    synchronized Waiter join() {
        Waiter me = new Waiter();
        waiting.addLast(me);
        length = waiting.size();
        if (unclaimed > 0) {
            unclaimed--;
            me.called = true;
        }
        return me;
    }

    /**
     * Whether {@code me} may try now: it is at the head, or it was called. The call is used up by
     * asking: a try that fails waits for the next one.
     */
    synchronized boolean mayTry(Waiter me) {
        boolean may = me.called || waiting.peekFirst() == me;
        me.called = false;
        return may;
    }

    /** {@code me} tried and found no free slot of {@code kind}. */
    synchronized void lacked(Waiter me, SlotKind kind) {
        me.lacked = kind;
        unclaimed = 0;
    }

    /**
     * {@code me} leaves the line: done, or refused. A refused waiter passes its call on (it may have
     * been called for slots it will not take); so does one that got its slots when a call came
     * meanwhile (while it tried, as the head or for an earlier call): that call was for other slots.
     */
    synchronized void leave(Waiter me, boolean done) {
        waiting.remove(me);
        length = waiting.size();
        if (!done || me.called) {
            callFirst(null);
        }
    }

    /** An instance's slots (or a queued decommit's) became free: the first waiter not yet called tries. */
    synchronized void slotFreed() {
        callFirst(null);
    }

    /**
     * A try gave back slots of {@code kind} untouched (null: of any kind): the first waiter not yet
     * called that lacked that kind, or never tried, tries.
     */
    synchronized void slotReturned(SlotKind kind) {
        callFirst(kind);
    }

    /** Wakes every waiter (the pool closed: they all refuse). */
    synchronized void wakeAll() {
        for (Waiter w : waiting) {
            LockSupport.unpark(w.thread);
        }
    }

    /** Calls the first waiter not yet called that lacked {@code kind} (any, when null). */
    private void callFirst(SlotKind kind) {
        for (Iterator<Waiter> it = waiting.iterator(); it.hasNext(); ) { // no lambda: a forked child may run this
            Waiter w = it.next();
            if (!w.called && (kind == null || w.lacked == null || w.lacked == kind)) {
                w.called = true;
                LockSupport.unpark(w.thread);
                return;
            }
        }
        if (unclaimed < UNCLAIMED_MAX) {
            unclaimed++;
        }
    }
}
