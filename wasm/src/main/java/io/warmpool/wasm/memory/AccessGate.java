package io.warmpool.wasm.memory;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * What may still touch a {@link PooledMemory}'s slot, so that its release can wait until nothing does
 * and the slot's next tenant is alone in it. One gate per memory; only the memory's owner (the
 * instance it belongs to) holds it, so no caller can enter without leaving.
 *
 * <pre>
 *  a call, thread T (enter ... exit):
 *    enter: inFlight+1, then closed? → inFlight-1, refused
 *           owner null → T (CAS)        T's loads and stores: owner == T, nothing more to do
 *           (owner already another thread: inFlight-1; this call's accesses count themselves)
 *    exit:  owner T → null, inFlight-1  (a nested call on T only counts its depth)
 *  every other access (another thread, a kept Memory, a second call at once, the host's reads):
 *    arrive: inFlight+1 ── reads the view, touches the slot ── depart: inFlight-1
 *  the release (PooledMemory.close):
 *    closed = true, view = nothing ── wait until inFlight = 0 (1 if T closes from inside its own call)
 *    ── then the owner hands the slot back
 * </pre>
 *
 * Both sides write their own volatile first and read the other's second (a count, then the view or
 * {@code closed}; the view and {@code closed}, then the count): volatile accesses are sequentially
 * consistent, so either the release sees the access counted and waits for it, or the access sees the
 * empty view and fails its bounds check. The owner's own loads and stores cost a thread comparison;
 * the count is one atomic add per call, or per access for everything else. Waiting is on this gate's
 * monitor, woken by each departure once closed.
 */
public final class AccessGate {
    private static final VarHandle IN_FLIGHT;
    private static final VarHandle OWNER;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            IN_FLIGHT = lookup.findVarHandle(AccessGate.class, "inFlight", int.class);
            OWNER = lookup.findVarHandle(AccessGate.class, "owner", Thread.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The thread whose call holds the gate open (its accesses uncounted); null when none. */
    private volatile Thread owner;
    /** How deep the owner's calls nest; read and written by the owner only. */
    private int depth;
    /** The owner's call (1 at most) and every counted access in progress. */
    private volatile int inFlight;
    private volatile boolean closed;

    /**
     * Enters a call on the calling thread; pair it with {@link #exit()} in a {@code finally}.
     *
     * @return false, having entered nothing, once the gate is closed
     */
    public boolean enter() {
        Thread me = Thread.currentThread();
        if (owner == me) {
            if (closed) {
                return false;
            }
            depth++;
            return true;
        }
        int unused = (int) IN_FLIGHT.getAndAdd(this, 1); // the exact type (int), so that it compiles to one add
        if (closed) {
            depart();
            return false;
        }
        if (OWNER.compareAndSet(this, null, me)) {
            depth = 1;
        } else {
            depart(); // another thread's call holds the gate: this one's accesses count themselves
        }
        return true;
    }

    /** Leaves the call {@link #enter()} entered on the calling thread. */
    public void exit() {
        if (owner != Thread.currentThread() || --depth > 0) {
            return;
        }
        owner = null;
        depart();
    }

    /** Whether {@link #close()} began. */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Before an access of the slot: false when the calling thread's own call holds the gate open,
     * else counts the access (then {@link #depart()} after it).
     */
    boolean arrive() {
        if (Thread.currentThread() == owner) {
            return false;
        }
        int unused = (int) IN_FLIGHT.getAndAdd(this, 1);
        return true;
    }

    /** After a counted access, or when the owner's call ends. */
    void depart() {
        int unused = (int) IN_FLIGHT.getAndAdd(this, -1);
        if (closed) {
            synchronized (this) {
                notifyAll();
            }
        }
    }

    /**
     * Refuses every later call, then waits until no call or access that began before is in progress,
     * except the calling thread's own call when it closes from inside one. The memory empties its view
     * first, so nothing that waits here can reach the slot afterwards. Uninterruptible (an interrupt is
     * kept for the caller): the slot must not go back while something may still write to it.
     */
    void close() {
        closed = true;
        int mine = owner == Thread.currentThread() ? 1 : 0;
        boolean interrupted = false;
        synchronized (this) {
            while (inFlight > mine) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "AccessGate[inFlight=" + inFlight + (closed ? ", closed" : "") + "]";
    }
}
