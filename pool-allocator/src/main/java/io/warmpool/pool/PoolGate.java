package io.warmpool.pool;

import io.warmpool.pool.concurrent.StripedCounter;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Whether a {@link WarmPool} is open, and which of its calls are inside it now: what
 * {@link WarmPool#close()} waits for before it unmaps anything, so that no call (an acquire in
 * flight, a setter, a flush, a measurement) ever touches memory the pool no longer owns.
 *
 * <pre>
 *  a call that reads or changes slots     cell = enter() ... exit(cell)
 *    enter: inside[cell of this thread] += 1, then reads the state:
 *           OPEN ──► goes on        CLOSING or CLOSED ──► inside[cell] -= 1; refused: "the pool is closed"
 *  a release                              cell = enterAlways() ... exit(cell): never refused; an instance
 *                                         out keeps the pool open, so a release always finds it mapped
 *  close(instancesOut):
 *    instances out ──► refused at once, nothing changed
 *    state = CLOSING                      new calls are refused from here on
 *    wait until inside sums to 0          every call that entered before has left (an acquire
 *                                         that got its instance has counted it out by then)
 *    instances out now ──► state = OPEN, refused: those acquires won the race, the pool stays open
 *    otherwise ──► state = CLOSED: the caller unmaps; nothing can enter again
 * </pre>
 *
 * Why no call is missed: enter writes its cell, then reads the state; close writes the state, then
 * reads the cells (all volatile, so in one total order). A call whose increment close did not see
 * incremented after close wrote CLOSING, so it reads CLOSING and leaves without touching anything.
 * Each call changes one cell up and down, so no cell is ever below zero and a sum of zero means
 * nobody was inside ({@link StripedCounter}). The cells keep enter and exit off a shared cache line.
 *
 * <p>Refused while closing: a call that overlaps a {@code close()} that then fails (instances were
 * out) is refused as if the pool were closed, though it stays open. A close waits at most
 * {@link #QUIET_WAIT_SECONDS} for the calls inside (a listener that closes its own pool from a
 * callback would otherwise wait for itself): then it fails, and the pool stays open.
 */
final class PoolGate {
    /** How long close waits for the calls inside the pool to leave before it gives up. */
    static final long QUIET_WAIT_SECONDS = 10;
    private static final int OPEN = 0;
    private static final int CLOSING = 1;
    private static final int CLOSED = 2;

    private final StripedCounter inside = new StripedCounter();
    private volatile int state = OPEN;

    /**
     * Enters a call that reads or changes slots.
     *
     * @return the cell to pass to {@link #exit}
     * @throws IllegalStateException when the pool is closed or closing
     */
    int enter() {
        int cell = inside.cellOfThisThread();
        inside.add(cell, 1);
        if (state != OPEN) {
            inside.add(cell, -1);
            throw closed();
        }
        return cell;
    }

    /** Enters a release, which is never refused: see the class comment. */
    int enterAlways() {
        int cell = inside.cellOfThisThread();
        inside.add(cell, 1);
        return cell;
    }

    /** Leaves a call entered with {@link #enter} or {@link #enterAlways}. */
    void exit(int cell) {
        inside.add(cell, -1);
    }

    /** @throws IllegalStateException when the pool is closed or closing */
    void checkOpen() {
        if (state != OPEN) {
            throw closed();
        }
    }

    /** Whether {@link #close} has succeeded. */
    boolean isClosed() {
        return state == CLOSED;
    }

    /**
     * Closes the gate: from now on every {@link #enter} is refused, and no call is inside.
     *
     * @param instancesOut the pool's count of instances out
     * @return false when it was closed already
     * @throws IllegalStateException naming the instances out (the gate stays open), or when the
     *                               calls inside did not leave within {@link #QUIET_WAIT_SECONDS}
     */
    synchronized boolean close(StripedCounter instancesOut) {
        if (state == CLOSED) {
            return false;
        }
        refuseIfOut((int) instancesOut.sum());
        state = CLOSING;
        try {
            awaitQuiet();
            refuseIfOut((int) instancesOut.sum());
        } catch (RuntimeException e) {
            state = OPEN;
            throw e;
        }
        state = CLOSED;
        return true;
    }

    private static void refuseIfOut(int out) {
        if (out > 0) {
            throw new IllegalStateException(out + " instance(s) still out: release them before closing the pool");
        }
    }

    private void awaitQuiet() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(QUIET_WAIT_SECONDS);
        for (int spins = 0; inside.sum() != 0; spins++) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException(inside.sum() + " call(s) still inside the pool after "
                        + QUIET_WAIT_SECONDS + " s; not closed (does a listener call the pool back?)");
            }
            if (spins < 100) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(this, 50_000);
            }
        }
    }

    /**
     * In a forked child, before any of its threads enters: the calls that parent threads were
     * making do not exist here.
     */
    void renewAfterFork() {
        inside.clear();
    }

    private static IllegalStateException closed() {
        return new IllegalStateException("the pool is closed");
    }
}
