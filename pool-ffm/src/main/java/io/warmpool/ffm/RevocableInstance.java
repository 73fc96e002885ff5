package io.warmpool.ffm;

import io.warmpool.pool.Instance;
import io.warmpool.pool.InstanceRequest;
import io.warmpool.pool.MemorySlot;
import io.warmpool.pool.PoolSlot;
import io.warmpool.pool.WarmPool;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * An {@link Instance} whose slots a tenant sees only as {@link MemorySegment}s that its release
 * revokes.
 *
 * <pre>
 *  acquire      instance = pool.acquire(request);  arena = Arena.ofShared()  (acquireConfined: ofConfined())
 *  memory(i)    MemorySegment.ofAddress(slot.address()).reinterpret(slot.accessibleBytes(), arena, null)
 *  table(i), stack()   the same over those slots
 *  close        arena.close()        every segment of this instance is dead, in every thread:
 *                                    an access throws IllegalStateException, none is in flight
 *               instance.close()     only then are the slots reset and free for another tenant
 * </pre>
 *
 * A segment covers the bytes accessible when it was made: after {@link #grow} ask for the memory
 * again to see the new bytes. Closing a shared arena makes every thread reach a safepoint (a
 * handshake); {@code docs/FFM.md} has what that costs a release. The close fails with
 * {@link IllegalStateException} while a segment is in use by a native downcall; the instance then
 * stays acquired (no slot is reset under the call, none is lost) and a later {@link #close()}
 * tries again. Thread-safe.
 *
 * <p>The host keeps {@link #instance()} for what is not the tenant's to see; a tenant given only
 * segments cannot reach another tenant's bytes through them.
 */
public final class RevocableInstance implements AutoCloseable {
    private final Instance instance;
    private final Arena arena;
    private boolean closed;

    private RevocableInstance(Instance instance, Arena arena) {
        this.instance = instance;
        this.arena = arena;
    }

    /**
     * Acquires an instance as {@link WarmPool#acquire(InstanceRequest)} does.
     *
     * @throws io.warmpool.pool.PoolExhaustedException when the pool has no free slot of a kind asked for
     */
    public static RevocableInstance acquire(WarmPool pool, InstanceRequest request) {
        return new RevocableInstance(pool.acquire(request), Arena.ofShared());
    }

    /**
     * Acquires an instance whose segments only the calling thread may use ({@link Arena#ofConfined()}):
     * another thread's access throws {@link WrongThreadException}, and so does a {@link #close()} from
     * another thread (the instance then stays acquired). Its release skips the handshake with every
     * thread that a shared arena's close needs, so it costs far less (docs/FFM.md), for a tenant that
     * runs on one thread from acquire to release.
     */
    public static RevocableInstance acquireConfined(WarmPool pool, InstanceRequest request) {
        return new RevocableInstance(pool.acquire(request), Arena.ofConfined());
    }

    /**
     * Acquires an instance as {@link WarmPool#acquire(InstanceRequest, Duration)} does, waiting up to
     * {@code timeout} for free slots.
     */
    public static RevocableInstance acquire(WarmPool pool, InstanceRequest request, Duration timeout)
            throws InterruptedException {
        return new RevocableInstance(pool.acquire(request, timeout), Arena.ofShared());
    }

    /**
     * Takes over an instance acquired already: its release is this object's from now on. Views taken
     * from it before (its {@code buffer()}s) are not revoked.
     */
    public static RevocableInstance of(Instance instance) {
        Objects.requireNonNull(instance, "instance");
        if (instance.isReleased()) {
            throw new IllegalStateException("the instance is released already");
        }
        return new RevocableInstance(instance, Arena.ofShared());
    }

    /** The instance, for its host. */
    public Instance instance() {
        return instance;
    }

    /**
     * Memory {@code i}'s accessible bytes now, revoked at the release.
     *
     * @throws IllegalStateException after the release
     */
    public MemorySegment memory(int i) {
        return segment(instance.memory(i));
    }

    /**
     * Grows memory {@code i} as {@link MemorySlot#grow} does and returns its new accessible bytes as a
     * segment (segments taken before keep their length).
     */
    public MemorySegment grow(int i, long additionalBytes) {
        instance.memory(i).grow(additionalBytes);
        return memory(i);
    }

    /** Table {@code i}, revoked at the release. */
    public MemorySegment table(int i) {
        return segment(instance.table(i));
    }

    /** The stack's accessible bytes (its lowest address first), revoked at the release; empty without a stack. */
    public Optional<MemorySegment> stack() {
        return instance.stack().map(this::segment);
    }

    private MemorySegment segment(PoolSlot slot) {
        long address = slot.address();
        long bytes = slot.accessibleBytes();
        // The arena is checked after the slot: a release between the two leaves a dead segment.
        return MemorySegment.ofAddress(address).reinterpret(bytes, arena, null);
    }

    /** Whether {@link #close()} has revoked the segments and released the instance. */
    public synchronized boolean isClosed() {
        return closed;
    }

    /**
     * Revokes every segment of this instance, then releases it (the pool resets its slots). Idempotent.
     *
     * @throws IllegalStateException when a segment is in use by a native downcall: nothing is revoked
     *                               or released, and a later call tries again
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        if (arena.scope().isAlive()) {
            arena.close();
        }
        instance.close();
        closed = true;
    }
}
